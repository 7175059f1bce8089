/**
 * fleetd as cluster members: a real etcd, three built `fleetd` daemons each
 * with its own systemd user instance, driven by the built `fleetctl` against
 * any of them. A clean restart keeps the machine and its units where they
 * are; a killed machine's units move after the agent TTL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { useSystemd } from '@fleetd/plugin-systemd/vitest';
import { useEtcd } from '@fleetd/registry-etcd/vitest';
import { runFleetctl, startFleetd } from '../../src/testing/index.js';
import type { FleetdProcess } from '../../src/testing/index.js';
import { LIST_PLACEMENTS, parsePlacements } from './placements.js';

const etcd = useEtcd();
const systemd = useSystemd(3);
const unitDir = mkdtempSync('/tmp/fleetd-cluster-units-');
const machines: FleetdProcess[] = [];
// Twice what a member's clean restart takes on a loaded 2-core machine (3 s was not, beside
// another test file): a restart slower than the TTL rightly moves the member's units.
const TTL_SECONDS = 6;

beforeAll(async () => {
  for (const name of ['web@.service', 'db.service', 'cache.service']) {
    writeFileSync(join(unitDir, name), `[Service]\nExecStart=/bin/sleep 1000\n`);
  }
  writeFileSync(join(unitDir, 'ssd-only.service'), '[Service]\nExecStart=/bin/sleep 1000\n\n[X-Fleet]\nMachineMetadata=disk=ssd\n');
  const instances = systemd();
  for (const [index, instance] of instances.entries()) {
    machines.push(
      await startFleetd({
        name: `m${index + 1}`,
        config: {
          etcd: { endpoints: [...etcd().endpoints], keyPrefix: '/cluster-test/' },
          machine: { id: `m${index + 1}`, metadata: { zone: index === 0 ? 'a' : 'b' }, publicIP: `10.0.0.${index + 1}` },
          agent: { busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory, ttlSeconds: TTL_SECONDS },
          engine: { reconcileIntervalMs: 500, leaseTtlSeconds: 2 },
        },
      }),
    );
  }
});
afterAll(async () => {
  for (const machine of machines) await machine.remove();
  rmSync(unitDir, { recursive: true, force: true });
});

const fleetctl = (via: FleetdProcess, ...args: string[]) => runFleetctl(args, { endpoint: via.socketPath, cwd: unitDir });
const member = (index: number): FleetdProcess => machines[index] as FleetdProcess;

/** unit → machine ID, from `list-unit-files` (whose target column reads `m1/10.0.0.1`, as fleet's). */
async function placements(via: FleetdProcess): Promise<Record<string, string>> {
  return parsePlacements((await fleetctl(via, ...LIST_PLACEMENTS)).stdout);
}

describe('fleetd cluster members on etcd', () => {
  it('lists every machine with its address and metadata from any member', async () => {
    const { stdout, code } = await fleetctl(member(2), 'list-machines', '-l');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^MACHINE\s+IP\s+METADATA$/m);
    expect(stdout).toMatch(/^m1\s+10\.0\.0\.1\s+zone=a$/m);
    expect(stdout).toMatch(/^m2\s+10\.0\.0\.2\s+zone=b$/m);
    expect(stdout).toMatch(/^m3\s+10\.0\.0\.3\s+zone=b$/m);
  });

  it('starts units and template instances across the machines and reports them active', async () => {
    const started = await fleetctl(member(0), 'start', 'web@1.service', 'web@2.service', 'db.service', 'cache.service');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const placed = await placements(member(1));
    // Like fleet, an instance is created from the local template file; the template itself is not submitted.
    expect(Object.keys(placed).sort()).toEqual(['cache.service', 'db.service', 'web@1.service', 'web@2.service']);
    expect(new Set(Object.values(placed)).size).toBe(3);
    const units = await fleetctl(member(1), 'list-units', '--no-legend', '-l');
    expect(
      units.stdout
        .trim()
        .split('\n')
        .filter((line) => /\sactive\s+running$/.test(line)),
    ).toHaveLength(4);
  });

  it('explains a unit no machine can take, naming the plugin and each machine', async () => {
    const started = await fleetctl(member(0), 'start', '--no-block', 'ssd-only.service');
    expect(started.code).toBe(0);
    const explained = await fleetctl(member(0), 'explain', 'ssd-only.service');
    expect(explained.stdout).toMatch(/0\/3 machines available: 3 metadata disk=ssd not matched/);
    expect(explained.stdout).toMatch(/m1[\s\S]*metadata[\s\S]*disk=ssd/);
    expect(await fleetctl(member(0), 'destroy', 'ssd-only.service')).toMatchObject({ code: 0 });
  });

  it('keeps every placement when a member restarts cleanly within the agent TTL', async () => {
    const before = await placements(member(0));
    const restarting = member(1);
    expect(await restarting.stop()).toBe(0);
    await restarting.restart();
    // Longer than the TTL: had the machine left, the engine would have moved its units by now.
    await new Promise((resolve) => setTimeout(resolve, (TTL_SECONDS + 2) * 1000));
    expect(await placements(member(0))).toEqual(before);
  });

  it('moves the units of a killed member to the others after the agent TTL', async () => {
    const victim = member(2);
    const before = await placements(member(0));
    const orphaned = Object.entries(before)
      .filter(([, machine]) => machine === 'm3')
      .map(([unit]) => unit);
    expect(orphaned.length).toBeGreaterThan(0);
    await victim.kill();
    await waitFor(
      async () => {
        const now = await placements(member(0));
        return orphaned.every((unit) => now[unit] !== undefined && now[unit] !== 'm3' && now[unit] !== '-');
      },
      `${orphaned.join(', ')} moved off m3`,
      (TTL_SECONDS + 10) * 1000,
      250,
    );
    await waitFor(
      async () =>
        (await fleetctl(member(0), 'list-units', '--no-legend', '-l')).stdout
          .trim()
          .split('\n')
          .filter((line) => /\sactive\s+running$/.test(line)).length === 4,
      'all four units active on the remaining machines',
      15_000,
      250,
    );
    await victim.restart();
  });

  it('refuses a second fleetd that claims a machine ID in use', async () => {
    const [instance] = systemd();
    const impostor = startFleetd({
      name: 'impostor',
      config: {
        etcd: { endpoints: [...etcd().endpoints], keyPrefix: '/cluster-test/' },
        machine: { id: 'm1' },
        agent: { busAddress: instance?.busAddress as string, unitsDirectory: join(unitDir, 'impostor-units') },
        engine: { enabled: false },
      },
    });
    await expect(impostor).rejects.toThrow(/machine ID m1 is already announced by another fleetd/);
  });
});
