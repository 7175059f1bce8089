import { FleetStore, Scheduler } from '@fleetd/core/unstable';
import type { FleetError, PluginHost, Registry, UnitState } from '@fleetd/core';
import type { Health, PlanRequest, PlanResult, WireExplanation, WireMachine, WireMachineMetadataOp, WireUnit, WireUnitState } from '../api/wire.js';
import { pageOf } from '../api/page-token.js';
import { DashboardFeed } from '../dashboard/feed.js';
import type { FeedListener, FeedTimings } from '../dashboard/feed.js';
import type { Page, PageToken } from '../api/page-token.js';
import { CoalescedReads } from './coalesced-reads.js';
import { DecodedUnits } from './decoded-units.js';
import { DesiredStateBatcher } from './desired-state-batcher.js';
import { patchMachines } from './machines-patch.js';
import { checkPlanSize, planUnits } from './plan.js';
import { putUnit, unitDoesNotExist, unitStateDoesNotExist } from './put-unit.js';
import type { PutUnitOutcome, PutUnitRequest } from './put-unit.js';
import { putUnits } from './put-units.js';
import type { PutUnitsOutcome } from './put-units.js';
import { readClusterSnapshot, schedulingSnapshotOf } from './snapshot.js';
import type { ClusterSnapshot } from './snapshot.js';
import { SubmitBatcher } from './submit-batcher.js';
import { snapshotIndexOf, toWireMachine, toWireUnit, toWireUnitState } from './wire-mapping.js';

export interface FleetServiceOptions {
  readonly registry: Registry;
  readonly keyPrefix?: string;
  readonly host: PluginHost;
  readonly mode: 'standalone' | 'cluster';
  readonly machineId: string;
  /** fleetd's version, reported by /health. */
  readonly version: string;
  /** This daemon's engine, when it runs one. */
  readonly engine?: { readonly enabled: boolean; isLeader(): boolean };
  readonly agentEnabled: boolean;
  /** Prometheus exposition, rendered on request. */
  readonly metrics?: { readonly contentType: string; render(): Promise<string> };
  /** How long /health waits for the registry. Default 2000 ms. */
  readonly healthTimeoutMs?: number;
  /**
   * Where plugin errors of explanations and dry runs go (each runs its own
   * scheduler, so they never reach the engine's rounds): the daemon logs and
   * counts them. Default: the failing plugin's logger.
   */
  readonly onPluginError?: (error: FleetError) => void;
  /** The live feed's timings (batching, the unschedulable pass, idle stop). */
  readonly feed?: FeedTimings;
}

export interface StateFilter {
  /** Any of these machines; empty or absent: all. */
  readonly machineIDs?: readonly string[];
  /** Any of these units; empty or absent: all. */
  readonly unitNames?: readonly string[];
}

export interface MetricsPage {
  readonly contentType: string;
  readonly body: string;
}

/** What the HTTP routes call; the only place the API reads or writes the registry. */
export interface FleetService {
  /** fleetd's version (the API's Server header). */
  readonly version: string;
  listUnits(): Promise<WireUnit[]>;
  /** One page of listUnits(), fleet's paging; only that page's units are mapped to the wire form. */
  pageUnits(token: PageToken): Promise<Page<WireUnit>>;
  /** UNIT_NOT_FOUND ("unit does not exist") when absent. */
  getUnit(name: string): Promise<WireUnit>;
  putUnit(request: PutUnitRequest): Promise<PutUnitOutcome>;
  /** Many putUnit at once (`POST /fleetd/v1/units`); UnitPutRefused, nothing written, when one fails the checks before writing. */
  putUnits(requests: readonly PutUnitRequest[]): Promise<PutUnitsOutcome[]>;
  /** UNIT_NOT_FOUND ("unit does not exist") when absent. */
  destroyUnit(name: string): Promise<void>;
  listStates(filter?: StateFilter): Promise<WireUnitState[]>;
  /** One page of listStates(filter); only that page's states are mapped to the wire form. */
  pageStates(filter: StateFilter, token: PageToken): Promise<Page<WireUnitState>>;
  /** The state reported by the unit's machine (else the first reported); UNIT_NOT_FOUND ("unit state does not exist") when none. */
  getUnitState(name: string): Promise<WireUnitState>;
  listMachines(): Promise<WireMachine[]>;
  patchMachines(ops: readonly WireMachineMetadataOp[]): Promise<void>;
  explain(name: string): Promise<WireExplanation>;
  plan(request: PlanRequest): Promise<PlanResult>;
  health(): Promise<Health>;
  /** Undefined when the daemon exposes no metrics. */
  metrics(): Promise<MetricsPage | undefined>;
  /**
   * The live feed (`GET /fleetd/v1/events`, the dashboard): a snapshot to the
   * listener now, then every change. Resolves with the function that stops it.
   */
  watchCluster(listener: FeedListener): Promise<() => void>;
  /** Stops the live feed's registry watch. */
  close(): Promise<void>;
}

