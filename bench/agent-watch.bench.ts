// Issue 21: the watch events (and bytes) one agent's mirror receives for a
// unit placed on ANOTHER machine, its state reports there included, at
// 10, 100 and 1,000 machines (and 2,000 for the doubling). The agents' and
// the engine's writes are simulated on the memory registry in process; the
// mirror is the agent's own (RegistryMirror over agentWatchScope), next to
// the whole-prefix mirror every agent ran before. Counts, not times: the
// figures are exact and the same on every run.
import { createMachine, createMemoryRegistry, createUnit } from '@fleetd/core';
import type { KeyValue, Registry, WatchEvent } from '@fleetd/core';
import { agentWatchScope, encodeMachine, encodePlacement, encodeUnitFile, encodeUnitState, KeyLayout, RegistryMirror } from '@fleetd/core/unstable';
import type { MirrorScope } from '@fleetd/core/unstable';

/** What a unit placed on a machine makes its agent write: systemd's states from load to running. */
const STATES_PER_START = [
  ['loaded', 'inactive', 'dead'],
  ['loaded', 'activating', 'start'],
  ['loaded', 'active', 'running'],
] as const;
/** Units already placed and running on each machine, so a re-list carries a real cluster's states. */
const UNITS_PER_MACHINE = 10;
/** Placements measured on other machines per cluster size. */
const PLACEMENTS = 200;

export interface MirrorTraffic {
  /** Watch events per placement on another machine (the placement and its states there). */
  readonly eventsPerPlacement: number;
  /** Their keys and values in UTF-8 bytes, per placement. */
  readonly bytesPerPlacement: number;
  /** Of those events, unit states other machines reported. */
  readonly stateEventsPerPlacement: number;
  /** What a (re-)list of the mirror's scope reads: the first load and every 5-minute resync. */
  readonly listedKeys: number;
  readonly listedBytes: number;
}

export interface WatchScopeResult {
  readonly name: string;
  readonly machines: number;
  readonly units: number;
  /** Every agent mirrored the whole prefix. */
  readonly before: MirrorTraffic;
  /** The agent mirrors agentWatchScope. */
  readonly after: MirrorTraffic;
  readonly target: string;
  /** No other machine's state reaches the agent, and its events per placement elsewhere stay the same when machines double. */
  readonly met: boolean;
  /** The after figure (events per placement elsewhere) with machines doubled; beforeFactor: the same for the whole-prefix mirror. */
  readonly growth: { readonly machinesDoubled: { readonly machines: number; readonly value: number; readonly factor: number; readonly beforeFactor: number } };
}

/** The traffic of the agent mirror (scope), and of the whole-prefix mirror, for one cluster size. */
export async function measureAgentWatch(machines: number): Promise<{ readonly before: MirrorTraffic; readonly after: MirrorTraffic }> {
  const layout = new KeyLayout();
  const registry = createMemoryRegistry({ historyLimit: 1_000_000 });
  try {
    const ids = Array.from({ length: machines }, (_, i) => `m${String(i).padStart(5, '0')}`);
    await seedCluster(registry, layout, ids);
    const self = ids[0]!;
    // Listed on the seeded cluster, before either run adds its measured units.
    const listedBefore = await listScope(registry, layout.prefix);
    const listedAfter = await listScope(registry, agentWatchScope(layout));
    const before = await countTraffic(registry, layout, layout.prefix, ids, self, 'whole');
    const after = await countTraffic(registry, layout, agentWatchScope(layout), ids, self, 'scoped');
    return { before: { ...before, ...listedBefore }, after: { ...after, ...listedAfter } };
  } finally {
    await registry.close();
  }
}

/** 10, 100, 1,000 machines, each with its growth when machines double. */
export async function measureAgentWatchWithGrowth(sizes: readonly number[]): Promise<WatchScopeResult[]> {
  const results: WatchScopeResult[] = [];
  for (const machines of sizes) {
    const base = await measureAgentWatch(machines);
    const doubled = await measureAgentWatch(machines * 2);
    const value = doubled.after.eventsPerPlacement;
    const factor = ratio(value, base.after.eventsPerPlacement);
    results.push({
      name: `watch events one agent receives per placement elsewhere, ${machines} machines`,
      machines,
      units: machines * UNITS_PER_MACHINE,
      ...base,
      target: 'O(1): no other machine’s unit states, constant when machines double',
      met: base.after.stateEventsPerPlacement === 0 && factor === 1,
      growth: {
        machinesDoubled: { machines: machines * 2, value, factor, beforeFactor: ratio(doubled.before.eventsPerPlacement, base.before.eventsPerPlacement) },
      },
    });
  }
  return results;
}

/** Machines announced, UNITS_PER_MACHINE units on each, placed and reported running. */
async function seedCluster(registry: Registry, layout: KeyLayout, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const machine = createMachine({ id, metadata: { region: 'bench' } });
    await registry.put(layout.machine(id), encodeMachine(machine));
    for (let j = 0; j < UNITS_PER_MACHINE; j++) await startUnit(registry, layout, `seed-${id}-${j}.service`, id);
  }
}

