/**
 * `plugins` entries to plugin objects: paths relative to the config file,
 * package names resolved from the config's directory (then from fleetd's own
 * install, where the first-party plugins live), inline objects as they are.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';
import { assemblePlugins, describeThrown, ErrorCodes, FleetError, isFleetError } from '@fleetd/core';
import { checkMeta } from '@fleetd/core/unstable';
import type { AnyFleetPlugin, PluginEntry, PluginHost, PluginLoggerFactory } from '@fleetd/core';
import { looksLikePlugin } from './plugin-spec.js';
import { shareCoreWithPlugins } from './shared-core.js';
import { DEFAULTS } from './types.js';
import type { FleetdConfig, PluginSpec, ResolvedConfig, ResolvedPlugin } from './types.js';

export interface ResolvePluginsOptions {
  /** The config file's directory (the working directory without a file). */
  readonly configDir: string;
}

interface SpecParts {
  readonly target: string | AnyFleetPlugin;
  readonly options: unknown;
  readonly weight: number | undefined;
}

function specParts(spec: PluginSpec): SpecParts {
  if (typeof spec === 'string' || looksLikePlugin(spec)) return { target: spec as string | AnyFleetPlugin, options: undefined, weight: undefined };
  if (Array.isArray(spec)) {
    const [target, options] = spec as readonly [string | AnyFleetPlugin, unknown?];
    return { target, options, weight: undefined };
  }
  const wrapped = spec as Extract<PluginSpec, { plugin: unknown }>;
  return { target: wrapped.plugin, options: wrapped.options, weight: wrapped.weight };
}

const isPath = (specifier: string): boolean => specifier.startsWith('.') || specifier.startsWith('/');

function notFound(label: string, message: string, cause?: unknown): FleetError {
  return new FleetError(ErrorCodes.PLUGIN_NOT_FOUND, `${label}: ${message}`, { cause });
}

/** The module file a specifier names, or PLUGIN_NOT_FOUND saying where it was looked for. */
function locate(specifier: string, configDir: string, label: string): string {
  if (isPath(specifier)) {
    const file = resolve(configDir, specifier);
    if (!existsSync(file)) throw notFound(label, `cannot be found: ${file} does not exist (paths are relative to ${configDir})`);
    return file;
  }
  const requirers = [createRequire(join(configDir, 'fleetd.config.js')), createRequire(import.meta.url)];
  for (const requirer of requirers) {
    try {
      return requirer.resolve(specifier);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw notFound(label, describeThrown(error), error);
    }
  }
  throw notFound(label, `cannot be found from ${configDir} (npm i ${specifier} in ${configDir}, or give its path)`);
}

const JITI_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

async function importDefault(file: string, label: string): Promise<unknown> {
  shareCoreWithPlugins();
  try {
    if (JITI_EXTENSIONS.has(extname(file))) return await createJiti(import.meta.url).import(file, { default: true });
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return module.default;
  } catch (error) {
    throw notFound(label, `importing ${file} failed: ${describeThrown(error)}`, error);
  }
}

function checkPlugin(value: unknown, label: string, file: string): AnyFleetPlugin {
  if (!looksLikePlugin(value) || typeof (value as { apply: unknown }).apply !== 'function') {
    throw new FleetError(ErrorCodes.PLUGIN_INVALID, `${label}: the default export of ${file} is not a plugin: expected definePlugin({ meta, apply })`);
  }
  try {
    checkMeta((value as AnyFleetPlugin).meta);
  } catch (error) {
    if (isFleetError(error)) throw new FleetError(error.code, `${label}: ${error.message}`, { plugin: error.plugin, cause: error });
    throw error;
  }
  return value as AnyFleetPlugin;
}

async function loadTarget(target: string | AnyFleetPlugin, label: string, configDir: string): Promise<{ plugin: AnyFleetPlugin; from: string }> {
  if (typeof target !== 'string') return { plugin: target, from: 'inline' };
  const file = locate(target, configDir, label);
  return { plugin: checkPlugin(await importDefault(file, label), label, file), from: file };
}

function entryOf(plugin: AnyFleetPlugin, options: unknown, weight: number | undefined): PluginEntry {
  return { plugin, ...(options === undefined ? {} : { options }), ...(weight === undefined ? {} : { weight }) };
}

/**
 * systemd's and disconnect's options default to the agent section; options
 * written for the plugin win.
 */
