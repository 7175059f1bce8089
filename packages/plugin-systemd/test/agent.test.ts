// The agent end to end on one machine of a real cluster: real etcd, real
// systemd user instances (one per simulated machine), the engine placing.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assemblePlugins, createUnit } from '@fleetd/core';
import type { Registry, UnitState } from '@fleetd/core';
import { testPlugin, waitFor } from '@fleetd/core/testing';
import { Agent, decodeUnitState, encodeUnitState, Engine, FleetStore } from '@fleetd/core/unstable';
import type { AgentEvent } from '@fleetd/core/unstable';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { useEtcd } from '@fleetd/registry-etcd/vitest';
import systemd from '../src/index.js';
import { useSystemd } from '../src/vitest/index.js';
import type { SystemdInstance } from '../src/testing/index.js';

const leastLoaded = testPlugin('least-loaded', (hooks) => hooks.score.tap((_unit, machine) => -machine.load));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const etcd = useEtcd();
const machines = useSystemd(2);

/** A unit whose process leaves its PID in `dir`, so a test can see it really runs. */
const marker = (dir: string) => `[Service]\nExecStart=/bin/sh -c 'echo $$$$ > ${dir}/%n.pid; exec sleep infinity'\n`;

async function cluster(
  options: { ttl?: number; agentPlugins?: Parameters<typeof assemblePlugins>[0]; startSettleMs?: number; onEvent?: (event: AgentEvent) => void } = {},
) {
  const keyPrefix = `/fleetd-agent-${randomUUID()}/`;
  const client = (): Registry => {
    const registry = createEtcdRegistry({ ...etcd().clientOptions, requestTimeoutMs: 2000 });
    cleanups.push(() => registry.close());
    return registry;
  };
  const admin = client();
  const store = new FleetStore(admin, keyPrefix);
  const engine = new Engine({
    registry: client(),
    host: await assemblePlugins([leastLoaded]),
    id: 'engine',
    keyPrefix,
    leaseTtlSeconds: 2,
    reconcileIntervalMs: 500,
  });
  cleanups.push(() => engine.stop());
  await engine.start();
  const agents: Agent[] = [];
  for (const [index, instance] of machines().entries()) {
    const host = await assemblePlugins([
      ...(options.agentPlugins ?? []),
      [
        systemd,
        {
          busAddress: instance.busAddress,
          unitsDirectory: instance.unitsDirectory,
          ...(options.startSettleMs === undefined ? {} : { startSettleMs: options.startSettleMs }),
        },
      ],
    ]);
    const agent = new Agent({
      registry: client(),
      host,
      machine: { id: `m${index + 1}`, metadata: {} },
      keyPrefix,
      ttlSeconds: options.ttl ?? 5,
      reconcileIntervalMs: 1000,
      // FLEETD_TEST_DEBUG=1 shows what the agents do.
      onEvent: (event: AgentEvent) => {
        options.onEvent?.(event);
        if (process.env['FLEETD_TEST_DEBUG'])
          console.error(
            `m${index + 1}`,
            JSON.stringify(event, (key, value: unknown) => (key === 'file' ? undefined : value)),
          );
      },
    });
    cleanups.push(() => agent.stop());
    await agent.start();
    agents.push(agent);
  }
  const states = async (): Promise<Record<string, UnitState>> => {
    const { items } = await admin.list(store.layout.states);
    return Object.fromEntries(items.map((kv) => [kv.key.slice(store.layout.states.length), decodeUnitState(kv.key, kv.value)]));
  };
  const submit = async (name: string, contents: string, desiredState: 'loaded' | 'launched' = 'launched') =>
    store.submitUnit(createUnit({ name, contents, desiredState }));
  return { store, engine, agents, states, submit, admin };
}

