/**
 * Making sure systemd instances never outlive their test process.
 *
 * - While any instance is alive, handlers on process `exit`, SIGINT and SIGTERM
 *   kill its processes and remove its cgroups and directory, synchronously.
 * - A watchdog shell per instance (its own session, so it survives the test
 *   process) covers what no handler can: when the test process dies by
 *   SIGKILL, it stops the manager, kills what is left in the instance's
 *   cgroups, removes them and the directory, within a second or two. It exits
 *   by itself once the directory is gone, and stop() ends it at once.
 */
import { spawn } from 'node:child_process';

export interface Cleanable {
  /** Kills every process and removes every cgroup and file, synchronously, never throwing. */
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

// $1 parent pid, $2 instance dir (holds systemd.pid), then the instance's cgroup directories.
const WATCHDOG = `
parent="$1"; dir="$2"; shift 2
while kill -0 "$parent" 2>/dev/null && [ -d "$dir" ]; do sleep 0.5; done
[ -d "$dir" ] || exit 0
manager=$(cat "$dir/systemd.pid" 2>/dev/null)
alive() { kill -0 "$1" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }
if [ -n "$manager" ]; then
  kill -TERM "$manager" 2>/dev/null
  i=0; while [ $i -lt 20 ] && alive "$manager"; do sleep 0.1; i=$((i+1)); done
fi
for cg in "$@"; do
  [ -d "$cg" ] && find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do kill -9 "$pid" 2>/dev/null; done
done
sleep 0.3
for cg in "$@"; do [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null; done
rm -rf "$dir"
`;

/** Starts the watchdog for an instance; returns its pid (to end it when the instance stops). */
export function startWatchdog(dir: string, cgroups: readonly string[]): number | undefined {
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'fleetd-systemd-watchdog', String(process.pid), dir, ...cgroups], {
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
