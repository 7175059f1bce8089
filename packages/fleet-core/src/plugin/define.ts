import type { StandardSchemaV1 } from '@standard-schema/spec';
import semver from 'semver';
import { ErrorCodes, FleetError } from '../errors.js';
import type { PluginHooks } from '../hooks/spec.js';
import { THIS_CORE_COPY } from '../version.js';
import type { CoreCopy } from '../version.js';
import type { PluginLogger } from './logger.js';
import { unitOptionsProblem } from './unit-options.js';
import type { UnitOptionSpec, UnitOptionTable } from './unit-options.js';

export interface PluginMeta {
  /** Short name (`metadata`, `least-loaded`): the name of its taps, and the key for its options and weight. */
  readonly name: string;
  /** The plugin's own version (semver). */
  readonly version: string;
  /** The @fleetd/core versions the plugin supports, as a semver range (`^1.0.0`). */
  readonly core: string;
  /** The `[X-Fleet]` options this plugin reads and answers for; an option no assembled plugin declares is refused at submit. */
  readonly unitOptions?: readonly UnitOptionSpec[];
  /** Plugins that must be assembled with this one: plugin name → semver range of its version (`'*'` for any). */
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** What a plugin learns about its surroundings when it is applied. */
export interface PluginContext {
  /** The plugin's `meta.name`. */
  readonly name: string;
  readonly coreVersion: string;
  /** Weight the core multiplies this plugin's score points by. */
  readonly weight: number;
  /** Logs named after the plugin; fleetd shows its warnings in the log and counts them in metrics. */
  readonly logger: PluginLogger;
  /** Every `[X-Fleet]` option the assembled plugins declare. */
  readonly unitOptions: UnitOptionTable;
}

/** Options type a schema validates to, or undefined for a plugin without options. */
export type InferPluginOptions<Schema> = Schema extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<Schema> : undefined;

export interface FleetPlugin<Options = undefined> {
  readonly meta: PluginMeta;
  /** Validates options when plugins are assembled (any Standard Schema: zod, valibot, arktype...). */
  readonly options: StandardSchemaV1<unknown, Options> | undefined;
  /** Taps hooks (bound to the plugin's name); runs once at assembly, never after start-up. */
  apply(hooks: PluginHooks, options: Options, context: PluginContext): void;
}

/** Any plugin, whatever its options. */
export type AnyFleetPlugin = FleetPlugin<unknown>;

export interface PluginDefinition<Schema extends StandardSchemaV1 | undefined> {
  readonly meta: PluginMeta;
  readonly options?: Schema;
  apply(hooks: PluginHooks, options: InferPluginOptions<Schema>, context: PluginContext): void;
}

/** Marks a plugin with the copy of @fleetd/core that defined it, so a host can tell a plugin built on another copy. */
const DEFINED_BY = Symbol.for('@fleetd/core.definedBy');

/** The copy of @fleetd/core whose `definePlugin` made `plugin`, or undefined for a plugin made without it. */
export function coreCopyOf(plugin: object): CoreCopy | undefined {
  return (plugin as Record<symbol, CoreCopy | undefined>)[DEFINED_BY];
}

const PLUGIN_NAME = /^[a-z0-9][a-z0-9._/@-]{0,127}$/;

/**
 * Declares a plugin with its metadata and option schema; the options `apply`
 * receives are inferred from the schema. A plugin package default-exports the result.
 */
export function definePlugin<Schema extends StandardSchemaV1 | undefined = undefined>(
  definition: PluginDefinition<Schema>,
): FleetPlugin<InferPluginOptions<Schema>> {
  const meta = checkMeta(definition.meta);
  if (typeof definition.apply !== 'function') {
    throw invalid(meta.name, 'apply must be a function that taps hooks');
  }
  if (definition.options !== undefined && !isStandardSchema(definition.options)) {
    throw invalid(meta.name, 'options must be a Standard Schema (zod, valibot, arktype...)');
  }
  const plugin = {
    meta,
    options: definition.options as StandardSchemaV1<unknown, InferPluginOptions<Schema>> | undefined,
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the definition's apply becomes the plugin's own, called as plugin.apply(...)
    apply: definition.apply,
  };
  Object.defineProperty(plugin, DEFINED_BY, { value: THIS_CORE_COPY });
  return Object.freeze(plugin);
}

/** Checks a plugin's meta block; the name must be usable as a tap name and config key. */
export function checkMeta(meta: unknown): PluginMeta {
  const candidate = (meta ?? {}) as Partial<PluginMeta>;
  const name = typeof candidate.name === 'string' ? candidate.name : '<unnamed plugin>';
  if (typeof meta !== 'object' || meta === null) throw invalid(name, 'meta must be an object with name, version and core');
  if (!PLUGIN_NAME.test(candidate.name ?? '')) {
    throw invalid(name, 'meta.name must be 1-128 characters of [a-z0-9._/@-], starting with a letter or digit');
  }
  if (typeof candidate.version !== 'string' || semver.valid(candidate.version) === null) {
    throw invalid(name, `meta.version ${JSON.stringify(candidate.version)} is not a semver version`);
  }
  if (typeof candidate.core !== 'string' || semver.validRange(candidate.core) === null) {
    throw invalid(name, `meta.core ${JSON.stringify(candidate.core)} is not a semver range of @fleetd/core versions`);
  }
  const optionsProblem = unitOptionsProblem(candidate.unitOptions);
  if (optionsProblem !== undefined) throw invalid(name, optionsProblem);
  const dependenciesProblem = dependenciesProblemOf(candidate.dependencies);
  if (dependenciesProblem !== undefined) throw invalid(name, dependenciesProblem);
  return Object.freeze({
    name: candidate.name as string,
    version: candidate.version,
    core: candidate.core,
    ...(candidate.unitOptions === undefined ? {} : { unitOptions: Object.freeze([...candidate.unitOptions]) }),
    ...(candidate.dependencies === undefined ? {} : { dependencies: Object.freeze({ ...candidate.dependencies }) }),
  });
}

function dependenciesProblemOf(dependencies: unknown): string | undefined {
  if (dependencies === undefined) return undefined;
  if (typeof dependencies !== 'object' || dependencies === null || Array.isArray(dependencies)) {
    return 'meta.dependencies must map plugin names to semver ranges ({ "machine-of": "^1.0.0" })';
  }
  for (const [plugin, range] of Object.entries(dependencies)) {
    if (!PLUGIN_NAME.test(plugin)) return `meta.dependencies: ${JSON.stringify(plugin)} is not a plugin name`;
    if (typeof range !== 'string' || semver.validRange(range) === null) return `meta.dependencies.${plugin}: ${JSON.stringify(range)} is not a semver range`;
  }
  return undefined;
}

/** fastify-style dependency check: every plugin a plugin needs is assembled, in the version range it needs. */
export function checkDependencies(metas: readonly PluginMeta[]): void {
  const versions = new Map(metas.map((meta) => [meta.name, meta.version]));
  for (const meta of metas) {
    for (const [needed, range] of Object.entries(meta.dependencies ?? {})) {
      const version = versions.get(needed);
      if (version === undefined) {
        throw new FleetError(
          ErrorCodes.PLUGIN_DEPENDENCY_MISSING,
          `plugin "${meta.name}" needs plugin "${needed}" (${range}), which is not among the plugins: add it to the plugin list`,
          { plugin: meta.name },
        );
      }
      if (!semver.satisfies(version, range, { includePrerelease: true })) {
        throw new FleetError(ErrorCodes.PLUGIN_DEPENDENCY_MISSING, `plugin "${meta.name}" needs plugin "${needed}" ${range}, but "${needed}" is ${version}`, {
          plugin: meta.name,
        });
      }
    }
  }
}

/** fastify-style checkVersion: the error names the plugin, its range and the running core. */
export function checkCoreVersion(meta: PluginMeta, coreVersion: string): void {
  if (!semver.satisfies(coreVersion, meta.core, { includePrerelease: true })) {
    throw new FleetError(
      ErrorCodes.PLUGIN_VERSION_MISMATCH,
      `plugin "${meta.name}"@${meta.version} supports @fleetd/core ${meta.core}, but the running core is ${coreVersion}`,
      { plugin: meta.name },
    );
  }
}

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const standard = (value as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
  return typeof standard === 'object' && standard !== null && typeof standard.validate === 'function';
}

function invalid(plugin: string, message: string): FleetError {
  return new FleetError(ErrorCodes.PLUGIN_INVALID, `plugin "${plugin}": ${message}`, { plugin });
}
