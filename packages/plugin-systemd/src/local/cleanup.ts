/**
 * Making sure systemd instances never outlive their test process (the shared
 * mechanism is in @fleetd/core/testing): after the test process died by
 * SIGKILL, the watchdog stops the manager, kills what is left in the
 * instance's cgroups, removes them and the directory, within a second or two.
 * It exits by itself once the directory is gone, and stop() ends it at once.
 */
import { startWatchdog as startShellWatchdog } from '@fleetd/core/processes';

export { killQuietly, retire, track, untrack, type Cleanable } from '@fleetd/core/processes';

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
  return startShellWatchdog('fleetd-systemd-watchdog', WATCHDOG, [dir, ...cgroups]);
}
