/**
 * A unit fleet only loaded that systemd starts on its own keeps running: the
 * agent stops a unit for desired state `loaded` only when it launched it
 * (fleet's TestInstallUnit; the usual way to run a fleet-loaded service behind
 * a fleet-launched .socket). Before, the agent stopped it within half a second.
 * Real etcd, a real systemd user instance, the agent with the systemd driver.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUnit } from '@fleetd/core';
import { waitFor } from '@fleetd/core/testing';
import type { AgentEvent } from '@fleetd/core/unstable';
import type { SystemdInstance } from '../src/testing/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { useEtcdAgents } from './etcd-agent.js';

const agentOn = useEtcdAgents('launched');

const activeState = async (instance: SystemdInstance, name: string): Promise<string> =>
  (await instance.systemctl(['show', '--property=ActiveState', '--value', name])).stdout.trim();

/** Opens a connection to a unix socket and closes it: enough for systemd to activate its service. */
const knock = (path: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = connect(path, () => {
      socket.end();
      resolve();
    });
    socket.on('error', reject);
  });

const roundsSoFar = (events: readonly AgentEvent[]): number => events.filter((event) => event.type === 'round').length;
const globalUnit = (body: string): string => `${body}\n[X-Fleet]\nGlobal=true\n`;

interface Scenario {
  /** The fleet-loaded unit systemd starts on its own. */
  readonly loaded: string;
  readonly units: (instance: SystemdInstance) => Record<string, { readonly contents: string; readonly desiredState: 'loaded' | 'launched' }>;
  /** What makes systemd start it, once every unit is loaded or launched. */
  readonly trigger: (instance: SystemdInstance) => Promise<void>;
}

/**
 * Each scenario on its own systemd instance: a later agent (another key
 * prefix) would unload the units an earlier one left, and unloading a
 * socket-activated service beside its socket can fail on its own.
 */
function scenario(name: string, { loaded, units, trigger }: Scenario): void {
  describe(name, () => {
    const machines = useSystemd(1);

    it(`stays active over agent rounds and is reported active`, async () => {
      const [instance] = machines() as [SystemdInstance];
      const events: AgentEvent[] = [];
      // A full read of systemd's states every 300 ms: each round would see the unit and (before the fix) stop it.
      const { store, state } = await agentOn(instance, events, { reconcileIntervalMs: 300 });
      // Loaded first and seen inactive, as fleet's test does: nothing started it yet.
      const submitted = Object.entries(units(instance)).sort(([, a], [, b]) => (a.desiredState === b.desiredState ? 0 : a.desiredState === 'loaded' ? -1 : 1));
      for (const [unitName, unit] of submitted) {
        await store.submitUnit(createUnit({ name: unitName, ...unit }));
        const expected = unit.desiredState === 'launched' ? 'active' : 'inactive';
        await waitFor(async () => (await state(unitName))?.activeState === expected, `${unitName} ${expected} in etcd`, 20_000);
      }

      await trigger(instance);
      await waitFor(async () => (await activeState(instance, loaded)) === 'active', `systemd to start ${loaded}`, 20_000);
      const rounds = roundsSoFar(events);
      await waitFor(() => roundsSoFar(events) >= rounds + 5, 'five more agent rounds', 20_000);

      expect(await activeState(instance, loaded)).toBe('active');
      await waitFor(async () => (await state(loaded))?.activeState === 'active', `${loaded} reported active, as it is`, 20_000);
      expect(events.filter((event) => event.type === 'task' && event.task.type === 'stop')).toEqual([]);
      expect(
        events.filter((event) => event.type === 'task' && event.error !== undefined).map((event) => (event.type === 'task' ? event.error?.message : '')),
      ).toEqual([]);
    });
  });
}

describe('agent: a loaded unit systemd starts on its own', () => {
  scenario('regression: a loaded service behind a launched .socket, activated by a connection', {
    loaded: 'app.service',
    units: (instance) => ({
      'app.socket': { contents: globalUnit(`[Socket]\nListenStream=${join(instance.dir, 'app.sock')}\n`), desiredState: 'launched' },
      'app.service': { contents: globalUnit('[Service]\nExecStart=/bin/sleep infinity\n'), desiredState: 'loaded' },
    }),
    trigger: (instance) => knock(join(instance.dir, 'app.sock')),
  });

  scenario("regression: a loaded service WantedBy a launched one (fleet's TestInstallUnit)", {
    loaded: 'discovery.service',
    units: () => ({
      'discovery.service': {
        contents: globalUnit('[Unit]\nBindsTo=hello.service\n\n[Service]\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=hello.service\n'),
        desiredState: 'loaded',
      },
      'hello.service': { contents: globalUnit('[Service]\nExecStart=/bin/sleep infinity\n'), desiredState: 'launched' },
    }),
    trigger: async () => undefined,
  });
});
