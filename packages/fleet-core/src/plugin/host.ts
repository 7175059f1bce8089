import { describeThrown, ErrorCodes, FleetError, isFleetError } from '../errors.js';
import type { HookStat } from '../hooks/hook-stats.js';
import { HotPaths } from '../hooks/hot-paths.js';
import { HookRunner } from '../hooks/runner.js';
import type { PluginErrorSink } from '../hooks/runner.js';
import { createHooks } from '../hooks/spec.js';
import type { FleetHooks } from '../hooks/spec.js';
import { TapRegistry } from '../hooks/taps.js';
import type { CompiledHooks } from '../hooks/taps.js';
import { runResolveUnit, runValidateUnit } from '../hooks/unit-hooks.js';
import type { ResolvedUnit } from '../hooks/views.js';
import type { Unit } from '../model/unit.js';
import { baseResolvedUnit } from '../scheduler/resolve.js';
import { CORE_VERSION, THIS_CORE_COPY } from '../version.js';
import { checkCoreVersion, checkDependencies, checkMeta, coreCopyOf, isStandardSchema } from './define.js';
import type { AnyFleetPlugin, PluginMeta } from './define.js';
import { stderrPluginLogger } from './logger.js';
import type { PluginLogger, PluginLoggerFactory } from './logger.js';
import { validatePluginOptions } from './options.js';
import { buildUnitOptionTable } from './unit-options.js';
import type { UnitOptionTable } from './unit-options.js';

/** A plugin as configuration lists it: alone, with options, or with options and a score weight. */
export type PluginEntry =
  | AnyFleetPlugin
  | readonly [plugin: AnyFleetPlugin, options?: unknown]
  | { readonly plugin: AnyFleetPlugin; readonly options?: unknown; readonly weight?: number };

export interface AssembleOptions {
  /** Upper bound for any async tap (bind, beforeStart, reportState, createDriver). Default 10 s. */
  readonly hookTimeoutMs?: number;
  /** Overrides the running core version (tests of version checks). */
  readonly coreVersion?: string;
  /** Gives each plugin its logger (`context.logger`). Default: warnings and errors to stderr. */
  readonly logger?: PluginLoggerFactory;
}

export interface LoadedPlugin {
  readonly meta: PluginMeta;
  readonly options: unknown;
  readonly weight: number;
}

/** A unit as validation and resolution need it. */
export type UnitToResolve = Pick<Unit, 'name' | 'hash' | 'file'>;

/** Plugins assembled onto one frozen set of hooks; what schedulers, engines and agents run on. */
export interface PluginHost {
  /** The tapable hooks with every plugin's taps, frozen: for reading taps, never for tapping. */
  readonly hooks: FleetHooks;
  readonly plugins: readonly LoadedPlugin[];
  readonly coreVersion: string;
  /** Every `[X-Fleet]` option the plugins declare. */
  readonly unitOptions: UnitOptionTable;
  /** Calls and time per plugin and hook so far (for metrics). */
  hookStats(): HookStat[];
  /** The unit as the plugins' resolveUnit taps make it; PLUGIN_ERROR naming the plugin when one fails. */
  resolveUnit(unit: UnitToResolve): ResolvedUnit;
  /** Refuses a unit the plugins' validateUnit taps find a problem with (UNIT_INVALID naming unit and plugin). */
  validateUnit(unit: UnitToResolve): void;
  /** The logger a plugin was given, for hosts that report on a plugin's behalf (its driver's failures). */
  pluginLogger(plugin: string): PluginLogger;
}

export const DEFAULT_HOOK_TIMEOUT_MS = 10_000;

interface HostInternals {
  readonly taps: CompiledHooks;
  readonly hot: HotPaths;
  readonly registry: TapRegistry;
  readonly pluginNames: readonly string[];
  readonly timeoutMs: number;
}

const internals = new WeakMap<PluginHost, HostInternals>();

