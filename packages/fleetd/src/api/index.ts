export { startApiServer } from './server.js';
export type { ApiServer, ApiServerOptions, ApiSocketOptions, ApiTcpOptions } from './server.js';
export { API_LIMIT_DEFAULTS } from './limits.js';
export type { ApiConnectionCaps, ApiConnectionEvent, ApiConnectionObserver, ApiListener, ApiTimeouts, ClientErrorReason, ConnectionRefusal } from './limits.js';
export { HTTP_REASONS, HttpError, STATUS_BY_CODE, toWireFailure } from './errors.js';
export { encodePageToken, pageTokenOf } from './page-token.js';
export type { PageToken } from './page-token.js';
export { FLEET_DISCOVERY } from './discovery.js';
export * from './wire.js';
