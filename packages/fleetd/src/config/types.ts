/**
 * The configuration as users write it (`FleetdConfig`, every field optional) and
 * as the daemon runs on it (`ResolvedConfig`, every default filled in).
 */
import type { AnyFleetPlugin, PluginEntry } from '@fleetd/core';
import { API_LIMIT_DEFAULTS } from '../api/limits.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A plugin as the config lists it: package name or path (relative to the config file), or the plugin itself. */
export type PluginSpec =
  | string
  | AnyFleetPlugin
  | readonly [plugin: string | AnyFleetPlugin, options?: unknown]
  | { readonly plugin: string | AnyFleetPlugin; readonly options?: unknown; readonly weight?: number };

export interface EtcdConfig {
  /** etcd client URLs, e.g. `["http://10.0.0.1:2379"]`; no `etcd` section = standalone. */
  endpoints: string[];
  /** Default `/fleetd/`. */
  keyPrefix?: string;
  /** TLS file paths. */
  tls?: { ca?: string; cert?: string; key?: string };
  username?: string;
  password?: string;
  /** Default 1000 (fleet's 1 s). */
  requestTimeoutMs?: number;
}

export interface MachineConfig {
  /** Default: the contents of `idFile`. */
  id?: string;
  /** Default `/etc/machine-id`. */
  idFile?: string;
  /** An object, or fleet's `k=v,k2=v2` string. */
  metadata?: Record<string, string> | string;
  publicIP?: string;
}

export interface AgentConfig {
  /** Default true. */
  enabled?: boolean;
  /** Presence TTL; default 30. */
  ttlSeconds?: number;
  /** How often plugins are asked for the machine's facts again (changed facts are announced); default 60. */
  factsRefreshSeconds?: number;
  /** Default `/run/fleet/units`; handed to the systemd plugin. */
  unitsDirectory?: string;
  /** Default: the system bus (with `systemdUser`, the user's bus); handed to the systemd plugin. Wins over `systemdUser`'s default. */
  busAddress?: string;
  /**
   * Default false. Drive the invoking user's own service manager (`systemd
   * --user`, fleet's `systemd_user`) instead of the system's: the bus,
   * `unitsDirectory`, `dataDir` and `api.socket` then default to the user's
   * (`$DBUS_SESSION_BUS_ADDRESS`, `$XDG_RUNTIME_DIR/...`, `$XDG_STATE_HOME/fleetd`).
   */
  systemdUser?: boolean;
  /**
   * Default `"off"`: how long a unit placed here may keep running while this
   * fleetd cannot renew its presence (a time span such as `"20s"`); the
   * default of the disconnect plugin's `stopAfter`. A unit's own
   * `StopAfterDisconnect` wins.
   */
  stopAfterDisconnect?: string;
}

export interface EngineConfig {
  /** Default true (fleet's `disable_engine` is `!enabled`). */
  enabled?: boolean;
  /** Default 2000. */
  reconcileIntervalMs?: number;
  /** Default 10; at least 2. */
  leaseTtlSeconds?: number;
}

export interface TcpApiConfig {
  host?: string;
  port: number;
  token?: string;
  /** Must not be readable by group or others (chmod 600). */
  tokenFile?: string;
  /** TLS alone does not authenticate: `ca` (client certificates) does. */
  tls?: { cert: string; key: string; ca?: string };
  /** Serve TCP with neither token nor `tls.ca`: anyone who reaches the port controls the cluster. Warned at every start. */
  allowUnauthenticated?: boolean;
  /** Open TCP connections in total; default 256. */
  maxConnections?: number;
  /** Open TCP connections from one client address; default 32. */
  maxConnectionsPerClient?: number;
}

export interface ApiConfig {
  /** Default `/run/fleetd/fleetd.sock`; false = no socket. */
  socket?: string | false;
  /** Octal string, default "0660". */
  socketMode?: string;
  /** Group name or gid for the socket. */
  socketGroup?: string;
  /** TCP listener; requires `token`, `tokenFile` or `tls.ca` (or `allowUnauthenticated`). */
  tcp?: TcpApiConfig;
  /** Default 100 (fleet's). */
  pageSize?: number;
  /** Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Time to receive a request's headers; default 10000. Both listeners. */
  headersTimeoutMs?: number;
  /** Time to receive a whole request; default 60000, at least headersTimeoutMs. */
  requestTimeoutMs?: number;
  /** Idle keep-alive connections close after this; default 5000. */
  keepAliveTimeoutMs?: number;
  /** The web dashboard at `/ui/` on every listener, behind the same credentials; default true. */
  dashboard?: boolean;
}

