import { ErrorCodes, FleetError } from '../errors.js';
import { createMachine } from '../model/machine.js';
import type { DesiredState } from '../model/states.js';
import type { Unit } from '../model/unit.js';
import { MAX_TXN_OPS } from '../registry/types.js';
import type { Compare, Registry, TxnOp } from '../registry/types.js';
import { decodeUnit, encodeUnitFile } from './codec.js';
import { KeyLayout, SCHEMA_VERSION } from './layout.js';

/** The most metadata keys one applyMachineMetadata writes: one transaction of etcd's default --max-txn-ops. */
export const MAX_METADATA_CHANGES = MAX_TXN_OPS;

/**
 * One operator metadata change of a machine. `value` undefined removes the
 * key as fleet does: it stores an empty value, which hides the key in the
 * merged metadata even when the machine announces it (`withOperatorMetadata`).
 */
export interface MachineMetadataChange {
  readonly machine: string;
  readonly key: string;
  readonly value: string | undefined;
}

/** What a `remove` stores (fleet's DeleteMachineMetadata): an empty value, not a deleted key, so announced metadata is hidden too. */
const REMOVED_METADATA_VALUE = '';

/** What `submitOrRead` did: created the unit, or found one stored under its name. */
export type SubmitOutcome = { readonly created: true } | { readonly created: false; readonly stored: Unit };

const CREATED: SubmitOutcome = Object.freeze({ created: true });

/** A unit's creation is two puts and a compare, and etcd allows MAX_TXN_OPS of each per transaction. */
export const MAX_UNITS_PER_SUBMIT = Math.floor(MAX_TXN_OPS / 2);

/**
 * What clients (fleetctl, the HTTP API) change in the registry: units and
 * their desired states. Every change is one transaction, so a unit never
 * exists without its file, and a submit never overwrites another version.
 */
export class FleetStore {
  readonly layout: KeyLayout;

  constructor(
    private readonly registry: Registry,
    keyPrefix?: string,
  ) {
    this.layout = new KeyLayout(keyPrefix);
  }

  /** Writes the schema version on an empty prefix; refuses a prefix written by another version. */
  async ensureSchema(): Promise<void> {
    const key = this.layout.schema;
    const result = await this.registry.txn({
      compare: [{ key, target: 'createRevision', op: '==', value: 0 }],
      success: [{ type: 'put', key, value: String(SCHEMA_VERSION) }],
      failure: [{ type: 'get', key }],
    });
    if (result.succeeded) return;
    const [stored] = result.responses;
    const version = stored?.type === 'get' ? stored.kv?.value : undefined;
    if (version !== String(SCHEMA_VERSION)) {
      throw new FleetError(
        ErrorCodes.STORE_SCHEMA_MISMATCH,
        `${key} says schema ${JSON.stringify(version)}, this fleetd writes schema ${SCHEMA_VERSION}: use another key prefix or a matching fleetd`,
      );
    }
  }

  /** Stores a new unit with its desired state; the same contents again is a no-op, other contents are refused. */
  async submitUnit(unit: Unit): Promise<'created' | 'unchanged'> {
    const outcome = await this.submitOrRead(unit);
    if (outcome.created) return 'created';
    if (outcome.stored.hash === unit.hash) return 'unchanged';
    throw new FleetError(ErrorCodes.UNIT_EXISTS, `unit ${unit.name} is already submitted with other contents; destroy it first or replace it`, {
      unit: unit.name,
    });
  }

  /**
   * Stores a new unit with its desired state, or, when the name is taken,
   * writes nothing and returns the unit stored under it. One transaction
   * either way: a client that mostly creates units needs no read first.
   */
  async submitOrRead(unit: Unit): Promise<SubmitOutcome> {
    const fileKey = this.layout.unit(unit.name);
    const result = await this.registry.txn({
      compare: [this.isFree(unit)],
      success: this.creation(unit),
      failure: [{ type: 'get', key: fileKey }],
    });
    if (result.succeeded) return CREATED;
    const [stored] = result.responses;
    // The failure branch reads in the same transaction that found the key, so it is there.
    if (stored?.type !== 'get' || stored.kv === undefined) {
      throw new FleetError(ErrorCodes.STORE_DATA_INVALID, `${fileKey}: exists but could not be read`);
    }
    return { created: false, stored: decodeUnit(fileKey, unit.name, stored.kv.value) };
  }

  /**
   * submitOrRead for each unit, in one transaction when every name is free
   * (a burst of new units: one write instead of one per unit), otherwise
   * each unit on its own. At most MAX_UNITS_PER_SUBMIT units, with distinct names.
   */
  async submitAllOrRead(units: readonly Unit[]): Promise<SubmitOutcome[]> {
    if (units.length > MAX_UNITS_PER_SUBMIT) {
      throw new FleetError(ErrorCodes.REGISTRY_TXN_TOO_LARGE, `${units.length} units in one submit; at most ${MAX_UNITS_PER_SUBMIT}`);
    }
    if (new Set(units.map((unit) => unit.name)).size !== units.length) {
      throw new FleetError(ErrorCodes.REGISTRY_INVALID_ARGUMENT, 'a unit name appears twice in one submit');
    }
    if (units.length > 1) {
      const result = await this.registry.txn({
        compare: units.map((unit) => this.isFree(unit)),
        success: units.flatMap((unit) => this.creation(unit)),
      });
      if (result.succeeded) return units.map(() => CREATED);
    }
    return Promise.all(units.map((unit) => this.submitOrRead(unit)));
  }

