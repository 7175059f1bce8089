import { ErrorCodes, FleetError, isFleetError } from '../errors.js';
import type { ResolvedUnit } from '../hooks/views.js';
import type { Unit } from '../model/unit.js';
import { parseUnitName, splitMultiValue } from '../unit/index.js';
import type { UnitFile } from '../unit/index.js';

export type Resolution = { readonly ok: true; readonly unit: ResolvedUnit } | { readonly ok: false; readonly error: FleetError };

/** Shared by every unit without an `[X-Fleet]` section; never changed (readers get it as a ReadonlyMap). */
const NO_FLEET_OPTIONS: ReadonlyMap<string, readonly string[]> = new Map();

/**
 * The `[X-Fleet]` section as name → values, before any plugin rewrote it.
 * A quoted multi-value line (`"region=us-east-1" "disk=ssd"`) counts as
 * several values, as in fleet.
 */
export function fleetOptionsOf(file: UnitFile): ReadonlyMap<string, readonly string[]> {
  if (!file.options.some((option) => option.section === 'X-Fleet')) return NO_FLEET_OPTIONS;
  const options = new Map<string, string[]>();
  for (const option of file.options) {
    if (option.section !== 'X-Fleet') continue;
    const values = options.get(option.name);
    if (values === undefined) options.set(option.name, splitMultiValue(option.value));
    else values.push(...splitMultiValue(option.value));
  }
  return options;
}

/** The unit as resolveUnit taps first see it. */
export function baseResolvedUnit(unit: Pick<Unit, 'name' | 'hash' | 'file'>): ResolvedUnit {
  return {
    name: unit.name,
    nameInfo: parseUnitName(unit.name),
    hash: unit.hash,
    file: unit.file,
    fleetOptions: fleetOptionsOf(unit.file),
    global: false,
    requirements: {},
  };
}

/**
 * Runs resolveUnit once per unit version: taps must be pure functions of the
 * unit, so a resolution is reused until the unit's hash changes.
 */
export class UnitResolver {
  private readonly cache = new Map<string, { readonly hash: string; readonly resolution: Resolution }>();

  /** `resolveUnit` is the host's: it runs the plugins' resolveUnit taps. */
  constructor(private readonly resolveUnit: (unit: Pick<Unit, 'name' | 'hash' | 'file'>) => ResolvedUnit) {}

  resolve(unit: Unit): Resolution {
    const cached = this.cache.get(unit.name);
    if (cached !== undefined && cached.hash === unit.hash) return cached.resolution;
    const resolution = this.run(unit);
    this.cache.set(unit.name, { hash: unit.hash, resolution });
    return resolution;
  }

  forget(name: string): void {
    this.cache.delete(name);
  }

  private run(unit: Unit): Resolution {
    try {
      return { ok: true, unit: Object.freeze(this.resolveUnit(unit)) };
    } catch (error) {
      if (isFleetError(error)) return { ok: false, error };
      return {
        ok: false,
        error: new FleetError(ErrorCodes.PLUGIN_ERROR, `resolving ${unit.name} failed: ${String(error)}`, {
          unit: unit.name,
          cause: error,
        }),
      };
    }
  }
}
