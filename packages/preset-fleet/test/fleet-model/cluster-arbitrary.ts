// Random clusters for the comparison: 3–12 machines with random metadata, and
// units using every [X-Fleet] option fleet reads, under every spelling.
import fc from 'fast-check';
import { isGlobal, parseMultivalueLine } from './job.js';
import type { DesiredState, FleetOption, FleetUnit } from './job.js';
import type { FleetMachine } from './model.js';

/**
 * Machine IDs: 16 hex digits whose first 8 (fleet's short ID) differ, so a
 * short ID names one machine (two machines sharing one is a named difference).
 * Listed out of order so a machine's ID order is not its index order.
 */
export const MACHINE_IDS: readonly string[] = [
  '7f3a9c01d2e4b5a6',
  '03bc44e1aa90ff12',
  'c9d2e7f0b1a34c58',
  '5a5a5a5a01020304',
  'e0e1e2e3f4f5f6f7',
  '1234abcd9876fedc',
  'b7c6d5e4a3b2c1d0',
  '0f0f0f0fa0a0a0a0',
  '9e8d7c6b5a493827',
  '4c4c4c4cbbbbbbbb',
  'd00dfeed00000001',
  '2b2b2b2b3c3c3c3c',
];

/** An ID no machine has, and a 4-character prefix (fleet matches only full or 8-character IDs). */
const MISSING_ID = 'deadbeefdeadbeef';

const NAME_PREFIXES = ['web', 'db', 'api', 'cache'] as const;
/** Unit names: `web-0.service` … `cache-5.service`. */
export const UNIT_NAMES: readonly string[] = NAME_PREFIXES.flatMap((prefix) => [0, 1, 2, 3, 4, 5].map((i) => `${prefix}-${i}.service`));

/** Globs for Conflicts and Replaces (Go path.Match): exact names, stars, `?`, classes, negated classes, an escape. */
const PATTERNS: readonly string[] = [
  ...UNIT_NAMES,
  'web-*',
  '*-1.service',
  'db-?.service',
  '[ac]*',
  'api-[0-2].service',
  '[^w]*-3.service',
  'cache\\-4.service',
  '*',
  'nothing-*',
];

const METADATA_PAIRS = ['region=us', 'region=eu', 'region=ap', 'disk=ssd', 'disk=hdd'] as const;

export interface GeneratedCluster {
  readonly machines: readonly FleetMachine[];
  readonly units: readonly FleetUnit[];
  /** What happens after the first fixed point; both sides then settle again. */
  readonly event: ClusterEvent;
}

export type ClusterEvent =
  | { readonly kind: 'none' }
  // Machines and units by index, modulo how many there are.
  | { readonly kind: 'remove-machine'; readonly machine: number }
  | { readonly kind: 'set-metadata'; readonly machine: number; readonly metadata: Readonly<Record<string, string>> }
  | { readonly kind: 'set-state'; readonly unit: number; readonly state: DesiredState }
  | { readonly kind: 'destroy'; readonly unit: number };

const metadataArb: fc.Arbitrary<Record<string, string>> = fc
  .record({ region: fc.constantFrom('us', 'eu', 'ap'), disk: fc.constantFrom('ssd', 'hdd') }, { requiredKeys: [] })
  .map((metadata) => ({ ...metadata }));

const machinesArb: fc.Arbitrary<FleetMachine[]> = fc.uniqueArray(fc.record({ id: fc.constantFrom(...MACHINE_IDS), metadata: metadataArb }), {
  selector: (machine) => machine.id,
  minLength: 3,
  maxLength: 12,
  size: 'max',
});

/** One option under one of its spellings. */
const spelled = (spellings: readonly string[], value: fc.Arbitrary<string>) =>
  fc.tuple(fc.constantFrom(...spellings), value).map(([name, v]): FleetOption => ({ name, value: v }));

/** Several values: one line each, or quoted on one line (`"a" "b"`), which fleet splits. */
const severalValues = (spellings: readonly string[], values: fc.Arbitrary<string[]>): fc.Arbitrary<FleetOption[]> =>
  fc
    .tuple(fc.constantFrom(...spellings), values, fc.boolean())
    .map(([name, vs, quoted]) => (quoted && vs.length > 1 ? [{ name, value: vs.map((v) => `"${v}"`).join(' ') }] : vs.map((value) => ({ name, value }))));

const machineIdOption = spelled(
  ['MachineID', 'X-ConditionMachineID', 'X-ConditionMachineBootID'],
  fc.oneof(
    { arbitrary: fc.constantFrom(...MACHINE_IDS), weight: 3 },
    { arbitrary: fc.constantFrom(...MACHINE_IDS.map((id) => id.slice(0, 8))), weight: 3 },
    { arbitrary: fc.constantFrom(MISSING_ID, MACHINE_IDS[0]?.slice(0, 4) ?? ''), weight: 1 },
  ),
).map((option) => [option]);

