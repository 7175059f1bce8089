/**
 * The units a chaos run submits: ~60 units mixing every constraint fleet has
 * (Conflicts globs, MachineOf pairs, Global units, MachineMetadata), on three
 * machines with metadata. The workload is chosen so that every unit can be
 * placed once all three machines are back whatever the engine decided while
 * some were gone: a conflict group never has more members than machines can
 * take, and no unit depends on a move the engine never makes.
 */

export type DesiredState = 'inactive' | 'loaded' | 'launched';

export interface MachineSpec {
  readonly id: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly publicIP: string;
}

export const CHAOS_MACHINES: readonly MachineSpec[] = [
  { id: 'm1', metadata: { zone: 'a', disk: 'ssd' }, publicIP: '10.0.0.1' },
  { id: 'm2', metadata: { zone: 'b', disk: 'ssd' }, publicIP: '10.0.0.2' },
  { id: 'm3', metadata: { zone: 'c', disk: 'hdd' }, publicIP: '10.0.0.3' },
];

/** What a unit asks of the scheduler, as the checker reads it (independently of fleetd's plugins). */
export interface UnitSpec {
  readonly name: string;
  readonly desired: DesiredState;
  readonly conflicts: readonly string[];
  readonly machineOf?: string;
  readonly global: boolean;
  /** key → accepted values (one of them must match; every key must). */
  readonly metadata: Readonly<Record<string, readonly string[]>>;
}

export interface UnitOption {
  readonly section: string;
  readonly name: string;
  readonly value: string;
}

interface Extra {
  readonly desired?: DesiredState;
  readonly conflicts?: readonly string[];
  readonly machineOf?: string;
  readonly global?: boolean;
  readonly metadata?: Readonly<Record<string, readonly string[]>>;
}

function unit(name: string, extra: Extra = {}): UnitSpec {
  return {
    name,
    desired: extra.desired ?? 'launched',
    conflicts: extra.conflicts ?? [],
    ...(extra.machineOf === undefined ? {} : { machineOf: extra.machineOf }),
    global: extra.global ?? false,
    metadata: extra.metadata ?? {},
  };
}

const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i + 1);

/** The initial 60 units. */
export function chaosWorkload(): UnitSpec[] {
  return [
    ...range(21).map((i) => unit(`plain-${i}.service`)),
    // Conflict groups no larger than the machines that may take them.
    ...range(3).map((i) => unit(`spread-a-${i}.service`, { conflicts: ['spread-a-*.service'] })),
    ...range(3).map((i) => unit(`spread-b-${i}.service`, { conflicts: ['spread-b-*.service'] })),
    ...range(2).map((i) => unit(`ssdpair-${i}.service`, { conflicts: ['ssdpair-*.service'], metadata: { disk: ['ssd'] } })),
    // One unit conflicting with a group of two (several globs), not the group with itself.
    unit('db-1.service', { conflicts: ['cache-1.service', 'cache-2.service'] }),
    ...range(2).map((i) => unit(`cache-${i}.service`)),
    // MachineOf pairs: a follower lives where its leader lives.
    ...range(5).flatMap((i) => [
      unit(`app-${i}.service`, i === 1 ? { metadata: { disk: ['ssd'] } } : i === 2 ? { metadata: { zone: ['c'] } } : {}),
      unit(`app-${i}-sidecar.service`, { machineOf: `app-${i}.service` }),
    ]),
    // MachineMetadata, including two values of one key (either may match).
    ...range(2).map((i) => unit(`zone-a-${i}.service`, { metadata: { zone: ['a'] } })),
    ...range(2).map((i) => unit(`hdd-${i}.service`, { metadata: { disk: ['hdd'] } })),
    ...range(3).map((i) => unit(`ssd-${i}.service`, { metadata: { disk: ['ssd'] } })),
    unit('zone-bc-1.service', { metadata: { zone: ['b', 'c'] } }),
    // Global units: on every machine, or on every machine with an SSD.
    ...range(3).map((i) => unit(`global-all-${i}.service`, { global: true })),
    ...range(2).map((i) => unit(`global-ssd-${i}.service`, { global: true, metadata: { disk: ['ssd'] } })),
    // Units that must run nowhere: loaded (placed, not started) and inactive (not placed).
    ...range(3).map((i) => unit(`idle-${i}.service`, { desired: 'loaded' })),
    ...range(2).map((i) => unit(`parked-${i}.service`, { desired: 'inactive' })),
  ];
}

/** A unit the churn submits: plain, or with metadata so churn exercises the filters too. */
export function churnUnit(index: number): UnitSpec {
  return index % 3 === 0 ? unit(`churn-${index}.service`, { metadata: { disk: ['ssd'] } }) : unit(`churn-${index}.service`);
}

/** The unit file as fleet's API takes it: options in file order. */
export function unitOptions(spec: UnitSpec): UnitOption[] {
  const options: UnitOption[] = [
    { section: 'Unit', name: 'Description', value: `chaos ${spec.name}` },
    // A long sleep: the unit runs until fleetd stops it, so "running" means fleetd wants it running.
    { section: 'Service', name: 'ExecStart', value: '/bin/sleep 100000' },
  ];
  const fleet = (name: string, value: string): void => void options.push({ section: 'X-Fleet', name, value });
  if (spec.conflicts.length > 0) fleet('Conflicts', spec.conflicts.join(' '));
  if (spec.machineOf !== undefined) fleet('MachineOf', spec.machineOf);
  if (spec.global) fleet('Global', 'true');
  // One option per value: the same key repeated means any of its values.
  for (const [key, values] of Object.entries(spec.metadata)) for (const value of values) fleet('MachineMetadata', `${key}=${value}`);
  return options;
}
