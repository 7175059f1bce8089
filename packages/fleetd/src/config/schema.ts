/**
 * The zod schema of `FleetdConfig`: strict objects (unknown keys are named),
 * every problem reported at once as `path: message`.
 */
import { isIP } from 'node:net';
import { parseStopAfter } from '@fleetd/plugin-disconnect';
import { z } from 'zod';
import { configInvalid, formatPath, show } from './issues.js';
import type { ConfigIssue, ConfigPath, ValueOrigin } from './issues.js';
import { isMetadataKey, METADATA_KEY_RULE, parseMetadataString } from './metadata.js';
import { checkPluginSpec } from './plugin-spec.js';
import { closest, knownKeys } from './suggest.js';
import { authenticatesTcp, UNAUTHENTICATED_TCP } from '../api/tcp-auth.js';
import { DEFAULTS, LOG_LEVELS } from './types.js';
import type { FleetdConfig } from './types.js';

export type { FleetdConfig, PluginSpec, ResolvedConfig, ResolvedPlugin, LogLevel } from './types.js';

const MACHINE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SOCKET_MODE = /^0?[0-7]{3}$/;

/** A rule's message with what was given; a missing required value just "is required". */
function ruleMessage(rule: string) {
  return (issue: { input?: unknown }): string => (issue.input === undefined ? 'is required' : `${rule}, got ${show(issue.input)}`);
}

function integerAtLeast(min: number) {
  const rule = min === 1 ? 'must be a positive integer' : `must be an integer >= ${min}`;
  return z.custom<number>((value) => Number.isSafeInteger(value) && (value as number) >= min, {
    error: ruleMessage(rule),
  });
}

function nonEmptyString(what = 'a non-empty string') {
  return z.custom<string>((value) => typeof value === 'string' && value !== '', {
    error: ruleMessage(`must be ${what}`),
  });
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const endpoint = z.custom<string>(isHttpUrl, {
  error: ruleMessage('must be an http(s) URL like "http://10.0.0.1:2379"'),
});

const etcdSchema = z.strictObject({
  endpoints: z.array(endpoint, { error: ruleMessage('must be a list of etcd URLs') }).min(1, {
    error: 'must list at least one etcd endpoint',
  }),
  keyPrefix: nonEmptyString('a non-empty key prefix like "/fleetd/"').optional(),
  tls: z
    .strictObject({
      ca: nonEmptyString('a file path').optional(),
      cert: nonEmptyString('a file path').optional(),
      key: nonEmptyString('a file path').optional(),
    })
    .optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  requestTimeoutMs: integerAtLeast(1).optional(),
});

const metadataSchema = z.unknown().superRefine((value, context) => {
  for (const { path, message } of metadataProblems(value)) context.addIssue({ code: 'custom', path: [...path], message });
});

function metadataProblems(value: unknown): { path: ConfigPath; message: string }[] {
  if (typeof value === 'string') {
    const outcome = parseMetadataString(value);
    return outcome.ok ? [] : outcome.problems.map((message) => ({ path: [], message }));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: [], message: `must be an object of key: value, or a "key=value,key2=value2" string, got ${show(value)}` }];
  }
  return Object.entries(value).flatMap(([key, entry]) => {
    if (!isMetadataKey(key)) return [{ path: [], message: `key ${JSON.stringify(key)}: ${METADATA_KEY_RULE}` }];
    return typeof entry === 'string' ? [] : [{ path: [key], message: `must be a string, got ${show(entry)}` }];
  });
}

const machineSchema = z.strictObject({
  id: z
    .custom<string>((value) => typeof value === 'string' && MACHINE_ID.test(value), {
      error: ruleMessage('must be 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit'),
    })
    .optional(),
  idFile: nonEmptyString('a file path').optional(),
  metadata: metadataSchema.optional() as z.ZodOptional<z.ZodType<Record<string, string> | string>>,
  publicIP: z
    .custom<string>((value) => typeof value === 'string' && isIP(value) !== 0, {
      error: ruleMessage('must be an IPv4 or IPv6 address'),
    })
    .optional(),
});

const agentSchema = z.strictObject({
  enabled: z.boolean().optional(),
  ttlSeconds: integerAtLeast(1).optional(),
  factsRefreshSeconds: integerAtLeast(1).optional(),
  unitsDirectory: nonEmptyString('a directory path').optional(),
  busAddress: nonEmptyString('a D-Bus address like "unix:path=/run/dbus/system_bus_socket"').optional(),
  systemdUser: z.boolean().optional(),
  stopAfterDisconnect: z
    .custom<string>((value) => typeof value === 'string' && parseStopAfter(value).ok, {
      error: (issue) => {
        const parsed = typeof issue.input === 'string' ? parseStopAfter(issue.input) : undefined;
        if (parsed !== undefined && !parsed.ok) return `must be a time span such as "20s" or "off": ${parsed.problem}`;
        return ruleMessage('must be a time span such as "20s" or "off"')(issue);
      },
    })
    .optional(),
});

const engineSchema = z.strictObject({
  enabled: z.boolean().optional(),
  reconcileIntervalMs: integerAtLeast(1).optional(),
  leaseTtlSeconds: integerAtLeast(2).optional(),
});

const port = z.custom<number>((value) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535, {
  error: ruleMessage('must be a port number from 1 to 65535'),
});

