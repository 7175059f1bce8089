import type { FleetError } from '../errors.js';
import type { MachineFacts } from '../model/facts.js';
import type { Machine } from '../model/machine.js';
import type { UnitFile, UnitNameInfo } from '../unit/index.js';

/**
 * Per-unit data plugins derive once in `resolveUnit` (parsed requirements,
 * compiled globs), so filter and score never re-parse per machine. A plugin
 * types its own key by declaration merging:
 *
 *   declare module '@fleetd/core' { interface UnitRequirements { metadata?: MetadataRequirement } }
 */
export interface UnitRequirements {
  readonly [pluginKey: string]: unknown;
}

/** A unit as the engine's plugins see it: its effective requirements, resolved once per version. */
export interface ResolvedUnit {
  readonly name: string;
  readonly nameInfo: UnitNameInfo;
  /** Content hash of the unit file; a new hash is a new version. */
  readonly hash: string;
  readonly file: UnitFile;
  /** `[X-Fleet]` options by name, values in file order, after `resolveUnit` rewrote them. */
  readonly fleetOptions: ReadonlyMap<string, readonly string[]>;
  /** True when the unit runs on every eligible machine instead of being placed on one. */
  readonly global: boolean;
  readonly requirements: Readonly<UnitRequirements>;
}

/** A machine during a scheduling round; `units` and `load` follow the round's own placements. */
export interface MachineView {
  readonly id: string;
  /** Dense index, stable while the machine is known: use it to keep per-machine arrays. */
  readonly index: number;
  readonly machine: Machine;
  readonly metadata: Readonly<Record<string, string>>;
  /** Names of the non-inactive units placed here plus the global units running here. */
  readonly units: ReadonlySet<string>;
  /** `units.size`: what least-loaded scheduling compares. */
  readonly load: number;
  /**
   * Changes whenever `units` changes or one of those units gets a new version
   * (a replace): a plugin may keep what it derives from the machine's units
   * (their summed resource requests, say) per machine index and recompute it
   * only when this differs. Compare `machine` by identity for the record itself.
   */
  readonly unitsVersion: number;
}

/** The cluster as the engine's plugins see it; lookups are index-backed, never scans. */
export interface ClusterView {
  /**
   * Counts every change to machines, units, placements and global units (a
   * placement is one change): the same version is the same cluster, so a
   * plugin may keep what it derived from the view while it holds. Optional,
   * so a test's stand-in view may leave it out (then derive afresh).
   */
  readonly version?: number;
  /** Every machine, sorted by ID. */
  readonly machines: readonly MachineView[];
  machine(id: string): MachineView | undefined;
  /** Machines whose ID starts with `prefix` (fleet's 8-character short IDs), sorted; a binary search, not a scan. */
  machinesByIdPrefix(prefix: string): readonly MachineView[];
  /** A known unit's resolved form, or undefined for a unit that is not submitted. */
  unit(name: string): ResolvedUnit | undefined;
  /**
   * Names of the submitted units whose `requirements[key]` is set (indexed,
   * rebuilt only after units change): lets a plugin find the few units that
   * use its option without scanning every unit. The same Set object while no
   * unit changed, a new one after, so a plugin may key what it derives on it.
   */
  unitsWithRequirement(key: string): ReadonlySet<string>;
  /** Where a non-global unit is placed right now (including earlier decisions of this round). */
  placementOf(unit: string): MachineView | undefined;
  /** Machines whose metadata has `key` set to exactly `value` (indexed). */
  machinesWithMetadata(key: string, value: string): readonly MachineView[];
  /** Machines whose metadata has `key` set at all (indexed). */
  machinesWithMetadataKey(key: string): readonly MachineView[];
  /**
   * Every machine, the least loaded (`MachineView.load`) first, equal loads in
   * ID order; read when iterated, so it stays valid until the cluster changes.
   * Indexed: walking the first few machines costs that, not a sort. What a
   * score that is a function of the load can give `CandidateNarrowing.scoreOrder`.
   * Optional, so a test's stand-in view may leave it out.
   */
  machinesByLoad?(): Iterable<MachineView>;
}

/**
 * Lets a plugin limit a unit's candidates to an index lookup before any
 * per-machine work. A restriction is a promise that the plugin's filter would
 * reject every other machine, with `reason`; restrictions of several plugins intersect.
 */
