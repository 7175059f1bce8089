/**
 * Resource-aware scheduling end to end: three real fleetd daemons with
 * @fleetd/plugin-resources enabled in one line (`extraPlugins`), enforcing
 * requests as systemd limits, on one etcd and three systemd user instances.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '@fleetd/core';
import { waitFor } from '@fleetd/core/testing';
import { SystemdManager, unitObjectPath } from '@fleetd/plugin-systemd';
import { startDemoCluster } from '../src/index.js';
import type { LocalCluster } from '../src/index.js';

const scratch = mkdtempSync('/tmp/fleetd-e2e-resources-');
let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await startDemoCluster({ ttlSeconds: 3, extraPlugins: [{ plugin: '@fleetd/plugin-resources', options: { enforce: true } }] });
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const fleetctl = (...args: string[]) => cluster.fleetctl(args, { cwd: scratch });
function unitFile(name: string, xfleet: string): void {
  writeFileSync(join(scratch, name), `[Service]\nExecStart=/bin/sleep 1000\n\n[X-Fleet]\n${xfleet}\n`);
}

/** A property of a unit, read from the systemd instance of the machine it runs on. */
async function unitProperty(machineId: string, unit: string, property: string): Promise<unknown> {
  const machine = cluster.machines.find((candidate) => candidate.spec.id === machineId);
  if (machine === undefined) throw new Error(`no machine ${machineId}`);
  const manager = await SystemdManager.connect(machine.systemd.busAddress, 5000);
  try {
    return await manager.getProperty(unitObjectPath(unit), 'org.freedesktop.systemd1.Service', property);
  } finally {
    manager.connection.close();
  }
}

describe('resource-aware scheduling on a three-machine cluster', () => {
  it('every machine announces its real capacity, shown by list-machines', async () => {
    const { code, stdout } = await fleetctl('list-machines', '--no-legend', '--fields', 'machine,facts');
    expect(code).toBe(0);
    const facts = `cpu=${availableParallelism()},memory=${formatBytes(totalmem()).replace(' ', '')}`;
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/));
    expect(rows.sort()).toEqual(['alpha', 'bravo', 'charlie'].map((id) => [id, facts]));
  });

  it('a unit too big for every machine stays unplaced, and explain says why on each machine', async () => {
    unitFile('huge.service', 'Memory=64T');
    const started = await fleetctl('start', '--no-block', 'huge.service');
    expect(started.code).toBe(0);
    const free = formatBytes(totalmem());
    const reason = `memory: requests 64 TiB, ${free} free of ${free}`;
    let last = '';
    const explained = await waitFor(
      async () => {
        const result = await fleetctl('explain', 'huge.service');
        last = result.stdout + result.stderr;
        return result.stdout.includes(reason) ? result : undefined;
      },
      'the explanation naming the memory shortage',
      20_000,
      250,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; fleetctl explain said:\n${last}`);
    });
    expect(explained.stdout).toContain(`0/3 machines available: 3 ${reason}`);
    // One row per machine for the plugin: its verdict and the machine's own figures.
    expect(explained.stdout.split('\n').filter((line) => /^\s+resources\s+filter\s+-\s+/.test(line) && line.endsWith(reason))).toHaveLength(3);
    expect((await fleetctl('destroy', 'huge.service')).code).toBe(0);
  });

  it("a unit's request is enforced by its machine's systemd (MemoryMax, CPUQuota)", async () => {
    unitFile('capped.service', 'Memory=64M\nCPU=0.5');
    expect((await fleetctl('start', 'capped.service')).code).toBe(0);
    const { stdout } = await fleetctl('list-units', '--no-legend', '-l', '--fields', 'unit,machine,active');
    const machine = /^capped\.service\s+(\S+?)\/\S*\s+active/m.exec(stdout)?.[1];
    expect(machine, stdout).toBeDefined();
    expect(await unitProperty(machine ?? '', 'capped.service', 'MemoryMax')).toBe(64n * 1024n * 1024n);
    expect(await unitProperty(machine ?? '', 'capped.service', 'CPUQuotaPerSecUSec')).toBe(500_000n);
    expect((await fleetctl('destroy', 'capped.service')).code).toBe(0);
  });
});
