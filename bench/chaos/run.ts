/**
 * One chaos run: start the cluster, submit the workload, inject faults for
 * `seconds`, repair everything, wait for convergence, and judge the result
 * against etcd and every machine's systemd. Used by `npm run chaos` (main.ts)
 * and by the 60-second run in `npm test` (chaos.test.ts).
 */
import { KEY_PREFIX, startChaosCluster } from './cluster.js';
import type { ChaosCluster } from './cluster.js';
import { checkCluster, describeViolation } from './check.js';
import type { Violation } from './check.js';
import { churn } from './churn.js';
import { FaultInjector } from './faults.js';
import type { FaultCounts, FaultRecord } from './faults.js';
import { ExpectedCluster } from './model.js';
import { countDoubleRuns, readEtcd, readSystemd } from './observe.js';
import { createRng } from './rng.js';
import { CHAOS_MACHINES, chaosWorkload } from './workload.js';
import type { UnitSpec } from './workload.js';

export interface ChaosOptions {
  readonly seconds: number;
  readonly seed: number;
  readonly churn: boolean;
  /** How long the cluster may take to converge after the last repair. Default 60 s. */
  readonly convergeTimeoutMs?: number;
  readonly say?: (text: string) => void;
}

export interface ChaosReport {
  readonly seed: number;
  readonly seconds: number;
  readonly churn: boolean;
  readonly machines: number;
  readonly etcdMembers: number;
  readonly unitsSubmitted: number;
  readonly setupMs: number;
  readonly faults: FaultCounts;
  readonly faultLog: readonly FaultRecord[];
  readonly writes: { readonly acknowledged: number; readonly refused: number; readonly unanswered: number; readonly churnSent: number };
  /** The most non-global units systemd ran on two machines at once, sampled during the faults (issue 15, item 8). */
  readonly maxDoubleRunsDuringFaults: number;
  /** From the last repair to the first of two consecutive clean checks; null when it never converged. */
  readonly convergeMs: number | null;
  /** From the end of the fault window (repairs still under way then) to that same clean check. */
  readonly convergeAfterFaultWindowMs: number | null;
  readonly expected: { readonly units: number; readonly destroyed: number };
  readonly violations: readonly Violation[];
  /** With violations only: each daemon's last log lines (warnings and errors), for the diagnosis. */
  readonly logs?: Readonly<Record<string, string>>;
  readonly totalMs: number;
}

/** Log lines kept per daemon in a failed run's report. */
const LOG_LINES = 200;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const say = options.say ?? (() => undefined);
  const began = Date.now();
  const cluster = await startChaosCluster(CHAOS_MACHINES, say);
  try {
    return await exercise(cluster, options, say, began);
  } finally {
    say('stopping the cluster');
    await cluster.stop();
  }
}

async function exercise(cluster: ChaosCluster, options: ChaosOptions, say: (text: string) => void, began: number): Promise<ChaosReport> {
  const expected = new ExpectedCluster();
  const via = (): string => cluster.liveMachine()?.fleetd.socketPath ?? (cluster.machines[0]?.fleetd.socketPath as string);
  const workload = await submitWorkload(expected, via, say);
  const setupMs = Date.now() - began;
  const chaos = await injectFaults(cluster, expected, options, workload, say);
  await expected.resolveUncertain(via);
  const repairedAt = Date.now();

  say('every fault repaired; waiting for convergence');
  const converged = await waitForConvergence(cluster, expected, options.convergeTimeoutMs ?? 60_000);
  const exited: Violation[] = chaos.faults.crashes.map((detail) => ({ kind: 'daemon-exited', detail }));
  const violations = [...exited, ...converged.violations];
  const logs = Object.fromEntries(cluster.machines.map((m) => [m.spec.id, m.fleetd.output().split('\n').slice(-LOG_LINES).join('\n')]));
  return {
    seed: options.seed,
    seconds: options.seconds,
    churn: options.churn,
    machines: cluster.machines.length,
    etcdMembers: cluster.etcd.members.length,
    unitsSubmitted: workload.length,
    setupMs,
    faults: chaos.faults.counts(),
    faultLog: chaos.faults.log,
    writes: { ...expected.counts, churnSent: chaos.churnSent },
    maxDoubleRunsDuringFaults: chaos.maxDoubleRuns,
    convergeMs: converged.at === undefined ? null : converged.at - repairedAt,
    convergeAfterFaultWindowMs: converged.at === undefined ? null : converged.at - chaos.until,
    expected: { units: expected.units.size, destroyed: expected.destroyed.size },
    violations,
    ...(violations.length === 0 ? {} : { logs }),
    totalMs: Date.now() - began,
  };
}

