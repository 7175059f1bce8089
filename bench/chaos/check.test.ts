// The chaos verdict on hand-made views of etcd and systemd: a healthy cluster
// passes, and each kind of damage is named, with its unit and machine.
import { describe, expect, it } from 'vitest';
import { checkCluster, describeViolation, globMatches } from './check.js';
import type { EtcdView, Expected } from './check.js';
import { CHAOS_MACHINES, unitOptions } from './workload.js';
import type { UnitSpec } from './workload.js';

const spec = (name: string, extra: Partial<UnitSpec> = {}): UnitSpec => ({ name, desired: 'launched', conflicts: [], global: false, metadata: {}, ...extra });

const SPECS = [
  spec('spread-a-1.service', { conflicts: ['spread-a-*.service'] }),
  spec('spread-a-2.service', { conflicts: ['spread-a-*.service'] }),
  spec('app-1.service'),
  spec('app-1-sidecar.service', { machineOf: 'app-1.service' }),
  spec('ssd-1.service', { metadata: { disk: ['ssd'] } }),
  spec('global-ssd-1.service', { global: true, metadata: { disk: ['ssd'] } }),
  spec('idle-1.service', { desired: 'loaded' }),
];

interface World {
  expected: { units: Map<string, { spec: UnitSpec; options: ReturnType<typeof unitOptions> }>; destroyed: Set<string> };
  etcd: {
    units: Map<string, ReturnType<typeof unitOptions>>;
    desired: Map<string, string>;
    placements: Map<string, string>;
    machines: Set<string>;
    states: Map<string, Map<string, { activeState: string; subState: string }>>;
  };
  systemd: Map<string, Set<string>>;
}

/** A converged cluster: spread-a-1 on m1, spread-a-2 and idle-1 on m2, the app pair on m3, ssd-1 on m1, the global unit on m1 and m2. */
function healthy(): World {
  const placements: Record<string, string> = {
    'spread-a-1.service': 'm1',
    'spread-a-2.service': 'm2',
    'app-1.service': 'm3',
    'app-1-sidecar.service': 'm3',
    'ssd-1.service': 'm1',
    'idle-1.service': 'm2',
  };
  const running: Record<string, string[]> = {
    m1: ['spread-a-1.service', 'ssd-1.service', 'global-ssd-1.service'],
    m2: ['spread-a-2.service', 'global-ssd-1.service'],
    m3: ['app-1.service', 'app-1-sidecar.service'],
  };
  const active = { activeState: 'active', subState: 'running' };
  const states = new Map(Object.entries(running).map(([machine, units]) => [machine, new Map(units.map((unit) => [unit, { ...active }]))]));
  states.get('m2')?.set('idle-1.service', { activeState: 'inactive', subState: 'dead' });
  return {
    expected: { units: new Map(SPECS.map((s) => [s.name, { spec: s, options: unitOptions(s) }])), destroyed: new Set(['churn-9.service']) },
    etcd: {
      units: new Map(SPECS.map((s) => [s.name, unitOptions(s)])),
      desired: new Map(SPECS.map((s) => [s.name, s.desired])),
      placements: new Map(Object.entries(placements)),
      machines: new Set(['m1', 'm2', 'm3']),
      states,
    },
    systemd: new Map(Object.entries(running).map(([machine, units]) => [machine, new Set(units)])),
  };
}

const verdict = (world: World): string[] =>
  checkCluster(world.expected as Expected, CHAOS_MACHINES, world.etcd as EtcdView, world.systemd).map(describeViolation);

