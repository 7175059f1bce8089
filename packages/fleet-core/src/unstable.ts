/**
 * @fleetd/core/unstable: the engine, agent, scheduler, store and registry
 * internals fleetd itself is built from. Hosts that embed them may, but
 * these change in minor releases; pin @fleetd/core exactly when you do.
 * Plugins never need them.
 */
export { asRegistryError } from './errors.js';
export { THIS_CORE_COPY } from './version.js';
export { pluginError, withPluginTimeout } from './hooks/plugin-errors.js';
export { createHooks } from './hooks/spec.js';
export { HookRunner } from './hooks/runner.js';
export type { CreatedDriver, NarrowingSink, PluginErrorSink, RejectionSink } from './hooks/runner.js';
export { HotPaths } from './hooks/hot-paths.js';
export type { FilterPlan, ScorePlan } from './hooks/hot-paths.js';
export type { FilterRun, HotHelpers, NarrowRun, ScoreRun } from './hooks/compile.js';
export type { CompiledHooks, CompiledTap } from './hooks/taps.js';
export { HookStatsRecorder } from './hooks/hook-stats.js';
export type { HookStatSlot } from './hooks/hook-stats.js';
export { createHookRunner } from './plugin/host.js';
export { checkCoreVersion, checkDependencies, checkMeta, coreCopyOf, isStandardSchema } from './plugin/define.js';
export { buildUnitOptionTable } from './plugin/unit-options.js';
export { ClusterState, MachineSlot } from './scheduler/cluster-state.js';
export type { SchedulingSnapshot } from './scheduler/cluster-state.js';
export { MAX_SETTLE_ROUNDS, Scheduler } from './scheduler/scheduler.js';
export type { RoundPlan, SchedulerOptions, SettledPlan } from './scheduler/scheduler.js';
export { commitPlan } from './scheduler/commit.js';
export type { PlanCommitter } from './scheduler/commit.js';
export { baseResolvedUnit, fleetOptionsOf, UnitResolver } from './scheduler/resolve.js';
export type { Resolution } from './scheduler/resolve.js';
export { compareUtf8 } from './registry/keys.js';
/** The argument checks every Registry implementation applies before talking to its store. */
export * as registryArguments from './registry/validate.js';
export * from './store/index.js';
export * from './engine/index.js';
export { MachinePresence } from './agent/presence.js';
export { agentWatchScope } from './agent/watch-scope.js';
export type { PresenceContact, PresenceOptions } from './agent/presence.js';
export { DisconnectStops, disconnectVerdict } from './agent/disconnect.js';
export type { DisconnectStopsOptions, DisconnectVerdict, HeldUnit } from './agent/disconnect.js';
export { LoadBackoff, loadFailureMessage, loadRetryDelay, LOAD_RETRY_FIRST_MS, LOAD_RETRY_MAX_MS } from './agent/load-backoff.js';
export type { LoadFailure } from './agent/load-backoff.js';
export { isRunning, planAgentTasks } from './agent/tasks.js';
export type { AgentTask, InstalledUnits, LaunchedUnits, StartedUnits } from './agent/tasks.js';
export { Agent } from './agent/agent.js';
export type { AgentEvent, AgentOptions } from './agent/agent.js';
export { pluginDriver } from './agent/plugin-driver.js';
