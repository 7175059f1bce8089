/** fleetctl as a library: run it with your own IO, or talk to fleetd with the typed client. */
export { main, processIO, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './main.js';
export type { CliIO } from './main.js';
export { FleetClient, ApiError, errorMessage, isUnitNotFound, UnitPutsRefused } from './client.js';
export type { ApiErrorDetails, StateFilter, TransportOptions, UnitWrite } from './client.js';
export { DEFAULT_ENDPOINT, parseEndpoint } from './endpoint.js';
export type { Endpoint } from './endpoint.js';
export { formatTable } from './table.js';
export { parseClusterFile, readClusterFile } from './cluster-file.js';
