/**
 * For programs that run other programs (local clusters, test harnesses
 * running etcd members and systemd instances): those must never outlive
 * the program that started them.
 *
 * - While anything tracked is alive, handlers on process `exit`, SIGINT and
 *   SIGTERM clean it up synchronously.
 * - A watchdog shell (its own session, so it survives the test process)
 *   covers what no handler can: a test process killed by SIGKILL. Each
 *   harness gives the script that knows how to clean its own things up.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Cleanable {
  /** Kills every process and removes every file it made, synchronously, never throwing. */
  cleanupSync(): void;
}

const live = new Set<Cleanable>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function onExit(): void {
  // Last started, first cleaned: a cluster's directory outlives the processes started in it.
  for (const item of [...live].reverse()) item.cleanupSync();
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  onExit();
  uninstall();
  // Die of the signal as we would have without our handler, unless someone else handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Cleans `item` up if the test process exits or is interrupted before `untrack`. */
export function track(item: Cleanable): void {
  if (live.size === 0) install();
  live.add(item);
}

export function untrack(item: Cleanable): void {
  if (live.delete(item) && live.size === 0) uninstall();
}

/**
 * Starts `/bin/sh -c script` detached, with the test process's pid as $1 and
 * `args` after it; returns its pid (to end it when the harness stops cleanly).
 */
export function startWatchdog(label: string, script: string, args: readonly string[]): number | undefined {
  const child = spawn('/bin/sh', ['-c', script, label, String(process.pid), ...args], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
  return child.pid;
}

/**
 * The last step of cleaning an item up: ends its watchdog (nothing is left for
 * it to do), removes its directory (best effort: nothing would retry) and
 * stops tracking it.
 */
export function retire(item: Cleanable, watchdog: number | undefined, dir: string): void {
  killQuietly(watchdog);
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // a file that cannot be removed is left; the item is still gone
  }
  untrack(item);
}

/** Running: not gone and not a zombie (an exited child nobody has reaped yet). Linux /proc. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` on PATH. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
