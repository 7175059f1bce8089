// `npm run bench -- --quick` must keep running: every scheduling case of issues 8 and 21
// is measured and judged against its target. Only the shape of the report is
// checked, never a figure: speed lives in the benchmark, not in tests.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const benchDir = dirname(fileURLToPath(import.meta.url));

interface QuickReport {
  readonly quick: boolean;
  readonly results: readonly { name: string; placements: number; placementsPerSecond: number; target?: number; met?: boolean; growth?: unknown }[];
  readonly idle: readonly { name: string; registryReads: number; met: boolean; growth?: unknown }[];
  readonly explain: readonly { name: string; ratio: number; met: boolean }[];
  readonly cold: readonly { name: string; roundMs: number; met: boolean; growth?: unknown }[];
}

it('the quick benchmark run reports every scheduling case with its target and verdict', async () => {
  await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', join(benchDir, 'run.ts'), '--quick'], { cwd: join(benchDir, '..') });
  const report = JSON.parse(readFileSync(join(benchDir, 'results', 'scheduling-quick.json'), 'utf8')) as QuickReport;
  expect(report.quick).toBe(true);
  expect(report.results.map((r) => r.name)).toEqual([
    '300 units / 10 machines, fleet plugins',
    '200 mixed units / 10 machines, fleet plugins',
    '1000 units / 100 machines, fleet plugins',
    '1000 units / 500 machines, fleet plugins',
    '200 units with a Conflicts glob / 100 machines',
    '1000 units with resource requests / 100 machines, fleet plugins + resources',
    '1000 pinned (MachineID) units / 1500 machines',
    '20 global units / 1500 machines (placements = unit × machine)',
  ]);
  for (const result of report.results) {
    expect(result.placements, result.name).toBeGreaterThan(0);
    expect(result.placementsPerSecond, result.name).toBeGreaterThan(0);
    expect(typeof result.met, result.name).toBe('boolean');
    expect(result.growth, result.name).toBeDefined();
  }
  expect(report.idle.map((r) => r.name)).toEqual([
    'idle round, 1,000 units / 100 machines, fleet plugins',
    'idle round, 1,000 units + 20 global units / 100 machines, fleet plugins',
  ]);
  expect(report.explain).toHaveLength(3);
  expect(report.cold.map((r) => r.name)).toEqual(['first round in a new process, 100 plain units / 10 machines, fleet plugins']);
  expect(report.cold[0]?.roundMs).toBeGreaterThan(0);
  expect(report.cold[0]?.growth).toBeDefined();
  for (const entry of [...report.idle, ...report.explain, ...report.cold]) expect(typeof entry.met, entry.name).toBe('boolean');
});
