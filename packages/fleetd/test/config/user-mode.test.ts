/**
 * Issue 17: `agent.systemdUser` (fleet's `systemd_user`). The agent drives the
 * user's own `systemd --user`; the bus, units directory, data directory and
 * API socket default to the user's places, and whatever is set wins.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { loadConfig, parseFleetdArgs, resolveConfig } from '../../src/config/index.js';
import type { FleetdConfig, ResolvedConfig } from '../../src/config/index.js';
import { emptyDir, fleetError, NO_SYSTEM_DIR } from './helpers.js';

const USER_ENV = {
  XDG_RUNTIME_DIR: '/run/user/1000',
  DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
  XDG_STATE_HOME: '/home/ada/.state',
  HOME: '/home/ada',
};

function placesOf(resolved: ResolvedConfig) {
  return {
    systemdUser: resolved.agent.systemdUser,
    busAddress: resolved.agent.busAddress,
    unitsDirectory: resolved.agent.unitsDirectory,
    dataDir: resolved.dataDir,
    socket: resolved.api.socket,
  };
}

const resolveWith = (config: FleetdConfig, env: Readonly<Record<string, string>>) =>
  resolveConfig({ config: { machine: { id: 'm1' }, plugins: [], ...config } }, { env, cwd: '/srv' });

interface DefaultsCase {
  readonly name: string;
  readonly config: FleetdConfig;
  readonly env: Readonly<Record<string, string>>;
  readonly expected: ReturnType<typeof placesOf>;
}

describe('agent.systemdUser: the defaults', () => {
  it.each<DefaultsCase>([
    {
      name: 'the session bus and XDG places',
      config: { agent: { systemdUser: true } },
      env: USER_ENV,
      expected: {
        systemdUser: true,
        busAddress: 'unix:path=/run/user/1000/bus',
        unitsDirectory: '/run/user/1000/fleetd/units',
        dataDir: '/home/ada/.state/fleetd',
        socket: '/run/user/1000/fleetd/fleetd.sock',
      },
    },
    {
      name: 'DBUS_SESSION_BUS_ADDRESS as it is (any address D-Bus takes)',
      config: { agent: { systemdUser: true } },
      env: { ...USER_ENV, DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-x,guid=0123' },
      expected: {
        systemdUser: true,
        busAddress: 'unix:abstract=/tmp/dbus-x,guid=0123',
        unitsDirectory: '/run/user/1000/fleetd/units',
        dataDir: '/home/ada/.state/fleetd',
        socket: '/run/user/1000/fleetd/fleetd.sock',
      },
    },
    {
      name: 'no session bus variable: $XDG_RUNTIME_DIR/bus',
      config: { agent: { systemdUser: true } },
      env: { XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/ada' },
      expected: {
        systemdUser: true,
        busAddress: 'unix:path=/run/user/1000/bus',
        unitsDirectory: '/run/user/1000/fleetd/units',
        dataDir: '/home/ada/.local/state/fleetd',
        socket: '/run/user/1000/fleetd/fleetd.sock',
      },
    },
    {
      name: 'a relative XDG_STATE_HOME is ignored (XDG): $HOME/.local/state',
      config: { agent: { systemdUser: true } },
      env: { ...USER_ENV, XDG_STATE_HOME: 'state' },
      expected: {
        systemdUser: true,
        busAddress: 'unix:path=/run/user/1000/bus',
        unitsDirectory: '/run/user/1000/fleetd/units',
        dataDir: '/home/ada/.local/state/fleetd',
        socket: '/run/user/1000/fleetd/fleetd.sock',
      },
    },
    {
      name: 'every option set wins (busAddress over the session bus), relative ones against cwd',
      config: {
        agent: { systemdUser: true, busAddress: 'unix:path=/tmp/other-bus', unitsDirectory: 'units' },
        dataDir: '/var/tmp/fleetd',
        api: { socket: false },
      },
      env: USER_ENV,
      expected: { systemdUser: true, busAddress: 'unix:path=/tmp/other-bus', unitsDirectory: '/srv/units', dataDir: '/var/tmp/fleetd', socket: false },
    },
    {
      name: 'with everything set, no variable is needed',
      config: { agent: { systemdUser: true, busAddress: 'unix:path=/b', unitsDirectory: '/u' }, dataDir: '/d', api: { socket: '/s.sock' } },
      env: {},
      expected: { systemdUser: true, busAddress: 'unix:path=/b', unitsDirectory: '/u', dataDir: '/d', socket: '/s.sock' },
    },
    {
      name: "no agent: no bus or units directory needed, the socket and data directory still the user's",
      config: { agent: { systemdUser: true, enabled: false } },
      env: { XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/ada' },
      expected: {
        systemdUser: true,
        busAddress: undefined,
        unitsDirectory: '/run/fleet/units',
        dataDir: '/home/ada/.local/state/fleetd',
        socket: '/run/user/1000/fleetd/fleetd.sock',
      },
    },
    {
      name: 'off (the default): the system places, whatever the environment',
      config: {},
      env: USER_ENV,
      expected: {
        systemdUser: false,
        busAddress: undefined,
        unitsDirectory: '/run/fleet/units',
        dataDir: '/var/lib/fleetd',
        socket: '/run/fleetd/fleetd.sock',
      },
    },
  ])('$name', async ({ config, env, expected }) => {
    expect(placesOf(await resolveWith(config, env))).toEqual(expected);
  });

  it('the systemd plugin gets the user bus and units directory as its option defaults', async () => {
    const resolved = await resolveConfig({ config: { machine: { id: 'm1' }, agent: { systemdUser: true } } }, { env: USER_ENV });
    expect(resolved.plugins.at(-1)).toMatchObject({
      specifier: '@fleetd/plugin-systemd',
      entry: { options: { busAddress: 'unix:path=/run/user/1000/bus', unitsDirectory: '/run/user/1000/fleetd/units' } },
    });
  });

  it.each([
    { name: 'the variable', env: { FLEETD_AGENT_SYSTEMD_USER: 'yes' }, args: [] },
    { name: 'the flag', env: {}, args: ['--systemd-user'] },
  ])('is set by $name', async ({ env, args }) => {
    const loaded = await loadConfig({
      cwd: await emptyDir(),
      env: { FLEETD_MACHINE_ID: 'm1', ...env },
      overrides: parseFleetdArgs(args).overrides,
      systemConfigDir: NO_SYSTEM_DIR,
    });
    expect(loaded.config.agent?.systemdUser).toBe(true);
    expect(placesOf(await resolveConfig(loaded, { env: USER_ENV })).socket).toBe('/run/user/1000/fleetd/fleetd.sock');
  });
});

describe('agent.systemdUser: a place it cannot find', () => {
  const everything = 'agent.busAddress, agent.unitsDirectory and api.socket';
  it.each<{ name: string; config: FleetdConfig; env: Readonly<Record<string, string>>; issue: string }>([
    {
      name: 'neither XDG_RUNTIME_DIR nor DBUS_SESSION_BUS_ADDRESS',
      config: { agent: { systemdUser: true } },
      env: { HOME: '/home/ada' },
      issue: `XDG_RUNTIME_DIR is not set (nor DBUS_SESSION_BUS_ADDRESS), and the defaults of ${everything} are under it: run fleetd in the user's login session (which sets it), or set those options`,
    },
    {
      name: 'a relative XDG_RUNTIME_DIR counts as unset',
      config: { agent: { systemdUser: true } },
      env: { HOME: '/home/ada', XDG_RUNTIME_DIR: 'run/user' },
      issue: `XDG_RUNTIME_DIR is not set (nor DBUS_SESSION_BUS_ADDRESS), and the defaults of ${everything} are under it: run fleetd in the user's login session (which sets it), or set those options`,
    },
    {
      name: 'a session bus but no XDG_RUNTIME_DIR',
      config: { agent: { systemdUser: true } },
      env: { HOME: '/home/ada', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/b' },
      issue:
        "XDG_RUNTIME_DIR is not set, and the defaults of agent.unitsDirectory and api.socket are under it: run fleetd in the user's login session (which sets it), or set those options",
    },
    {
      name: 'only the socket left to default',
      config: { agent: { systemdUser: true, busAddress: 'unix:path=/b', unitsDirectory: '/u' } },
      env: { HOME: '/home/ada' },
      issue:
        "XDG_RUNTIME_DIR is not set, and the default of api.socket is under it: run fleetd in the user's login session (which sets it), or set that option",
    },
  ])('$name: CONFIG_INVALID naming the variables and options', async ({ config, env, issue }) => {
    const error = await fleetError(() => resolveWith(config, env));
    expect({ code: error.code, message: error.message }).toEqual({
      code: ErrorCodes.CONFIG_INVALID,
      message: `invalid configuration in the configuration object:\n  agent.systemdUser: ${issue}`,
    });
  });

  it('names the flag that asked for it', async () => {
    const loaded = await loadConfig({
      cwd: await emptyDir(),
      env: { FLEETD_MACHINE_ID: 'm1' },
      overrides: parseFleetdArgs(['--systemd-user']).overrides,
      systemConfigDir: NO_SYSTEM_DIR,
    });
    const error = await fleetError(() => resolveConfig(loaded, { env: { HOME: '/home/ada' } }));
    expect({ code: error.code, message: error.message }).toEqual({
      code: ErrorCodes.CONFIG_INVALID,
      message: `invalid configuration in command line:\n  agent.systemdUser (--systemd-user): XDG_RUNTIME_DIR is not set (nor DBUS_SESSION_BUS_ADDRESS), and the defaults of ${everything} are under it: run fleetd in the user's login session (which sets it), or set those options`,
    });
  });
});
