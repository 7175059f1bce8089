import {
  AsyncSeriesBailHook,
  AsyncSeriesHook,
  AsyncSeriesWaterfallHook,
  SyncBailHook,
  SyncHook,
  SyncWaterfallHook,
} from 'tapable';
import type { Machine } from '../model/machine.js';
import type { UnitState } from '../model/unit.js';
import type {
  BindBatch,
  GlobalUnitDecision,
  PlacementDecision,
  Revocation,
  RoundResult,
  UnschedulableUnit,
} from '../scheduler/decisions.js';
import type {
  AgentUnit,
  CandidateNarrowing,
  ClusterView,
  DriverContext,
  MachineView,
  ReportContext,
  ResolvedUnit,
  UnitDriver,
} from './views.js';

/** A filter tap's answer: a reason string rejects the machine, nothing passes it. */
export type FilterVerdict = string | undefined | void;
/** A beforeStart tap's answer: a reason string vetoes the start, nothing allows it. */
export type StartVerdict = string | undefined | void;

/**
 * Every event fleetd exposes to plugins. Engine hooks run on the one acting
 * engine; agent hooks run on each machine. Tap during `apply`; the object and
 * its taps are frozen once plugins are assembled.
 */
export interface FleetHooks {
  /** At submit, per unit (after resolveUnit): returns a problem to refuse the unit, or nothing to accept it. */
  readonly validateUnit: SyncBailHook<[ResolvedUnit], FilterVerdict>;
  /** Engine, once per unit version: returns the unit's effective form (expand specifiers, parse requirements into `requirements`). */
  readonly resolveUnit: SyncWaterfallHook<[ResolvedUnit], ResolvedUnit>;
  /** Engine, once per unit to place, before any per-machine work: may restrict candidates via `narrowing`; returns nothing. */
  readonly narrow: SyncHook<[ResolvedUnit, ClusterView, CandidateNarrowing], void>;
  /** Engine, per unit and candidate machine: returns a reason to reject the machine, or nothing to pass it. */
  readonly filter: SyncBailHook<[ResolvedUnit, MachineView, ClusterView], FilterVerdict>;
  /** Engine, per unit and feasible machine: returns points, higher is better; the core sums them times each plugin's weight. */
  readonly score: SyncHook<[ResolvedUnit, MachineView, ClusterView], number>;
  /** Engine, once per round: commits its placements and revocations; `batch.refuse()` sends a unit back to the next round. */
  readonly bind: AsyncSeriesHook<[BindBatch]>;
  /** Engine, after bind, per committed placement; returns nothing. */
  readonly placed: SyncHook<[PlacementDecision], void>;
  /** Engine, after bind, per committed revocation; returns nothing. */
  readonly revoked: SyncHook<[Revocation], void>;
  /** Engine, per unit no machine could take this round; returns nothing. */
  readonly unschedulable: SyncHook<[UnschedulableUnit], void>;
  /** Engine, per global unit, with the machines it runs on and why not on the others; returns nothing. */
  readonly globalUnit: SyncHook<[GlobalUnitDecision], void>;
  /** Engine, at the end of every round; returns nothing. */
  readonly roundComplete: SyncHook<[RoundResult], void>;

  /** Agent, at start-up: returns the driver that runs units on this machine; the first tap that returns one wins. */
  readonly createDriver: AsyncSeriesBailHook<[DriverContext], UnitDriver | undefined>;
  /** Agent, before each start: returns a reason to veto it (the unit stays loaded and reports the reason), or nothing to allow it. */
  readonly beforeStart: AsyncSeriesBailHook<[AgentUnit, Machine], StartVerdict>;
  /** Agent, before a unit state is published: returns the state to publish (enrich or shape it). */
  readonly reportState: AsyncSeriesWaterfallHook<[UnitState, ReportContext], UnitState>;
}

export type HookName = keyof FleetHooks;

/** Which hooks run on the engine's hot path, and how their taps' results are read. */
export const HOOK_KINDS = Object.freeze({
  validateUnit: 'validate',
  resolveUnit: 'waterfall',
  narrow: 'narrow',
  filter: 'filter',
  score: 'score',
  bind: 'async',
  placed: 'observer',
  revoked: 'observer',
  unschedulable: 'observer',
  globalUnit: 'observer',
  roundComplete: 'observer',
  createDriver: 'async',
  beforeStart: 'async',
  reportState: 'async',
} as const satisfies Record<HookName, string>);

export type HookKind = (typeof HOOK_KINDS)[HookName];

/** A fresh, frozen set of hooks with no taps. */
export function createHooks(): FleetHooks {
  return Object.freeze({
    validateUnit: new SyncBailHook<[ResolvedUnit], FilterVerdict>(['unit'], 'validateUnit'),
    resolveUnit: new SyncWaterfallHook<[ResolvedUnit], ResolvedUnit>(['unit'], 'resolveUnit'),
    narrow: new SyncHook<[ResolvedUnit, ClusterView, CandidateNarrowing], void>(
      ['unit', 'cluster', 'narrowing'],
      'narrow',
    ),
    filter: new SyncBailHook<[ResolvedUnit, MachineView, ClusterView], FilterVerdict>(
      ['unit', 'machine', 'cluster'],
      'filter',
    ),
    score: new SyncHook<[ResolvedUnit, MachineView, ClusterView], number>(['unit', 'machine', 'cluster'], 'score'),
    bind: new AsyncSeriesHook<[BindBatch]>(['batch'], 'bind'),
    placed: new SyncHook<[PlacementDecision], void>(['placement'], 'placed'),
    revoked: new SyncHook<[Revocation], void>(['revocation'], 'revoked'),
    unschedulable: new SyncHook<[UnschedulableUnit], void>(['unit'], 'unschedulable'),
    globalUnit: new SyncHook<[GlobalUnitDecision], void>(['decision'], 'globalUnit'),
    roundComplete: new SyncHook<[RoundResult], void>(['result'], 'roundComplete'),
    createDriver: new AsyncSeriesBailHook<[DriverContext], UnitDriver | undefined>(['context'], 'createDriver'),
    beforeStart: new AsyncSeriesBailHook<[AgentUnit, Machine], StartVerdict>(['unit', 'machine'], 'beforeStart'),
    reportState: new AsyncSeriesWaterfallHook<[UnitState, ReportContext], UnitState>(
      ['state', 'context'],
      'reportState',
    ),
  });
}
