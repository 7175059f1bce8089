/**
 * Making sure test clusters never outlive their test process.
 *
 * - While any cluster is alive, handlers on process `exit`, SIGINT and SIGTERM
 *   kill its members and remove its directory, synchronously.
 * - A watchdog shell per cluster (its own process group, so it survives the
 *   test process) covers what no handler can: when the test process dies by
 *   SIGKILL, it kills the members (pids from `<dir>/*.pid`) and removes the
 *   directory within about a second. It exits by itself once the directory is
 *   gone, and stop() ends it at once.
 */
import { spawn } from 'node:child_process';

export interface Cleanable {
  /** Kills every process and removes every file, synchronously, never throwing. */
  cleanupSync(): void;
}

const live = new Set<Cleanable>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function onExit(): void {
  for (const item of [...live]) item.cleanupSync();
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

export function track(item: Cleanable): void {
  if (live.size === 0) install();
  live.add(item);
}

export function untrack(item: Cleanable): void {
  if (live.delete(item) && live.size === 0) uninstall();
}

const WATCHDOG = `
parent="$1"; dir="$2"
while kill -0 "$parent" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
[ -d "$dir" ] || exit 0
for f in "$dir"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
rm -rf "$dir"
`;

/** Starts the watchdog for `dir`; returns its pid (to end it when the cluster stops). */
export function startWatchdog(dir: string): number | undefined {
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'fleetd-test-watchdog', String(process.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.on('error', () => undefined);
  child.unref();
  return child.pid;
}

export function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
