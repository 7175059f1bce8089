/**
 * `--churn`: submissions, destroys and desired-state changes while the faults
 * run, through whichever daemon answers, so the engine schedules and the
 * agents start and stop units in the middle of the faults.
 */
import type { ChaosCluster } from './cluster.js';
import type { ExpectedCluster, Write } from './model.js';
import type { Rng } from './rng.js';
import { churnUnit } from './workload.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function churn(cluster: ChaosCluster, expected: ExpectedCluster, rng: Rng, until: number): Promise<number> {
  let next = 1;
  let sent = 0;
  while (Date.now() < until) {
    await sleep(rng.between(200, 1200));
    const write = chooseWrite(expected, rng, next);
    if (write.op === 'create') next += 1;
    const machine = cluster.liveMachine((candidates) => rng.pick(candidates));
    if (machine === undefined) continue;
    await expected.write(machine.fleetd.socketPath, write);
    sent += 1;
  }
  return sent;
}

function chooseWrite(expected: ExpectedCluster, rng: Rng, next: number): Write {
  const roll = rng.next();
  const settled = (prefix: string): string[] => [...expected.units.keys()].filter((name) => name.startsWith(prefix) && expected.isSettled(name));
  const churned = settled('churn-');
  const plain = settled('plain-');
  if (roll < 0.3 && churned.length > 0) return { op: 'destroy', name: rng.pick(churned) };
  if (roll < 0.55 && plain.length > 0) {
    const name = rng.pick(plain);
    return { op: 'desired', name, desired: expected.units.get(name)?.spec.desired === 'launched' ? 'loaded' : 'launched' };
  }
  return { op: 'create', spec: churnUnit(next) };
}
