// "First round, 1,000 plain units on 100 machines, cold process" (issue 21): the round an
// engine decides right after fleetd starts. Each run is a new Node.js process (cold-round.ts):
// modules are loaded and the units parsed before the clock starts, so the figure is the round
// alone, with code the JIT has not seen yet.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { measureDoubling } from './doubling.js';
import type { Growth } from './doubling.js';
import { median } from './scheduler.bench.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./cold-round.ts', import.meta.url));
/** The target for 1,000 units on 100 machines. */
export const COLD_ROUND_TARGET_MS = 30;

export interface ColdRound {
  readonly name: string;
  readonly units: number;
  readonly machines: number;
  readonly processes: number;
  /** Median over the processes of the first round's time, in ms. */
  readonly roundMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface ColdRoundResult extends ColdRound {
  readonly targetMs: number;
  readonly met: boolean;
  readonly growth: Growth;
}

export async function measureColdRound(units: number, machines: number, processes = 7): Promise<ColdRound> {
  const timings: number[] = [];
  for (let i = 0; i < processes; i++) {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', SCRIPT, String(units), String(machines)], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { roundMs: number; placements: number };
    if (result.placements !== units) throw new Error(`cold round placed ${result.placements} of ${units} units`);
    timings.push(result.roundMs);
  }
  const round2 = (value: number): number => Math.round(value * 100) / 100;
  return {
    name: `first round in a new process, ${units} plain units / ${machines} machines, fleet plugins`,
    units,
    machines,
    processes,
    roundMs: round2(median(timings)),
    minMs: round2(Math.min(...timings)),
    maxMs: round2(Math.max(...timings)),
  };
}

export async function measureColdRoundWithGrowth(units: number, machines: number, processes = 7): Promise<ColdRoundResult> {
  const { base, growth } = await measureDoubling(
    units,
    machines,
    (u, m) => measureColdRound(u, m, processes),
    (result) => result.roundMs,
  );
  return { ...base, targetMs: COLD_ROUND_TARGET_MS, met: base.roundMs <= COLD_ROUND_TARGET_MS, growth };
}
