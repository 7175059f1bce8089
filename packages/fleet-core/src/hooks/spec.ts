import { AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook, SyncBailHook, SyncHook, SyncWaterfallHook } from 'tapable';
import type { MachineFacts } from '../model/facts.js';
import type { Machine } from '../model/machine.js';
import type { UnitState } from '../model/unit.js';
import type { BindBatch, RoundResult } from '../scheduler/decisions.js';
import type {
  AgentUnit,
  CandidateNarrowing,
  ClusterView,
  DriverContext,
  FactsContext,
  MachineView,
  ReportContext,
  ResolvedUnit,
  UnitDriver,
  UnitDropIn,
} from './views.js';

/** A filter or validateUnit tap's answer: a reason string rejects, nothing passes. */
export type FilterVerdict = string | undefined | void;
/** A beforeStart tap's answer: a reason string vetoes the start, nothing allows it. */
export type StartVerdict = string | undefined | void;

/**
 * Where a hook runs: at submit (API, fleetctl); wherever units are scheduled
 * (the acting engine's rounds, an agent judging global units, explanations,
 * dry runs); or on every machine's agent.
 */
export type HookSide = 'submit' | 'scheduling' | 'agent';

/**
 * How the core runs a hook's taps and reads their answers:
 * `validate` first problem wins; `waterfall` each tap gets the previous result;
 * `narrow` every tap may restrict; `filter` first reason wins; `score` points summed
 * times weights; `async` awaited in order with a timeout; `observer` told, never asked.
 */
export type HookKind = 'validate' | 'waterfall' | 'narrow' | 'filter' | 'score' | 'async' | 'observer';

/** One hook's declaration: where it runs, how the core reads its taps, and the docs' words for it. */
export interface HookSpec<Hook, Tap> {
  readonly side: HookSide;
  readonly kind: HookKind;
  /** tapable class, for the docs table. */
  readonly tapable: string;
  /** When the hook fires. */
  readonly fires: string;
  /** What a tap returns, and what the core does with it. */
  readonly returns: string;
  readonly create: () => Hook;
  /** Type only: the function a plugin taps with. */
  readonly tapType?: Tap;
}

/** Pins a spec entry's tapable hook type and tap function type (the object itself is plain data). */
function spec<Tap>() {
  return <Hook>(entry: Omit<HookSpec<Hook, Tap>, 'tapType'>): HookSpec<Hook, Tap> => Object.freeze(entry);
}

/** A disconnectGrace answer: milliseconds a unit may keep running while its agent is cut off, or undefined for no limit. */
export type GraceMs = number | undefined;

/** What an async hook's tap may return: the value, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Every hook fleetd exposes, declared once: the typed tapable hooks
 * (`FleetHooks`), the taps plugins add (`PluginHooks`), the kinds the core
 * runs them by (`HOOK_KINDS`) and the reference table in the docs
 * (`hookReference()`) all come from here.
 */
