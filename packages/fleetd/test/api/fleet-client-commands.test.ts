/**
 * fleet's own fleetctl commands through fleetd's API, request by request as
 * its code sends them (client/http.go over the generated schema client) and
 * polling as it polls (every 250 ms). `restart` of a launched unit
 * (fleetctl/restart.go): set `loaded`, wait until the unit reads `launched`,
 * set `launched`, wait for `launched`; it returns against fleetd because
 * fleetd gives fleet's client fleet's lag (FleetClientLag), while other
 * clients read the state as it is. `start --replace`: CreateUnit with the
 * new options (201, desired state inactive), wait for inactive, then start.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fleetUnitHash } from '@fleetd/core';
import { waitFor } from '@fleetd/core/testing';
import { useSystemd } from '@fleetd/plugin-systemd/vitest';
import type { SystemdInstance } from '@fleetd/plugin-systemd/testing';
import { startCliCluster, type CliCluster } from '../cli/cluster.js';
import { goClientCall, goCreateUnit, goSetUnitTargetState } from './go-client.js';
import { Harness } from './harness.js';

type Read = { currentState?: string; desiredState?: string };

describe("fleet's client reads a unit it stopped as launched for fleet's lag; others read it as it is", () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await Harness.start();
  });
  afterEach(async () => {
    await harness.stop();
  });
  /** The agent reports the stop only once it saw the desired state (as fleetd's agent does). */
  const loadedWritten = () =>
    waitFor(
      async () => ((await harness.request('GET', '/fleet/v1/units/a.service')).json as Read).desiredState === 'loaded',
      'the desired state written',
      5000,
    );

  it("regression: after fleet's client sets loaded on a launched unit, it reads launched until it sets the state again", async () => {
    const socket = harness.server.socketPath as string;
    await harness.submit('a.service', 'launched');
    await harness.registry.put(harness.store.layout.placement('a.service'), '{"machine":"m1"}');
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
    // The PUT answers once the agent stopped the unit, so the hold starts after a real stop.
    const lowered = goSetUnitTargetState(socket, 'a.service', 'loaded');
    await loadedWritten();
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'inactive' });
    expect((await lowered).status).toBe(204);
    expect((await goClientCall(socket, 'GET', '/fleet/v1/units/a.service')).json).toMatchObject({ desiredState: 'loaded', currentState: 'launched' });
    expect((await goClientCall(socket, 'GET', '/fleet/v1/units')).json).toMatchObject({ units: [{ name: 'a.service', currentState: 'launched' }] });
    // fleetd's fleetctl and any other client: the truth.
    expect((await harness.request('GET', '/fleet/v1/units/a.service')).json).toMatchObject({ desiredState: 'loaded', currentState: 'loaded' });
    expect((await harness.request('GET', '/fleet/v1/units/a.service', { headers: { 'user-agent': 'Go-http-client/1.1' } })).json).toMatchObject({
      currentState: 'loaded',
    });
    // restart's second step ends the hold: fleet's client waits for the real launched.
    expect((await goSetUnitTargetState(socket, 'a.service', 'launched')).status).toBe(204);
    expect((await goClientCall(socket, 'GET', '/fleet/v1/units/a.service')).json).toMatchObject({ desiredState: 'launched', currentState: 'loaded' });
  });

  it("regression: the PUT lowering a running unit answers only after it stopped (else fleet's restart could set launched before the agent saw loaded, and nothing restarted)", async () => {
    const socket = harness.server.socketPath as string;
    await harness.submit('a.service', 'launched');
    await harness.registry.put(harness.store.layout.placement('a.service'), '{"machine":"m1"}');
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
    let answered = false;
    const lowered = goSetUnitTargetState(socket, 'a.service', 'loaded').then((answer) => ((answered = true), answer));
    await loadedWritten();
    await sleep(300);
    expect(answered).toBe(false);
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'inactive' });
    expect((await lowered).status).toBe(204);
  });

  it("the hold runs out after fleet's lag: fleet's stop waits for loaded a little longer, and gets it", async () => {
    const socket = harness.server.socketPath as string;
    await harness.submit('a.service', 'launched');
    await harness.registry.put(harness.store.layout.placement('a.service'), '{"machine":"m1"}');
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
    const lowered = goSetUnitTargetState(socket, 'a.service', 'loaded');
    await loadedWritten();
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'inactive' });
    expect((await lowered).status).toBe(204);
    await waitFor(
      async () => ((await goClientCall(socket, 'GET', '/fleet/v1/units/a.service')).json as Read).currentState === 'loaded',
      "fleet's client to read loaded",
      5000,
    );
  });
});

