// npm run bench: runs every benchmark, prints a table and writes JSON to bench/results/.
// Figures are measurements, never assertions: no test depends on them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureScheduling } from './scheduler.bench.js';

const quick = process.argv.includes('--quick');
const cases = quick
  ? [{ name: 'place 1,000 units on 100 machines', machines: 100, units: 1_000 }]
  : [
      { name: 'place 10,000 units on 1,000 machines', machines: 1_000, units: 10_000 },
      { name: 'place 20,000 units on 1,000 machines', machines: 1_000, units: 20_000 },
      { name: 'place 10,000 units on 2,000 machines', machines: 2_000, units: 10_000 },
    ];

const results = [];
for (const testCase of cases) results.push(await measureScheduling(testCase, quick ? 2 : 5));

console.table(results.map(({ name, medianMs, minMs, placementsPerSecond, heapMb }) => ({ name, medianMs, minMs, placementsPerSecond, heapMb })));
const report = {
  benchmark: 'scheduling',
  plugins: ['least-loaded (test plugin)'],
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString(),
  results,
};
const file = join(dirname(fileURLToPath(import.meta.url)), 'results', 'scheduling.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report));
