import type { StandardSchemaV1 } from '@standard-schema/spec';
import semver from 'semver';
import { ErrorCodes, FleetError } from '../errors.js';
import type { FleetHooks } from '../hooks/hooks.js';

export interface PluginMeta {
  /** Short name (`metadata`, `least-loaded`): the tap name, and the key for its options and weight. */
  readonly name: string;
  /** The plugin's own version (semver). */
  readonly version: string;
  /** The @fleetd/core versions the plugin supports, as a semver range (`^0.1.0`). */
  readonly core: string;
}

/** What a plugin learns about its surroundings when it is applied. */
export interface PluginContext {
  readonly name: string;
  readonly coreVersion: string;
  /** Weight the core multiplies this plugin's score points by. */
  readonly weight: number;
}

/** Options type a schema validates to, or undefined for a plugin without options. */
export type InferPluginOptions<Schema> = Schema extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<Schema> : undefined;

export interface FleetPlugin<Options = undefined> {
  readonly meta: PluginMeta;
  /** Validates options when plugins are assembled (any Standard Schema: zod, valibot, arktype...). */
  readonly options: StandardSchemaV1<unknown, Options> | undefined;
  /** Taps hooks; runs once at assembly, never after start-up. */
  apply(hooks: FleetHooks, options: Options, context: PluginContext): void;
}

/** Any plugin, whatever its options. */
export type AnyFleetPlugin = FleetPlugin<unknown>;

export interface PluginDefinition<Schema extends StandardSchemaV1 | undefined> {
  readonly meta: PluginMeta;
  readonly options?: Schema;
  apply(hooks: FleetHooks, options: InferPluginOptions<Schema>, context: PluginContext): void;
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
  return Object.freeze({
    meta,
    options: definition.options as StandardSchemaV1<unknown, InferPluginOptions<Schema>> | undefined,
    apply: definition.apply,
  });
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
  return Object.freeze({ name: candidate.name as string, version: candidate.version, core: candidate.core });
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