const metadataOptions = severalValues(
  ['MachineMetadata', 'X-ConditionMachineMetadata'],
  fc.uniqueArray(fc.constantFrom(...METADATA_PAIRS), { minLength: 1, maxLength: 3 }),
);

const machineOfOptions = severalValues(['MachineOf', 'X-ConditionMachineOf'], fc.uniqueArray(fc.constantFrom(...UNIT_NAMES), { minLength: 1, maxLength: 2 }));

/** Conflicts: fleet splits every value on whitespace, so one line may hold several globs unquoted. */
const conflictsOptions = fc
  .tuple(
    fc.constantFrom('Conflicts', 'X-Conflicts'),
    fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('lines', 'one line', 'quoted'),
  )
  .map(([name, patterns, layout]): FleetOption[] => {
    if (layout === 'one line') return [{ name, value: patterns.join(' ') }];
    if (layout === 'quoted' && patterns.length > 1) return [{ name, value: patterns.map((p) => `"${p}"`).join(' ') }];
    return patterns.map((value) => ({ name, value }));
  });

const globalOptions = fc
  .array(fc.constantFrom('true', 'yes', '1', 'on', 't', 'TRUE', 'false', 'no'), { minLength: 1, maxLength: 2 })
  .map((values) => values.map((value): FleetOption => ({ name: 'Global', value })));

/** Replaces: one glob per line or quoted on one line; fleet does NOT split an unquoted `a b` (a named difference). */
const replacesOptions = severalValues(['Replaces'], fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 2 }));

const desiredStateArb: fc.Arbitrary<DesiredState> = fc.oneof(
  { arbitrary: fc.constant('launched' as const), weight: 6 },
  { arbitrary: fc.constant('loaded' as const), weight: 3 },
  { arbitrary: fc.constant('inactive' as const), weight: 2 },
);

const unitArb = (withReplaces: boolean): fc.Arbitrary<FleetUnit> => {
  const none = fc.constant<FleetOption[]>([]);
  const maybe = (options: fc.Arbitrary<FleetOption[]>, weight: number) => fc.oneof({ arbitrary: none, weight: 10 - weight }, { arbitrary: options, weight });
  return fc
    .record({
      name: fc.constantFrom(...UNIT_NAMES),
      machineId: maybe(machineIdOption, 1),
      metadata: maybe(metadataOptions, 3),
      machineOf: maybe(machineOfOptions, 2),
      conflicts: maybe(conflictsOptions, 2),
      global: maybe(globalOptions, 1),
      replaces: withReplaces ? maybe(replacesOptions, 3) : none,
      state: desiredStateArb,
    })
    .map(({ name, state, machineOf, ...options }) => {
      // MachineOf naming the unit itself: fleetd refuses it at submit, fleet accepts it (a named difference).
      const unit: FleetUnit = { name, xFleet: [...Object.values(options).flat(), ...withoutSelf(machineOf, name)], targetState: state };
      return countedAlike(unit) ? unit : { ...unit, targetState: 'loaded' as const };
    });
};

/**
 * False for an inactive global unit: fleet's engine counts it on every machine
 * anyway (load, Conflicts, MachineOf), fleetd does not (a named difference), so
 * generated clusters have none.
 */
export function countedAlike(unit: FleetUnit): boolean {
  return !(unit.targetState === 'inactive' && isGlobal(unit));
}

/** MachineOf lines without the unit's own name (a line left empty is dropped). */
function withoutSelf(options: readonly FleetOption[], name: string): FleetOption[] {
  return options.flatMap((option) => {
    const values = parseMultivalueLine(option.value).filter((value) => value !== name);
    if (values.length === 0) return [];
    return [{ name: option.name, value: values.length === 1 ? (values[0] as string) : values.map((v) => `"${v}"`).join(' ') }];
  });
}

const eventArb: fc.Arbitrary<ClusterEvent> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('remove-machine' as const), machine: fc.nat(11) }),
  fc.record({ kind: fc.constant('set-metadata' as const), machine: fc.nat(11), metadata: metadataArb }),
  fc.record({ kind: fc.constant('set-state' as const), unit: fc.nat(UNIT_NAMES.length - 1), state: desiredStateArb }),
  fc.record({ kind: fc.constant('destroy' as const), unit: fc.nat(UNIT_NAMES.length - 1) }),
);

/** A random cluster; with `withReplaces`, some units replace others. */
export function clusterArbitrary(withReplaces: boolean): fc.Arbitrary<GeneratedCluster> {
  return fc.record({
    machines: machinesArb,
    units: fc.uniqueArray(unitArb(withReplaces), { selector: (unit) => unit.name, minLength: 1, maxLength: UNIT_NAMES.length, size: 'max' }),
    event: eventArb,
  });
}
