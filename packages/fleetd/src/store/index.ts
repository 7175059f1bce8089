/** The standalone store: a persisted embedded registry, and the data directory lock. */
export { DEFAULT_COMPACT_AFTER_BYTES, openFileRegistry, type FileRegistry, type FileRegistryOptions } from './file-registry.js';
export type { StoreRecovery } from './load.js';
export { acquireDataDirLock, LOCK_FILE, type DataDirLock } from './lock.js';
export { SNAPSHOT_FILE, WAL_FILE } from './files.js';
