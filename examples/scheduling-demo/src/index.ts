export { runDemo } from './run-demo.js';
export type { DemoOutcome } from './run-demo.js';
export { demoMachines, demoUnits } from './cluster.js';
export { avoidConflicts, CONFLICTS_OPTION, demoPlugins, describeRound, METADATA_OPTION, requireMetadata, roundLog, spreadByLoad } from './plugins.js';
