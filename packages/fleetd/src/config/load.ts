/**
 * Finding and loading the config file with cosmiconfig, then layering the
 * environment and flags over it and validating the result.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import type { CosmiconfigResult, Loader } from 'cosmiconfig';
import { describeThrown, ErrorCodes, FleetError } from '@fleetd/core';
import { readEnvironment } from './env.js';
import { applyOverrides, createOriginLookup } from './layers.js';
import { createLineLocator } from './lines.js';
import type { LineLocator } from './lines.js';
import { loadJson, loadScript, loadYaml } from './loaders.js';
import type { ConfigOverride } from './options-table.js';
import type { ConfigPath, ValueOrigin } from './issues.js';
import { validateConfig } from './schema.js';
import { DEFAULTS } from './types.js';
import type { FleetdConfig } from './types.js';

export const SEARCH_PLACES: readonly string[] = [
  'package.json',
  '.fleetdrc',
  '.fleetdrc.json',
  '.fleetdrc.yaml',
  '.fleetdrc.yml',
  '.fleetdrc.js',
  '.fleetdrc.cjs',
  '.fleetdrc.mjs',
  'fleetd.config.ts',
  'fleetd.config.mts',
  'fleetd.config.js',
  'fleetd.config.mjs',
  'fleetd.config.cjs',
  'fleetd.config.json',
  'fleetd.config.yaml',
  'fleetd.config.yml',
];

export interface LoadConfigOptions {
  /** Where the search starts (default: the working directory); also the base of a relative configPath. */
  readonly cwd?: string;
  /** `--config PATH`: load exactly this file. Wins over FLEETD_CONFIG. */
  readonly configPath?: string;
  /** FLEETD_* variables (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Flag overrides from `parseFleetdArgs`. */
  readonly overrides?: readonly ConfigOverride[];
  /** Searched after the working directory and its parents (default /etc/fleetd). */
  readonly systemConfigDir?: string;
}

export interface LoadedConfig {
  /** File, environment and flags merged and validated; no defaults filled in yet. */
  readonly config: FleetdConfig;
  /** The config file, when one was found or named. */
  readonly file: string | undefined;
  /** Unknown FLEETD_* variables and the like: worth logging, not fatal. */
  readonly warnings: readonly string[];
  /** Where each value came from, for errors found later (machine ID file, plugins). */
  readonly originOf: (path: ConfigPath) => ValueOrigin;
}

const scriptLoader: Loader = (file, contents) => loadScript(file, contents);

function createExplorer() {
  return cosmiconfig('fleetd', {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: 'none',
    cache: false,
    loaders: {
      '.json': loadJson,
      '.yaml': loadYaml,
      '.yml': loadYaml,
      noExt: loadYaml,
      '.js': scriptLoader,
      '.mjs': scriptLoader,
      '.cjs': scriptLoader,
      '.ts': scriptLoader,
      '.mts': scriptLoader,
      // Any other name given with --config: YAML also reads JSON.
      default: loadYaml,
    },
  });
}

function ancestors(start: string): string[] {
  const dirs = [start];
  for (let dir = start; dirname(dir) !== dir; dir = dirname(dir)) dirs.push(dirname(dir));
  return dirs;
}

async function searchFile(cwd: string, systemConfigDir: string): Promise<CosmiconfigResult> {
  const explorer = createExplorer();
  for (const dir of [...ancestors(cwd), systemConfigDir]) {
    const found = await explorer.search(dir);
    if (found !== null) return found;
  }
  return null;
}

async function loadNamedFile(file: string): Promise<CosmiconfigResult> {
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === undefined ? 'is not a file' : `cannot be read (${code})`;
    throw new FleetError(ErrorCodes.CONFIG_NOT_FOUND, `config file ${file} ${why}`, { file, cause: error });
  }
  return (await createExplorer().load(file)) ?? { filepath: file, config: undefined, isEmpty: true };
}

const SCRIPT_FORMATS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts']);

/** Line numbers for YAML and JSON files; scripts have none to give. */
async function lineLocator(file: string): Promise<LineLocator | undefined> {
  if (SCRIPT_FORMATS.has(extname(file))) return undefined;
  try {
    return createLineLocator(await readFile(file, 'utf8'), basename(file) === 'package.json' ? ['fleetd'] : []);
  } catch {
    return undefined;
  }
}

async function readFileLayer(options: LoadConfigOptions, cwd: string, configPath: string | undefined): Promise<CosmiconfigResult> {
  try {
    if (configPath !== undefined) return await loadNamedFile(resolve(cwd, configPath));
    return await searchFile(cwd, options.systemConfigDir ?? DEFAULTS.systemConfigDir);
  } catch (error) {
    if (error instanceof FleetError) throw error;
    // cosmiconfig's own errors ($import problems, unreadable files) still name the file.
    const file = (error as { filepath?: string }).filepath;
    throw new FleetError(ErrorCodes.CONFIG_INVALID, `invalid configuration in ${file ?? 'the config file'}: ${describeThrown(error)}`, {
      file,
      cause: error,
    });
  }
}

/**
 * Loads the configuration: defaults < file < environment < flags. The merged
 * result is validated once, and every problem names where its value came from.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const environment = readEnvironment(options.env ?? process.env);
  const found = await readFileLayer(options, cwd, options.configPath ?? environment.configPath);
  const file = found?.filepath;
  const raw: unknown = found === null || found.isEmpty === true ? {} : (found.config as unknown);
  const overrides = [...environment.overrides, ...(options.overrides ?? [])];
  const locate = file === undefined ? undefined : await lineLocator(file);
  const originOf = createOriginLookup({ raw, file, overrides, locate });
  const config = validateConfig(applyOverrides(raw, overrides), originOf);
  return { config, file, warnings: environment.warnings, originOf };
}
