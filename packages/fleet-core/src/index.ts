/**
 * @fleetd/core: what plugin authors and hosts build on. Frozen at 1.0:
 * unit files and the model, errors, the hooks and the plugin API, plugin
 * assembly, scheduling results and explanations, and the registry contract.
 * Engine, agent and scheduler internals live in `@fleetd/core/unstable`.
 */
export { CORE_VERSION, loadedCoreCopies } from './version.js';
export type { CoreCopy } from './version.js';
export { describeThrown, ErrorCodes, FleetError, isFleetError } from './errors.js';
export type { ErrorCode, FleetErrorDetails } from './errors.js';
export * from './unit/index.js';
export * from './model/index.js';

// Hooks and the plugin API
export { HOOK_KINDS, HOOK_NAMES, HOOK_SPECS, hookReference, hookReferenceTable } from './hooks/spec.js';
export type {
  FilterVerdict,
  FleetHooks,
  GraceMs,
  HookKind,
  HookName,
  HookReference,
  HookSide,
  HookSpec,
  MaybePromise,
  PluginHook,
  PluginHooks,
  StartVerdict,
  TapFunction,
  TapOptions,
} from './hooks/spec.js';
export { isStage, Stage } from './hooks/stages.js';
export type { StageValue } from './hooks/stages.js';
export { SAMPLE_EVERY } from './hooks/hook-stats.js';
export type { HookStat } from './hooks/hook-stats.js';
export type * from './hooks/views.js';
export { fleetOptionValues, withFleetOptions, withGlobal, withRequirements } from './hooks/unit-helpers.js';
export { definePlugin } from './plugin/define.js';
export type { AnyFleetPlugin, FleetPlugin, InferPluginOptions, PluginContext, PluginDefinition, PluginMeta } from './plugin/define.js';
export { stderrPluginLogger } from './plugin/logger.js';
export type { LogFields, PluginLogger, PluginLoggerFactory } from './plugin/logger.js';
export { setsUnitOption, unitOptionSpelling, unitOptionValues } from './plugin/unit-options.js';
export type { DeclaredUnitOption, UnitOptionSpec, UnitOptionTable } from './plugin/unit-options.js';
export { assemblePlugins, DEFAULT_HOOK_TIMEOUT_MS } from './plugin/host.js';
export type { AssembleOptions, LoadedPlugin, PluginEntry, PluginHost, UnitToResolve } from './plugin/host.js';
export { formatIssuePath, validatePluginOptions } from './plugin/options.js';
export type { OptionsOutcome } from './plugin/options.js';

// Scheduling results
export type * from './scheduler/decisions.js';
export { summarizeRejections } from './scheduler/summary.js';

// The registry contract
export { MAX_LEASE_TTL_SECONDS, MAX_TXN_OPS } from './registry/types.js';
export type {
  Compare,
  CompareOp,
  KeyValue,
  LeaseId,
  Registry,
  Txn,
  TxnOp,
  TxnResponse,
  TxnResult,
  WatchEvent,
  WatchOptions,
  Watcher,
} from './registry/types.js';
export { createMemoryRegistry } from './registry/memory.js';
export type { MemoryRegistry, MemoryRegistryOptions } from './registry/memory.js';
