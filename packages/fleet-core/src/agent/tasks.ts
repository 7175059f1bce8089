import type { AgentUnit, DriverUnitState } from '../hooks/views.js';

/** What the agent knows it has installed: unit name → hash of the file it wrote. */
export type InstalledUnits = ReadonlyMap<string, string>;

export type AgentTask =
  | { readonly type: 'unload'; readonly unit: string; readonly reason: string }
  | { readonly type: 'load'; readonly unit: AgentUnit; readonly reason: string }
  | { readonly type: 'reload' }
  | { readonly type: 'stop'; readonly unit: string; readonly reason: string }
  | { readonly type: 'start'; readonly unit: AgentUnit; readonly reason: string };

const RUNNING = new Set(['active', 'activating', 'reloading']);

/** Unit name → hash of the contents this agent last started successfully. */
export type StartedUnits = ReadonlyMap<string, string>;

/**
 * Units whose current run this agent launched: it started them, or found
 * them running while their desired state was `launched` (see
 * reviewLaunched). Only these are stopped when their desired state becomes
 * `loaded`; fleet's agent judged by its own record (its cache) in the same way.
 */
export type LaunchedUnits = ReadonlySet<string>;

/** True when systemd reports the unit as running or about to. */
export function isRunning(state: DriverUnitState | undefined): boolean {
  return state !== undefined && RUNNING.has(state.activeState);
}

/**
 * Whether systemd must re-read its unit files before a loaded unit's file counts.
 * A unit systemd has no definition of (load state `not-found`: never loaded, or
 * only looked up) is read from disk when it is next loaded, which the driver's
 * load() does; an older definition still loaded (any other load state: a
 * replace, a unit of that name from elsewhere, a bad file) stays until a
 * reload, and so do [Install] links for the targets that are loaded. An
 * unknown state counts as needing one.
 */
export function loadNeedsReload(unit: AgentUnit, state: DriverUnitState | undefined): boolean {
  return state === undefined || state.loadState !== 'not-found' || unit.file.sections().includes('Install');
}

/**
 * Whether systemd lost a unit the agent installed: its file is in the units
 * directory, but systemd has no definition of it (load state `not-found`),
 * because its runtime link is gone: systemd restarted with an empty runtime
 * directory, or someone removed the link. The file alone runs nothing; only
 * what systemd has loaded counts as installed.
 */
function isLostBySystemd(state: DriverUnitState | undefined): boolean {
  return state?.loadState === 'not-found';
}

/** How one round's states change what the agent counts as launched by itself. */
export interface LaunchedReview {
  /** Units whose desired state is launched that systemd runs: this agent owns their run from now on. */
  readonly adopted: readonly AgentUnit[];
  /** Launched units whose run is over while they are not to be launched: a later run is systemd's own. */
  readonly ended: readonly string[];
}

/**
 * Which runs this agent owns after looking at this round's states. A unit
 * whose desired state is `launched` and that systemd runs (with the contents
 * installed) is adopted, whoever started it: after the agent itself started,
 * after it reconnected, or when `fleetctl start` finds a unit a socket had
 * started (fleet's agent issued a start there, and owned it from then on). A
 * run that is over (not running) while the desired state is not `launched` is
 * forgotten: what later starts it (a socket, a timer, `[Install]` links of
 * another unit, a manual start) is not this agent's doing, and fleet's agent
 * had dropped it from its record when the desired state changed. Pure.
 */
export function reviewLaunched(
  desired: ReadonlyMap<string, AgentUnit>,
  installed: InstalledUnits,
  states: ReadonlyMap<string, DriverUnitState>,
  launched: LaunchedUnits,
): LaunchedReview {
  const adopted: AgentUnit[] = [];
  for (const [name, unit] of sorted(desired)) {
    if (unit.desiredState === 'launched' && !launched.has(name) && installed.get(name) === unit.hash && isRunning(states.get(name))) adopted.push(unit);
  }
  const ended = [...launched].filter((name) => desired.get(name)?.desiredState !== 'launched' && !isRunning(states.get(name))).sort();
  return { adopted, ended };
}

/**
 * The tasks that take this machine from what it runs to what it should run,
 * in fleet's order: unload, load, one reload (when an unload or a load needs
 * it, see loadNeedsReload), stop, start. A unit whose
 * contents changed (a replace) is unloaded and loaded again, then started if
 * it should run. An installed unit systemd lost (isLostBySystemd) is loaded
 * again, which links it again, and started if it should run. A unit this
 * agent already started with these contents that finished cleanly (a oneshot)
 * is not started again, unless systemd lost it meanwhile; a failed one is.
 * A unit whose desired state is `loaded` is stopped only when this agent
 * launched it (`launched`); one systemd started on its own (pulled in by
 * another unit's `[Install] WantedBy=`, by a socket, timer or path unit, or a
 * manual `systemctl start`) is left running and reported as it is.
 * Pure: the agent executes the list.
 */
export function planAgentTasks(
  desired: ReadonlyMap<string, AgentUnit>,
  installed: InstalledUnits,
  states: ReadonlyMap<string, DriverUnitState>,
  started: StartedUnits = new Map(),
  launched: LaunchedUnits = new Set(),
): AgentTask[] {
  const unloads: AgentTask[] = [];
  const loads: AgentTask[] = [];
  const stops: AgentTask[] = [];
  const starts: AgentTask[] = [];
  const replaced = new Set<string>();
  for (const [name, hash] of sorted(installed)) {
    const unit = desired.get(name);
    if (unit === undefined) unloads.push({ type: 'unload', unit: name, reason: 'no longer placed on this machine' });
    else if (unit.hash !== hash) {
      unloads.push({ type: 'unload', unit: name, reason: 'its contents were replaced' });
      replaced.add(name);
    }
  }
  for (const [name, unit] of sorted(desired)) {
    const state = states.get(name);
    const lost = installed.has(name) && !replaced.has(name) && isLostBySystemd(state);
    if (!installed.has(name) || replaced.has(name) || lost) loads.push({ type: 'load', unit, reason: loadReason(replaced.has(name), lost) });
    const running = isRunning(state) && !replaced.has(name);
    const finishedCleanly = started.get(name) === unit.hash && state?.activeState === 'inactive' && !replaced.has(name) && !lost;
    if (unit.desiredState === 'launched' && !running && !finishedCleanly) starts.push({ type: 'start', unit, reason: 'desired state launched' });
    if (unit.desiredState === 'loaded' && running && launched.has(name)) stops.push({ type: 'stop', unit: name, reason: 'desired state loaded' });
  }
  const reload: AgentTask[] =
    unloads.length > 0 || loads.some((task) => task.type === 'load' && loadNeedsReload(task.unit, states.get(task.unit.name))) ? [{ type: 'reload' }] : [];
  return [...unloads, ...loads, ...reload, ...stops, ...starts];
}

function loadReason(replaced: boolean, lost: boolean): string {
  if (replaced) return 'new contents';
  return lost ? 'systemd does not know it (load state not-found): link it again' : 'placed on this machine';
}

function sorted<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
