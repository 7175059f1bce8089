// Runs the placement → active benchmark alone: [units] [submissions per second].
import { measurePlacementToActive } from '../agent.bench.js';
console.log(await measurePlacementToActive(Number(process.argv[2] ?? 200), process.argv[3] ? Number(process.argv[3]) : undefined));
