import { ErrorCodes, FleetError } from '../errors.js';
import { fleetOptionValues } from '../hooks/unit-helpers.js';
import type { ResolvedUnit } from '../hooks/views.js';

/** An `[X-Fleet]` option a plugin reads and answers for, declared in its `meta.unitOptions`. */
export interface UnitOptionSpec {
  /** The option's name in `[X-Fleet]` (`MachineID`). */
  readonly name: string;
  /** Other spellings it is read under (fleet's legacy `X-ConditionMachineID`). */
  readonly aliases?: readonly string[];
  /** One line on what the option does, for help texts and suggestions. */
  readonly description: string;
  /**
   * Options (by name) a unit may not set together with this one: fleet's
   * invalid combinations. The validation plugin refuses such units at submit,
   * naming both options as the unit spells them.
   */
  readonly excludes?: readonly string[];
  /** Whether the option's values set it, for `excludes` (default: it has a value). `Global=false` sets nothing. */
  readonly isSet?: (values: readonly string[]) => boolean;
}

/** A declared option with the plugin that declared it. */
export interface DeclaredUnitOption extends UnitOptionSpec {
  readonly plugin: string;
  /** `name`, then the aliases. */
  readonly spellings: readonly string[];
}

/** Every `[X-Fleet]` option the assembled plugins declare, by any spelling. */
export interface UnitOptionTable {
  /** In plugin order, then declaration order. */
  readonly options: readonly DeclaredUnitOption[];
  /** The option a name or alias belongs to. */
  get(spelling: string): DeclaredUnitOption | undefined;
}

const OPTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

/** Checks one plugin's `meta.unitOptions`; returns a problem or undefined. */
export function unitOptionsProblem(options: unknown): string | undefined {
  if (options === undefined) return undefined;
  if (!Array.isArray(options)) return 'meta.unitOptions must be an array of { name, description, aliases?, excludes?, isSet? }';
  for (const [index, option] of (options as unknown[]).entries()) {
    const where = `meta.unitOptions[${index}]`;
    const candidate = option as Partial<UnitOptionSpec> | null;
    if (typeof candidate !== 'object' || candidate === null) return `${where} must be an object`;
    if (typeof candidate.name !== 'string' || !OPTION_NAME.test(candidate.name)) return `${where}.name must be an option name such as MachineID`;
    if (typeof candidate.description !== 'string' || candidate.description === '') return `${where}.description must say what ${candidate.name} does`;
    for (const key of ['aliases', 'excludes'] as const) {
      const list = candidate[key];
      if (list !== undefined && (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string' && OPTION_NAME.test(entry)))) {
        return `${where}.${key} must be a list of option names`;
      }
    }
    if (candidate.isSet !== undefined && typeof candidate.isSet !== 'function') return `${where}.isSet must be a function of the option's values`;
  }
  return undefined;
}

/** The table of every declared option; two plugins declaring one spelling is UNIT_OPTION_CONFLICT. */
export function buildUnitOptionTable(
  plugins: readonly { readonly name: string; readonly unitOptions?: readonly UnitOptionSpec[] | undefined }[],
): UnitOptionTable {
  const bySpelling = new Map<string, DeclaredUnitOption>();
  const options: DeclaredUnitOption[] = [];
  for (const plugin of plugins) {
    for (const spec of plugin.unitOptions ?? []) {
      const declared: DeclaredUnitOption = Object.freeze({ ...spec, plugin: plugin.name, spellings: Object.freeze([spec.name, ...(spec.aliases ?? [])]) });
      for (const spelling of declared.spellings) {
        const taken = bySpelling.get(spelling);
        if (taken !== undefined) {
          throw new FleetError(
            ErrorCodes.UNIT_OPTION_CONFLICT,
            `[X-Fleet] option ${spelling} is declared by plugin "${taken.plugin}" and by plugin "${plugin.name}"; an option has one owner: leave one of them out`,
            { plugin: plugin.name },
          );
        }
        bySpelling.set(spelling, declared);
      }
      options.push(declared);
    }
  }
  return Object.freeze({ options: Object.freeze(options), get: (spelling: string) => bySpelling.get(spelling) });
}

/** The option's values in the unit under all its spellings (name first, then aliases), in file order per spelling. */
export function unitOptionValues(unit: Pick<ResolvedUnit, 'fleetOptions'>, option: Pick<UnitOptionSpec, 'name' | 'aliases'>): readonly string[] {
  return option.aliases === undefined ? fleetOptionValues(unit, option.name) : fleetOptionValues(unit, option.name, ...option.aliases);
}

/** The spelling of `option` the unit uses (the first present), for messages that quote the unit's own words. */
export function unitOptionSpelling(unit: Pick<ResolvedUnit, 'fleetOptions'>, option: Pick<UnitOptionSpec, 'name' | 'aliases'>): string {
  if (unit.fleetOptions.has(option.name)) return option.name;
  return option.aliases?.find((alias) => unit.fleetOptions.has(alias)) ?? option.name;
}

/** Whether the unit sets `option`: its `isSet` says so, or, without one, the option has a value. */
export function setsUnitOption(unit: Pick<ResolvedUnit, 'fleetOptions'>, option: Pick<UnitOptionSpec, 'name' | 'aliases' | 'isSet'>): boolean {
  const values = unitOptionValues(unit, option);
  return option.isSet === undefined ? values.length > 0 : option.isSet(values);
}
