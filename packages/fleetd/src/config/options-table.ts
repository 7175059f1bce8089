/**
 * One row per option that environment variables and flags can set: where it
 * goes in the config, its FLEETD_* name, its flag, and how its text is read.
 */
import type { ConfigPath, ValueOrigin } from './issues.js';

export type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

export interface OptionRow {
  readonly path: ConfigPath;
  readonly env: string;
  /** Long flag without its value placeholder (`--agent-ttl`). */
  readonly flag: string;
  /** Value placeholder for `--help`; absent for switches (`--disable-engine` takes no value). */
  readonly argument?: string;
  readonly description: string;
  /** The value a switch sets when given on the command line. */
  readonly switchValue?: unknown;
  readonly parse: (text: string) => Parsed;
}

/** A value set by an environment variable or a flag, at a config path. */
export interface ConfigOverride {
  readonly path: ConfigPath;
  readonly value: unknown;
  readonly origin: ValueOrigin;
}

const ok = (value: unknown): Parsed => ({ ok: true, value });
const fail = (message: string): Parsed => ({ ok: false, message });

export const parsers = {
  text: (text: string): Parsed => ok(text),
  list: (text: string): Parsed =>
    ok(
      text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    ),
  positiveInteger: (text: string): Parsed => {
    const value = Number(text.trim());
    return /^\s*\d+\s*$/.test(text) && Number.isSafeInteger(value) && value > 0 ? ok(value) : fail('must be a positive integer');
  },
  boolean: (text: string): Parsed => {
    const word = text.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(word)) return ok(true);
    if (['0', 'false', 'no', 'off'].includes(word)) return ok(false);
    return fail('must be true or false (1/0, yes/no, on/off)');
  },
  socket: (text: string): Parsed => (['false', 'off', 'none'].includes(text.trim().toLowerCase()) ? ok(false) : ok(text)),
  hostPort: (text: string): Parsed => {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
    const port = Number(match?.[3]);
    if (match === null || port < 1 || port > 65535) return fail('must be host:port, like 0.0.0.0:8440 or [::1]:8440');
    const host = match[1] ?? match[2] ?? '';
    return ok(host === '' ? { port } : { host, port });
  },
};

/** Parses a boolean and flips it: FLEETD_DISABLE_ENGINE=true means engine.enabled = false. */
const disabled = (text: string): Parsed => {
  const parsed = parsers.boolean(text);
  return parsed.ok ? ok(!(parsed.value as boolean)) : parsed;
};

