import { createMachine, ErrorCodes, FleetError } from '@fleetd/core';
import type { FleetStore } from '@fleetd/core/unstable';
import type { WireMachineMetadataOp } from '../api/wire.js';

/** fleet's path rule (api/machines.go): `/<machine>/metadata/<key>`. */
const METADATA_PATH = /^\/([^/]+)\/metadata\/([A-Za-z0-9_.-]+)$/;

interface MetadataChange {
  readonly machine: string;
  readonly key: string;
  /** Undefined: remove. */
  readonly value: string | undefined;
}

/**
 * fleet's PATCH /machines: every operation is checked first (with fleet's
 * messages), then applied in order; machines need not be announced, and the
 * metadata outlives their presence.
 */
export async function patchMachines(store: FleetStore, ops: readonly WireMachineMetadataOp[]): Promise<void> {
  const changes = ops.map(checkOp);
  for (const change of changes) {
    if (change.value === undefined) await store.deleteMachineMetadata(change.machine, change.key);
    else await store.setMachineMetadata(change.machine, change.key, change.value);
  }
}

function checkOp(op: WireMachineMetadataOp): MetadataChange {
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
