export { createTestCluster, simulate, TestCluster } from './test-cluster.js';
export type { TestClusterOptions, TestMachine, TestUnit } from './test-cluster.js';
export { testPlugin } from './test-plugin.js';
export { waitFor } from './wait-for.js';
export { findOnPath, isExecutable, killQuietly, startWatchdog, track, untrack } from './processes.js';
export type { Cleanable } from './processes.js';
