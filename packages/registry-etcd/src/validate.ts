/**
 * Argument checks: the etcd registry rejects, before sending anything, what the
 * memory store rejects, with the same codes (REGISTRY_INVALID_ARGUMENT): both
 * use the core's checks, and the contract suite pins the behaviour for both.
 * Rules that etcd itself enforces (duplicate keys in a txn, the 128-op limit,
 * unknown leases) are left to etcd, which is the authority on them.
 */
import { registryArguments } from '@fleetd/core/unstable';

// An explicit type: TypeScript narrows after calls to `never` functions only when they are declared so.
export const invalid: (message: string) => never = registryArguments.invalid;

export const { isWellFormed, checkKey, checkPrefix, checkValue, checkLeaseId, checkRevision, checkTtl, checkCompare, checkOp } = registryArguments;
