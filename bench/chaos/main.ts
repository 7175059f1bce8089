// npm run chaos [-- --seconds N] [--seed N] [--churn] [--converge-timeout S]
//
// A real 3-member etcd and three fleetd machines with their own systemd, ~60
// units with every constraint, then N seconds (default 60) of random kill -9
// and pauses of fleetd and kills of the etcd leader, from a seeded RNG (the
// seed is printed; --seed replays its choices). After repairing everything it
// waits for convergence and checks etcd and every machine's systemd. Prints a
// JSON report (also written to bench/results/chaos.json) and exits 1 with a
// list of violations if any constraint does not hold.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomSeed } from './rng.js';
import { formatViolations, runChaos } from './run.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'chaos.json');

function positiveInteger(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`chaos: --${flag} must be a non-negative integer, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

function parseOptions(): { seconds: number; seed: number; churn: boolean; convergeTimeoutMs: number } {
  try {
    const { values } = parseArgs({
      options: { seconds: { type: 'string' }, seed: { type: 'string' }, churn: { type: 'boolean' }, 'converge-timeout': { type: 'string' } },
      strict: true,
    });
    return {
      seconds: positiveInteger('seconds', values.seconds, 60),
      seed: positiveInteger('seed', values.seed, randomSeed()),
      churn: values.churn === true,
      convergeTimeoutMs: positiveInteger('converge-timeout', values['converge-timeout'], 60) * 1000,
    };
  } catch (error) {
    console.error(`chaos: ${(error as Error).message}\nusage: npm run chaos -- [--seconds N] [--seed N] [--churn] [--converge-timeout S]`);
    process.exit(2);
  }
}

const options = parseOptions();
console.error(`chaos: seed ${options.seed} (replay with --seed ${options.seed}), ${options.seconds} s of faults${options.churn ? ', with churn' : ''}`);
const report = await runChaos({ ...options, say: (text) => console.error(`chaos: ${text}`) }).catch((error: unknown) => {
  // The harness has cleaned up by now; say what failed without a stack.
  console.error(`chaos: the run could not be completed (seed ${options.seed}): ${(error as Error).message}`);
  process.exit(2);
});
// The daemons' logs of a failed run go to the results file only: stdout stays a readable report.
const { logs, ...printed } = report;
console.log(JSON.stringify(printed, null, 2));
mkdirSync(dirname(RESULTS), { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify({ benchmark: 'chaos', date: new Date().toISOString(), ...report }, null, 2)}\n`);
const { faults, convergeMs, violations } = report;
console.error(
  `chaos: ${faults.total} faults (${faults['kill-fleetd']} kill -9 of fleetd, ${faults['pause-fleetd']} pauses of which ${faults['pause-longer-than-ttl']} longer than the TTL, ${faults['kill-etcd-leader']} etcd leader kills)`,
);
if (violations.length > 0) {
  console.error(`chaos: FAILED, ${violations.length} violation(s) (seed ${report.seed}):\n${formatViolations(violations)}`);
  if (logs !== undefined) console.error(`chaos: each daemon's last log lines are in ${RESULTS}`);
  process.exit(1);
}
console.error(`chaos: converged ${(Number(convergeMs) / 1000).toFixed(1)} s after the last repair; every check passed`);
