export { runDemo } from './run-demo.js';
export type { DemoOutcome } from './run-demo.js';
export { demoMachines, demoUnits } from './cluster.js';
export { avoidConflicts, demoPlugins, requireMetadata, spreadByLoad } from './plugins.js';
