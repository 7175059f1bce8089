import { measureScheduling } from '../scheduler.bench.js';
const which = process.argv[2] ?? 'fleet';
const cases: Record<string, any> = {
  fleet: { name: '10k/1k', plugins: 'fleet', machines: 1000, units: 10000 },
  m5k: { name: '10k/5k', plugins: 'fleet', machines: 5000, units: 10000 },
  conflicts: { name: 'conf', plugins: 'fleet', machines: 1000, units: 2000, xfleet: (i: number) => [`Conflicts=app@${i % 500}*.service`] },
};
const r = await measureScheduling(cases[which], Number(process.argv[3] ?? 3));
console.log(JSON.stringify(r));