const pidFile = (instance: SystemdInstance, unit: string) => join(instance.dir, `${unit}.pid`);
/** The PID a marker unit wrote. systemd calls a simple service active once forked, so its state may come before the file. */
const recordedPid = (instance: SystemdInstance, unit: string) =>
  waitFor(() => Number(readFileSync(pidFile(instance, unit), 'utf8')), `${unit} to write its PID`, 5_000);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('agent with systemd and etcd', () => {
  it('turns placements into running units and publishes their states', async () => {
    const [one, two] = machines() as [SystemdInstance, SystemdInstance];
    const { submit, states } = await cluster();
    await submit('hello.service', marker(one.dir));
    await submit('world.service', marker(two.dir));
    const reported = await waitFor(
      async () => {
        const all = await states();
        return all['m1/hello.service']?.activeState === 'active' && all['m2/world.service']?.activeState === 'active' ? all : undefined;
      },
      'both units active in etcd',
      20_000,
    );
    expect(reported['m1/hello.service']).toMatchObject({ machineId: 'm1', loadState: 'loaded', subState: 'running' });
    // Active comes once forked, possibly before the shell wrote its PID.
    expect(alive(await recordedPid(one, 'hello.service'))).toBe(true);
    expect(alive(await recordedPid(two, 'world.service'))).toBe(true);
  });

  it('stops a unit whose desired state becomes loaded, and unloads a destroyed one', async () => {
    const [one] = machines() as [SystemdInstance];
    const { submit, states, store } = await cluster();
    await submit('a.service', marker(one.dir));
    await waitFor(async () => (await states())['m1/a.service']?.activeState === 'active', 'a.service active', 20_000);
    const pid = await recordedPid(one, 'a.service');
    await store.setDesiredState('a.service', 'loaded');
    await waitFor(async () => (await states())['m1/a.service']?.activeState === 'inactive', 'a.service stopped', 20_000);
    expect(alive(pid)).toBe(false);
    await store.destroyUnit('a.service');
    await waitFor(async () => (await states())['m1/a.service'] === undefined, 'a.service state gone', 20_000);
  });

  it('publishes loaded/inactive/dead for a unit that is loaded and never started (fleetctl load waits on it)', async () => {
    const [one] = machines() as [SystemdInstance];
    const { submit, states } = await cluster();
    await submit('only-loaded.service', marker(one.dir), 'loaded');
    const state = await waitFor(async () => (await states())['m1/only-loaded.service'], 'a state for only-loaded.service', 20_000);
    expect(state).toMatchObject({ loadState: 'loaded', activeState: 'inactive', subState: 'dead' });
  });

  it('regression: unit state writes (most of the registry traffic) start no agent round; placements do', async () => {
    const [one] = machines() as [SystemdInstance];
    const rounds: number[] = [];
    const { submit, states, admin, store } = await cluster({ onEvent: (event) => event.type === 'round' && rounds.push(performance.now()) });
    await submit('steady.service', marker(one.dir));
    await waitFor(async () => (await states())['m1/steady.service']?.activeState === 'active', 'steady.service active', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = rounds.length;
    for (let i = 0; i < 30; i++) {
      const state = { name: `other@${i}.service`, hash: 'h', machineId: 'm9', loadState: 'loaded', activeState: 'active', subState: 'running' };
      await admin.put(store.layout.state('m9', state.name), encodeUnitState(state));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Each agent may run its 1 s safety-net round meanwhile; without the fix each write made a round on both.
    expect(rounds.length - before).toBeLessThanOrEqual(2);
    await submit('next.service', marker(one.dir));
    await waitFor(() => rounds.length > before + 2, 'a round after a new placement', 5_000);
  });

  it('replaced contents really run: the new unit file, not the one systemd had loaded', async () => {
    const [one] = machines() as [SystemdInstance];
    const { submit, states, store } = await cluster();
    const out = join(one.dir, 'versioned.out');
    const version = (v: string) => `[Service]\nExecStart=/bin/sh -c 'echo ${v} > ${out}; exec sleep infinity'\n`;
    await submit('versioned.service', version('v1'));
    await waitFor(
      async () => existsSync(out) && readFileSync(out, 'utf8') === 'v1\n' && (await states())['m1/versioned.service']?.activeState === 'active',
      'v1 running',
      20_000,
    );
    await store.replaceUnit(createUnit({ name: 'versioned.service', contents: version('v2'), desiredState: 'launched' }));
    await waitFor(() => readFileSync(out, 'utf8') === 'v2\n', 'v2 running', 20_000);
  });

  it("a start's settle window holds up neither that unit's state nor the units placed after it", async () => {
    // Long enough that, were starts waited for, the second unit would not run before the first start's task ends.
    const events: AgentEvent[] = [];
    const [one] = machines() as [SystemdInstance];
    const { submit, states, agents } = await cluster({ startSettleMs: 4000, onEvent: (event) => events.push(event) });
    await agents[1]!.stop(); // both units on m1
    const startEnded = (name: string) => events.some((e) => e.type === 'task' && e.task.type === 'start' && e.task.unit.name === name);
    await submit('first.service', marker(one.dir));
    await waitFor(async () => (await states())['m1/first.service']?.activeState === 'active', 'first.service active', 20_000);
    await submit('second.service', marker(one.dir));
    await waitFor(async () => (await states())['m1/second.service']?.activeState === 'active', 'second.service active', 20_000);
    expect(startEnded('first.service')).toBe(false);
    await waitFor(() => startEnded('first.service') && startEnded('second.service'), 'both start tasks to end', 20_000);
    expect(events.filter((e) => e.type === 'task' && e.error !== undefined)).toEqual([]);
  });

  it('a beforeStart veto leaves the unit loaded and its state says why', async () => {
    const veto = testPlugin('maintenance', (hooks) =>
      hooks.beforeStart.tap(async (unit) => (unit.name === 'blocked.service' ? 'maintenance window' : undefined)),
    );
    const [one] = machines() as [SystemdInstance];
    const { submit, states } = await cluster({ agentPlugins: [veto] });
    await submit('blocked.service', marker(one.dir));
    // The loaded state is published before the start is tried, so the first state may not carry the veto yet.
    const state = await waitFor(
      async () => {
        const reported = (await states())['m1/blocked.service'];
        return reported?.message === undefined ? undefined : reported;
      },
      'a state for blocked.service that says why it did not start',
      20_000,
    );
    expect(state).toMatchObject({ loadState: 'loaded', activeState: 'inactive', message: 'start vetoed: maintenance window' });
    expect(existsSync(pidFile(one, 'blocked.service'))).toBe(false);
  });

  it('a oneshot that finished is not started again on every reconcile', async () => {
    const [one] = machines() as [SystemdInstance];
    const { submit, states } = await cluster();
    const runs = join(one.dir, 'oneshot.runs');
    await submit('once.service', `[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo ran >> ${runs}'\n`);
    await waitFor(async () => existsSync(runs) && (await states())['m1/once.service'], 'the oneshot to run', 20_000);
    // The agents reconcile every second: give them three rounds to (wrongly) run it again.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(readFileSync(runs, 'utf8')).toBe('ran\n');
  });

  it('reconnects to systemd when its D-Bus connection is lost, and goes on', async () => {
    const [one] = machines() as [SystemdInstance];
    const { submit, states, store } = await cluster();
    await submit('survivor.service', marker(one.dir));
    await waitFor(async () => (await states())['m1/survivor.service']?.activeState === 'active', 'survivor.service active', 20_000);
    const pid = await recordedPid(one, 'survivor.service');
    await one.systemctl(['restart', 'dbus.socket', 'dbus.service']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(alive(pid)).toBe(true);
    await store.setDesiredState('survivor.service', 'loaded');
    await waitFor(
      async () => (await states())['m1/survivor.service']?.activeState === 'inactive',
      'survivor.service stopped through the new connection',
      20_000,
    );
    expect(alive(pid)).toBe(false);
  });

  it('reportState taps shape what is published', async () => {
    const annotate = testPlugin('annotate', (hooks) =>
      hooks.reportState.tap(async (state, context) => ({ ...state, message: `reported by ${context.machine.id}` })),
    );
    const [one] = machines() as [SystemdInstance];
    const { submit, states } = await cluster({ agentPlugins: [annotate] });
    await submit('shaped.service', marker(one.dir));
    const state = await waitFor(
      async () => {
        const reported = (await states())['m1/shaped.service'];
        return reported?.activeState === 'active' ? reported : undefined;
      },
      'shaped.service active',
      20_000,
    );
    expect(state.message).toBe('reported by m1');
  });

  it('regression: a state write in flight when a unit is destroyed does not leave its state behind', async () => {
    // Slow reports widen the window a last systemd signal (the stop) has to land after the unload.
    const slowReports = testPlugin('slow-reports', (hooks) =>
      hooks.reportState.tap(async (state) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return state;
      }),
    );
    const [one] = machines() as [SystemdInstance];
    const { submit, states, store } = await cluster({ agentPlugins: [slowReports] });
    await submit('brief.service', marker(one.dir));
    await waitFor(async () => (await states())['m1/brief.service']?.activeState === 'active', 'brief.service active', 20_000);
    await store.destroyUnit('brief.service');
    await waitFor(async () => (await states())['m1/brief.service'] === undefined, 'brief.service state gone', 20_000);
    // Long enough for any write that was still in flight to land.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await states())['m1/brief.service']).toBeUndefined();
  });

  it('etcd stopped for 10 s changes nothing that runs', async () => {
    const [one, two] = machines() as [SystemdInstance, SystemdInstance];
    const { submit, states } = await cluster({ ttl: 5 });
    await submit('steady.service', marker(one.dir));
    await submit('steady2.service', marker(two.dir));
    await waitFor(
      async () => {
        const all = await states();
        return Object.values(all).filter((s) => s.activeState === 'active').length === 2;
      },
      'both active',
      20_000,
    );
    const pids = await Promise.all([recordedPid(one, 'steady.service'), recordedPid(two, 'steady2.service')]);
    const member = etcd().members[0]!;
    await member.stop();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(pids.map(alive)).toEqual([true, true]);
    await member.start();
    await waitFor(async () => Object.values(await states()).filter((s) => s.activeState === 'active').length === 2, 'states after etcd is back', 20_000);
    expect(pids.map(alive)).toEqual([true, true]);
  }, 60_000);
});