describe("fleet's restart and start --replace against a real agent and systemd", () => {
  const systemd = useSystemd(1);
  let cluster: CliCluster;
  let dir: string;
  beforeAll(async () => {
    const [instance] = systemd() as [SystemdInstance];
    cluster = await startCliCluster([{ id: 'a1b2c3d4e5f60718', publicIP: '10.0.0.1', systemd: instance }]);
    dir = mkdtempSync(join(tmpdir(), 'fleet-restart-'));
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** fleetctl's waitForState around assertUnitState: a poll every 250 ms (bounded here, unbounded in fleetctl). */
  async function waitAsFleetctl(name: string, state: string): Promise<void> {
    for (let attempt = 0; attempt < 80; attempt++) {
      await sleep(250);
      const read = (await goClientCall(cluster.socketPath, 'GET', `/fleet/v1/units/${name}`)).json as Read;
      if (read.currentState === state) return;
    }
    throw new Error(`fleet's client would still be waiting for ${name} to be ${state}`);
  }

  it("regression: fleet's restart of a running unit returns, and the unit really restarted", async () => {
    const starts = join(dir, 'starts');
    const options = [{ section: 'Service', name: 'ExecStart', value: `/bin/sh -c 'echo start >> ${starts}; exec sleep 1000'` }];
    // fleetctl start: CreateUnit, wait inactive, SetUnitTargetState launched, wait launched.
    expect((await goCreateUnit(cluster.socketPath, 'r.service', options)).status).toBe(201);
    await waitAsFleetctl('r.service', 'inactive');
    expect((await goSetUnitTargetState(cluster.socketPath, 'r.service', 'launched')).status).toBe(204);
    await waitAsFleetctl('r.service', 'launched');
    await waitFor(() => readStarts(starts) === 1, 'the first start', 10_000);
    // fleetctl restart: loaded, wait launched (sic), launched, wait launched.
    expect((await goSetUnitTargetState(cluster.socketPath, 'r.service', 'loaded')).status).toBe(204);
    await waitAsFleetctl('r.service', 'launched');
    expect((await goSetUnitTargetState(cluster.socketPath, 'r.service', 'launched')).status).toBe(204);
    await waitAsFleetctl('r.service', 'launched');
    await waitFor(() => readStarts(starts) === 2, 'the unit to have started again', 10_000);
    await cluster.store.destroyUnit('r.service');
  });

  it("regression: fleet's start --replace of a running unit returns and runs the new version", async () => {
    const v1 = [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep 1001' }];
    const v2 = [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep 1002' }];
    expect((await goCreateUnit(cluster.socketPath, 'x.service', v1)).status).toBe(201);
    await waitAsFleetctl('x.service', 'inactive');
    expect((await goSetUnitTargetState(cluster.socketPath, 'x.service', 'launched')).status).toBe(204);
    await waitAsFleetctl('x.service', 'launched');
    // lazyCreateUnits with --replace: CreateUnit with the new options (201, desired inactive), wait for inactive.
    expect((await goCreateUnit(cluster.socketPath, 'x.service', v2)).status).toBe(201);
    await waitAsFleetctl('x.service', 'inactive');
    // lazyStartUnits: launched, wait launched.
    expect((await goSetUnitTargetState(cluster.socketPath, 'x.service', 'launched')).status).toBe(204);
    await waitAsFleetctl('x.service', 'launched');
    const unit = (await goClientCall(cluster.socketPath, 'GET', '/fleet/v1/units/x.service')).json;
    expect(unit).toMatchObject({ options: v2, desiredState: 'launched', currentState: 'launched' });
    await waitFor(
      async () => {
        const state = (await goClientCall(cluster.socketPath, 'GET', '/fleet/v1/state/x.service')).json as { hash?: string; systemdActiveState?: string };
        return state.hash === fleetUnitHash(v2) && state.systemdActiveState === 'active';
      },
      'the agent to run the new version',
      10_000,
    );
    await cluster.store.destroyUnit('x.service');
  });
});

function readStarts(file: string): number {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line === 'start').length;
  } catch {
    return 0;
  }
}
