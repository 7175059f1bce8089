import type { FleetError } from '../errors.js';

/** Why one machine was not a candidate for a unit. */
export type RejectionKind = 'narrow' | 'filter' | 'error';

export interface MachineRejection {
  readonly machine: string;
  /** The plugin whose tap rejected the machine. */
  readonly plugin: string;
  /** `narrow`: excluded by a plugin's index lookup; `filter`: rejected by a filter; `error`: the plugin threw. */
  readonly kind: RejectionKind;
  readonly message: string;
}

/** A feasible machine's score for a unit, per plugin (raw points) and in total (weighted). */
export interface CandidateScore {
  readonly machine: string;
  readonly total: number;
  readonly byPlugin: Readonly<Record<string, number>>;
}

export interface PlacementDecision {
  readonly unit: string;
  readonly machine: string;
  /** Where the unit was before this round moved it, if it was placed. */
  readonly previousMachine: string | undefined;
  /** The best candidates, best first (the first is `machine`), with their scores. */
  readonly candidates: readonly CandidateScore[];
}

export interface Revocation {
  readonly unit: string;
  readonly machine: string;
  /** The plugin whose requirement no longer holds, or undefined for core reasons (machine gone, unit unloaded). */
  readonly plugin: string | undefined;
  readonly reason: string;
}

export interface UnschedulableUnit {
  readonly unit: string;
  /** One line: "0/5 machines available: 3 metadata region=us-east-1 not matched, 2 conflict with web@1.service". */
  readonly summary: string;
  readonly machineCount: number;
  /** A reason for every machine of the cluster, sorted by machine ID (computed on first read). */
  readonly rejections: readonly MachineRejection[];
}

/** Where a global unit runs, and why it does not run elsewhere. */
export interface GlobalUnitDecision {
  readonly unit: string;
  readonly machines: readonly string[];
  readonly rejections: readonly MachineRejection[];
}

/** A placement a bind tap refused; the unit is reconsidered next round. */
export interface RefusedPlacement {
  readonly unit: string;
  readonly machine: string;
  readonly plugin: string;
  readonly reason: string;
}

export interface RoundStats {
  /** Units that needed a decision this round (unplaced or revoked). */
  readonly queued: number;
  /** Units whose placement still held. */
  readonly kept: number;
  readonly machines: number;
  /** filter evaluations of (unit, candidate machine) pairs while placing. */
  readonly evaluations: number;
  /** filter evaluations re-checking existing placements (one per placement per cycle). */
  readonly revalidations: number;
  /** Passes over the queue: a later pass retries units that earlier placements may have unblocked. */
  readonly passes: number;
  readonly decideMs: number;
  readonly bindMs: number;
}

export interface RoundResult {
  readonly round: number;
  readonly placements: readonly PlacementDecision[];
  readonly revocations: readonly Revocation[];
  readonly unschedulable: readonly UnschedulableUnit[];
  readonly globals: readonly GlobalUnitDecision[];
  readonly refused: readonly RefusedPlacement[];
  /** Errors plugins threw this round (wrapped as PLUGIN_ERROR); scheduling went on around them. */
  readonly pluginErrors: readonly FleetError[];
  /** Set when bind failed as a whole: nothing of the round was committed and the state was rolled back. */
  readonly bindError: FleetError | undefined;
  readonly stats: RoundStats;
}

/** What `bind` taps commit: the round's placements and revocations. */
export interface BindBatch {
  readonly round: number;
  readonly placements: readonly PlacementDecision[];
  readonly revocations: readonly Revocation[];
  /** Sends a placement back: it is not committed and the unit is reconsidered next round. */
  refuse(unit: string, reason: string): void;
  /** True once some tap refused `unit`. */
  isRefused(unit: string): boolean;
}

export type PluginVerdict =
  { readonly plugin: string; readonly verdict: 'pass' } | { readonly plugin: string; readonly verdict: RejectionKind; readonly message: string };

/** Every plugin's say on one machine for one unit. */
export interface MachineExplanation {
  readonly machine: string;
  readonly feasible: boolean;
  readonly verdicts: readonly PluginVerdict[];
  /** Weighted total, for feasible machines. */
  readonly total: number | undefined;
  readonly scores: Readonly<Record<string, number>>;
}

/** The answer to "why is this unit where it is, or nowhere". */
export interface UnitExplanation {
  readonly unit: string;
  readonly placedOn: string | undefined;
  /** Where the unit would go now; undefined when no machine is feasible. */
  readonly bestMachine: string | undefined;
  readonly summary: string;
  /** Every machine, feasible ones first by score, then the rest by ID. */
  readonly machines: readonly MachineExplanation[];
}
