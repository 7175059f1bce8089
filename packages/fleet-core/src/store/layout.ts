import { ErrorCodes, FleetError } from '../errors.js';

/** Version of the key layout and value encodings below; bumped on incompatible change. */
export const SCHEMA_VERSION = 1;

/** fleet used `/_coreos.com/fleet/`; fleetd keeps its own prefix so both can share an etcd. */
export const DEFAULT_KEY_PREFIX = '/fleetd/';

export type KeyKind = 'unit' | 'desired' | 'placement' | 'machine' | 'metadata' | 'state' | 'leader' | 'schema';

export interface ParsedKey {
  readonly kind: KeyKind;
  /** Unit name, machine ID, metadata key, or '' for singletons. */
  readonly name: string;
  /** For `state` keys: the machine reporting; for `metadata` keys: the machine described. */
  readonly machine?: string;
}

/**
 * Where everything lives under the configurable prefix:
 *
 *   schema                      "1"
 *   units/<name>                unit file (options) and hash; immutable
 *   desired/<name>              inactive | loaded | launched
 *   placements/<name>           {"machine": id}, written by the leading engine, fenced
 *   machines/<id>               machine presence, leased by its agent
 *   metadata/<id>/<key>         operator metadata (fleet's PATCH /machines), merged over the machine's own
 *   states/<machine>/<name>     unit state reported by that machine's agent, leased
 *   engine/leader               {"id": engine}, leased by the leading engine
 */
export class KeyLayout {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_KEY_PREFIX) {
    if (prefix === '' || prefix.includes('\0')) {
      throw new FleetError(ErrorCodes.REGISTRY_INVALID_ARGUMENT, `key prefix ${JSON.stringify(prefix)} must be a non-empty string`);
    }
    this.prefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  get schema(): string {
    return `${this.prefix}schema`;
  }

  get leader(): string {
    return `${this.prefix}engine/leader`;
  }

  get units(): string {
    return `${this.prefix}units/`;
  }

  get desiredStates(): string {
    return `${this.prefix}desired/`;
  }

  get placements(): string {
    return `${this.prefix}placements/`;
  }

  get machines(): string {
    return `${this.prefix}machines/`;
  }

  get states(): string {
    return `${this.prefix}states/`;
  }

  get machineMetadataOverlay(): string {
    return `${this.prefix}metadata/`;
  }

  unit(name: string): string {
    return this.units + name;
  }

  desired(name: string): string {
    return this.desiredStates + name;
  }

  placement(name: string): string {
    return this.placements + name;
  }

  machine(id: string): string {
    return this.machines + id;
  }

  /** Operator metadata `key` of machine `id`; outlives the machine's presence. */
  machineMetadata(id: string, key: string): string {
    return `${this.machineMetadataOverlay}${id}/${key}`;
  }

  state(machine: string, unit: string): string {
    return `${this.states}${machine}/${unit}`;
  }

  /** What a key under the prefix stands for, or undefined for anything else. */
  parse(key: string): ParsedKey | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const rest = key.slice(this.prefix.length);
    if (rest === 'schema') return { kind: 'schema', name: '' };
    if (rest === 'engine/leader') return { kind: 'leader', name: '' };
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    const kind = COLLECTIONS[rest.slice(0, slash)];
    const name = rest.slice(slash + 1);
    if (kind === undefined || name === '') return undefined;
    if (kind !== 'state' && kind !== 'metadata') return name.includes('/') ? undefined : { kind, name };
    const [machine, leaf, extra] = name.split('/');
    return machine && leaf && extra === undefined ? { kind, name: leaf, machine } : undefined;
  }
}

const COLLECTIONS: Readonly<Record<string, KeyKind>> = {
  units: 'unit',
  desired: 'desired',
  placements: 'placement',
  machines: 'machine',
  states: 'state',
  metadata: 'metadata',
};
