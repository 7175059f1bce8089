export { startLocalCluster } from './local-cluster.js';
export type { LocalCluster, LocalClusterOptions, LocalMachine, MachineSpec } from './local-cluster.js';
export { FLEETCTL_BIN, FLEETD_BIN, runFleetctl, startFleetd } from './fleetd-process.js';
export type { FleetctlResult, FleetdProcess, StartFleetdOptions } from './fleetd-process.js';
export { defaultDevDir, devSocketPath } from './paths.js';
