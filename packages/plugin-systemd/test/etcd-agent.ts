/**
 * An agent with the systemd driver on a real systemd user instance and a real
 * etcd, for the agent's end-to-end tests here. Call `useEtcdAgents` at the top
 * of a test file: it starts etcd for the file and stops every agent and client
 * after each test.
 */
import { randomUUID } from 'node:crypto';
import { afterEach } from 'vitest';
import { assemblePlugins, fleetOptionValues, withGlobal } from '@fleetd/core';
import type { AnyFleetPlugin, Registry, UnitState } from '@fleetd/core';
import { testPlugin } from '@fleetd/core/testing';
import { Agent, decodeUnitState, FleetStore } from '@fleetd/core/unstable';
import type { AgentEvent } from '@fleetd/core/unstable';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { useEtcd } from '@fleetd/registry-etcd/vitest';
import systemd from '../src/index.js';
import type { SystemdInstance } from '../src/testing/index.js';

/** fleet's Global=true, so these tests need no other plugin package. */
const global = testPlugin('global', (hooks) => {
  hooks.resolveUnit.tap((unit) => withGlobal(unit, fleetOptionValues(unit, 'Global').at(-1) === 'true'));
});

export interface EtcdAgent {
  readonly store: FleetStore;
  /** The state the agent published for a unit on machine m1. */
  state: (name: string) => Promise<UnitState | undefined>;
}

/** `plugins`: agent-side plugins besides Global=true and systemd (before them). */
export function useEtcdAgents(
  label: string,
  plugins: readonly AnyFleetPlugin[] = [],
): (instance: SystemdInstance, events: AgentEvent[], options?: { readonly reconcileIntervalMs?: number }) => Promise<EtcdAgent> {
  const etcd = useEtcd();
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  const client = (): Registry => {
    const registry = createEtcdRegistry({ ...etcd().clientOptions, requestTimeoutMs: 2000 });
    cleanups.push(() => registry.close());
    return registry;
  };
  return async (instance, events, { reconcileIntervalMs = 1000 } = {}) => {
    const keyPrefix = `/fleetd-${label}-${randomUUID()}/`;
    const admin = client();
    const host = await assemblePlugins([...plugins, global, [systemd, { busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory }]]);
    const agent = new Agent({
      registry: client(),
      host,
      machine: { id: 'm1', metadata: {} },
      keyPrefix,
      ttlSeconds: 5,
      reconcileIntervalMs,
      onEvent: (event) => events.push(event),
    });
    cleanups.push(() => agent.stop());
    await agent.start();
    const store = new FleetStore(admin, keyPrefix);
    return {
      store,
      async state(name) {
        const kv = await admin.get(store.layout.state('m1', name));
        return kv === undefined ? undefined : decodeUnitState(kv.key, kv.value);
      },
    };
  };
}
