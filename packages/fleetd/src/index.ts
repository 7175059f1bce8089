/**
 * fleetd as a library: the config helper for `fleetd.config.ts`, the daemon
 * for embedding, and the pieces it is made of (API server, service, store).
 */
export { defineConfig, loadConfig, resolveConfig, assembleFromConfig, parseFleetdArgs } from './config/index.js';
export type { FleetdConfig, LoadedConfig, PluginSpec, ResolvedConfig, ResolvedPlugin } from './config/index.js';
export { startDaemon } from './daemon/daemon.js';
export type { Daemon, DaemonOptions } from './daemon/daemon.js';
export type { ReloadReport } from './daemon/reload.js';
export { FLEETD_VERSION } from './daemon/version.js';
export { createFleetService, planUnits } from './service/index.js';
export type { FeedListener, FeedMessage, FeedTimings, FleetService, FleetServiceOptions } from './service/index.js';
export { startApiServer } from './api/index.js';
export type { ApiServer, ApiServerOptions } from './api/index.js';
export type * from './api/wire.js';
export { acquireDataDirLock, openFileRegistry } from './store/index.js';
export type { DataDirLock, FileRegistry, FileRegistryOptions } from './store/index.js';
export { createMetrics } from './metrics/metrics.js';
export type { FleetdMetrics } from './metrics/metrics.js';
export { main as fleetctl, FleetClient, ApiError, UnitPutsRefused, parseEndpoint, DEFAULT_ENDPOINT, readClusterFile, parseClusterFile } from './cli/index.js';
export type { CliIO, Endpoint } from './cli/index.js';
export { diffConfig, readEnvironment, validateConfig, OPTION_TABLE } from './config/index.js';
export type { ConfigOverride, FleetdArgs } from './config/index.js';
export { STATUS_BY_CODE } from './api/index.js';
export type { ApiSocketOptions, ApiTcpOptions } from './api/index.js';
export { API_LIMIT_DEFAULTS } from './api/index.js';
export type {
  ApiConnectionCaps,
  ApiConnectionEvent,
  ApiConnectionObserver,
  ApiListener,
  ApiTimeouts,
  ClientErrorReason,
  ConnectionRefusal,
} from './api/index.js';
export type { PutUnitOutcome, PutUnitsOutcome, StateFilter } from './service/index.js';