export const HOOK_SPECS = Object.freeze({
  validateUnit: spec<(unit: ResolvedUnit) => FilterVerdict>()({
    side: 'submit',
    kind: 'validate',
    tapable: 'SyncBailHook',
    fires: 'at submit (API `PUT`, `fleetctl submit/load/start`, plans), per unit, after `resolveUnit`',
    returns: 'a problem string refuses the unit (`UNIT_INVALID`, HTTP 400, naming unit and plugin); nothing accepts it. The first problem wins',
    create: () => new SyncBailHook<[ResolvedUnit], FilterVerdict>(['unit'], 'validateUnit'),
  }),
  resolveUnit: spec<(unit: ResolvedUnit) => ResolvedUnit>()({
    side: 'scheduling',
    kind: 'waterfall',
    tapable: 'SyncWaterfallHook',
    fires: 'once per unit version (cached by hash), wherever units are scheduled or validated',
    returns: "the unit's effective form; each tap gets the previous tap's result. Parse options into `requirements` here. Must be a pure function of the unit",
    create: () => new SyncWaterfallHook<[ResolvedUnit], ResolvedUnit>(['unit'], 'resolveUnit'),
  }),
  narrow: spec<(unit: ResolvedUnit, cluster: ClusterView, narrowing: CandidateNarrowing) => void>()({
    side: 'scheduling',
    kind: 'narrow',
    tapable: 'SyncHook',
    fires: 'once per unit to place or explain, before any per-machine work',
    returns:
      'nothing; may call `narrowing.restrict(machines, reason)`, `narrowing.passesEverywhere()` (its filter passes every machine), `narrowing.scoresNothing()` (its score is 0 on every machine) or `narrowing.decideAfter(waitsFor)` (decide the unit after the units still waiting that `waitsFor` accepts)',
    create: () => new SyncHook<[ResolvedUnit, ClusterView, CandidateNarrowing], void>(['unit', 'cluster', 'narrowing'], 'narrow'),
  }),
  filter: spec<(unit: ResolvedUnit, machine: MachineView, cluster: ClusterView) => FilterVerdict>()({
    side: 'scheduling',
    kind: 'filter',
    tapable: 'SyncBailHook',
    fires: 'per unit and candidate machine',
    returns: 'a reason string rejects the machine; nothing passes it. The first reason wins',
    create: () => new SyncBailHook<[ResolvedUnit, MachineView, ClusterView], FilterVerdict>(['unit', 'machine', 'cluster'], 'filter'),
  }),
  score: spec<(unit: ResolvedUnit, machine: MachineView, cluster: ClusterView) => number>()({
    side: 'scheduling',
    kind: 'score',
    tapable: 'SyncHook',
    fires: 'per unit and machine that passed every filter, except for plugins that promised in `narrow` to score nothing for that unit',
    returns: "finite points, higher is better. The core sums points × the plugin's weight; the highest total wins, ties go to the lower machine ID",
    create: () => new SyncHook<[ResolvedUnit, MachineView, ClusterView], void>(['unit', 'machine', 'cluster'], 'score'),
  }),
  bind: spec<(batch: BindBatch) => MaybePromise<void>>()({
    side: 'scheduling',
    kind: 'async',
    tapable: 'AsyncSeriesHook',
    fires: "once per round, with the round's placements and revocations, before they are committed",
    returns: 'nothing; `batch.refuse(unit, reason)` sends a unit back to the next round; throwing fails the whole round',
    create: () => new AsyncSeriesHook<[BindBatch]>(['batch'], 'bind'),
  }),
  roundComplete: spec<(result: RoundResult) => void>()({
    side: 'scheduling',
    kind: 'observer',
    tapable: 'SyncHook',
    fires: 'at the end of every round, with what was committed, refused, unschedulable, and every global decision',
    returns: 'nothing (observer); a throw is reported, never fatal',
    create: () => new SyncHook<[RoundResult], void>(['result'], 'roundComplete'),
  }),
  createDriver: spec<(context: DriverContext) => MaybePromise<UnitDriver | undefined | void>>()({
    side: 'agent',
    kind: 'async',
    tapable: 'AsyncSeriesBailHook',
    fires: 'at start-up and after losing the service manager',
    returns: "the `UnitDriver` that runs units on this machine; the first tap that returns one wins. Its failures are reported as this plugin's",
    create: () => new AsyncSeriesBailHook<[DriverContext], UnitDriver | undefined | void>(['context'], 'createDriver'),
  }),
  machineFacts: spec<(facts: MachineFacts, context: FactsContext) => MaybePromise<MachineFacts>>()({
    side: 'agent',
    kind: 'async',
    tapable: 'AsyncSeriesWaterfallHook',
    fires: 'before the agent announces its machine, then at every facts refresh (`agent.factsRefreshSeconds`) and SIGHUP',
    returns:
      "the machine's typed facts (capacity, hardware, configured resources), announced with its presence when they changed and shown by `fleetctl list-machines`; each tap gets the previous tap's result, the first `{}`. A failing tap or an invalid fact is reported and that tap's answer dropped",
    create: () => new AsyncSeriesWaterfallHook<[MachineFacts, FactsContext], MachineFacts>(['facts', 'context'], 'machineFacts'),
  }),
  unitDropIns: spec<(dropIns: readonly UnitDropIn[], unit: ResolvedUnit, machine: Machine) => readonly UnitDropIn[]>()({
    side: 'agent',
    kind: 'waterfall',
    tapable: 'SyncWaterfallHook',
    fires: 'when the agent loads a unit (each new version) on its machine',
    returns:
      "the systemd drop-ins to install with the unit (`{ name, text }`: resource limits, say); each tap gets the previous tap's result, the first `[]`. A failing tap or an invalid drop-in is reported and that tap's answer dropped",
    create: () => new SyncWaterfallHook<[readonly UnitDropIn[], ResolvedUnit, Machine], readonly UnitDropIn[]>(['dropIns', 'unit', 'machine'], 'unitDropIns'),
  }),
  beforeStart: spec<(unit: AgentUnit, machine: Machine) => MaybePromise<StartVerdict>>()({
    side: 'agent',
    kind: 'async',
    tapable: 'AsyncSeriesBailHook',
    fires: 'before each start of a unit',
    returns: 'a reason string vetoes the start: the unit stays loaded and reports `start vetoed: <reason>`',
    create: () => new AsyncSeriesBailHook<[AgentUnit, Machine], StartVerdict>(['unit', 'machine'], 'beforeStart'),
  }),
  disconnectGrace: spec<(graceMs: GraceMs, unit: ResolvedUnit, machine: Machine) => GraceMs>()({
    side: 'agent',
    kind: 'waterfall',
    tapable: 'SyncWaterfallHook',
    fires: 'on an agent that cannot renew its presence, per unit it runs launched, at each check while cut off (every round, and when a grace runs out)',
    returns:
      "how long (ms) after the last successful presence renewal the unit may keep running while the agent stays cut off; then it is stopped (kept loaded) until the agent is back. `undefined` keeps it running. Each tap gets the previous tap's result; the first gets `undefined`",
    create: () => new SyncWaterfallHook<[GraceMs, ResolvedUnit, Machine], GraceMs>(['graceMs', 'unit', 'machine'], 'disconnectGrace'),
  }),
  reportState: spec<(state: UnitState, context: ReportContext) => MaybePromise<UnitState>>()({
    side: 'agent',
    kind: 'async',
    tapable: 'AsyncSeriesWaterfallHook',
    fires: 'before a unit state is published',
    returns: "the state to publish; each tap gets the previous tap's result",
    create: () => new AsyncSeriesWaterfallHook<[UnitState, ReportContext], UnitState>(['state', 'context'], 'reportState'),
  }),
});

