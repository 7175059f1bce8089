// A CPU profile of a fleetd child process the benchmarks start, which node
// refuses to take with --cpu-prof in NODE_OPTIONS. Loaded with --import:
//   FLEETD_BENCH_NODE_OPTIONS="--import $PWD/bench/profile/cpu-profile.mjs" \
//     node --import tsx bench/profile/agentlat.mts 200 100
// writes fleetd-<pid>.cpuprofile (Chrome DevTools, speedscope) into
// FLEETD_CPU_PROFILE_DIR (default: the temporary directory) when fleetd exits.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.on('exit', () => {
  // An in-process session answers synchronously, so this still runs before the exit.
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    writeFileSync(join(process.env.FLEETD_CPU_PROFILE_DIR ?? tmpdir(), `fleetd-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