const tcpSchema = z.strictObject({
  host: nonEmptyString('a host name or address').optional(),
  port,
  token: nonEmptyString('a non-empty token').optional(),
  tokenFile: nonEmptyString('a file path').optional(),
  tls: z.strictObject({ cert: nonEmptyString('a file path'), key: nonEmptyString('a file path'), ca: nonEmptyString('a file path').optional() }).optional(),
  allowUnauthenticated: z.boolean().optional(),
  maxConnections: integerAtLeast(1).optional(),
  maxConnectionsPerClient: integerAtLeast(1).optional(),
});

/**
 * Checks across fields, run on the raw input beside the schema: zod skips
 * refinements once a field fails, and every problem should show at once.
 */
function crossFieldProblems(input: unknown): { path: ConfigPath; message: string }[] {
  const api = field(input, 'api');
  return [...tcpAuthProblems(field(api, 'tcp')), ...apiTimeoutProblems(api)];
}

function tcpAuthProblems(tcp: unknown): { path: ConfigPath; message: string }[] {
  if (typeof tcp !== 'object' || tcp === null || Array.isArray(tcp)) return [];
  const auth = tcp as { token?: unknown; tokenFile?: unknown; tls?: unknown; allowUnauthenticated?: unknown };
  if (authenticatesTcp({ token: auth.token, tokenFile: auth.tokenFile, clientCa: field(auth.tls, 'ca') })) return [];
  if (auth.allowUnauthenticated === true) return [];
  return [{ path: ['api', 'tcp'], message: UNAUTHENTICATED_TCP }];
}

function apiTimeoutProblems(api: unknown): { path: ConfigPath; message: string }[] {
  const headers = field(api, 'headersTimeoutMs');
  const request = field(api, 'requestTimeoutMs') ?? DEFAULTS.apiRequestTimeoutMs;
  if (typeof headers !== 'number' || typeof request !== 'number' || headers <= request) return [];
  return [{ path: ['api', 'headersTimeoutMs'], message: `must not exceed api.requestTimeoutMs (${request}), got ${headers}` }];
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

const apiSchema = z.strictObject({
  socket: z
    .custom<string | false>((value) => value === false || (typeof value === 'string' && value !== ''), {
      error: ruleMessage('must be a socket path, or false for no socket'),
    })
    .optional(),
  socketMode: z
    .custom<string>((value) => typeof value === 'string' && SOCKET_MODE.test(value), {
      error: ruleMessage('must be an octal mode string like "0660"'),
    })
    .optional(),
  socketGroup: nonEmptyString('a group name or gid').optional(),
  tcp: tcpSchema.optional(),
  pageSize: integerAtLeast(1).optional(),
  bodyLimitBytes: integerAtLeast(1).optional(),
  headersTimeoutMs: integerAtLeast(1).optional(),
  requestTimeoutMs: integerAtLeast(1).optional(),
  keepAliveTimeoutMs: integerAtLeast(1).optional(),
  dashboard: z.boolean().optional(),
});

const logSchema = z.strictObject({
  level: z.enum(LOG_LEVELS, { error: ruleMessage(`must be one of ${LOG_LEVELS.join(', ')}`) }).optional(),
});

const pluginSpecSchema = z.unknown().superRefine((value, context) => {
  for (const { path, message } of checkPluginSpec(value)) context.addIssue({ code: 'custom', path: [...path], message });
});

export const fleetdConfigSchema = z.strictObject({
  etcd: etcdSchema.optional(),
  machine: machineSchema.optional(),
  agent: agentSchema.optional(),
  engine: engineSchema.optional(),
  dataDir: nonEmptyString('a directory path').optional(),
  api: apiSchema.optional(),
  log: logSchema.optional(),
  hookTimeoutMs: integerAtLeast(1).optional(),
  plugins: z.array(pluginSpecSchema, { error: ruleMessage('must be a list of plugins') }).optional(),
  extraPlugins: z.array(pluginSpecSchema, { error: ruleMessage('must be a list of plugins') }).optional(),
});

// The hand-written FleetdConfig and the schema must agree: a drift is a compile error here.
type SchemaOutput = z.output<typeof fleetdConfigSchema>;
type Assert<Condition extends true> = Condition;
export type SchemaAcceptsFleetdConfig = Assert<FleetdConfig extends SchemaOutput ? true : false>;

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

/** Generic messages in the config's own words; schema-specific messages take precedence. */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    return `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${show(issue.input)}`;
  }
  return undefined;
};

function unknownOption(path: ConfigPath, key: string): string {
  const suggestion = closest(key, knownKeys(fleetdConfigSchema, path));
  return suggestion === undefined ? 'unknown option' : `unknown option (did you mean "${suggestion}"?)`;
}

/** Each zod issue as `path: message` parts; unknown keys become one issue per key. */
function toParts(issues: readonly z.core.$ZodIssue[]): { path: ConfigPath; message: string }[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: unknownOption(path, key) }));
    return [{ path, message: issue.message }];
  });
}

/** Where each problem comes from: a file line, an environment variable, a flag. */
export type OriginLookup = (path: ConfigPath) => ValueOrigin;

/**
 * Checks a whole configuration; throws CONFIG_INVALID listing every problem,
 * each named by path and by where its value came from.
 */
export function validateConfig(input: unknown, originOf: OriginLookup = () => ({ kind: 'file', file: undefined })): FleetdConfig {
  const result = fleetdConfigSchema.safeParse(input, { error: errorMap });
  const parts = [...(result.success ? [] : toParts(result.error.issues)), ...crossFieldProblems(input)];
  if (parts.length === 0) return result.data as FleetdConfig;
  const issues: ConfigIssue[] = parts.map(({ path, message }) => ({ path, message, origin: originOf(path) }));
  throw configInvalid(issues);
}

export { formatPath, show };
