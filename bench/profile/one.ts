// One scheduling case, for a CPU profile:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile/one.ts <case> [runs] [units] [machines]
// (npm run build first: the bench runs the built packages.)
import { measureScheduling, mixedXfleet } from '../scheduler.bench.js';
import type { SchedulingCase } from '../scheduler.bench.js';
const which = process.argv[2] ?? 'fleet';
const cases: Record<string, SchedulingCase> = {
  fleet: { name: '10k/1k', plugins: 'fleet', machines: 1000, units: 10000 },
  small: { name: '3k/100', plugins: 'fleet', machines: 100, units: 3000 },
  mixed: { name: 'mixed 2k/100', plugins: 'fleet', machines: 100, units: 2000, xfleet: mixedXfleet },
  m5k: { name: '10k/5k', plugins: 'fleet', machines: 5000, units: 10000 },
  conflicts: { name: 'conf', plugins: 'fleet', machines: 1000, units: 2000, xfleet: (i: number) => [`Conflicts=app@${i % 500}*.service`] },
  globals: { name: 'globals', plugins: 'fleet', machines: 15000, units: 20, xfleet: () => ['Global=true'] },
};
const base = cases[which];
if (base === undefined) throw new Error(`unknown case ${which}; known: ${Object.keys(cases).join(', ')}`);
const units = process.argv[4] === undefined ? base.units : Number(process.argv[4]);
const machines = process.argv[5] === undefined ? base.machines : Number(process.argv[5]);
const r = await measureScheduling({ ...base, units, machines }, Number(process.argv[3] ?? 3));
console.log(JSON.stringify(r));