/** Submit, place and start a unit on `machine`, as fleetctl, the engine and that machine's agent would write it. */
async function startUnit(registry: Registry, layout: KeyLayout, name: string, machine: string): Promise<void> {
  await submit(registry, layout, name);
  await place(registry, layout, name, machine);
}

async function submit(registry: Registry, layout: KeyLayout, name: string): Promise<void> {
  const unit = createUnit({ name, contents: '[Service]\nExecStart=/bin/sleep infinity\n' });
  await registry.txn({
    success: [
      { type: 'put', key: layout.unit(name), value: encodeUnitFile(unit) },
      { type: 'put', key: layout.desired(name), value: 'launched' },
    ],
  });
}

async function place(registry: Registry, layout: KeyLayout, name: string, machine: string): Promise<void> {
  await registry.put(layout.placement(name), encodePlacement(machine));
  for (const [loadState, activeState, subState] of STATES_PER_START) {
    const state = { name, hash: 'bench', machineId: machine, loadState, activeState, subState };
    await registry.put(layout.state(machine, name), encodeUnitState(state));
  }
}

/**
 * Starts a mirror of `scope` for agent `self`, then places PLACEMENTS units
 * on the other machines (round robin) and counts what the mirror receives.
 * The units are submitted before the mirror starts: only the placements and
 * the states are counted.
 */
type WatchTraffic = Omit<MirrorTraffic, 'listedKeys' | 'listedBytes'>;

async function countTraffic(
  registry: Registry,
  layout: KeyLayout,
  scope: MirrorScope,
  ids: readonly string[],
  self: string,
  run: string,
): Promise<WatchTraffic> {
  const others = ids.filter((id) => id !== self);
  const names = Array.from({ length: PLACEMENTS }, (_, i) => `measured-${run}-${i}.service`);
  for (const name of names) await submit(registry, layout, name);
  const counts = { events: 0, bytes: 0, states: 0 };
  const sentinel = layout.machine(`zz-sentinel-${names[0]}`);
  let sentinelSeen = false;
  const mirror = new RegistryMirror(registry, scope, {
    reset: () => {},
    apply: (events: readonly WatchEvent[]) => {
      for (const event of events) {
        const key = event.type === 'put' ? event.kv.key : event.key;
        if (key === sentinel) sentinelSeen = true;
        else count(counts, layout, key, event.type === 'put' ? event.kv.value : '');
      }
    },
  });
  await mirror.start();
  try {
    for (const [i, name] of names.entries()) await place(registry, layout, name, others[i % others.length]!);
    // Every write before it has been delivered once the sentinel (in every scope) has.
    await registry.put(sentinel, '{}');
    while (!sentinelSeen) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    await mirror.stop();
    await registry.delete(sentinel);
  }
  return {
    eventsPerPlacement: counts.events / PLACEMENTS,
    bytesPerPlacement: Math.round(counts.bytes / PLACEMENTS),
    stateEventsPerPlacement: counts.states / PLACEMENTS,
  };
}

/** What the mirror of `scope` reads when it (re-)lists: keys and their UTF-8 bytes. */
async function listScope(registry: Registry, scope: MirrorScope): Promise<{ readonly listedKeys: number; readonly listedBytes: number }> {
  let items: KeyValue[] = [];
  const mirror = new RegistryMirror(registry, scope, { reset: (listed) => (items = [...listed]), apply: () => {} });
  await mirror.start();
  await mirror.stop();
  return { listedKeys: items.length, listedBytes: items.reduce((sum, kv) => sum + byteLength(kv.key) + byteLength(kv.value), 0) };
}

function count(counts: { events: number; bytes: number; states: number }, layout: KeyLayout, key: string, value: string): void {
  counts.events++;
  counts.bytes += byteLength(key) + byteLength(value);
  if (layout.parse(key)?.kind === 'state') counts.states++;
}

function ratio(value: number, base: number): number {
  return Math.round((value / base) * 100) / 100;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The figure on paper for a cluster of `machines`: if every machine sees
 * `placementsPerMachinePerMinute` new placements (each followed by its state
 * reports), one agent receives this many watch events per second, and etcd
 * sends this many to all agents together.
 */
export function onPaper(result: WatchScopeResult, machines: number, placementsPerMachinePerMinute: number) {
  const placementsPerSecond = (machines * placementsPerMachinePerMinute) / 60;
  const perAgent = (traffic: MirrorTraffic) => ({
    eventsPerSecond: Math.round(placementsPerSecond * traffic.eventsPerPlacement * 10) / 10,
    bytesPerSecond: Math.round(placementsPerSecond * traffic.bytesPerPlacement),
    clusterFanOutEventsPerSecond: Math.round(placementsPerSecond * traffic.eventsPerPlacement * machines),
  });
  return {
    machines,
    placementsPerMachinePerMinute,
    placementsPerSecond: Math.round(placementsPerSecond * 10) / 10,
    before: perAgent(result.before),
    after: perAgent(result.after),
  };
}
