/**
 * Issue 17: on a host without a system bus fleetd stopped with
 * `could not connect to the service manager ... ENOENT` and no next step.
 * Real fleetd processes pointed at bus sockets that are missing, stale or
 * silent: a missing or refusing socket names the options that fix it, any
 * other failure stays as it was.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { FLEETD_BIN } from '../../src/testing/index.js';
import { runCommand } from '../run-command.js';
import type { CommandResult } from '../run-command.js';

const dir = mkdtempSync('/tmp/fleetd-no-bus-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Exit = CommandResult;

let runs = 0;

/** fleetd on the embedded store with its agent on, until it exits by itself. */
function runFleetd(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Exit> {
  const home = join(dir, `run-${++runs}`);
  mkdirSync(home);
  const base = [
    '--machine-id',
    'no-bus',
    '--data-dir',
    join(home, 'data'),
    '--units-directory',
    join(home, 'units'),
    '--api-socket',
    join(home, 'fleetd.sock'),
  ];
  return runCommand([process.execPath, FLEETD_BIN, ...base, ...args], {
    cwd: home,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, ...env },
  });
}

/** The error fleetd logged as fatal: its code and message. */
function fatal(exit: Exit): { code: unknown; message: unknown } {
  const line = exit.stdout.split('\n').find((text) => text.includes('"level":"fatal"'));
  expect(line, `no fatal line in:\n${exit.stdout}\n${exit.stderr}`).toBeDefined();
  const entry = JSON.parse(line ?? '{}') as { code?: unknown; error?: unknown };
  return { code: entry.code, message: entry.error };
}

/** A socket file nobody listens on, as a killed bus daemon leaves it: connecting is refused. */
async function staleSocket(path: string): Promise<void> {
  await runCommand([process.execPath, '-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
}

const steps = (withSystemdUser: boolean): string =>
  [
    '  - `fleetd dev`: a local cluster on this host, each machine with its own systemd instance (see docs/dev.md)',
    "  - agent.busAddress (--systemd-bus-address, FLEETD_SYSTEMD_BUS_ADDRESS): the D-Bus address of a running systemd's bus",
    ...(withSystemdUser ? ["  - agent.systemdUser (--systemd-user, FLEETD_AGENT_SYSTEMD_USER): your own user's systemd (systemd --user)"] : []),
    '  - --disable-agent (FLEETD_DISABLE_AGENT): the engine and API only; this machine runs no units',
  ].join('\n');

const cannotConnect = (bus: string, why: string): string =>
  `plugin "systemd" failed in hook "createDriver": systemd: could not connect to the service manager: cannot connect to unix:path=${bus}: ${why}`;

describe('no service manager to connect to', () => {
  const missing = join(dir, 'no-such-bus');
  const stale = join(dir, 'stale-bus');
  const userRuntime = join(dir, 'user-runtime');

  it.each([
    {
      name: 'a bus socket that does not exist',
      setup: async () => undefined,
      args: ['--systemd-bus-address', `unix:path=${missing}`],
      env: {},
      message: `${cannotConnect(missing, `connect ENOENT ${missing}`)}\n  there is no bus socket at ${missing}, so no systemd to run units with. Instead:\n${steps(true)}`,
    },
    {
      name: 'a bus socket nobody listens on (its daemon was killed)',
      setup: () => staleSocket(stale),
      args: [],
      env: { FLEETD_SYSTEMD_BUS_ADDRESS: `unix:path=${stale}` },
      message: `${cannotConnect(stale, `connect ECONNREFUSED ${stale}`)}\n  nothing accepts connections on the bus socket ${stale}, so no systemd to run units with. Instead:\n${steps(true)}`,
    },
    {
      name: '--systemd-user without a user manager: the steps leave out the option already on',
      setup: async () => mkdirSync(userRuntime),
      args: ['--systemd-user'],
      env: { XDG_RUNTIME_DIR: userRuntime },
      message: `${cannotConnect(join(userRuntime, 'bus'), `connect ENOENT ${join(userRuntime, 'bus')}`)}\n  there is no bus socket at ${join(userRuntime, 'bus')}, so no systemd to run units with. Instead:\n${steps(false)}`,
    },
  ])('$name: the error names what to do instead', async ({ setup, args, env, message }) => {
    await setup();
    const exit = await runFleetd(args, env);
    expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 1, stderr: `fleetd: ${message}\n` });
    expect(fatal(exit)).toEqual({ code: ErrorCodes.PLUGIN_ERROR, message });
  });

  it('a bus that accepts but never answers is another failure: reported as it was, without the steps', async () => {
    const silent = join(dir, 'silent-bus');
    const held: Socket[] = [];
    const server: Server = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => server.listen(silent, resolve));
    try {
      const exit = await runFleetd(['--systemd-bus-address', `unix:path=${silent}`, '--hook-timeout-ms', '1000']);
      const message = 'plugin "systemd" did not finish hook "createDriver" within 1000 ms';
      expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 1, stderr: `fleetd: ${message}\n` });
      expect(fatal(exit)).toEqual({ code: ErrorCodes.PLUGIN_TIMEOUT, message });
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
