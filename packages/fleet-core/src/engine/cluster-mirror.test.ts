import { describe, expect, it } from 'vitest';
import { assemblePlugins, createUnit } from '../index.js';
import { ClusterMirror, encodeMachine, encodePlacement, encodeUnitFile, encodeUnitState, KeyLayout, Scheduler } from '../unstable.js';
import type { KeyValue, WatchEvent } from '../index.js';

const layout = new KeyLayout('/p/');
let revision = 1;
const put = (key: string, value: string): WatchEvent => ({ type: 'put', kv: { key, value, modRevision: ++revision, createRevision: revision } as KeyValue });

async function mirror() {
  const scheduler = new Scheduler(await assemblePlugins([]));
  const calls = { changes: 0 };
  const cluster = new ClusterMirror(
    layout,
    () => scheduler.createState(),
    () => calls.changes++,
    (error) => expect.fail(error.message),
  );
  cluster.reset([
    { key: layout.machine('m1'), value: encodeMachine({ id: 'm1', metadata: {} }), modRevision: 1, createRevision: 1 } as KeyValue,
    {
      key: layout.unit('a.service'),
      value: encodeUnitFile(createUnit({ name: 'a.service', contents: '[Service]\nExecStart=/bin/a\n' })),
      modRevision: 1,
      createRevision: 1,
    } as KeyValue,
  ]);
  return { cluster, calls };
}

describe('ClusterMirror change notifications', () => {
  it('a re-list always notifies', async () => {
    const { calls } = await mirror();
    expect(calls.changes).toBe(1);
  });

  it.each([
    { name: 'a placement', event: () => put(layout.placement('a.service'), encodePlacement('m1')), notifies: true },
    {
      name: 'a new unit',
      event: () => put(layout.unit('b.service'), encodeUnitFile(createUnit({ name: 'b.service', contents: '[Service]\nExecStart=/bin/b\n' }))),
      notifies: true,
    },
    { name: 'a new machine', event: () => put(layout.machine('m2'), encodeMachine({ id: 'm2', metadata: {} })), notifies: true },
    {
      name: 'regression: a unit state (every start and stop on every machine made the engine and agents run a round)',
      event: () =>
        put(
          layout.state('m1', 'a.service'),
          encodeUnitState({ name: 'a.service', hash: 'h', machineId: 'm1', loadState: 'loaded', activeState: 'active', subState: 'running' }),
        ),
      notifies: false,
    },
    { name: 'a key the mirror does not know', event: () => put('/p/elsewhere/x', '1'), notifies: false },
  ])('$name: notifies $notifies', async ({ event, notifies }) => {
    const { cluster, calls } = await mirror();
    cluster.apply([event()]);
    expect(calls.changes).toBe(notifies ? 2 : 1);
  });
});

describe('ClusterMirror rebuilds a machine once per revision or listing', () => {
  async function counted() {
    const scheduler = new Scheduler(await assemblePlugins([]));
    const counts = { rebuilds: 0 };
    const cluster = new ClusterMirror(
      layout,
      () => {
        const state = scheduler.createState();
        const upsert = state.upsertMachine.bind(state);
        state.upsertMachine = (machine) => {
          counts.rebuilds++;
          upsert(machine);
        };
        return state;
      },
      () => {},
      (error) => expect.fail(error.message),
    );
    return { cluster, counts };
  }
  const presence = (): KeyValue =>
    ({ key: layout.machine('m1'), value: encodeMachine({ id: 'm1', metadata: { own: 'x' } }), modRevision: 1, createRevision: 1 }) as KeyValue;
  const metadata = (count: number): KeyValue[] =>
    Array.from({ length: count }, (_, i) => ({ key: layout.machineMetadata('m1', `k${i}`), value: `v${i}`, modRevision: 2, createRevision: 2 }) as KeyValue);

  it('regression: a listing of a machine with 50 operator metadata keys builds it once, not 51 times', async () => {
    const { cluster, counts } = await counted();
    cluster.reset([presence(), ...metadata(50)]);
    expect(counts.rebuilds).toBe(1);
    expect(Object.keys(cluster.cluster.machine('m1')?.metadata ?? {})).toHaveLength(51);
  });

  it('regression: one revision announcing a machine and setting 50 of its keys (one PATCH) rebuilds it once', async () => {
    const { cluster, counts } = await counted();
    cluster.reset([]);
    cluster.apply([{ type: 'put', kv: presence() }, ...metadata(50).map((kv): WatchEvent => ({ type: 'put', kv }))]);
    expect(counts.rebuilds).toBe(1);
    expect(cluster.cluster.machine('m1')?.metadata).toMatchObject({ own: 'x', k0: 'v0', k49: 'v49' });
  });
});