/**
 * Validates every plugin (meta, core range, dependencies, declared options,
 * options, weight), then applies them in order, each on hooks bound to its
 * name, and freezes the taps. Option problems of all plugins are reported
 * together, each as `plugin: path: message`.
 */
export async function assemblePlugins(entries: readonly PluginEntry[], options: AssembleOptions = {}): Promise<PluginHost> {
  const coreVersion = options.coreVersion ?? CORE_VERSION;
  const normalized = entries.map(normalizeEntry);
  checkPlugins(normalized, coreVersion);
  checkDependencies(normalized.map((entry) => entry.plugin.meta));
  const unitOptions = buildUnitOptionTable(normalized.map((entry) => entry.plugin.meta));
  const loaded = await validateAllOptions(normalized);
  const hooks = createHooks();
  const registry = new TapRegistry(
    hooks,
    loaded.map((plugin) => ({ name: plugin.meta.name, weight: plugin.weight })),
  );
  const loggerFor = options.logger ?? stderrPluginLogger;
  const loggers = new Map(loaded.map((plugin) => [plugin.meta.name, loggerFor(plugin.meta.name)]));
  normalized.forEach((entry, index) => {
    const plugin = loaded[index] as LoadedPlugin;
    const logger = loggers.get(plugin.meta.name) as PluginLogger;
    warnAboutOtherCore(entry.plugin, logger);
    applyPlugin(entry.plugin, plugin, registry, { coreVersion, logger, unitOptions });
  });
  const taps = registry.freeze();
  const pluginNames = Object.freeze(loaded.map((plugin) => plugin.meta.name));
  const host: PluginHost = Object.freeze({
    hooks,
    plugins: Object.freeze(loaded),
    coreVersion,
    unitOptions,
    hookStats: () => registry.stats.snapshot(),
    resolveUnit: (unit: UnitToResolve) => runResolveUnit(taps.resolveUnit, baseResolvedUnit(unit)),
    validateUnit: (unit: UnitToResolve) => runValidateUnit(taps.validateUnit, runResolveUnit(taps.resolveUnit, baseResolvedUnit(unit))),
    pluginLogger: (plugin: string) => loggers.get(plugin) ?? loggerFor(plugin),
  });
  internals.set(host, { taps, hot: new HotPaths(taps), registry, pluginNames, timeoutMs: options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS });
  return host;
}

/**
 * A runner of `host`'s taps for one caller (a scheduler, an agent, an
 * explanation), with its own scratch and its own error sink: plugin errors
 * raised while it runs go to `onPluginError` and nowhere else.
 */
export function createHookRunner(host: PluginHost, onPluginError: PluginErrorSink): HookRunner {
  const own = internals.get(host);
  if (own === undefined) throw new FleetError(ErrorCodes.PLUGIN_INVALID, 'not a plugin host: build one with assemblePlugins()');
  return new HookRunner(own.taps, own.hot, own.pluginNames, own.timeoutMs, onPluginError);
}

interface NormalizedEntry {
  readonly plugin: AnyFleetPlugin;
  readonly options: unknown;
  readonly weight: number | undefined;
}

function normalizeEntry(entry: PluginEntry, position: number): NormalizedEntry {
  if (Array.isArray(entry)) {
    const [plugin, options] = entry as readonly [AnyFleetPlugin, unknown?];
    return { plugin: checkShape(plugin, position), options, weight: undefined };
  }
  if (isWrapped(entry)) {
    return { plugin: checkShape(entry.plugin, position), options: entry.options, weight: entry.weight };
  }
  return { plugin: checkShape(entry, position), options: undefined, weight: undefined };
}

function isWrapped(entry: PluginEntry): entry is Extract<PluginEntry, { readonly plugin: AnyFleetPlugin }> {
  return typeof entry === 'object' && entry !== null && 'plugin' in entry && !('meta' in entry);
}

