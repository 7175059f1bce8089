export { createTestCluster, simulate, TestCluster } from './test-cluster.js';
export type { TestClusterOptions, TestMachine, TestUnit } from './test-cluster.js';
export { testPlugin } from './test-plugin.js';
export type { TestPluginMeta } from './test-plugin.js';
export { recordingLogger } from './recording-logger.js';
export type { LoggedLine } from './recording-logger.js';
export { waitFor } from './wait-for.js';
export { findOnPath, isExecutable, killQuietly, startWatchdog, track, untrack } from './processes.js';
export type { Cleanable } from './processes.js';
