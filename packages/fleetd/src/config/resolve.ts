/**
 * From a validated FleetdConfig to the ResolvedConfig the daemon runs on:
 * defaults filled in, machine ID and token files read, metadata parsed,
 * plugins loaded.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { configInvalid } from './issues.js';
import type { ConfigPath, ValueOrigin } from './issues.js';
import { metadataObject } from './metadata.js';
import { absolutePaths } from './paths.js';
import { applyUserDefaults } from './user-mode.js';
import { resolvePlugins } from './plugins.js';
import { validateConfig } from './schema.js';
import { DEFAULTS } from './types.js';
import type { FleetdConfig, ResolvedConfig, ResolvedPlugin, ResolvedTcpApi } from './types.js';

const MACHINE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SET_ID = 'set machine.id (FLEETD_MACHINE_ID, --machine-id) to choose one';

export interface ResolveInput {
  readonly config: FleetdConfig;
  /** The config file, if any: the paths it sets (files, directories, plugins) are relative to its directory. */
  readonly file?: string | undefined;
  /** Where each value came from (from `loadConfig`), to name it in errors. */
  readonly originOf?: ((path: ConfigPath) => ValueOrigin) | undefined;
}

export interface ResolveOptions {
  /**
   * Base for relative paths set by variables, flags or a config object without
   * a file, and for plugin paths without a config file (default: the working
   * directory). A config file's own paths are relative to its directory.
   */
  readonly cwd?: string;
  /** Where `agent.systemdUser` finds the user's places (XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS...). Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

type Problem = { readonly path: ConfigPath; readonly message: string };

async function readTrimmed(file: string): Promise<{ text: string } | { error: string }> {
  try {
    return { text: (await readFile(file, 'utf8')).trim() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read (${code ?? String(error)})` };
  }
}

async function machineId(config: FleetdConfig): Promise<{ id: string } | Problem> {
  if (config.machine?.id !== undefined) return { id: config.machine.id };
  const file = config.machine?.idFile ?? DEFAULTS.idFile;
  const read = await readTrimmed(file);
  const path = ['machine', 'idFile'];
  if ('error' in read) return { path, message: `machine ID file ${read.error}; ${SET_ID}` };
  if (read.text === '') return { path, message: `machine ID file ${file} is empty; ${SET_ID}` };
  if (!MACHINE_ID.test(read.text)) {
    return { path, message: `machine ID file ${file} holds ${JSON.stringify(read.text.slice(0, 64))}, not 1-128 characters of [A-Za-z0-9._-]; ${SET_ID}` };
  }
  return { id: read.text };
}

async function tcpApi(config: FleetdConfig): Promise<ResolvedTcpApi | undefined | Problem> {
  const tcp = config.api?.tcp;
  if (tcp === undefined) return undefined;
  let token = tcp.token;
  if (token === undefined && tcp.tokenFile !== undefined) {
    const read = await readTokenFile(tcp.tokenFile);
    if ('error' in read) return { path: ['api', 'tcp', 'tokenFile'], message: read.error };
    token = read.text;
  }
  return {
    host: tcp.host ?? DEFAULTS.tcpHost,
    port: tcp.port,
    token,
    tokenFile: tcp.tokenFile,
    tls: tcp.tls === undefined ? undefined : { cert: tcp.tls.cert, key: tcp.tls.key, ca: tcp.tls.ca },
    allowUnauthenticated: tcp.allowUnauthenticated ?? false,
    maxConnections: tcp.maxConnections ?? DEFAULTS.tcpMaxConnections,
    maxConnectionsPerClient: tcp.maxConnectionsPerClient ?? DEFAULTS.tcpMaxConnectionsPerClient,
  };
}

/**
 * The token, refused when group or others may read the file (as ssh refuses
 * such a key): anyone who can read it controls the cluster. No opt-out: a
 * token can come from the environment instead (FLEETD_API_TOKEN).
 */
async function readTokenFile(file: string): Promise<{ text: string } | { error: string }> {
  const mode = await stat(file).then(
    (info) => info.mode & 0o777,
    () => undefined,
  );
  if (mode !== undefined && (mode & 0o044) !== 0) {
    const who = (mode & 0o004) !== 0 ? 'others' : 'its group';
    return { error: `${file} is readable by ${who} (mode ${mode.toString(8).padStart(4, '0')}); chmod 600 it` };
  }
  const read = await readTrimmed(file);
  if ('error' in read) return { error: `token file ${read.error}` };
  if (read.text === '') return { error: `token file ${file} is empty` };
  return read;
}

function etcdSection(config: FleetdConfig): ResolvedConfig['etcd'] {
  const etcd = config.etcd;
  if (etcd === undefined) return undefined;
  return {
    endpoints: [...etcd.endpoints],
    keyPrefix: etcd.keyPrefix ?? DEFAULTS.keyPrefix,
    tls: { ca: etcd.tls?.ca, cert: etcd.tls?.cert, key: etcd.tls?.key },
    username: etcd.username,
    password: etcd.password,
    requestTimeoutMs: etcd.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
  };
}

/** An agent option handed to a plugin that is not assembled would silently do nothing: refused instead. */
function unusedAgentOptions(config: FleetdConfig, plugins: readonly ResolvedPlugin[]): Problem[] {
  if (config.agent?.stopAfterDisconnect === undefined) return [];
  if (plugins.some((plugin) => (plugin.entry as { plugin?: { meta?: { name?: string } } }).plugin?.meta?.name === 'disconnect')) return [];
  return [
    {
      path: ['agent', 'stopAfterDisconnect'],
      message: 'has no effect without the disconnect plugin: add @fleetd/plugin-disconnect to plugins, or leave this option out',
    },
  ];
}

const isProblem = (value: unknown): value is Problem => typeof value === 'object' && value !== null && 'message' in value && 'path' in value;

/**
 * Fills every default and reads what the config points at. Problems (machine
 * ID file, token file, `agent.systemdUser` without XDG_RUNTIME_DIR) come back
 * together as CONFIG_INVALID naming the file.
 */
export async function resolveConfig(input: ResolveInput, options: ResolveOptions = {}): Promise<ResolvedConfig> {
  const originOf = input.originOf ?? ((): ValueOrigin => ({ kind: 'file', file: input.file }));
  const cwd = resolve(options.cwd ?? process.cwd());
  const written = absolutePaths(validateConfig(input.config, originOf), originOf, cwd);
  const user = applyUserDefaults(written, options.env ?? process.env);
  const config = 'config' in user ? user.config : written;
  const [id, tcp] = await Promise.all([machineId(config), tcpApi(config)]);
  const problems = ['problem' in user ? user.problem : undefined, id, tcp].filter(isProblem);
  if (problems.length > 0) throw configInvalid(problems.map((problem) => ({ ...problem, origin: originOf(problem.path) })));
  const configDir = input.file === undefined ? cwd : dirname(input.file);
  const plugins = await resolvePlugins(config, { configDir });
  const unused = unusedAgentOptions(config, plugins);
  if (unused.length > 0) throw configInvalid(unused.map((problem) => ({ ...problem, origin: originOf(problem.path) })));
  const { machine = {}, agent = {}, engine = {}, api = {} } = config;
  return {
    mode: config.etcd === undefined ? 'standalone' : 'cluster',
    etcd: etcdSection(config),
    machine: {
      id: (id as { id: string }).id,
      idFile: machine.idFile ?? DEFAULTS.idFile,
      metadata: metadataObject(machine.metadata),
      publicIP: machine.publicIP,
    },
    agent: {
      enabled: agent.enabled ?? true,
      ttlSeconds: agent.ttlSeconds ?? DEFAULTS.ttlSeconds,
      factsRefreshSeconds: agent.factsRefreshSeconds ?? DEFAULTS.factsRefreshSeconds,
      unitsDirectory: agent.unitsDirectory ?? DEFAULTS.unitsDirectory,
      busAddress: agent.busAddress,
      systemdUser: agent.systemdUser ?? false,
      stopAfterDisconnect: agent.stopAfterDisconnect ?? DEFAULTS.stopAfterDisconnect,
    },
    engine: {
      enabled: engine.enabled ?? true,
      reconcileIntervalMs: engine.reconcileIntervalMs ?? DEFAULTS.reconcileIntervalMs,
      leaseTtlSeconds: engine.leaseTtlSeconds ?? DEFAULTS.leaseTtlSeconds,
    },
    dataDir: config.dataDir ?? DEFAULTS.dataDir,
    api: {
      socket: api.socket ?? DEFAULTS.socket,
      socketMode: Number.parseInt(api.socketMode ?? DEFAULTS.socketMode, 8),
      socketGroup: api.socketGroup,
      tcp: tcp as ResolvedTcpApi | undefined,
      pageSize: api.pageSize ?? DEFAULTS.pageSize,
      bodyLimitBytes: api.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes,
      headersTimeoutMs: api.headersTimeoutMs ?? DEFAULTS.apiHeadersTimeoutMs,
      requestTimeoutMs: api.requestTimeoutMs ?? DEFAULTS.apiRequestTimeoutMs,
      keepAliveTimeoutMs: api.keepAliveTimeoutMs ?? DEFAULTS.apiKeepAliveTimeoutMs,
      dashboard: api.dashboard ?? true,
    },
    log: { level: config.log?.level ?? DEFAULTS.logLevel },
    hookTimeoutMs: config.hookTimeoutMs ?? DEFAULTS.hookTimeoutMs,
    plugins,
    source: input.file === undefined ? {} : { file: input.file },
  };
}
