/**
 * Issue 17: `fleetd --disable-agent --api-socket false` logged "ready", then
 * Node ended it with status 13 (nothing held the event loop: no listener, and
 * the parts' timers are unref'd), leaving `fleetd.pid` behind. A real process:
 * it stays up until signalled, and every way out removes the lock file.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killQuietly, waitFor } from '@fleetd/core/testing';
import { FLEETD_BIN } from '../../src/testing/index.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) killQuietly(child.pid, 'SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  readonly child: ChildProcess;
  readonly dataDir: string;
  readonly exited: Promise<number | null>;
  output(): string;
}

/** fleetd with no listener at all, on the embedded store, until it logged "ready". */
async function startListenerless(): Promise<Started> {
  const dir = mkdtempSync('/tmp/fleetd-keep-alive-');
  dirs.push(dir);
  const dataDir = join(dir, 'data');
  const child = spawn(process.execPath, [FLEETD_BIN, '--disable-agent', '--api-socket', 'false', '--data-dir', dataDir, '--machine-id', 'keep-alive'], {
    cwd: dir,
    env: { ...process.env, FLEETD_CONFIG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor(() => text.includes('"msg":"fleetd is ready"') || child.exitCode !== null, 'fleetd to log ready', 30_000, 50);
  return { child, dataDir, exited, output: () => text };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a fleetd that serves no socket and runs no agent', () => {
  it.each([
    { name: 'SIGTERM: a clean stop', signals: ['SIGTERM'] as const, code: 0 },
    { name: 'SIGTERM and SIGINT at once: the second signal exits at once', signals: ['SIGTERM', 'SIGINT'] as const, code: 130 },
  ])('regression: keeps running until signalled, and leaves no fleetd.pid ($name)', async ({ signals, code }) => {
    const fleetd = await startListenerless();
    expect(existsSync(join(fleetd.dataDir, 'fleetd.pid'))).toBe(true);
    // Past the moment it used to end on its own (exit 13, about a second after "ready").
    await sleep(2500);
    expect(fleetd.child.exitCode, fleetd.output()).toBeNull();
    // Stopped, it receives the signals together, as one burst: sent one by one, a clean stop
    // could finish between them under load, and the second would find the daemon gone.
    fleetd.child.kill('SIGSTOP');
    for (const signal of signals) fleetd.child.kill(signal);
    fleetd.child.kill('SIGCONT');
    expect(await fleetd.exited).toBe(code);
    expect(existsSync(join(fleetd.dataDir, 'fleetd.pid'))).toBe(false);
  });
});