export const OPTION_TABLE: readonly OptionRow[] = [
  {
    path: ['etcd', 'endpoints'],
    env: 'FLEETD_ETCD_ENDPOINTS',
    flag: '--etcd-endpoints',
    argument: '<urls>',
    description: 'etcd client URLs, comma-separated (none: standalone)',
    parse: parsers.list,
  },
  {
    path: ['etcd', 'keyPrefix'],
    env: 'FLEETD_ETCD_KEY_PREFIX',
    flag: '--etcd-key-prefix',
    argument: '<prefix>',
    description: 'etcd key prefix (default /fleetd/)',
    parse: parsers.text,
  },
  {
    path: ['etcd', 'tls', 'ca'],
    env: 'FLEETD_ETCD_CA_FILE',
    flag: '--etcd-ca-file',
    argument: '<file>',
    description: 'CA certificate for etcd',
    parse: parsers.text,
  },
  {
    path: ['etcd', 'tls', 'cert'],
    env: 'FLEETD_ETCD_CERT_FILE',
    flag: '--etcd-cert-file',
    argument: '<file>',
    description: 'client certificate for etcd',
    parse: parsers.text,
  },
  {
    path: ['etcd', 'tls', 'key'],
    env: 'FLEETD_ETCD_KEY_FILE',
    flag: '--etcd-key-file',
    argument: '<file>',
    description: 'client key for etcd',
    parse: parsers.text,
  },
  { path: ['etcd', 'username'], env: 'FLEETD_ETCD_USERNAME', flag: '--etcd-username', argument: '<name>', description: 'etcd user', parse: parsers.text },
  {
    path: ['etcd', 'password'],
    env: 'FLEETD_ETCD_PASSWORD',
    flag: '--etcd-password',
    argument: '<password>',
    description: 'etcd password (prefer the environment)',
    parse: parsers.text,
  },
  {
    path: ['etcd', 'requestTimeoutMs'],
    env: 'FLEETD_ETCD_REQUEST_TIMEOUT_MS',
    flag: '--etcd-request-timeout-ms',
    argument: '<ms>',
    description: 'etcd request timeout (default 1000)',
    parse: parsers.positiveInteger,
  },
  {
    path: ['machine', 'id'],
    env: 'FLEETD_MACHINE_ID',
    flag: '--machine-id',
    argument: '<id>',
    description: 'machine ID (default: contents of the machine ID file)',
    parse: parsers.text,
  },
  {
    path: ['machine', 'idFile'],
    env: 'FLEETD_MACHINE_ID_FILE',
    flag: '--machine-id-file',
    argument: '<file>',
    description: 'machine ID file (default /etc/machine-id)',
    parse: parsers.text,
  },
  {
    path: ['machine', 'metadata'],
    env: 'FLEETD_METADATA',
    flag: '--metadata',
    argument: '<k=v,...>',
    description: 'machine metadata, fleet style: region=us-east,disk=ssd',
    parse: parsers.text,
  },
  {
    path: ['machine', 'publicIP'],
    env: 'FLEETD_PUBLIC_IP',
    flag: '--public-ip',
    argument: '<ip>',
    description: 'public IP announced for this machine',
    parse: parsers.text,
  },
  {
    path: ['agent', 'ttlSeconds'],
    env: 'FLEETD_AGENT_TTL',
    flag: '--agent-ttl',
    argument: '<seconds>',
    description: 'agent presence TTL (default 30)',
    parse: parsers.positiveInteger,
  },
  {
    path: ['agent', 'enabled'],
    env: 'FLEETD_DISABLE_AGENT',
    flag: '--disable-agent',
    description: 'run no agent on this machine',
    switchValue: false,
    parse: disabled,
  },
  {
    path: ['agent', 'unitsDirectory'],
    env: 'FLEETD_UNITS_DIRECTORY',
    flag: '--units-directory',
    argument: '<dir>',
    description: 'where unit files are written (default /run/fleet/units)',
    parse: parsers.text,
  },
  {
    path: ['agent', 'busAddress'],
    env: 'FLEETD_SYSTEMD_BUS_ADDRESS',
    flag: '--systemd-bus-address',
    argument: '<address>',
    description: "systemd's D-Bus address (default: the system bus)",
    parse: parsers.text,
  },
  {
    path: ['agent', 'systemdUser'],
    env: 'FLEETD_AGENT_SYSTEMD_USER',
    flag: '--systemd-user',
    description: "drive your own user's systemd (systemd --user); bus, units directory, data directory and socket default to your user's",
    switchValue: true,
    parse: parsers.boolean,
  },
  {
    path: ['engine', 'reconcileIntervalMs'],
    env: 'FLEETD_ENGINE_RECONCILE_INTERVAL_MS',
    flag: '--engine-reconcile-interval-ms',
    argument: '<ms>',
    description: 'engine reconcile interval (default 2000)',
    parse: parsers.positiveInteger,
  },
  {
    path: ['engine', 'leaseTtlSeconds'],
    env: 'FLEETD_ENGINE_LEASE_TTL',
    flag: '--engine-lease-ttl',
    argument: '<seconds>',
    description: 'engine leadership lease TTL (default 10)',
    parse: parsers.positiveInteger,
  },
  {
    path: ['engine', 'enabled'],
    env: 'FLEETD_DISABLE_ENGINE',
    flag: '--disable-engine',
    description: 'run no engine on this machine (agent only)',
    switchValue: false,
    parse: disabled,
  },
  {
    path: ['dataDir'],
    env: 'FLEETD_DATA_DIR',
    flag: '--data-dir',
    argument: '<dir>',
    description: 'data directory (default /var/lib/fleetd)',
    parse: parsers.text,
  },
  {
    path: ['api', 'socket'],
    env: 'FLEETD_API_SOCKET',
    flag: '--api-socket',
    argument: '<path|false>',
    description: 'API unix socket (default /run/fleetd/fleetd.sock; false: none)',
    parse: parsers.socket,
  },
  {
    path: ['api', 'tcp'],
    env: 'FLEETD_API_TCP',
    flag: '--api-tcp',
    argument: '<host:port>',
    description: 'also serve the API on TCP (needs a token or client certificates)',
    parse: parsers.hostPort,
  },
  {
    path: ['api', 'tcp', 'token'],
    env: 'FLEETD_API_TOKEN',
    flag: '--api-token',
    argument: '<token>',
    description: 'bearer token for the TCP API (prefer the environment)',
    parse: parsers.text,
  },
  {
    path: ['log', 'level'],
    env: 'FLEETD_LOG_LEVEL',
    flag: '--log-level',
    argument: '<level>',
    description: 'fatal, error, warn, info (default), debug or trace',
    parse: parsers.text,
  },
  {
    path: ['hookTimeoutMs'],
    env: 'FLEETD_HOOK_TIMEOUT_MS',
    flag: '--hook-timeout-ms',
    argument: '<ms>',
    description: 'upper bound for async plugin work (default 10000)',
    parse: parsers.positiveInteger,
  },
];

/** The config path is not an option of the config itself. */
export const CONFIG_PATH_ENV = 'FLEETD_CONFIG';
