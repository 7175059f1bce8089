export { DEMO_MACHINES, startDemoCluster } from './local-cluster.js';
export type { LocalCluster, LocalClusterOptions, LocalMachine, MachineSpec } from 'fleetd/dev';
export { consoleNarrator, DEMO_UNITS, runDemo } from './demo.js';
export type { DemoOptions, Narrator } from './demo.js';
