export { FLEETCTL_BIN, FLEETD_BIN, runFleetctl, startFleetd } from '../dev/fleetd-process.js';
export type { FleetctlResult, FleetdProcess, StartFleetdOptions } from '../dev/fleetd-process.js';
export { requestOverSocket } from './socket-request.js';
export type { SocketAnswer } from './socket-request.js';
