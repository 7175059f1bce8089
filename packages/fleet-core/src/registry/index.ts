export {
  MAX_LEASE_TTL_SECONDS,
  MAX_TXN_OPS,
  type Compare,
  type CompareOp,
  type KeyValue,
  type LeaseId,
  type Registry,
  type Txn,
  type TxnOp,
  type TxnResponse,
  type TxnResult,
  type WatchEvent,
  type WatchOptions,
  type Watcher,
} from './types.js';
export { createMemoryRegistry, type MemoryRegistry, type MemoryRegistryOptions } from './memory.js';
export { compareUtf8 } from './keys.js';
/** The argument checks every Registry implementation applies before talking to its store. */
export * as registryArguments from './validate.js';
