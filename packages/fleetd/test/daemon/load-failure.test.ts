/**
 * Issue 15, item 5 (agent half): a unit whose file the agent cannot install
 * used to be retried every round forever, with nothing in its state. On a
 * standalone fleetd with a real systemd: the state says why (load state
 * `error`, `load failed: ...`), fleetctl stops waiting with that reason, and
 * once the obstacle is gone the unit loads and runs, its message cleared.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { useSystemd } from '@fleetd/plugin-systemd/vitest';
import { runFleetctl, startFleetd } from '../../src/testing/index.js';
import type { FleetdProcess } from '../../src/testing/index.js';
import { send } from '../api/harness.js';

const systemd = useSystemd(1);
const unitDir = mkdtempSync('/tmp/fleetd-load-failure-units-');
let fleetd: FleetdProcess;
let unitsDirectory: string;

beforeAll(async () => {
  const [instance] = systemd();
  unitsDirectory = instance!.unitsDirectory;
  writeFileSync(join(unitDir, 'blocked.service'), '[Service]\nExecStart=/bin/sleep 1000\n');
  fleetd = await startFleetd({ name: 'load-failure', config: { machine: { id: 'lf-1' }, agent: { busAddress: instance!.busAddress, unitsDirectory } } });
});
afterAll(async () => {
  await fleetd?.remove();
  rmSync(unitDir, { recursive: true, force: true });
});

interface WireState {
  readonly systemdLoadState?: string;
  readonly systemdActiveState?: string;
  readonly message?: string;
}

async function stateOf(name: string): Promise<WireState | undefined> {
  const response = await send({ socketPath: fleetd.socketPath }, 'GET', `/fleet/v1/state/${name}`);
  return response.status === 200 ? (response.json as WireState) : undefined;
}

describe('a unit whose file cannot be installed', () => {
  it('regression: reports why in its state, fleetctl stops waiting with the reason, and it runs once the obstacle is gone', async () => {
    // A directory where the unit's file goes: the driver's rename onto it fails.
    const obstacle = join(unitsDirectory, 'blocked.service');
    mkdirSync(obstacle, { recursive: true });
    writeFileSync(join(obstacle, 'keep'), '');

    const started = await runFleetctl(['start', 'blocked.service'], { endpoint: fleetd.socketPath, cwd: unitDir });
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(
      /^fleetctl: unit blocked\.service could not be loaded on lf-1: load failed: systemd: could not load blocked\.service: EISDIR: illegal operation on a directory, read \((first attempt|attempt \d+); next in \d+ s\)$/m,
    );
    const state = await stateOf('blocked.service');
    expect(state).toMatchObject({ systemdLoadState: 'error', systemdActiveState: 'inactive' });
    expect(state?.message).toMatch(/^load failed: /);
    const listed = await runFleetctl(['list-unit-files', '--no-legend', '--fields', 'unit,state'], { endpoint: fleetd.socketPath, cwd: unitDir });
    expect(listed.stdout.trim().split(/\s+/)).toEqual(['blocked.service', 'inactive']);

    rmSync(obstacle, { recursive: true, force: true });
    const running = await waitFor(
      async () => {
        const current = await stateOf('blocked.service');
        return current?.systemdActiveState === 'active' ? current : undefined;
      },
      'blocked.service running after the obstacle is gone',
      30_000,
      100,
    );
    expect(running).toMatchObject({ systemdLoadState: 'loaded', systemdActiveState: 'active' });
    expect(running).not.toHaveProperty('message');
  });
});
