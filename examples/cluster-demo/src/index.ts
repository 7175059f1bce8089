export { DEMO_MACHINES, startLocalCluster } from './local-cluster.js';
export type { LocalCluster, LocalClusterOptions, LocalMachine, MachineSpec } from './local-cluster.js';
export { consoleNarrator, DEMO_UNITS, runDemo } from './demo.js';
export type { DemoOptions, Narrator } from './demo.js';
