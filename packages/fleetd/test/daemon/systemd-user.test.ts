/**
 * Issue 17, items 3 and 6 together, as a user without root runs them: a
 * `fleetd --systemd-user` given nothing but the user's environment (the
 * XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS of a real systemd user
 * instance; no bus, units directory, data directory or socket option) finds
 * the user's manager and places, and a bare `fleetctl` (no --endpoint, no
 * FLEETCTL_ENDPOINT) finds that fleetd through its default search. A unit
 * started that way runs in the user's systemd.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killQuietly, waitFor } from '@fleetd/core/testing';
import { useSystemd } from '@fleetd/plugin-systemd/vitest';
import type { SystemdInstance } from '@fleetd/plugin-systemd/testing';
import { FLEETD_BIN, runFleetctl } from '../../src/testing/index.js';

const systemd = useSystemd(1);
let instance: SystemdInstance;
let fleetd: ChildProcess;
let exited: Promise<number | null>;
let output = '';
let stateHome: string;
let unitDir: string;

/** The environment without anything that would choose a fleetd, a bus or a config for it. */
function userEnvironment(user: SystemdInstance, extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(FLEETD_|FLEETCTL_|DBUS_|XDG_)/.test(key)) env[key] = value;
  }
  return { ...env, ...user.env, HOME: user.home, ...extra };
}

beforeAll(async () => {
  [instance] = systemd() as [SystemdInstance];
  stateHome = join(instance.dir, 'state');
  unitDir = join(instance.dir, 'unit-files');
  mkdirSync(unitDir);
  writeFileSync(join(unitDir, 'hello.service'), '[Service]\nExecStart=/bin/sleep 1000\n');
  fleetd = spawn(process.execPath, [FLEETD_BIN, '--systemd-user', '--machine-id', 'user-1'], {
    cwd: instance.home,
    env: userEnvironment(instance, { XDG_STATE_HOME: stateHome }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  fleetd.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  fleetd.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  exited = new Promise((resolve) => fleetd.on('exit', (code) => resolve(code)));
  await waitFor(
    () => {
      if (fleetd.exitCode !== null) throw new Error(`fleetd exited with ${fleetd.exitCode}:\n${output}`);
      return output.includes('"msg":"fleetd is ready"');
    },
    'fleetd --systemd-user to be ready',
    30_000,
    50,
  );
});
afterAll(async () => {
  killQuietly(fleetd?.pid, 'SIGTERM');
  await exited;
});

/** fleetctl as the same user types it: no endpoint anywhere, only the session's XDG_RUNTIME_DIR. */
const fleetctl = (args: readonly string[]) => runFleetctl(args, { env: { ...userEnvironment(instance, {}), FLEETCTL_ENDPOINT: '' }, cwd: unitDir });

describe('fleetd --systemd-user with a bare fleetctl', () => {
  it("runs a unit in the user's own systemd, with every place defaulted to the user's", async () => {
    const started = await fleetctl(['start', 'hello.service']);
    expect(started, output).toMatchObject({ code: 0, stderr: '' });
    const active = await waitFor(
      async () => (await instance.systemctl(['is-active', 'hello.service'])).stdout.trim() === 'active',
      'hello.service active in the user manager',
      30_000,
      100,
    );
    expect(active).toBe(true);
    expect(existsSync(join(instance.runtimeDir, 'fleetd', 'fleetd.sock')), 'API socket under XDG_RUNTIME_DIR').toBe(true);
    expect(existsSync(join(instance.runtimeDir, 'fleetd', 'units', 'hello.service')), 'unit file under XDG_RUNTIME_DIR').toBe(true);
    expect(existsSync(join(stateHome, 'fleetd', 'fleetd.pid')), 'data directory under XDG_STATE_HOME').toBe(true);
    const listed = await fleetctl(['list-units', '--no-legend', '--fields', 'unit,machine,active']);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout.trim().split(/\s+/)).toEqual(['hello.service', expect.stringMatching(/^user-1/), 'active']);
  });

  it('stops cleanly on SIGTERM and leaves no lock file', async () => {
    killQuietly(fleetd.pid, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(stateHome, 'fleetd', 'fleetd.pid'))).toBe(false);
  });
});
