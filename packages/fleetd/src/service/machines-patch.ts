import { createMachine, ErrorCodes, FleetError } from '@fleetd/core';
import { MAX_METADATA_CHANGES } from '@fleetd/core/unstable';
import type { FleetStore, MachineMetadataChange } from '@fleetd/core/unstable';
import type { WireMachineMetadataOp } from '../api/wire.js';

/** fleet's path rule (api/machines.go): `/<machine>/metadata/<key>`. */
const METADATA_PATH = /^\/([^/]+)\/metadata\/([A-Za-z0-9_.-]+)$/;

/**
 * The most operations one PATCH /machines may carry: they are applied in one
 * registry transaction, which etcd (--max-txn-ops, default 128) bounds.
 */
export const MAX_METADATA_PATCH_OPS = MAX_METADATA_CHANGES;

/**
 * fleet's PATCH /machines: every operation is checked first (with fleet's
 * messages); machines need not be announced, and the metadata outlives their
 * presence. Unlike fleet, which applies the operations one by one, fleetd
 * applies them all in one transaction: all or none, and every fleetd rebuilds
 * each machine once per request, not once per operation.
 */
export async function patchMachines(store: FleetStore, ops: readonly WireMachineMetadataOp[]): Promise<void> {
  if (ops.length > MAX_METADATA_PATCH_OPS) {
    throw new FleetError(ErrorCodes.MACHINE_PATCH_TOO_LARGE, `${ops.length} operations in one PATCH, at most ${MAX_METADATA_PATCH_OPS}`);
  }
  await store.applyMachineMetadata(ops.map(checkOp));
}

function checkOp(op: WireMachineMetadataOp): MachineMetadataChange {
  if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') throw invalid('invalid op: expect add, remove, or replace');
  const match = METADATA_PATH.exec(op.path);
  if (match === null) throw invalid('machine metadata path invalid');
  if (op.op !== 'remove' && (op.value === undefined || op.value.length === 0)) {
    throw invalid('invalid value: add and replace require a value');
  }
  const [, machine, key] = match as unknown as [string, string, string];
  // Machine IDs become keys: checked here too, so no operation is applied when a later one is bad.
  createMachine({ id: machine, metadata: { [key]: op.value ?? '' } });
  return { machine, key, value: op.op === 'remove' ? undefined : op.value };
}

function invalid(message: string): FleetError {
  return new FleetError(ErrorCodes.MACHINE_INVALID, message);
}