/** Submits the workload; every unit must be acknowledged before any fault. */
async function submitWorkload(expected: ExpectedCluster, via: () => string, say: (text: string) => void): Promise<UnitSpec[]> {
  const workload = chaosWorkload();
  say(`submitting ${workload.length} units`);
  for (const spec of workload) await expected.write(via(), { op: 'create', spec });
  await expected.resolveUncertain(via);
  if (expected.units.size !== workload.length)
    throw new Error(`only ${expected.units.size} of ${workload.length} units were accepted; refused: ${expected.counts.refused}`);
  return workload;
}

/** The fault window: faults (and churn) until `seconds` have passed, then every fault repaired. */
async function injectFaults(
  cluster: ChaosCluster,
  expected: ExpectedCluster,
  options: ChaosOptions,
  workload: readonly UnitSpec[],
  say: (text: string) => void,
) {
  say(`injecting faults for ${options.seconds} s (seed ${options.seed})`);
  const until = Date.now() + options.seconds * 1000;
  const faults = new FaultInjector(cluster, createRng(options.seed), say);
  const globals = new Set(workload.filter((spec) => spec.global).map((spec) => spec.name));
  const sampling = sampleDoubleRuns(cluster, globals, until);
  // Churn draws from its own stream, so --churn does not change which faults a seed gives.
  const churning = options.churn ? churn(cluster, expected, createRng(options.seed + 1), until) : Promise.resolve(0);
  await faults.run(until);
  const [churnSent, maxDoubleRuns] = await Promise.all([churning, sampling]);
  if (faults.repairErrors.length > 0) throw new Error(`faults could not be repaired:\n${faults.repairErrors.join('\n')}`);
  return { until, faults, churnSent, maxDoubleRuns };
}

async function observe(cluster: ChaosCluster, expected: ExpectedCluster): Promise<Violation[]> {
  const [etcd, systemd] = await Promise.all([
    readEtcd(cluster.registry, KEY_PREFIX),
    readSystemd(cluster.machines.map((m) => ({ id: m.spec.id, systemd: m.systemd }))),
  ]);
  return checkCluster(expected, CHAOS_MACHINES, etcd, systemd);
}

/**
 * Checks once a second until two checks in a row find nothing wrong (one
 * clean look could catch a unit between two machines' systemd reads), or
 * the time is up; then the last check's violations are the verdict.
 */
async function waitForConvergence(
  cluster: ChaosCluster,
  expected: ExpectedCluster,
  timeoutMs: number,
): Promise<{ at: number | undefined; violations: Violation[] }> {
  const deadline = Date.now() + timeoutMs;
  let cleanSince: number | undefined;
  let violations: Violation[] = [];
  for (;;) {
    const checkedAt = Date.now();
    try {
      violations = await observe(cluster, expected);
    } catch (error) {
      violations = [{ kind: 'observation-failed', detail: `could not observe the cluster: ${(error as Error).message}` }];
    }
    if (violations.length === 0) {
      if (cleanSince !== undefined) return { at: cleanSince, violations };
      cleanSince = checkedAt;
    } else {
      cleanSince = undefined;
    }
    if (Date.now() > deadline) return { at: undefined, violations };
    await sleep(1000);
  }
}

async function sampleDoubleRuns(cluster: ChaosCluster, globals: ReadonlySet<string>, until: number): Promise<number> {
  let most = 0;
  while (Date.now() < until) {
    try {
      const systemd = await readSystemd(cluster.machines.map((m) => ({ id: m.spec.id, systemd: m.systemd })));
      most = Math.max(most, countDoubleRuns(systemd, globals));
    } catch {
      // a busy instance answering late is no finding; the next sample will do
    }
    await sleep(2000);
  }
  return most;
}

export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((violation) => `  - ${describeViolation(violation)}`).join('\n');
}
