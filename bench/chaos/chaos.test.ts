// The chaos suite's 60-second run, part of `npm test`: a real 3-member etcd
// and three fleetd machines with their own systemd, 60 units with every
// constraint, 60 s of kill -9 and pauses of fleetd and etcd leader kills with
// churn, then every check against etcd and each machine's systemd.
//
// The seed is fixed so that CI runs the same fault sequence every time: a
// failure can be replayed with `npm run chaos -- --churn --seed 15`, and a red
// build means a change broke something, not that a new seed found an old bug.
// Random seeds belong to `npm run chaos`, which prints the seed it drew.
import { expect, it } from 'vitest';
import { formatViolations, runChaos } from './run.js';

const SEED = 15;
/** A correctness bound, not a speed target: after the last repair the cluster must agree with etcd within a minute. */
const CONVERGE_TIMEOUT_MS = 60_000;

it('keeps every unit running exactly once, with every constraint, through 60 s of seeded faults and churn', async () => {
  const report = await runChaos({ seconds: 60, seed: SEED, churn: true, convergeTimeoutMs: CONVERGE_TIMEOUT_MS, say: (text) => console.log(`chaos: ${text}`) });
  const { faultLog, violations, logs, ...summary } = report;
  console.log(`chaos report (seed ${SEED}):\n${JSON.stringify(summary, null, 2)}`);
  for (const [machine, lines] of Object.entries(logs ?? {})) console.log(`last log lines of fleetd ${machine}:\n${lines}`);
  expect(formatViolations(violations), `violations after convergence (replay: npm run chaos -- --churn --seed ${SEED})`).toBe('');
  expect(report.convergeMs, `no convergence within ${CONVERGE_TIMEOUT_MS} ms of the last repair`).not.toBeNull();
  // The run must have done what it claims: every kind of fault, and pauses long enough for the engine to move units.
  expect(report.faults['kill-fleetd']).toBeGreaterThan(0);
  expect(report.faults['pause-longer-than-ttl']).toBeGreaterThan(0);
  expect(report.faults['kill-etcd-leader']).toBeGreaterThan(0);
  expect(report.writes.churnSent).toBeGreaterThan(0);
  expect(report.expected.units).toBeGreaterThanOrEqual(report.unitsSubmitted - report.expected.destroyed);
}, 360_000);
