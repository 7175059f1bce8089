import { describeThrown, ErrorCodes, FleetError, isFleetError } from '../errors.js';
import { createHooks } from '../hooks/hooks.js';
import type { FleetHooks } from '../hooks/hooks.js';
import type { HookStat } from '../hooks/hook-stats.js';
import { HookRuntime } from '../hooks/runtime.js';
import { CORE_VERSION } from '../version.js';
import { checkCoreVersion, checkMeta, isStandardSchema } from './define.js';
import type { AnyFleetPlugin, PluginMeta } from './define.js';
import { validatePluginOptions } from './options.js';

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
}

export interface LoadedPlugin {
  readonly meta: PluginMeta;
  readonly options: unknown;
  readonly weight: number;
}

/** Plugins assembled onto one frozen set of hooks; what the scheduler, engine and agent run on. */
export interface PluginHost {
  readonly hooks: FleetHooks;
  readonly plugins: readonly LoadedPlugin[];
  readonly coreVersion: string;
  /** Calls and time per plugin and hook so far (for metrics). */
  hookStats(): HookStat[];
  /** @internal The tap guards and hot-path scratch the scheduler reads. */
  readonly runtime: HookRuntime;
}

export const DEFAULT_HOOK_TIMEOUT_MS = 10_000;

/**
 * Validates every plugin (meta, core range, options, weight), then applies
 * them in order onto fresh hooks and freezes the taps. Option problems of all
 * plugins are reported together, each as `plugin: path: message`.
 */
export async function assemblePlugins(
  entries: readonly PluginEntry[],
  options: AssembleOptions = {},
): Promise<PluginHost> {
  const coreVersion = options.coreVersion ?? CORE_VERSION;
  const normalized = entries.map(normalizeEntry);
  checkPlugins(normalized, coreVersion);
  const loaded = await validateAllOptions(normalized);
  const runtime = new HookRuntime(
    loaded.map((plugin) => ({ name: plugin.meta.name, weight: plugin.weight })),
    options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
  );
  const hooks = createHooks();
  runtime.install(hooks);
  normalized.forEach((entry, index) => applyPlugin(entry.plugin, loaded[index] as LoadedPlugin, hooks, runtime, coreVersion));
  runtime.freeze();
  return Object.freeze({ hooks, plugins: Object.freeze(loaded), coreVersion, runtime, hookStats: () => runtime.stats.snapshot() });
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
  return { plugin: checkShape(entry as AnyFleetPlugin, position), options: undefined, weight: undefined };
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
  checkMeta(candidate.meta);
  if (candidate.options !== undefined && !isStandardSchema(candidate.options)) {
    throw new FleetError(ErrorCodes.PLUGIN_INVALID, `plugin "${candidate.meta?.name}": options must be a Standard Schema`, {
      plugin: candidate.meta?.name,
    });
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
      throw new FleetError(
        ErrorCodes.SCORE_WEIGHT_INVALID,
        `${name}: weight: must be a finite number >= 0, got ${JSON.stringify(weight)}`,
        { plugin: name },
      );
    }
  }
}

async function validateAllOptions(entries: readonly NormalizedEntry[]): Promise<LoadedPlugin[]> {
  const outcomes = await Promise.all(
    entries.map((entry) => validatePluginOptions(entry.plugin.meta.name, entry.plugin.options, entry.options)),
  );
  const issues = outcomes.flatMap((outcome) => (outcome.ok ? [] : outcome.issues));
  if (issues.length > 0) {
    throw new FleetError(ErrorCodes.PLUGIN_OPTIONS_INVALID, `invalid plugin options:\n  ${issues.join('\n  ')}`, {
      issues,
      ...(issues.length === 1 || new Set(issues.map(pluginOfIssue)).size === 1 ? { plugin: pluginOfIssue(issues[0] ?? '') } : {}),
    });
  }
  return entries.map((entry, index) => {
    const outcome = outcomes[index];
    return Object.freeze({
      meta: entry.plugin.meta,
      options: outcome?.ok ? outcome.value : undefined,
      weight: entry.weight ?? 1,
    });
  });
}

function pluginOfIssue(issue: string): string {
  return issue.slice(0, issue.indexOf(':'));
}

function applyPlugin(
  plugin: AnyFleetPlugin,
  loaded: LoadedPlugin,
  hooks: FleetHooks,
  runtime: HookRuntime,
  coreVersion: string,
): void {
  const name = loaded.meta.name;
  try {
    runtime.applyAs(name, () => plugin.apply(hooks, loaded.options, { name, coreVersion, weight: loaded.weight }));
  } catch (error) {
    if (isFleetError(error) && error.plugin === name) throw error;
    throw new FleetError(ErrorCodes.PLUGIN_APPLY_FAILED, `plugin "${name}" failed while tapping hooks: ${describeThrown(error)}`, {
      plugin: name,
      cause: error,
    });
  }
}
