/**
 * `fleetd dev` where it cannot start: one clear line naming what is missing
 * and what to do, exit status 1, and nothing left behind (nor anything that
 * was there before taken away).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FLEETD_BIN } from '../../src/dev/index.js';
import { runCommand } from '../run-command.js';
import type { CommandResult } from '../run-command.js';

const work = mkdtempSync('/tmp/fleetd-dev-failures-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fleetdDev(args: readonly string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand([process.execPath, FLEETD_BIN, 'dev', ...args], { env: { ...process.env, ...env } });
}

describe('fleetd dev cannot start', () => {
  it.each([
    {
      name: 'etcd is not installed',
      args: ['--machines', '2'],
      env: { FLEETD_ETCD_BINARY: '/nonexistent/etcd' },
      stderr:
        'fleetd dev: etcd is not installed ("/nonexistent/etcd" is not an executable). A local fleetd cluster and the etcd registry tests ' +
        'run a real etcd (3.4+). Install it with: apt-get update && apt-get install -y etcd-server\n',
    },
    {
      name: 'systemd is not installed',
      args: [],
      env: { FLEETD_SYSTEMD_BINARY: '/nonexistent/systemd' },
      stderr:
        'fleetd dev: systemd is not installed ("/nonexistent/systemd" is not an executable). A local fleetd cluster and the systemd driver tests ' +
        'run real systemd user instances (systemd need not be PID 1). Install it with: apt-get update && apt-get install -y systemd\n',
    },
    {
      name: 'the embedded store is asked to serve several machines',
      args: ['--machines', '2', '--store', 'embedded'],
      env: {},
      stderr: 'fleetd dev: --store embedded serves one machine, not 2: leave --store out, or use --store etcd\n',
    },
  ])('$name', async ({ args, env, stderr }) => {
    const dir = join(work, 'cluster');
    const result = await fleetdDev([...args, '--dir', dir], env);
    expect(result).toMatchObject({ code: 1, stderr });
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a directory it did not make, and leaves it as it was', async () => {
    const dir = join(work, 'someone-elses');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const result = await fleetdDev(['--dir', dir]);
    expect(result).toMatchObject({ code: 1, stderr: `fleetd dev: ${dir} is not empty and was not made by fleetd dev: choose another --dir, or remove it\n` });
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('refuses a directory whose cluster is still running', async () => {
    const dir = join(work, 'running');
    mkdirSync(dir);
    writeFileSync(join(dir, '.fleetd-dev'), '');
    const server = createServer().listen(join(dir, 'fleetd.sock'));
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const result = await fleetdDev(['--dir', dir]);
      expect(result).toMatchObject({
        code: 1,
        stderr: `fleetd dev: a fleetd dev cluster is already running in ${dir} (endpoint ${dir}/fleetd.sock): stop it with Ctrl-C in its terminal, or use --dir\n`,
      });
    } finally {
      server.close();
    }
  });

  it('regression: a directory left by a fleetd dev that was killed is cleared and used', async () => {
    const dir = join(work, 'left-behind');
    mkdirSync(join(dir, 'machine-1'), { recursive: true });
    writeFileSync(join(dir, '.fleetd-dev'), '');
    const result = await fleetdDev(['--dir', dir, '--machines', '0']);
    // Arguments are checked first: the directory is untouched by a refused run...
    expect(result).toMatchObject({ code: 1, stderr: 'fleetd dev: --machines: must be a whole number from 1 to 26, got 0\n' });
    expect(readdirSync(dir).sort()).toEqual(['.fleetd-dev', 'machine-1']);
    // ...and cleared by one that starts (here it fails later, on purpose, and removes what it made).
    const started = await fleetdDev(['--dir', dir], { FLEETD_SYSTEMD_BINARY: '/nonexistent/systemd' });
    expect(started.code).toBe(1);
    expect(existsSync(dir)).toBe(false);
  });
});