describe('chaos verdict', () => {
  it('finds nothing wrong with a converged cluster', () => {
    expect(verdict(healthy())).toEqual([]);
  });

  it.each([
    {
      name: 'a unit running on two machines',
      damage: (w: World) => w.systemd.get('m3')?.add('ssd-1.service'),
      expected: [
        'runs-more-than-once ssd-1.service: runs on m1, m3',
        'placement-wrong ssd-1.service on m3: runs there but etcd places it on m1',
        'metadata ssd-1.service on m3: requires {"disk":["ssd"]}, machine has {"zone":"c","disk":"hdd"}',
      ],
    },
    {
      name: 'a launched unit running nowhere',
      damage: (w: World) => w.systemd.get('m1')?.delete('ssd-1.service'),
      expected: ['not-running ssd-1.service: launched but runs on no machine (placement: m1)'],
    },
    {
      name: 'two conflicting units on one machine',
      damage: (w: World) => (
        w.systemd.get('m2')?.delete('spread-a-2.service'),
        w.systemd.get('m1')?.add('spread-a-2.service'),
        w.etcd.placements.set('spread-a-2.service', 'm1'),
        w.etcd.states.get('m1')?.set('spread-a-2.service', { activeState: 'active', subState: 'running' })
      ),
      expected: ['conflict spread-a-1.service+spread-a-2.service on m1: conflicting units run on the same machine'],
    },
    {
      name: 'a MachineOf follower away from its leader',
      damage: (w: World) => (
        w.systemd.get('m3')?.delete('app-1-sidecar.service'),
        w.systemd.get('m2')?.add('app-1-sidecar.service'),
        w.etcd.placements.set('app-1-sidecar.service', 'm2'),
        w.etcd.states.get('m2')?.set('app-1-sidecar.service', { activeState: 'active', subState: 'running' })
      ),
      expected: ['machine-of app-1-sidecar.service on m2: its leader app-1.service is placed on m3'],
    },
    {
      name: 'a global unit missing on an eligible machine',
      damage: (w: World) => (w.systemd.get('m2')?.delete('global-ssd-1.service'), w.etcd.states.get('m2')?.delete('global-ssd-1.service')),
      expected: [
        'global-missing global-ssd-1.service on m2: eligible machine does not run this global unit',
        'state-wrong global-ssd-1.service on m2: no state reported in etcd for a launched unit',
      ],
    },
    {
      name: 'a global unit on a machine its metadata excludes',
      damage: (w: World) => w.systemd.get('m3')?.add('global-ssd-1.service'),
      expected: ['global-ineligible global-ssd-1.service on m3: requires {"disk":["ssd"]}'],
    },
    {
      name: 'a loaded unit running',
      damage: (w: World) => w.systemd.get('m2')?.add('idle-1.service'),
      expected: ['runs-but-should-not idle-1.service on m2: desired state is loaded'],
    },
    {
      name: 'a destroyed unit still running',
      damage: (w: World) => w.systemd.get('m3')?.add('churn-9.service'),
      expected: ['runs-but-should-not churn-9.service on m3: destroyed but still running'],
    },
    {
      name: 'a destroyed unit back in etcd',
      damage: (w: World) => w.etcd.desired.set('churn-9.service', 'launched'),
      expected: ['unit-resurrected churn-9.service: destroyed (acknowledged) but back in etcd'],
    },
    {
      name: 'a unit lost from etcd',
      damage: (w: World) => (w.etcd.units.delete('idle-1.service'), w.etcd.desired.delete('idle-1.service')),
      expected: ['unit-lost idle-1.service: acknowledged unit is not in etcd'],
    },
    {
      name: 'a desired state other than the acknowledged one',
      damage: (w: World) => w.etcd.desired.set('idle-1.service', 'inactive'),
      expected: ['desired-state-wrong idle-1.service: desired inactive, acknowledged loaded'],
    },
    {
      name: 'stored options other than the submitted ones',
      damage: (w: World) => w.etcd.units.set('idle-1.service', unitOptions(spec('idle-1.service', { global: true }))),
      expected: ['unit-changed idle-1.service: stored options differ from the submitted ones'],
    },
    {
      name: 'a running unit whose agent reports it failed',
      damage: (w: World) => w.etcd.states.get('m1')?.set('ssd-1.service', { activeState: 'failed', subState: 'failed' }),
      expected: ['state-wrong ssd-1.service on m1: reported failed/failed in etcd for a launched unit'],
    },
    {
      name: 'a machine whose presence is gone',
      damage: (w: World) => w.etcd.machines.delete('m2'),
      expected: ['machine-missing on m2: no presence key in etcd after every fault was repaired'],
    },
  ])('names $name', ({ damage, expected }) => {
    const world = healthy();
    damage(world);
    expect(verdict(world)).toEqual(expected);
  });

  it.each([
    { name: 'a star matches any run of characters', pattern: 'spread-a-*.service', unit: 'spread-a-12.service', matches: true },
    { name: 'the rest matches literally', pattern: 'spread-a-*.service', unit: 'spread-b-1.service', matches: false },
    { name: 'dots are not wildcards', pattern: 'db.service', unit: 'dbxservice', matches: false },
    { name: 'a star does not cross a slash (Go path.Match)', pattern: 'a*', unit: 'a/b', matches: false },
  ])('globs: $name', ({ pattern, unit, matches }) => {
    expect(globMatches(pattern, unit)).toBe(matches);
  });
});