export type HookName = keyof typeof HOOK_SPECS;

/**
 * The tapable hooks of one assembled host, one per event, frozen with their
 * taps: read them (taps, stages), never tap them after assembly
 * (`HOOKS_FROZEN`). Hosts run hooks through the core (schedulers, agents),
 * whose guards wrap plugin failures and keep each caller's results apart.
 */
export type FleetHooks = { readonly [Name in HookName]: ReturnType<(typeof HOOK_SPECS)[Name]['create']> };

/** The function a plugin taps `Name` with. */
export type TapFunction<Name extends HookName> = NonNullable<(typeof HOOK_SPECS)[Name]['tapType']>;

/** Where a tap goes among the others on its hook: lower stages run first, then plugin order. */
export interface TapOptions {
  /** One of the `Stage` constants; `Stage.DEFAULT` when left out. */
  readonly stage?: number;
}

/** One hook as a plugin sees it: taps are named after the plugin, so the name is never repeated. */
export interface PluginHook<Fn> {
  tap(fn: Fn): void;
  tap(options: TapOptions, fn: Fn): void;
}

/** The hooks a plugin's `apply` receives, already bound to its name. */
export type PluginHooks = { readonly [Name in HookName]: PluginHook<TapFunction<Name>> };

export const HOOK_NAMES: readonly HookName[] = Object.freeze(Object.keys(HOOK_SPECS) as HookName[]);

/** Which hooks run on the engine's hot path, and how their taps' results are read. */
export const HOOK_KINDS: Readonly<Record<HookName, HookKind>> = Object.freeze(
  Object.fromEntries(HOOK_NAMES.map((name) => [name, HOOK_SPECS[name].kind])) as Record<HookName, HookKind>,
);

/** A fresh, frozen set of hooks with no taps. */
export function createHooks(): FleetHooks {
  return Object.freeze(Object.fromEntries(HOOK_NAMES.map((name) => [name, HOOK_SPECS[name].create()])) as unknown as FleetHooks);
}

/** One row of the hook reference. */
export interface HookReference {
  readonly hook: HookName;
  readonly side: HookSide;
  readonly kind: HookKind;
  readonly tapable: string;
  readonly fires: string;
  readonly returns: string;
}

/** The hook reference, in declaration order: what the docs' hook table shows. */
export function hookReference(): readonly HookReference[] {
  return HOOK_NAMES.map((hook) => {
    const { side, kind, tapable, fires, returns } = HOOK_SPECS[hook];
    return Object.freeze({ hook, side, kind, tapable, fires, returns });
  });
}

/** The hook reference as the Markdown table docs/plugin-authoring.md and docs/architecture.md embed (a test keeps them equal). */
export function hookReferenceTable(): string {
  const rows = hookReference().map((row) => `| \`${row.hook}\` | ${row.side} | \`${row.tapable}\` | ${row.fires} | ${row.returns} |`);
  return ['| hook | side | tapable class | fires | a tap returns |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
