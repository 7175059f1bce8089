/**
 * Making sure test clusters never outlive their test process (the shared
 * mechanism is in @fleetd/core/testing): the watchdog kills the members (pids
 * from `<dir>/*.pid`) and removes the directory within about a second after
 * the test process died by SIGKILL. It exits by itself once the directory is
 * gone, and stop() ends it at once.
 */
import { startWatchdog as startShellWatchdog } from '@fleetd/core/processes';

export { killQuietly, retire, track, untrack, type Cleanable } from '@fleetd/core/processes';

const WATCHDOG = `
parent="$1"; dir="$2"
while kill -0 "$parent" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
[ -d "$dir" ] || exit 0
for f in "$dir"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
rm -rf "$dir"
`;

/** Starts the watchdog for `dir`; returns its pid (to end it when the cluster stops). */
export function startWatchdog(dir: string): number | undefined {
  return startShellWatchdog('fleetd-test-watchdog', WATCHDOG, [dir]);
}