/** What users write (all optional). */
export interface FleetdConfig {
  etcd?: EtcdConfig;
  machine?: MachineConfig;
  agent?: AgentConfig;
  engine?: EngineConfig;
  /** Default `/var/lib/fleetd` (standalone store, lock file). */
  dataDir?: string;
  api?: ApiConfig;
  log?: { level?: LogLevel };
  /** Default 10000. */
  hookTimeoutMs?: number;
  /** Absent = fleetPreset() plus @fleetd/plugin-systemd (when the agent is enabled). */
  plugins?: PluginSpec[];
  /** Plugins added after `plugins` (or the default plugins, before their systemd driver): `['@fleetd/plugin-resources']`. */
  extraPlugins?: PluginSpec[];
}

/** A plugin after resolution: the entry `assemblePlugins` takes, and where it came from. */
export interface ResolvedPlugin {
  readonly entry: PluginEntry;
  /** As the config wrote it (`fleetd-plugin-zone`, `./zone.js`), or the plugin's name for inline plugins. */
  readonly specifier: string;
  /** The file it was loaded from, or `inline` / `preset` for objects given in the config or by default. */
  readonly from: string;
}

export interface ResolvedTcpApi {
  readonly host: string;
  readonly port: number;
  /** From `token`, or read (trimmed) from `tokenFile`. */
  readonly token: string | undefined;
  readonly tokenFile: string | undefined;
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string | undefined } | undefined;
  readonly allowUnauthenticated: boolean;
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
}

/** Every default filled in, metadata as an object, machine ID read, plugins resolved. */
export interface ResolvedConfig {
  readonly mode: 'standalone' | 'cluster';
  readonly etcd:
    | {
        readonly endpoints: readonly string[];
        readonly keyPrefix: string;
        readonly tls: { readonly ca: string | undefined; readonly cert: string | undefined; readonly key: string | undefined };
        readonly username: string | undefined;
        readonly password: string | undefined;
        readonly requestTimeoutMs: number;
      }
    | undefined;
  readonly machine: {
    readonly id: string;
    readonly idFile: string;
    readonly metadata: Readonly<Record<string, string>>;
    readonly publicIP: string | undefined;
  };
  readonly agent: {
    readonly enabled: boolean;
    readonly ttlSeconds: number;
    readonly factsRefreshSeconds: number;
    readonly unitsDirectory: string;
    readonly busAddress: string | undefined;
    readonly systemdUser: boolean;
    readonly stopAfterDisconnect: string;
  };
  readonly engine: { readonly enabled: boolean; readonly reconcileIntervalMs: number; readonly leaseTtlSeconds: number };
  readonly dataDir: string;
  readonly api: {
    readonly socket: string | false;
    /** Parsed from the octal string (0o660). */
    readonly socketMode: number;
    readonly socketGroup: string | undefined;
    readonly tcp: ResolvedTcpApi | undefined;
    readonly pageSize: number;
    readonly bodyLimitBytes: number;
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    readonly dashboard: boolean;
  };
  readonly log: { readonly level: LogLevel };
  readonly hookTimeoutMs: number;
  readonly plugins: readonly ResolvedPlugin[];
  /** Where the file layer came from; absent when no file was found. */
  readonly source: { readonly file?: string };
}

export const DEFAULTS = {
  keyPrefix: '/fleetd/',
  requestTimeoutMs: 1000,
  idFile: '/etc/machine-id',
  ttlSeconds: 30,
  factsRefreshSeconds: 60,
  unitsDirectory: '/run/fleet/units',
  stopAfterDisconnect: 'off',
  reconcileIntervalMs: 2000,
  leaseTtlSeconds: 10,
  dataDir: '/var/lib/fleetd',
  socket: '/run/fleetd/fleetd.sock',
  socketMode: '0660',
  tcpHost: '127.0.0.1',
  pageSize: 100,
  bodyLimitBytes: 1024 * 1024,
  apiHeadersTimeoutMs: API_LIMIT_DEFAULTS.headersTimeoutMs,
  apiRequestTimeoutMs: API_LIMIT_DEFAULTS.requestTimeoutMs,
  apiKeepAliveTimeoutMs: API_LIMIT_DEFAULTS.keepAliveTimeoutMs,
  tcpMaxConnections: API_LIMIT_DEFAULTS.maxConnections,
  tcpMaxConnectionsPerClient: API_LIMIT_DEFAULTS.maxConnectionsPerClient,
  logLevel: 'info',
  hookTimeoutMs: 10_000,
  systemConfigDir: '/etc/fleetd',
} as const;
