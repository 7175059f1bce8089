// npm run bench: runs every benchmark, prints a table and writes JSON to bench/results/.
// Figures are measurements, never assertions: no test depends on them.
// npm run bench -- --quick runs a small smoke version.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measurePlacementToActive } from './agent.bench.js';
import type { AgentLatency } from './agent.bench.js';
import { measureEtcdEndToEnd } from './etcd.bench.js';
import type { EtcdMeasurement } from './etcd.bench.js';
import { measureScheduling } from './scheduler.bench.js';
import type { SchedulingCase } from './scheduler.bench.js';

const quick = process.argv.includes('--quick');
const cases: SchedulingCase[] = quick
  ? [{ name: '1,000 units / 100 machines, fleet plugins', plugins: 'fleet', machines: 100, units: 1_000 }]
  : [
      { name: '10,000 units / 1,000 machines, least-loaded only', plugins: 'least-loaded', machines: 1_000, units: 10_000 },
      { name: '10,000 units / 1,000 machines, fleet plugins', plugins: 'fleet', machines: 1_000, units: 10_000 },
      { name: '20,000 units / 1,000 machines, fleet plugins', plugins: 'fleet', machines: 1_000, units: 20_000 },
      { name: '10,000 units / 2,000 machines, fleet plugins', plugins: 'fleet', machines: 2_000, units: 10_000 },
      {
        name: '2,000 units with a Conflicts glob / 1,000 machines',
        plugins: 'fleet',
        machines: 1_000,
        units: 2_000,
        xfleet: (i) => [`Conflicts=app@${i % 500}.service`],
      },
      {
        name: '10,000 pinned units / 15,000 machines',
        plugins: 'fleet',
        machines: 15_000,
        units: 10_000,
        xfleet: (i, machines) => [`MachineID=${machines[i % machines.length]?.id}`],
      },
      {
        name: '10,000 units with metadata / 1,000 machines',
        plugins: 'fleet',
        machines: 1_000,
        units: 10_000,
        xfleet: (i) => [`MachineMetadata=zone=z${i % 3}`],
      },
    ];

const results = [];
for (const testCase of cases) results.push(await measureScheduling(testCase, quick ? 2 : 5));

console.table(
  results.map(({ name, medianMs, placementsPerSecond, idleRoundMs, heapMb }) => ({ name, medianMs, placementsPerSecond, idleRoundMs, heapMb })),
);
const endToEnd: EtcdMeasurement[] = [];
const agentLatency: AgentLatency[] = [];
if (!quick) {
  endToEnd.push(await measureEtcdEndToEnd(10_000, 100));
  console.table(endToEnd);
  agentLatency.push(await measurePlacementToActive(200));
  console.table(agentLatency);
}
const report = {
  benchmark: 'scheduling',
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString(),
  results,
  etcd: endToEnd,
  agent: agentLatency,
};
const file = join(dirname(fileURLToPath(import.meta.url)), 'results', 'scheduling.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report));