function checkShape(plugin: unknown, position: number): AnyFleetPlugin {
  const candidate = plugin as Partial<AnyFleetPlugin> | null | undefined;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.apply !== 'function') {
    throw new FleetError(
      ErrorCodes.PLUGIN_INVALID,
      `plugins[${position}] is not a plugin: expected the default export of definePlugin(...) with meta and apply`,
    );
  }
  const meta = checkMeta(candidate.meta);
  if (candidate.options !== undefined && !isStandardSchema(candidate.options)) {
    throw new FleetError(ErrorCodes.PLUGIN_INVALID, `plugin "${meta.name}": options must be a Standard Schema`, { plugin: meta.name });
  }
  return candidate as AnyFleetPlugin;
}

function checkPlugins(entries: readonly NormalizedEntry[], coreVersion: string): void {
  const seen = new Set<string>();
  for (const { plugin, weight } of entries) {
    const name = plugin.meta.name;
    if (seen.has(name)) {
      throw new FleetError(ErrorCodes.PLUGIN_DUPLICATE, `plugin "${name}" is listed twice; list each plugin once`, { plugin: name });
    }
    seen.add(name);
    checkCoreVersion(plugin.meta, coreVersion);
    if (weight !== undefined && (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)) {
      throw new FleetError(ErrorCodes.SCORE_WEIGHT_INVALID, `${name}: weight: must be a finite number >= 0, got ${JSON.stringify(weight)}`, {
        plugin: name,
      });
    }
  }
}

async function validateAllOptions(entries: readonly NormalizedEntry[]): Promise<LoadedPlugin[]> {
  const outcomes = await Promise.all(entries.map((entry) => validatePluginOptions(entry.plugin.meta.name, entry.plugin.options, entry.options)));
  const issues = outcomes.flatMap((outcome) => (outcome.ok ? [] : outcome.issues));
  if (issues.length > 0) {
    throw new FleetError(ErrorCodes.PLUGIN_OPTIONS_INVALID, `invalid plugin options:\n  ${issues.join('\n  ')}`, {
      issues,
      ...(new Set(issues.map(pluginOfIssue)).size === 1 ? { plugin: pluginOfIssue(issues[0] ?? '') } : {}),
    });
  }
  return entries.map((entry, index) => {
    const outcome = outcomes[index];
    return Object.freeze({ meta: entry.plugin.meta, options: outcome?.ok ? outcome.value : undefined, weight: entry.weight ?? 1 });
  });
}

function pluginOfIssue(issue: string): string {
  return issue.slice(0, issue.indexOf(':'));
}

/**
 * A plugin made by another copy of @fleetd/core than the one running it
 * still works (hooks are plain functions, errors are recognised by brand),
 * but its `instanceof` checks and module state are not the host's: say so.
 */
function warnAboutOtherCore(plugin: AnyFleetPlugin, logger: PluginLogger): void {
  const copy = coreCopyOf(plugin);
  if (copy === undefined || copy.directory === THIS_CORE_COPY.directory) return;
  logger.warn(
    `plugin was built on another copy of @fleetd/core (${copy.version} in ${copy.directory}) than the one running it (${THIS_CORE_COPY.version} in ${THIS_CORE_COPY.directory}); make @fleetd/core a peerDependency of the plugin so both share one`,
    { otherCore: copy.directory },
  );
}

interface ApplyContext {
  readonly coreVersion: string;
  readonly logger: PluginLogger;
  readonly unitOptions: UnitOptionTable;
}

function applyPlugin(plugin: AnyFleetPlugin, loaded: LoadedPlugin, registry: TapRegistry, context: ApplyContext): void {
  const name = loaded.meta.name;
  try {
    plugin.apply(registry.bind(name), loaded.options, Object.freeze({ name, weight: loaded.weight, ...context }));
  } catch (error) {
    if (isFleetError(error) && error.plugin === name) throw error;
    throw new FleetError(ErrorCodes.PLUGIN_APPLY_FAILED, `plugin "${name}" failed while tapping hooks: ${describeThrown(error)}`, {
      plugin: name,
      cause: error,
    });
  }
}