function withAgentDefaults(plugin: AnyFleetPlugin, options: unknown, config: FleetdConfig): unknown {
  const defaults = agentDefaults(plugin.meta.name, config);
  if (defaults === undefined) return options;
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) return options;
  return { ...defaults, ...(options as Record<string, unknown> | undefined) };
}

function agentDefaults(plugin: string, config: FleetdConfig): Record<string, unknown> | undefined {
  const agent = config.agent ?? {};
  if (plugin === 'disconnect') return agent.stopAfterDisconnect === undefined ? undefined : { stopAfter: agent.stopAfterDisconnect };
  if (plugin !== 'systemd') return undefined;
  return {
    unitsDirectory: agent.unitsDirectory ?? DEFAULTS.unitsDirectory,
    ...(agent.busAddress === undefined ? {} : { busAddress: agent.busAddress }),
  };
}

async function defaultPlugins(config: FleetdConfig): Promise<ResolvedPlugin[]> {
  const { fleetPreset } = await import('@fleetd/preset-fleet');
  const preset = fleetPreset().map((entry): ResolvedPlugin => {
    const { plugin, options, weight } = entry as { plugin: AnyFleetPlugin; options?: unknown; weight?: number };
    return { entry: entryOf(plugin, withAgentDefaults(plugin, options, config), weight), specifier: plugin.meta.name, from: '@fleetd/preset-fleet' };
  });
  if (config.agent?.enabled === false) return preset;
  const systemd = (await import('@fleetd/plugin-systemd')).default as AnyFleetPlugin;
  const entry = entryOf(systemd, withAgentDefaults(systemd, undefined, config), undefined);
  return [...preset, { entry, specifier: '@fleetd/plugin-systemd', from: '@fleetd/plugin-systemd' }];
}

/**
 * Every configured plugin loaded; no `plugins` key = fleet's plugins plus
 * systemd (when the agent runs). `extraPlugins` come after them, before the
 * default systemd driver, so enabling one more plugin takes one line.
 */
export async function resolvePlugins(config: FleetdConfig, options: ResolvePluginsOptions): Promise<ResolvedPlugin[]> {
  const extra = await loadSpecs(config.extraPlugins ?? [], 'extraPlugins', config, options);
  if (config.plugins !== undefined) return [...(await loadSpecs(config.plugins, 'plugins', config, options)), ...extra];
  const defaults = await defaultPlugins(config);
  const driverAt = defaults.findIndex((plugin) => plugin.specifier === '@fleetd/plugin-systemd');
  if (driverAt === -1) return [...defaults, ...extra];
  return [...defaults.slice(0, driverAt), ...extra, ...defaults.slice(driverAt)];
}

async function loadSpecs(specs: readonly PluginSpec[], key: string, config: FleetdConfig, options: ResolvePluginsOptions): Promise<ResolvedPlugin[]> {
  const resolved: ResolvedPlugin[] = [];
  for (const [index, spec] of specs.entries()) {
    const parts = specParts(spec);
    const specifier = typeof parts.target === 'string' ? parts.target : (parts.target.meta?.name ?? '<inline plugin>');
    const label = `${key}[${index}] ${JSON.stringify(specifier)}`;
    const { plugin, from } = await loadTarget(parts.target, label, options.configDir);
    resolved.push({ entry: entryOf(plugin, withAgentDefaults(plugin, parts.options, config), parts.weight), specifier, from });
  }
  return resolved;
}

export interface AssembleFromConfigOptions {
  /** Gives each plugin its `context.logger`; fleetd's daemon passes pino children of its own logger. Default: the core's (stderr). */
  readonly logger?: PluginLoggerFactory;
}

/**
 * The PluginHost the daemon runs on. The core's errors (core range, options as
 * `plugin: path: message`, duplicates) pass through, prefixed with the config source.
 */
export async function assembleFromConfig(resolved: ResolvedConfig, options: AssembleFromConfigOptions = {}): Promise<PluginHost> {
  try {
    return await assemblePlugins(
      resolved.plugins.map((plugin) => plugin.entry),
      { hookTimeoutMs: resolved.hookTimeoutMs, ...(options.logger === undefined ? {} : { logger: options.logger }) },
    );
  } catch (error) {
    if (!isFleetError(error)) throw error;
    const source = resolved.source.file ?? 'the configuration';
    throw new FleetError(error.code, `invalid configuration in ${source}: ${error.message}`, {
      plugin: error.plugin,
      hook: error.hook,
      file: resolved.source.file,
      issues: error.issues,
      cause: error,
    });
  }
}
