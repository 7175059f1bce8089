/**
 * `agent.systemdUser` (fleet's `systemd_user`): the agent drives the invoking
 * user's own `systemd --user`, so a desktop Linux needs no root. What a
 * system fleetd keeps under /run and /var/lib then defaults to the user's own
 * places, as systemd and D-Bus find them; whatever the config sets wins.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { ConfigPath } from './issues.js';
import { formatPath } from './issues.js';
import { getAt, setAt } from './layers.js';
import type { FleetdConfig } from './types.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** An environment variable holding an absolute path (XDG: a relative one is ignored), else undefined. */
function absoluteVariable(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value !== undefined && isAbsolute(value) ? value : undefined;
}

/** `${XDG_STATE_HOME:-$HOME/.local/state}/fleetd`. */
function userDataDir(env: Environment): string {
  const state = absoluteVariable(env, 'XDG_STATE_HOME') ?? join(absoluteVariable(env, 'HOME') ?? homedir(), '.local', 'state');
  return join(state, 'fleetd');
}

interface UserDefault {
  readonly path: ConfigPath;
  /** Only needed when the agent runs (the bus, the units directory). */
  readonly agentOnly: boolean;
  readonly value: (env: Environment, runtime: string | undefined) => string | undefined;
}

const USER_DEFAULTS: readonly UserDefault[] = [
  {
    path: ['agent', 'busAddress'],
    agentOnly: true,
    value: (env, runtime) => nonEmpty(env['DBUS_SESSION_BUS_ADDRESS']) ?? (runtime === undefined ? undefined : `unix:path=${join(runtime, 'bus')}`),
  },
  { path: ['agent', 'unitsDirectory'], agentOnly: true, value: (_env, runtime) => (runtime === undefined ? undefined : join(runtime, 'fleetd', 'units')) },
  { path: ['api', 'socket'], agentOnly: false, value: (_env, runtime) => (runtime === undefined ? undefined : join(runtime, 'fleetd', 'fleetd.sock')) },
  { path: ['dataDir'], agentOnly: false, value: (env) => userDataDir(env) },
];

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export type UserModeResult = { readonly config: FleetdConfig } | { readonly problem: { readonly path: ConfigPath; readonly message: string } };

/**
 * The config with the user's defaults filled in where `agent.systemdUser` is
 * true and the option is not set; unchanged otherwise. A default that cannot
 * be found (no XDG_RUNTIME_DIR, no session bus) is a problem naming the
 * variables and the options that would do instead.
 */
export function applyUserDefaults(config: FleetdConfig, env: Environment): UserModeResult {
  if (config.agent?.systemdUser !== true) return { config };
  const runtime = absoluteVariable(env, 'XDG_RUNTIME_DIR');
  const agentRuns = config.agent.enabled !== false;
  let result: unknown = config;
  const missing: ConfigPath[] = [];
  for (const option of USER_DEFAULTS) {
    if (getAt(config, option.path) !== undefined || (option.agentOnly && !agentRuns)) continue;
    const value = option.value(env, runtime);
    if (value === undefined) missing.push(option.path);
    else result = setAt(result, option.path, value);
  }
  if (missing.length === 0) return { config: result as FleetdConfig };
  return { problem: { path: ['agent', 'systemdUser'], message: missingRuntimeDir(missing) } };
}

function missingRuntimeDir(missing: readonly ConfigPath[]): string {
  const busToo = missing.some((path) => path[1] === 'busAddress');
  const names = missing.map(formatPath);
  const list = names.length === 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
  return (
    `XDG_RUNTIME_DIR is not set${busToo ? ' (nor DBUS_SESSION_BUS_ADDRESS)' : ''}, and the default${names.length === 1 ? '' : 's'} of ${list} ` +
    `${names.length === 1 ? 'is' : 'are'} under it: run fleetd in the user's login session (which sets it), or set ${names.length === 1 ? 'that option' : 'those options'}`
  );
}
