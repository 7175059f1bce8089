/**
 * End to end on the demo's real cluster: one etcd, three fleetd daemons,
 * each machine its own systemd user instance; everything through the built
 * fleetctl, as an operator would. Units are destroyed after each test, and
 * the cluster is removed after the file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { startSystemdInstance } from '@fleetd/plugin-systemd/testing';
import { startDemoCluster } from '../src/index.js';
import type { LocalCluster } from '../src/index.js';

const EXAMPLE_UNITS = fileURLToPath(new URL('../../units/', import.meta.url));
const scratch = mkdtempSync('/tmp/fleetd-e2e-units-');
let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await startDemoCluster({ ttlSeconds: 3 });
});
afterEach(async () => {
  const { stdout } = await cluster.fleetctl(['list-unit-files', '--no-legend', '--fields', 'unit']);
  const units = stdout.split('\n').filter(Boolean);
  if (units.length > 0) await cluster.fleetctl(['destroy', ...units]);
  // Destroyed units are stopped and unloaded by their agents: no unit process outlives its test.
  let left = '';
  try {
    await waitFor(
      async () => (left = (await cluster.fleetctl(['list-units', '--no-legend', '-l'])).stdout.trim()) === '',
      'every unit gone from the machines',
      30_000,
      250,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; still listed:\n${left}`);
  }
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const fleetctl = (...args: string[]) => cluster.fleetctl(args, { cwd: scratch });
const sleeper = (extra = '') => `[Service]\nExecStart=/bin/sleep 1000\n${extra}`;
function unitFile(name: string, contents: string): void {
  writeFileSync(join(scratch, name), contents);
}

interface UnitRow {
  readonly unit: string;
  readonly machine: string;
  readonly active: string;
  readonly sub: string;
}

async function listUnits(): Promise<UnitRow[]> {
  const { stdout } = await fleetctl('list-units', '--no-legend', '-l', '--fields', 'unit,machine,active,sub');
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [unit = '', target = '', active = '', sub = ''] = line.split(/\s+/);
      return { unit, machine: target.split('/')[0] ?? '', active, sub };
    });
}

const running = async (): Promise<UnitRow[]> => (await listUnits()).filter((row) => row.active === 'active' && row.sub === 'running');
const machineOf = async (unit: string): Promise<string | undefined> => (await listUnits()).find((row) => row.unit === unit)?.machine;

describe('fleetctl on a three-machine cluster', () => {
  it("submit, load, start, stop, unload and destroy move a unit through fleet's states", async () => {
    unitFile('life.service', sleeper());
    const states = async () => (await fleetctl('list-unit-files', '--no-legend', '--fields', 'unit,dstate,state')).stdout.trim();
    expect(await fleetctl('submit', 'life.service')).toMatchObject({ code: 0, stdout: 'Unit life.service inactive\n' });
    expect(await states()).toMatch(/^life\.service\s+inactive\s+inactive$/);
    expect(await fleetctl('load', 'life.service')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Unit life\.service loaded on \w+\/10\.0\.0\.\d$/m),
    });
    expect(await states()).toMatch(/^life\.service\s+loaded\s+loaded$/);
    expect(await fleetctl('start', 'life.service')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Unit life\.service launched on \w+\/10\.0\.0\.\d$/m),
    });
    expect(await running()).toEqual([expect.objectContaining({ unit: 'life.service' })]);
    expect((await fleetctl('stop', 'life.service')).code).toBe(0);
    expect(await states()).toMatch(/^life\.service\s+loaded\s+loaded$/);
    expect((await fleetctl('unload', 'life.service')).code).toBe(0);
    expect(await states()).toMatch(/^life\.service\s+inactive\s+inactive$/);
    expect(await fleetctl('destroy', 'life.service')).toMatchObject({ code: 0, stdout: 'Destroyed life.service\n' });
    expect(await states()).toBe('');
  });

  it('cat prints the submitted file byte for byte: comments, blank lines and continuations kept', async () => {
    const contents = [
      '# Written by hand.',
      '[Unit]',
      'Description=Exactly as written',
      '',
      '[Service]',
      '; systemd takes both comment styles',
      "ExecStart=/bin/sh -c 'echo one; \\",
      "  exec sleep 1000'",
      'Environment=A=1   B=2',
      '',
      '[X-Fleet]',
      readFileSync(join(EXAMPLE_UNITS, 'web@.service'), 'utf8')
        .split('\n')
        .find((line) => line.startsWith('Conflicts=')) ?? '',
      '',
    ].join('\n');
    unitFile('exact.service', contents);
    expect((await fleetctl('submit', 'exact.service')).code).toBe(0);
    expect((await fleetctl('cat', 'exact.service')).stdout).toBe(contents);
  });

  it('--replace runs the new contents where the old ran; without it a changed file is refused', async () => {
    unitFile('swap.service', `[Service]\nExecStart=/bin/sh -c 'echo one; exec sleep 1000'\n`);
    expect((await fleetctl('start', 'swap.service')).code).toBe(0);
    const machine = await machineOf('swap.service');
    unitFile('swap.service', `[Service]\nExecStart=/bin/sh -c 'echo two; exec sleep 1000'\n`);
    const refused = await fleetctl('start', 'swap.service');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^fleetctl: unit swap\.service in the cluster differs from local unit file \/tmp\/fleetd-e2e-units-\w+\/swap\.service; add --replace to replace it$/m,
    );
    expect((await fleetctl('start', '--replace', 'swap.service')).code).toBe(0);
    expect((await fleetctl('cat', 'swap.service')).stdout).toContain('echo two');
    await waitFor(async () => (await running()).some((row) => row.unit === 'swap.service'), 'the new swap.service running', 15_000);
    expect(await machineOf('swap.service')).toBe(machine);
  });

  it("MachineOf keeps each follower on its leader's machine", async () => {
    for (const name of ['web@.service', 'web-sidekick@.service']) unitFile(name, readFileSync(join(EXAMPLE_UNITS, name), 'utf8'));
    expect((await fleetctl('start', 'web@1.service', 'web@2.service', 'web-sidekick@1.service', 'web-sidekick@2.service')).code).toBe(0);
    const rows = await running();
    const where = (unit: string) => rows.find((row) => row.unit === unit)?.machine;
    expect(where('web-sidekick@1.service')).toBe(where('web@1.service'));
    expect(where('web-sidekick@2.service')).toBe(where('web@2.service'));
    expect(where('web@1.service')).not.toBe(where('web@2.service'));
  });

  it('five mutually conflicting units: three run, one per machine, two wait with a reason', async () => {
    unitFile('solo@.service', sleeper('\n[X-Fleet]\nConflicts=solo@*.service\n'));
    const names = [1, 2, 3, 4, 5].map((index) => `solo@${index}.service`);
    expect((await fleetctl('start', '--no-block', ...names)).code).toBe(0);
    await waitFor(async () => (await running()).length === 3, 'three solo units running', 20_000, 250);
    expect(new Set((await running()).map((row) => row.machine)).size).toBe(3);
    const placed = new Set((await running()).map((row) => row.unit));
    const unplaced = names.filter((name) => !placed.has(name));
    expect(unplaced).toHaveLength(2);
    const explained = await fleetctl('explain', unplaced[0] as string);
    expect(explained.stdout).toMatch(
      /^Summary:\s+0\/3 machines available: 1 conflict with solo@\d\.service, 1 conflict with solo@\d\.service, 1 conflict with solo@\d\.service$/m,
    );
  });

  it('two normal units and one global unit make five running units', async () => {
    unitFile('a.service', sleeper());
    unitFile('b.service', sleeper());
    unitFile('everywhere.service', sleeper('\n[X-Fleet]\nGlobal=true\n'));
    expect((await fleetctl('start', 'a.service', 'b.service', 'everywhere.service')).code).toBe(0);
    await waitFor(async () => (await running()).length === 5, 'five running units', 20_000, 250);
    expect(
      (await running())
        .filter((row) => row.unit === 'everywhere.service')
        .map((row) => row.machine)
        .sort(),
    ).toEqual(['alpha', 'bravo', 'charlie']);
  });

  it('a unit whose process fails shows failed, and start says so', async () => {
    unitFile('broken.service', '[Service]\nExecStart=/bin/false\n');
    const started = await fleetctl('start', 'broken.service');
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(/broken\.service.*failed/);
    await waitFor(async () => (await listUnits()).some((row) => row.unit === 'broken.service' && row.active === 'failed'), 'broken.service failed', 15_000);
  });

  it('a second fleetd with a machine ID in use is refused, and the first keeps serving', async () => {
    const systemd = await startSystemdInstance();
    try {
      await expect(cluster.startMember({ id: 'alpha', metadata: {}, publicIP: '10.0.0.9' }, systemd, 'impostor')).rejects.toThrow(
        /exited with code 1 before it was ready[\s\S]*machine ID alpha is already announced by another fleetd/,
      );
    } finally {
      await systemd.stop();
    }
    expect((await fleetctl('list-machines', '--no-legend')).stdout).toMatch(/^alpha\s+10\.0\.0\.1\s/m);
  });

  // Last: the cluster has two machines afterwards.
  it("a killed machine's units run elsewhere within the agent TTL and a few seconds", async () => {
    for (const name of ['m1.service', 'm2.service', 'm3.service', 'm4.service']) unitFile(name, sleeper());
    expect((await fleetctl('start', 'm1.service', 'm2.service', 'm3.service', 'm4.service')).code).toBe(0);
    const victim = cluster.machine('charlie');
    const orphans = (await running()).filter((row) => row.machine === 'charlie').map((row) => row.unit);
    expect(orphans.length).toBeGreaterThan(0);
    const killed = Date.now();
    await cluster.crash(victim);
    await waitFor(
      async () => {
        const rows = await running();
        return orphans.every((unit) => rows.some((row) => row.unit === unit && row.machine !== 'charlie'));
      },
      `${orphans.join(', ')} running on alpha or bravo`,
      (cluster.ttlSeconds + 10) * 1000,
      250,
    );
    expect(Date.now() - killed).toBeLessThan((cluster.ttlSeconds + 10) * 1000);
    expect((await fleetctl('list-machines', '--no-legend')).stdout).not.toMatch(/charlie/);
  });
});
