import { createRequire } from 'node:module';
import { definePlugin, Stage, withFleetOptions } from '@fleetd/core';
import type { UnitNameInfo } from '@fleetd/core';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/** The parts of a unit name the specifiers expand to. */
export type SpecifierNameInfo = Pick<UnitNameInfo, 'name' | 'prefix' | 'instance'>;

/**
 * Expands `%n` (full name), `%N` (name without the type suffix), `%p`
 * (prefix: before `@`, or the name without suffix), `%i` (instance, empty
 * for a non-instance) and `%%` (a literal `%`) in one left-to-right pass:
 * what a specifier expands to is never expanded again. Unknown specifiers
 * (`%I`, `%x`) and a trailing lone `%` are left as written.
 */
export function expandSpecifiers(value: string, nameInfo: SpecifierNameInfo): string {
  let percent = value.indexOf('%');
  if (percent === -1) return value;
  let out = '';
  let from = 0;
  while (percent !== -1 && percent + 1 < value.length) {
    const expansion = specifier(value.charCodeAt(percent + 1), nameInfo);
    if (expansion === undefined) {
      // Unknown (`%I`, `%x`): left as written; the next `%` may start a specifier.
      percent = value.indexOf('%', percent + 1);
      continue;
    }
    out += value.slice(from, percent) + expansion;
    from = percent + 2;
    percent = value.indexOf('%', from);
  }
  return out + value.slice(from);
}

const N_LOWER = 0x6e; // n
const N_UPPER = 0x4e; // N
const P = 0x70; // p
const I = 0x69; // i
const PERCENT = 0x25; // %

function specifier(code: number, nameInfo: SpecifierNameInfo): string | undefined {
  switch (code) {
    case N_LOWER:
      return nameInfo.name;
    case N_UPPER:
      return withoutSuffix(nameInfo.name);
    case P:
      return nameInfo.prefix;
    case I:
      return nameInfo.instance ?? '';
    case PERCENT:
      return '%';
    default:
      return undefined;
  }
}

/** `foo@bar.service` → `foo@bar`: everything before the last `.` (the type suffix). */
function withoutSuffix(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? name : name.slice(0, dot);
}

/** Every `[X-Fleet]` value of the unit expanded; the same map when no value has a `%`. */
export function expandFleetOptions(fleetOptions: ReadonlyMap<string, readonly string[]>, nameInfo: SpecifierNameInfo): ReadonlyMap<string, readonly string[]> {
  let expanded: Map<string, readonly string[]> | undefined;
  for (const [name, values] of fleetOptions) {
    if (!values.some((value) => value.includes('%'))) continue;
    expanded ??= new Map(fleetOptions);
    expanded.set(
      name,
      values.map((value) => expandSpecifiers(value, nameInfo)),
    );
  }
  return expanded ?? fleetOptions;
}

/**
 * Expands unit-name specifiers in `[X-Fleet]` values, as fleet did
 * (job.unitPrintf), before any other plugin reads them: its resolveUnit tap
 * runs at Stage.PREPARE, whatever the plugin order.
 */
export default definePlugin({
  meta: { name: 'specifiers', version, core: peerDependencies['@fleetd/core'] },
  apply(hooks) {
    hooks.resolveUnit.tap({ stage: Stage.PREPARE }, (unit) => {
      const fleetOptions = expandFleetOptions(unit.fleetOptions, unit.nameInfo);
      return fleetOptions === unit.fleetOptions ? unit : withFleetOptions(unit, fleetOptions);
    });
  },
});