  private isFree(unit: Unit): Compare {
    return { key: this.layout.unit(unit.name), target: 'createRevision', op: '==', value: 0 };
  }

  private creation(unit: Unit): TxnOp[] {
    return [
      { type: 'put', key: this.layout.unit(unit.name), value: encodeUnitFile(unit) },
      { type: 'put', key: this.layout.desired(unit.name), value: unit.desiredState },
    ];
  }

  /**
   * Replaces a submitted unit's file with a new version (fleetctl --replace),
   * keeping its placement; with `desiredState`, sets that too. The agent
   * running it unloads the old file and loads the new one.
   */
  async replaceUnit(unit: Unit, desiredState?: DesiredState): Promise<'replaced' | 'unchanged'> {
    const fileKey = this.layout.unit(unit.name);
    const stored = await this.registry.get(fileKey);
    if (stored === undefined) throw new FleetError(ErrorCodes.UNIT_NOT_FOUND, `unit ${unit.name} is not submitted`, { unit: unit.name });
    const desiredWrite = desiredState === undefined ? [] : [{ type: 'put' as const, key: this.layout.desired(unit.name), value: desiredState }];
    if (decodeUnit(fileKey, unit.name, stored.value).hash === unit.hash) {
      if (desiredWrite.length > 0) await this.setDesiredState(unit.name, desiredState as DesiredState);
      return 'unchanged';
    }
    // Guarded on the version read, so two concurrent replaces cannot interleave file and state.
    const result = await this.registry.txn({
      compare: [{ key: fileKey, target: 'modRevision', op: '==', value: stored.modRevision }],
      success: [{ type: 'put', key: fileKey, value: encodeUnitFile(unit) }, ...desiredWrite],
    });
    if (result.succeeded) return 'replaced';
    return this.replaceUnit(unit, desiredState);
  }

  /** Sets operator metadata on a machine (fleet's PATCH /machines "add"/"replace"); it outlives the machine's presence. */
  async setMachineMetadata(machineId: string, key: string, value: string): Promise<void> {
    const machine = createMachine({ id: machineId, metadata: { [key]: value } });
    await this.registry.put(this.layout.machineMetadata(machine.id, key), value);
  }

  /**
   * Drops the operator's entry for a key, so what the machine announces shows
   * again; false when there was none. (A PATCH `remove` hides the key instead:
   * applyMachineMetadata with an undefined value.)
   */
  async deleteMachineMetadata(machineId: string, key: string): Promise<boolean> {
    const machine = createMachine({ id: machineId, metadata: { [key]: '' } });
    const { deleted } = await this.registry.delete(this.layout.machineMetadata(machine.id, key));
    return deleted > 0;
  }

  /**
   * Applies operator metadata changes (fleet's PATCH /machines) in ONE
   * transaction: all or nothing, and one revision, so every watcher rebuilds
   * each machine once. Changes of one key collapse to the last (applying them
   * in order gives the same), since a transaction may name a key once. A
   * removal stores REMOVED_METADATA_VALUE, as fleet does, so it also hides a
   * key the machine announces from its own configuration.
   * At most MAX_METADATA_CHANGES distinct keys (etcd's --max-txn-ops).
   */
  async applyMachineMetadata(changes: readonly MachineMetadataChange[]): Promise<void> {
    const last = new Map<string, string>();
    for (const { machine, key, value } of changes) {
      const stored = value ?? REMOVED_METADATA_VALUE;
      const checked = createMachine({ id: machine, metadata: { [key]: stored } });
      last.set(this.layout.machineMetadata(checked.id, key), stored);
    }
    if (last.size > MAX_METADATA_CHANGES) {
      throw new FleetError(ErrorCodes.REGISTRY_TXN_TOO_LARGE, `${last.size} metadata keys in one change; at most ${MAX_METADATA_CHANGES}`);
    }
    if (last.size === 0) return;
    const success = [...last].map(([key, value]): TxnOp => ({ type: 'put', key, value }));
    await this.registry.txn({ compare: [], success });
  }

  /** Changes a submitted unit's desired state. */
  async setDesiredState(name: string, state: DesiredState): Promise<void> {
    if (!(await this.setDesiredStates([{ name, state }]))) throw new FleetError(ErrorCodes.UNIT_NOT_FOUND, `unit ${name} is not submitted`, { unit: name });
  }

  /**
   * Several units' desired states in one transaction, each guarded on its
   * unit's existence as setDesiredState's is: false, with nothing written,
   * when one of them is not submitted.
   */
  async setDesiredStates(changes: readonly { readonly name: string; readonly state: DesiredState }[]): Promise<boolean> {
    const result = await this.registry.txn({
      compare: changes.map(({ name }): Compare => ({ key: this.layout.unit(name), target: 'createRevision', op: '>', value: 0 })),
      success: changes.map(({ name, state }) => ({ type: 'put' as const, key: this.layout.desired(name), value: state })),
    });
    return result.succeeded;
  }

  /** Removes a unit, its desired state and its placement; false when there was no such unit. */
  async destroyUnit(name: string): Promise<boolean> {
    const result = await this.registry.txn({
      compare: [{ key: this.layout.unit(name), target: 'createRevision', op: '>', value: 0 }],
      success: [
        { type: 'delete', key: this.layout.unit(name) },
        { type: 'delete', key: this.layout.desired(name) },
        { type: 'delete', key: this.layout.placement(name) },
      ],
    });
    return result.succeeded;
  }
}
