// Runs the placement → active benchmark alone: [units] [one-round | back-to-back | submissions per second].
import { measurePlacementToActive } from '../agent.bench.js';
import type { Arrival } from '../agent.bench.js';
const how = process.argv[3] ?? 'back-to-back';
const arrival: Arrival = how === 'one-round' || how === 'back-to-back' ? { kind: how } : { kind: 'rate', perSecond: Number(how) };
console.log(await measurePlacementToActive(Number(process.argv[2] ?? 200), arrival));