export interface CandidateNarrowing {
  /** An array is kept by reference for the decision (the core's index arrays are never changed in place). */
  restrict(machines: Iterable<MachineView>, reason: string): void;
  /**
   * A promise that this plugin's `filter` passes every machine for this unit
   * in this decision (the unit does not use the plugin's option, say): the
   * core may then skip calling that filter while placing or explaining the
   * unit (explanations show it as a pass). Revalidation still calls it.
   * Optional, so a test's stand-in sink may
   * leave it out: call it as `narrowing.passesEverywhere?.()`.
   */
  passesEverywhere?(): void;
  /**
   * A promise that this plugin's `score` taps give 0 points on every machine
   * for this unit in this decision (the unit does not use the plugin's
   * option, say): the core may then skip calling them while placing or
   * explaining the unit, and counts 0 points for the plugin, as if it had
   * answered. A plugin whose score applies to a few units (its option's) thus
   * costs nothing per machine for the others. Optional like
   * `passesEverywhere`: call it as `narrowing.scoresNothing?.()`.
   */
  scoresNothing?(): void;
  /**
   * Asks the core to decide this unit after the units `waitsFor` accepts
   * that still wait for a machine in this round (submitted, not placed, not
   * global, not inactive), so that it sees where they went: the replaces
   * plugin decides a replacing unit after the units it replaces, so it does
   * not take the only machine one of them could run on. A unit is put off at
   * most once per round: to the next cycle of revalidate → place when the
   * round has another, else to the end of the current one. Only placing
   * honours it (not explanations, not global units). Optional like the
   * promises: call it as `narrowing.decideAfter?.(waitsFor)`.
   */
  decideAfter?(waitsFor: (unit: string) => boolean): void;
  /**
   * A promise that this plugin's `score` gives every machine of `machines`
   * at least the points it gives the next one, and that equal points come in
   * machine ID order, and that `machines` lists every machine of the cluster.
   * When this plugin is the only one scoring the unit (the others promised
   * `scoresNothing`) and no plugin restricted its candidates, the core walks
   * `machines` in that order and stops once it holds the candidates it keeps
   * (the best three): a plain unit then costs a few filter and score calls
   * instead of one per machine, with the very same decision. least-loaded
   * gives `cluster.machinesByLoad()`. Optional like the other promises: call
   * it as `narrowing.scoreOrder?.(machines)`.
   */
  scoreOrder?(machines: Iterable<MachineView>): void;
}

/** A unit as an agent sees it: what to load and in which state to keep it. */
export interface AgentUnit {
  readonly name: string;
  readonly hash: string;
  readonly file: UnitFile;
  readonly desiredState: 'loaded' | 'launched';
  /** Configuration the agent's `unitDropIns` taps add to the unit on this machine; set on the unit given to `UnitDriver.load`. */
  readonly dropIns?: readonly UnitDropIn[] | undefined;
}

/**
 * A systemd drop-in a plugin adds to a unit on this machine (resource limits,
 * say): the driver installs it with the unit, where the service manager reads
 * it, and removes it with the unit.
 */
export interface UnitDropIn {
  /** File name, unique per unit: `resources.conf` (letters, digits, `_.@-`, ending in `.conf`). */
  readonly name: string;
  /** The drop-in's text, in unit-file syntax: `[Service]\nMemoryMax=536870912\n`. */
  readonly text: string;
}

/** What `machineFacts` taps are given besides the facts so far. */
export interface FactsContext {
  /** The machine as configured (ID, metadata, address), before its facts. */
  readonly machine: Machine;
  /** The facts this agent announced last time, or undefined before its first announcement. */
  readonly previous: MachineFacts | undefined;
}

/** State of one unit as the driver (systemd) reports it. */
export interface DriverUnitState {
  readonly name: string;
  readonly loadState: string;
  readonly activeState: string;
  readonly subState: string;
}

/** What a driver plugin is given to create its driver. */
export interface DriverContext {
  readonly machine: Machine;
}

/** Runs units on one machine; the systemd plugin provides the first-party one. */
export interface UnitDriver {
  /** Installs the unit file (no daemon reload; the caller plans one when systemd holds an older definition). */
  load(unit: AgentUnit): Promise<void>;
  /** Stops and removes the unit file (no daemon reload). */
  unload(name: string): Promise<void>;
  /** Makes the service manager re-read unit files, once per batch of loads/unloads. */
  reload(): Promise<void>;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  /** Current states of the named units, or of every unit the driver manages. */
  states(names?: readonly string[]): Promise<readonly DriverUnitState[]>;
  /** The units the driver has installed (files it wrote), by name, with the hash of each file's contents. */
  installed(): Promise<ReadonlyMap<string, string>>;
  /** Pushes state changes as they happen; resolves to an unsubscribe function. */
  subscribe(listener: (state: DriverUnitState) => void): Promise<() => Promise<void>>;
  /** Calls `listener` once if the driver loses its service manager (D-Bus connection gone); the owner then creates a new driver. */
  onLost(listener: (error: FleetError) => void): () => void;
  close(): Promise<void>;
}

/** A unit state on its way to the registry, as `reportState` taps shape it. */
export interface ReportContext {
  readonly machine: Machine;
  readonly unit: AgentUnit | undefined;
}
