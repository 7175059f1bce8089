// The daemon memory bench, repeated, with what fleetd holds at each phase:
//   npm run build && node --import tsx bench/profile/daemon-memory.mts [machines] [units] [runs] [options]
// Prints one JSON line per run (RSS and heap at each phase: started, submitted,
// placed, idle) and the medians. Options (runs with them are not comparable):
//   --snapshots=DIR    a heap snapshot of fleetd at every phase
//   --allocations=DIR  per phase, a sampled profile of everything fleetd allocated,
//                      garbage included (.heapprofile, for Chrome DevTools);
//   --promoted         with it, only what outlived the young generation, which
//                      is what fills the old space between full GCs
//   --gc-log=FILE      fleetd's heap spaces every 500 ms, and every full GC
//   --output=FILE      what fleetd printed (FLEETD_LOG_LEVEL=info shows each round)
// Other node flags for fleetd go in FLEETD_BENCH_NODE_OPTIONS.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { measureDaemonMemory } from '../daemon.bench.js';
import type { DaemonMemory, DaemonPhase } from '../daemon.bench.js';

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const machines = Number(positional[0] ?? 1_000);
const units = Number(positional[1] ?? 10_000);
const runs = Number(positional[2] ?? 3);
const optionValue = (name: string): string | undefined => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const snapshotDir = optionValue('snapshots');
const allocationDir = optionValue('allocations');
const promotedOnly = process.argv.includes('--promoted');
const outputFile = optionValue('output');
const gcLogFile = optionValue('gc-log');

/**
 * Loaded into fleetd (--import): samples every allocation, garbage included
 * (V8's --heap-prof keeps only what is still alive), and on SIGUSR2 writes
 * what was allocated since the previous signal.
 */
const ALLOCATION_SAMPLER = `
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
const session = new Session();
session.connect();
const start = () => session.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.DAEMON_MEMORY_PROMOTED !== '1' });
session.post('HeapProfiler.enable', start);
let part = 0;
process.on('SIGUSR2', () => {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) throw error;
    writeFileSync(process.env.DAEMON_MEMORY_ALLOCATIONS + '/Alloc.' + process.pid + '.' + (++part) + '.heapprofile', JSON.stringify(result.profile));
    start();
  });
});
`;

/** Loaded into fleetd (--import): appends its heap spaces every 500 ms, and each full GC, to DAEMON_MEMORY_GC_LOG. */
const GC_LOGGER = `
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
const file = process.env.DAEMON_MEMORY_GC_LOG;
const mb = (bytes) => (bytes / 1048576).toFixed(0);
const at = () => (performance.now() / 1000).toFixed(2) + 's';
const usage = () => { const m = process.memoryUsage(); return 'rss=' + mb(m.rss) + ' heap=' + mb(m.heapUsed) + '/' + mb(m.heapTotal) + ' external=' + mb(m.external); };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) appendFileSync(file, at() + ' full GC ' + entry.duration.toFixed(1) + ' ms, after: ' + usage() + '\\n');
  }
}).observe({ entryTypes: ['gc'] });
setInterval(() => {
  const spaces = getHeapSpaceStatistics().filter((space) => space.space_size > 1048576).map((space) => space.space_name.replace('_space', '') + '=' + mb(space.space_used_size) + '/' + mb(space.space_size));
  appendFileSync(file, at() + ' ' + usage() + ' ' + spaces.join(' ') + '\\n');
}, 500).unref();
`;

interface PhaseFigures {
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
  /** Highest RSS sampled since the previous phase. */
  readonly peakSinceMb: number;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024);
}

function metricsOf(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path: '/metrics' }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

function mbOf(metrics: string, name: string): number {
  return Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0) / 1024 / 1024);
}

