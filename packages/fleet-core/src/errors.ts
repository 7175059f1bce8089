/**
 * Every error fleetd raises on purpose carries one of these codes, so callers
 * (the CLI, the HTTP API, tests) branch on `error.code`, never on message text.
 */
export const ErrorCodes = {
  /** A unit file could not be parsed; `line`/`column` say where. */
  UNIT_FILE_SYNTAX: 'UNIT_FILE_SYNTAX',
  /** A unit file is larger than a unit may be: more bytes, or more options, than the documented limits (MAX_UNIT_FILE_BYTES, MAX_UNIT_OPTIONS). */
  UNIT_FILE_TOO_LARGE: 'UNIT_FILE_TOO_LARGE',
  /** A unit name breaks systemd's naming rules. */
  UNIT_NAME_INVALID: 'UNIT_NAME_INVALID',
  /** An operation is not allowed on a template unit (load/launch). */
  UNIT_TEMPLATE_NOT_RUNNABLE: 'UNIT_TEMPLATE_NOT_RUNNABLE',
  /** A unit's options are invalid (a plugin's validateUnit tap said why). */
  UNIT_INVALID: 'UNIT_INVALID',
  /** A unit that is not submitted was asked about. */
  UNIT_NOT_FOUND: 'UNIT_NOT_FOUND',
  /** A desired-state change that fleet's state machine forbids. */
  UNIT_STATE_TRANSITION: 'UNIT_STATE_TRANSITION',
  /** A value is not one of the known desired or current states. */
  UNIT_STATE_INVALID: 'UNIT_STATE_INVALID',
  /** A machine ID or machine description is malformed. */
  MACHINE_INVALID: 'MACHINE_INVALID',
  /** A PATCH of machine metadata has more operations than one request may carry (they are applied in one transaction). */
  MACHINE_PATCH_TOO_LARGE: 'MACHINE_PATCH_TOO_LARGE',

  /** A plugin object is malformed (no meta, no apply, bad name or version). */
  PLUGIN_INVALID: 'PLUGIN_INVALID',
  /** A plugin does not support the running core version. */
  PLUGIN_VERSION_MISMATCH: 'PLUGIN_VERSION_MISMATCH',
  /** Two plugins with the same name were assembled. */
  PLUGIN_DUPLICATE: 'PLUGIN_DUPLICATE',
  /** A plugin's options failed validation; `issues` lists each `path: message`. */
  PLUGIN_OPTIONS_INVALID: 'PLUGIN_OPTIONS_INVALID',
  /** A plugin's apply() threw while tapping hooks. */
  PLUGIN_APPLY_FAILED: 'PLUGIN_APPLY_FAILED',
  /** A hook tap threw or rejected; `plugin`, `hook` and `cause` say which. */
  PLUGIN_ERROR: 'PLUGIN_ERROR',
  /** Async plugin work ran longer than its timeout. */
  PLUGIN_TIMEOUT: 'PLUGIN_TIMEOUT',
  /** A tap was added after start-up, when hooks are frozen. */
  HOOKS_FROZEN: 'HOOKS_FROZEN',
  /** A tap is malformed: its function is not a function, or its options hold something other than `stage`. */
  TAP_INVALID: 'TAP_INVALID',
  /** A tap used a stage outside the exported stage constants' range. */
  TAP_STAGE_INVALID: 'TAP_STAGE_INVALID',
  /** A plugin needs another plugin (`meta.dependencies`) that is not assembled, or not in the version range it needs. */
  PLUGIN_DEPENDENCY_MISSING: 'PLUGIN_DEPENDENCY_MISSING',
  /** Two plugins declare the same `[X-Fleet]` option (name or alias) in `meta.unitOptions`. */
  UNIT_OPTION_CONFLICT: 'UNIT_OPTION_CONFLICT',
  /** A score weight in the configuration is not a finite number. */
  SCORE_WEIGHT_INVALID: 'SCORE_WEIGHT_INVALID',
  /** A scheduling snapshot is inconsistent (duplicate machine, unknown unit...). */
  SNAPSHOT_INVALID: 'SNAPSHOT_INVALID',
  /** A dry run over the API asks for more unit × machine decisions than one request may cost the daemon. */
  PLAN_TOO_LARGE: 'PLAN_TOO_LARGE',

  /** A compare-and-swap or guarded transaction lost to a concurrent write. */
  REGISTRY_CONFLICT: 'REGISTRY_CONFLICT',
  /** A watch asked for history that has been compacted away; re-list. */
  REGISTRY_COMPACTED: 'REGISTRY_COMPACTED',
  /** A transaction holds more operations than the store allows (etcd: 128). */
  REGISTRY_TXN_TOO_LARGE: 'REGISTRY_TXN_TOO_LARGE',
  /** A lease is unknown or has expired. */
  REGISTRY_LEASE_NOT_FOUND: 'REGISTRY_LEASE_NOT_FOUND',
  /** Stored data under the key prefix cannot be decoded (written by something else, or corrupt). */
  STORE_DATA_INVALID: 'STORE_DATA_INVALID',
  /** The key prefix holds data of another schema version. */
  STORE_SCHEMA_MISMATCH: 'STORE_SCHEMA_MISMATCH',
  /** A unit of that name is already submitted with other contents. */
  UNIT_EXISTS: 'UNIT_EXISTS',
  /** Another fleetd already announces this machine ID. */
  MACHINE_ID_TAKEN: 'MACHINE_ID_TAKEN',
  /** This engine lost its leadership; its writes are refused. */
  ENGINE_DEPOSED: 'ENGINE_DEPOSED',
  /** The registry was closed; no further calls are accepted. */
  REGISTRY_CLOSED: 'REGISTRY_CLOSED',
  /** The registry could not be reached or answered with an error. */
  REGISTRY_UNAVAILABLE: 'REGISTRY_UNAVAILABLE',
  /** A key or value given to the registry is malformed. */
  REGISTRY_INVALID_ARGUMENT: 'REGISTRY_INVALID_ARGUMENT',
  /** The daemon's configuration is invalid; the message lists every problem as `path: message`. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** A configuration file that was named explicitly does not exist or cannot be read. */
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  /** A configured plugin module cannot be resolved or imported, or exports no plugin. */
  PLUGIN_NOT_FOUND: 'PLUGIN_NOT_FOUND',
  /** Another running fleetd holds the data directory. */
  DATA_DIR_LOCKED: 'DATA_DIR_LOCKED',
  /** The data directory or the store persisted in it cannot be read (names the file and line). */
  DATA_DIR_INVALID: 'DATA_DIR_INVALID',
  /** The API cannot listen where it is configured to (socket in use, not a socket, port taken, unknown group). */
  API_LISTEN_FAILED: 'API_LISTEN_FAILED',
  /** A local unit file named on the command line cannot be read (missing, a directory, no permission). */
  UNIT_FILE_UNREADABLE: 'UNIT_FILE_UNREADABLE',
  /** fleetctl was given a bad option value (endpoint, timeout, fields). */
  CLI_USAGE: 'CLI_USAGE',
  /** fleetctl cannot reach the daemon's API. */
  API_UNREACHABLE: 'API_UNREACHABLE',
  /** The daemon's API answered with an error (fleetctl, when the answer names no code of its own). */
  API_ERROR: 'API_ERROR',
  /** A request the HTTP API cannot take: not JSON, not application/json, a bad page token, a body too large or of the wrong shape. */
  API_REQUEST_INVALID: 'API_REQUEST_INVALID',
  /** A request to a TCP listener without the right bearer token. */
  API_UNAUTHORIZED: 'API_UNAUTHORIZED',
  /** No such route in the HTTP API, or not that method on it. */
  API_ROUTE_NOT_FOUND: 'API_ROUTE_NOT_FOUND',
  /** fleetd failed in a way it did not foresee (a bug); its log has the details. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface FleetErrorDetails {
  /** Plugin the error is about, when one is. */
  readonly plugin?: string | undefined;
  /** Hook the error happened in, when one is. */
  readonly hook?: string | undefined;
  /** The plugin's own error code, when a plugin threw an error carrying one (Rollup's `pluginCode`). */
  readonly pluginCode?: string | undefined;
  /** Unit the error is about, when one is. */
  readonly unit?: string | undefined;
  /** File the error is about (unit file name, config path). */
  readonly file?: string | undefined;
  /** 1-based line in `file`. */
  readonly line?: number | undefined;
  /** 1-based column in `file`. */
  readonly column?: number | undefined;
  /** Individual problems, each already formatted as `path: message`. */
  readonly issues?: readonly string[];
  /** Store revision the error is about (e.g. the compacted revision). */
  readonly revision?: number | undefined;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * Marks FleetErrors of every copy of @fleetd/core: `Symbol.for` is shared by
 * the whole process, so an error thrown by a plugin that bundles its own
 * copy is still recognised (an `instanceof` check against one copy's class
 * would not be).
 */
const FLEET_ERROR_BRAND: unique symbol = Symbol.for('@fleetd/core.FleetError') as never;

/** The one error class fleetd throws on purpose; `code` is stable, `message` is for people. */
export class FleetError extends Error {
  override readonly name = 'FleetError';
  readonly code: ErrorCode;
  readonly plugin: string | undefined;
  readonly hook: string | undefined;
  readonly pluginCode: string | undefined;
  readonly unit: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly issues: readonly string[];
  readonly revision: number | undefined;

  constructor(code: ErrorCode, message: string, details: FleetErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.plugin = details.plugin;
    this.hook = details.hook;
    this.pluginCode = details.pluginCode;
    this.unit = details.unit;
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.issues = details.issues ?? [];
    this.revision = details.revision;
    Object.defineProperty(this, FLEET_ERROR_BRAND, { value: true });
  }

  /** `error instanceof FleetError` holds for FleetErrors of any copy of @fleetd/core; subclasses check their own prototype chain. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== FleetError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value);
  }
}

function hasBrand(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FLEET_ERROR_BRAND] === true;
}

/** True when `error` is a FleetError (of any copy of @fleetd/core), optionally with the given code. */
export function isFleetError(error: unknown, code?: ErrorCode): error is FleetError {
  return hasBrand(error) && (code === undefined || (error as FleetError).code === code);
}

/**
 * Anything a registry call threw, as a FleetError: ours pass through, the
 * rest become REGISTRY_UNAVAILABLE with the original as the cause.
 */
export function asRegistryError(thrown: unknown): FleetError {
  return isFleetError(thrown) ? thrown : new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, describeThrown(thrown), { cause: thrown });
}

/** A readable one-line description of anything thrown, for reasons and logs. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message || thrown.name;
  if (typeof thrown === 'string') return thrown;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}