export function createFleetService(options: FleetServiceOptions): FleetService {
  const { registry, host } = options;
  const store = new FleetStore(registry, options.keyPrefix);
  const submitter = new SubmitBatcher(store);
  const retargeter = new DesiredStateBatcher(store);
  const decoded = new DecodedUnits();
  const reads = new CoalescedReads(() => readClusterSnapshot(registry, store.layout, decoded));
  // Snapshots are shared between concurrent requests: read-only from here on.
  const read = (): Promise<ClusterSnapshot> => reads.read();
  const sink = options.onPluginError === undefined ? {} : { onPluginError: options.onPluginError };
  const feed = new DashboardFeed({ registry, layout: store.layout, host, scheduler: sink, ...(options.feed ?? {}) });

  return {
    version: options.version,
    async listUnits() {
      const snapshot = await read();
      const states = snapshotIndexOf(snapshot);
      return snapshot.units.map((unit) => toWireUnit(unit, snapshot, states));
    },
    async pageUnits(token) {
      const snapshot = await read();
      // Paged before mapping: a page answer builds the wire form of its units only.
      const page = pageOf(snapshot.units, token);
      const states = snapshotIndexOf(snapshot);
      return { items: page.items.map((unit) => toWireUnit(unit, snapshot, states)), nextPageToken: page.nextPageToken };
    },
    async getUnit(name) {
      const snapshot = await read();
      const index = snapshotIndexOf(snapshot);
      const unit = index.unit(name);
      if (unit === undefined) throw unitDoesNotExist(name);
      return toWireUnit(unit, snapshot, index);
    },
    putUnit: (request) => putUnit({ registry, store, submitter, retargeter, host }, request),
    putUnits: (requests) => putUnits({ registry, store, submitter, retargeter, host }, requests),
    async destroyUnit(name) {
      if (!(await store.destroyUnit(name))) throw unitDoesNotExist(name);
    },
    async listStates(filter = {}) {
      const snapshot = await read();
      const index = snapshotIndexOf(snapshot);
      return statesMatching(snapshot, filter).map((state) => toWireUnitState(state, index));
    },
    async pageStates(filter, token) {
      const snapshot = await read();
      const page = pageOf(statesMatching(snapshot, filter), token);
      const index = snapshotIndexOf(snapshot);
      return { items: page.items.map((state) => toWireUnitState(state, index)), nextPageToken: page.nextPageToken };
    },
    async getUnitState(name) {
      const snapshot = await read();
      const placed = snapshot.placements.get(name);
      const reported = snapshot.states.filter((state) => state.name === name);
      const state = reported.find((candidate) => candidate.machineId === placed) ?? reported[0];
      if (state === undefined) throw unitStateDoesNotExist(name);
      return toWireUnitState(state, snapshotIndexOf(snapshot));
    },
    async listMachines() {
      return (await read()).machines.map(toWireMachine);
    },
    patchMachines: (ops) => patchMachines(store, ops),
    async explain(name) {
      const snapshot = await read();
      const scheduler = new Scheduler(host, sink);
      const state = scheduler.createState(schedulingSnapshotOf(snapshot));
      // Global units count toward load and conflicts, as in a real round.
      scheduler.placeGlobals(state);
      const explanation = scheduler.explain(state, name);
      return { ...explanation, desiredState: state.rawUnit(name)?.desiredState ?? 'inactive' };
    },
    async plan(request) {
      const snapshot = request.machines === undefined ? schedulingSnapshotOf(await read()) : { machines: [], units: [] };
      checkPlanSize(request, snapshot.machines.length);
      return planUnits(host, snapshot, request, sink);
    },
    health: () => health(options, () => registry.get(store.layout.schema)),
    async metrics() {
      if (options.metrics === undefined) return undefined;
      return { contentType: options.metrics.contentType, body: await options.metrics.render() };
    },
    watchCluster: (listener) => feed.subscribe(listener),
    close: () => feed.close(),
  };
}

async function health(options: FleetServiceOptions, probe: () => Promise<unknown>): Promise<Health> {
  const reachable = await withTimeout(probe(), options.healthTimeoutMs ?? 2000).then(
    () => true,
    () => false,
  );
  return {
    status: reachable ? 'ok' : 'degraded',
    version: options.version,
    mode: options.mode,
    machineID: options.machineId,
    engine: { enabled: options.engine?.enabled ?? false, leader: options.engine?.isLeader() ?? false },
    agent: { enabled: options.agentEnabled },
    registry: { reachable },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function statesMatching(snapshot: ClusterSnapshot, filter: StateFilter): readonly UnitState[] {
  const machines = nonEmptySet(filter.machineIDs);
  const units = nonEmptySet(filter.unitNames);
  if (machines === undefined && units === undefined) return snapshot.states;
  return snapshot.states.filter((state) => (machines?.has(state.machineId) ?? true) && (units?.has(state.name) ?? true));
}

function nonEmptySet(values: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return values === undefined || values.length === 0 ? undefined : new Set(values);
}