/** fleetd runs with --heapsnapshot-signal=SIGUSR2 and --diagnostic-dir=<dir>, so the snapshot lands in `dir`. */
async function snapshot(pid: number, dir: string, name: string): Promise<void> {
  const isRaw = (file: string): boolean => file.startsWith('Heap.') && file.endsWith('.heapsnapshot');
  const before = new Set(readdirSync(dir).filter(isRaw));
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const written = readdirSync(dir).find((file) => isRaw(file) && !before.has(file));
    if (written === undefined) continue;
    // Wait until the file stops growing.
    let size = -1;
    while (statSync(join(dir, written)).size !== size) {
      size = statSync(join(dir, written)).size;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    renameSync(join(dir, written), join(dir, `${name}.heapsnapshot`));
    return;
  }
}

async function allocationProfile(pid: number, dir: string, name: string): Promise<void> {
  const isRaw = (file: string): boolean => file.startsWith(`Alloc.${pid}.`);
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const written = readdirSync(dir).find(isRaw);
    if (written === undefined) continue;
    renameSync(join(dir, written), join(dir, `${name}.heapprofile`));
    return;
  }
}

async function measureOnce(run: number): Promise<DaemonMemory & { phases: Record<string, PhaseFigures> }> {
  const phases: Record<string, PhaseFigures> = {};
  let peak = 0;
  let sampler: NodeJS.Timeout | undefined;
  const onPhase = async ({ phase, pid, socketPath, output }: DaemonPhase): Promise<void> => {
    clearInterval(sampler);
    if (outputFile !== undefined && phase === 'idle') writeFileSync(`${outputFile}.${run}`, output());
    const metrics = await metricsOf(socketPath);
    const rssMb = rssOf(pid);
    phases[phase] = {
      rssMb,
      heapUsedMb: mbOf(metrics, 'fleetd_nodejs_heap_size_used_bytes'),
      heapTotalMb: mbOf(metrics, 'fleetd_nodejs_heap_size_total_bytes'),
      externalMb: mbOf(metrics, 'fleetd_nodejs_external_memory_bytes'),
      peakSinceMb: Math.max(peak, rssMb),
    };
    if (snapshotDir !== undefined) await snapshot(pid, snapshotDir, `run${run}-${phase}`);
    if (allocationDir !== undefined) await allocationProfile(pid, allocationDir, `run${run}-${phase}`);
    peak = 0;
    sampler = setInterval(() => {
      try {
        peak = Math.max(peak, rssOf(pid));
      } catch {
        clearInterval(sampler);
      }
    }, 100);
  };
  try {
    return { ...(await measureDaemonMemory(machines, units, { onPhase })), phases };
  } finally {
    clearInterval(sampler);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Has fleetd load `source` (written next to `file`) before its own code. */
function preload(file: string, source: string): void {
  const path = `${file}.preload.mjs`;
  writeFileSync(path, source);
  addNodeOptions(`--import=${path}`);
}

function addNodeOptions(options: string): void {
  process.env['FLEETD_BENCH_NODE_OPTIONS'] = `${process.env['FLEETD_BENCH_NODE_OPTIONS'] ?? ''} ${options}`.trim();
}

if (snapshotDir !== undefined) {
  mkdirSync(snapshotDir, { recursive: true });
  addNodeOptions(`--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}`);
}
if (allocationDir !== undefined) {
  mkdirSync(allocationDir, { recursive: true });
  process.env['DAEMON_MEMORY_ALLOCATIONS'] = allocationDir;
  if (promotedOnly) process.env['DAEMON_MEMORY_PROMOTED'] = '1';
  preload(join(allocationDir, 'sampler'), ALLOCATION_SAMPLER);
}
if (gcLogFile !== undefined) {
  process.env['DAEMON_MEMORY_GC_LOG'] = gcLogFile;
  preload(gcLogFile, GC_LOGGER);
}

const results: DaemonMemory[] = [];
for (let run = 1; run <= runs; run++) {
  const result = await measureOnce(run);
  results.push(result);
  console.log(JSON.stringify(result));
}
const keys = ['rssMb', 'peakRssMb', 'heapUsedMb', 'heapTotalMb', 'externalMb', 'placedAfterMs'] as const;
console.log(JSON.stringify({ machines, units, runs, median: Object.fromEntries(keys.map((key) => [key, median(results.map((result) => result[key]))])) }));
