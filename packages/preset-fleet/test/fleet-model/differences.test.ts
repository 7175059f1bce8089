// Every known difference between fleet (the reference model) and fleetd, one
// named case each: the smallest cluster showing it, what fleet does and what
// fleetd does. The random comparison (compare.property.test.ts) leaves these
// out of its clusters; README.md lists them with the reasons.
import { describe, expect, it } from 'vitest';
import type { FleetUnit } from './job.js';
import type { FleetMachine } from './model.js';
import { fleetdOutcome, fleetOutcome, machine, unit } from './run-case.js';
import type { CaseOutcome, MetadataChange } from './run-case.js';

interface Difference {
  readonly name: string;
  readonly machines: readonly FleetMachine[];
  readonly units: readonly FleetUnit[];
  /** Machines whose metadata changes after the first fixed point; the outcomes are read after both settle again. */
  readonly then?: MetadataChange;
  /** What fleet does (the model): the parts of its outcome the case is about, compared exactly. */
  readonly fleet: Partial<CaseOutcome>;
  /** What fleetd does, the same way. */
  readonly fleetd: Partial<CaseOutcome>;
}

/** The fields `expected` names, taken from `actual`, so each is compared whole (an expected `{}` means none). */
function only(actual: CaseOutcome, expected: Partial<CaseOutcome>): Partial<CaseOutcome> {
  return Object.fromEntries(Object.keys(expected).map((key) => [key, actual[key as keyof CaseOutcome]]));
}

const two = [machine('m1'), machine('m2')];

/** Options fleet reads differently from fleetd, and what each side refuses at submit. */
const optionDifferences: Difference[] = [
  {
    name: 'an inactive global unit still counts in fleet’s engine: its Conflicts keep web.service off every machine, and a MachineOf on it holds',
    machines: two,
    units: [unit('g.service', ['Global=true', 'Conflicts=web.service'], 'inactive'), unit('web.service'), unit('follower.service', ['MachineOf=g.service'])],
    fleet: { placements: { 'follower.service': 'm1' }, globals: { 'g.service': ['m1', 'm2'] }, settled: true },
    fleetd: { placements: { 'web.service': 'm1' }, globals: { 'g.service': [] }, settled: true },
  },
  {
    name: 'an inactive global unit still counts in fleet’s engine: it loads the machines it would run on',
    machines: [machine('m1', { region: 'us' }), machine('m2')],
    units: [unit('g.service', ['Global=true', 'MachineMetadata=region=us'], 'inactive'), unit('web.service')],
    fleet: { placements: { 'web.service': 'm2' } },
    fleetd: { placements: { 'web.service': 'm1' } },
  },
  {
    name: 'a short ID two machines share: fleet takes the least loaded of them, fleetd finds it ambiguous and places nothing',
    machines: [machine('aaaaaaaa00000001'), machine('aaaaaaaa00000002')],
    units: [unit('web.service', ['MachineID=aaaaaaaa'])],
    fleet: { placements: { 'web.service': 'aaaaaaaa00000001' } },
    fleetd: { placements: {}, settled: true },
  },
  {
    name: 'a MachineID that is one machine’s full ID and another’s short ID: fleet matches both and takes the less loaded, fleetd takes the full match',
    machines: [machine('aaaaaaaa'), machine('aaaaaaaa00000002')],
    units: [unit('a-filler.service', ['MachineID=aaaaaaaa']), unit('web.service', ['MachineID=aaaaaaaa'])],
    fleet: { placements: { 'a-filler.service': 'aaaaaaaa', 'web.service': 'aaaaaaaa00000002' } },
    fleetd: { placements: { 'a-filler.service': 'aaaaaaaa', 'web.service': 'aaaaaaaa' } },
  },
  {
    name: 'unquoted metadata pairs on one line: fleet ignores the value (three parts at "="), fleetd wants region to equal "us disk=ssd"',
    machines: [machine('m1'), machine('m2', { region: 'us', disk: 'ssd' })],
    units: [unit('web.service', ['MachineMetadata=region=us disk=ssd'])],
    fleet: { placements: { 'web.service': 'm1' } },
    fleetd: { refused: {}, placements: {} },
  },
  {
    name: 'MachineMetadata=a=b=c: fleet ignores the value, fleetd wants a to equal "b=c"',
    machines: [machine('m1'), machine('m2', { a: 'b=c' })],
    units: [unit('web.service', ['MachineMetadata=a=b=c'])],
    fleet: { placements: { 'web.service': 'm1' } },
    fleetd: { placements: { 'web.service': 'm2' } },
  },
  {
    name: 'MachineMetadata=region!=us: fleet wants a key "region!" no machine has, fleetd reads "not us"',
    machines: [machine('m1', { region: 'us' }), machine('m2', { region: 'eu' })],
    units: [unit('web.service', ['MachineMetadata=region!=us'])],
    fleet: { placements: {}, settled: true },
    fleetd: { placements: { 'web.service': 'm2' } },
  },
  {
    name: 'two unquoted names in MachineOf: fleet wants one unit called "db.service cache.service", fleetd both units',
    machines: two,
    units: [unit('db.service'), unit('cache.service', ['MachineOf=db.service']), unit('app.service', ['MachineOf=db.service cache.service'])],
    fleet: { placements: { 'cache.service': 'm1', 'db.service': 'm1' } },
    fleetd: { placements: { 'app.service': 'm1', 'cache.service': 'm1', 'db.service': 'm1' } },
  },
  {
    name: 'an [X-Fleet] key fleet does not know: fleetctl warns and submits it (the API does not look), fleetd refuses it',
    machines: two,
    units: [unit('web.service', ['Zone=a'])],
    fleet: { refused: {}, placements: { 'web.service': 'm1' } },
    fleetd: { refused: { 'web.service': 'unit web.service: unrecognized [X-Fleet] option Zone' } },
  },
  {
    name: 'MachineOf naming the unit itself: fleet accepts it and never places it, fleetd refuses it',
    machines: two,
    units: [unit('web.service', ['MachineOf=web.service'])],
    fleet: { refused: {}, placements: {} },
    fleetd: { refused: { 'web.service': 'unit web.service: MachineOf names the unit itself' } },
  },
  {
    name: 'a MachineOf peer that is no unit name: fleet accepts it and never places it, fleetd refuses it',
    machines: two,
    units: [unit('web.service', ['MachineOf=db'])],
    fleet: { refused: {}, placements: {} },
    fleetd: {
      refused: {
        'web.service':
          'unit web.service: MachineOf: invalid unit name "db": it has no type suffix (one of .automount, .busname, .device, .mount, .path, .scope, .service, .slice, .snapshot, .socket, .swap, .target, .timer)',
      },
    },
  },
  {
    name: 'a malformed Conflicts glob: fleet accepts it and it matches nothing, fleetd refuses it',
    machines: [machine('m1')],
    units: [unit('db.service'), unit('web.service', ['Conflicts=db-['])],
    fleet: { refused: {}, placements: { 'db.service': 'm1', 'web.service': 'm1' } },
    fleetd: { refused: { 'web.service': 'unit web.service: Conflicts pattern "db-[" is malformed: unterminated character class' } },
  },
  {
    name: 'an empty MachineID: fleet accepts it and never places the unit, fleetd refuses it',
    machines: two,
    units: [unit('web.service', ['MachineID='])],
    fleet: { refused: {}, placements: {} },
    fleetd: { refused: { 'web.service': 'unit web.service: MachineID is empty' } },
  },
  {
    name: 'MachineMetadata without "=": fleet accepts and ignores it, fleetd refuses it',
    machines: two,
    units: [unit('web.service', ['MachineMetadata=region'])],
    fleet: { refused: {}, placements: { 'web.service': 'm1' } },
    fleetd: { refused: { 'web.service': 'unit web.service: MachineMetadata "region": no operator (use =, !=, >=, >, <= or <)' } },
  },
];

const three = [machine('m1'), machine('m2'), machine('m3')];

/**
 * Replaces (issue 16, items 9–11): fleetd runs both units of a pair apart
 * wherever fleet's rules allow, and settles where fleet never does. Where the
 * machine fleetd picks is its own choice, the case says which units run and
 * that fleetd obeys fleet's rules (rules.ts), rather than where.
 */
const replacesDifferences: Difference[] = [
  {
    name: 'a replacer that cannot run on the replaced unit’s machine: fleet places it elsewhere, and so does fleetd (item 9)',
    machines: [machine('m1', { region: 'us' }), machine('m2')],
    units: [unit('a-old.service', ['MachineID=m2']), unit('b-new.service', ['Replaces=a-old.service', 'MachineMetadata=region=us'])],
    fleet: { placements: { 'a-old.service': 'm2', 'b-new.service': 'm1' }, settled: true },
    fleetd: { placements: { 'a-old.service': 'm2', 'b-new.service': 'm1' }, settled: true },
  },
  {
    name: 'the replaced unit judged first keeps its machine: fleet moves its replacer away instead, and fleetd ends the same',
    machines: two,
    units: [
      unit('a-filler.service', ['MachineID=m2']),
      unit('a-filler2.service', ['MachineID=m2']),
      unit('a-old.service', ['MachineID=m1']),
      unit('b-new.service', ['Replaces=a-old.service']),
    ],
    fleet: { placements: { 'a-filler.service': 'm2', 'a-filler2.service': 'm2', 'a-old.service': 'm1', 'b-new.service': 'm2' }, settled: true },
    fleetd: { placements: { 'a-filler.service': 'm2', 'a-filler2.service': 'm2', 'a-old.service': 'm1', 'b-new.service': 'm2' }, settled: true },
  },
  {
    name: 'a replaced unit with its own constraints: fleet moves it off and back every round and never settles; fleetd runs both apart (item 10)',
    machines: [machine('m1', { region: 'us' }), machine('m2'), machine('m3')],
    units: [unit('new.service', ['Replaces=old.service']), unit('old.service', ['MachineMetadata=region=us'])],
    fleet: { placements: { 'new.service': 'm1', 'old.service': 'm1' }, settled: false },
    fleetd: { runs: ['new.service', 'old.service'], violations: [], settled: true },
  },
  {
    name: 'two replacers of one unit on two machines: fleet ends with both replacers together and the replaced unit alone; fleetd runs all three',
    machines: two,
    units: [unit('a.service', ['Replaces=z.service']), unit('b.service', ['Replaces=z.service']), unit('z.service')],
    fleet: { placements: { 'a.service': 'm2', 'b.service': 'm2', 'z.service': 'm1' }, settled: true },
    fleetd: { runs: ['a.service', 'b.service', 'z.service'], violations: [], settled: true },
  },
  {
    name: 'a replaced unit whose MachineOf peer is pinned where its replacer went: fleet moves the replacer away, fleetd runs all three',
    machines: two,
    units: [unit('a-old.service', ['MachineOf=c-peer.service']), unit('b-new.service', ['Replaces=a-old.service']), unit('c-peer.service', ['MachineID=m1'])],
    fleet: { placements: { 'a-old.service': 'm1', 'b-new.service': 'm2', 'c-peer.service': 'm1' }, settled: true },
    fleetd: { runs: ['a-old.service', 'b-new.service', 'c-peer.service'], violations: [], settled: true },
  },
  {
    name: 'a replacer whose MachineOf chain leads to the unit it replaces: fleet unschedules the replaced unit and places it back every round; fleetd leaves the replacer out',
    machines: two,
    units: [
      unit('web-1.service'),
      unit('web-2.service', ['MachineOf=web-1.service']),
      unit('web-3.service', ['Replaces=web-1.service', 'MachineOf=web-2.service']),
    ],
    fleet: { settled: false },
    fleetd: { runs: ['web-1.service', 'web-2.service'], violations: [], settled: true },
  },
  {
    name: 'a replacer whose MachineOf chain leads to the unit it replaces, named before its peer: fleet never settles; fleetd leaves the replacer out',
    machines: [machine('m1')],
    units: [
      unit('a-peer.service'),
      unit('b-new.service', ['Replaces=a-peer.service', 'MachineOf=c-follow.service']),
      unit('c-follow.service', ['MachineOf=a-peer.service']),
    ],
    fleet: { settled: false },
    fleetd: { runs: ['a-peer.service', 'c-follow.service'], violations: [], settled: true },
  },
  {
    name: 'a replacer of placed units and of a global unit that fits on one machine only: fleet moves the placed units, fleetd runs all five (the replacer decided after the units it replaces)',
    machines: [machine('m1', { disk: 'ssd' }), machine('m2')],
    units: [
      unit('a-one.service'),
      unit('db-g.service', ['Global=true', 'MachineMetadata=disk=ssd']),
      unit('db-x.service'),
      unit('e-new.service', ['Replaces=db-?.service', 'Replaces=f-old.service']),
      unit('f-old.service'),
    ],
    fleet: {
      placements: { 'a-one.service': 'm2', 'db-x.service': 'm1', 'e-new.service': 'm2', 'f-old.service': 'm1' },
      globals: { 'db-g.service': ['m1'] },
      settled: true,
    },
    fleetd: { runs: ['a-one.service', 'db-g.service', 'db-x.service', 'e-new.service', 'f-old.service'], violations: [], settled: true },
  },
  {
    name: 'a Replaces glob matching a global unit: fleet sends tasks every round (writing nothing after the first) and leaves both together; fleetd keeps the global unit off the replacer’s machine',
    machines: three,
    units: [unit('g.service', ['Global=true']), unit('new.service', ['Replaces=g*'])],
    fleet: { placements: { 'new.service': 'm1' }, globals: { 'g.service': ['m1', 'm2', 'm3'] }, settled: true, busy: true },
    fleetd: { runs: ['g.service', 'new.service'], running: 3, violations: [], settled: true },
  },
  {
    name: 'a mutual pair is ignored: fleet runs both on one machine, and so does fleetd',
    machines: [machine('m1')],
    units: [unit('a.service', ['Replaces=b.service']), unit('b.service', ['Replaces=a.service'])],
    fleet: { placements: { 'a.service': 'm1', 'b.service': 'm1' }, settled: true },
    fleetd: { placements: { 'a.service': 'm1', 'b.service': 'm1' }, settled: true },
  },
  {
    name: 'a Replaces cycle of three on three machines: fleet runs all three apart, and so does fleetd (item 11)',
    machines: three,
    units: [unit('a.service', ['Replaces=b.service']), unit('b.service', ['Replaces=c.service']), unit('c.service', ['Replaces=a.service'])],
    fleet: { placements: { 'a.service': 'm1', 'b.service': 'm2', 'c.service': 'm3' }, settled: true },
    fleetd: { runs: ['a.service', 'b.service', 'c.service'], violations: [], settled: true },
  },
  {
    name: 'a Replaces cycle of three on one machine: fleet moves one unit every round and never settles; fleetd runs one and settles',
    machines: [machine('m1')],
    units: [unit('a.service', ['Replaces=b.service']), unit('b.service', ['Replaces=c.service']), unit('c.service', ['Replaces=a.service'])],
    fleet: { settled: false },
    fleetd: { running: 1, violations: [], settled: true },
  },
  {
    name: 'two unquoted globs in Replaces: fleet reads one pattern that matches nothing and runs both together; fleetd replaces each, so one runs',
    machines: [machine('m1')],
    units: [unit('a.service'), unit('new.service', ['Replaces=a.service b.service'])],
    fleet: { placements: { 'a.service': 'm1', 'new.service': 'm1' }, settled: true },
    fleetd: { running: 1, settled: true },
  },
];

/**
 * Where fleet runs more units than fleetd with Replaces, each reason the
 * property accepts (compare.property.test.ts, shortfall.ts), in its smallest cluster.
 */
const shortfalls: Difference[] = [
  {
    name: 'fleet runs it only through an unchecked move: c-new placed next to a-old (the only ssd machine) is moved to m2 without AbleToRun, beside b-other it conflicts with, which then moves to m1; fleetd never places a unit unchecked, keeps c-new on m1 and leaves a-old out',
    machines: [machine('m1', { disk: 'ssd' }), machine('m2')],
    units: [
      unit('a-old.service', ['MachineMetadata=disk=ssd']),
      unit('b-other.service', ['Conflicts=c-new.service']),
      unit('c-new.service', ['Replaces=a-old.service']),
    ],
    fleet: {
      placements: { 'a-old.service': 'm1', 'b-other.service': 'm1', 'c-new.service': 'm2' },
      settled: true,
      uncheckedMoves: ['c-new.service m1 → m2 (refused there)'],
    },
    fleetd: { placements: { 'b-other.service': 'm2', 'c-new.service': 'm1' }, violations: [], settled: true },
  },
  {
    name: 'fleet runs it only through an unchecked move: a-new (Replaces=*) placed first on m1 pushes d-two to m2 (allowed there, never asked); fleetd decides a-new last, takes m2 and leaves c-ap (region=ap, m2 only) out',
    machines: [machine('m1'), machine('m2', { region: 'ap' })],
    units: [unit('a-new.service', ['Replaces=*']), unit('b-one.service'), unit('c-ap.service', ['MachineMetadata=region=ap']), unit('d-two.service')],
    fleet: {
      placements: { 'a-new.service': 'm1', 'b-one.service': 'm2', 'c-ap.service': 'm2', 'd-two.service': 'm2' },
      settled: true,
      uncheckedMoves: ['d-two.service m1 → m2 (allowed there)'],
    },
    fleetd: { placements: { 'a-new.service': 'm2', 'b-one.service': 'm1', 'd-two.service': 'm1' }, violations: [], settled: true },
  },
  {
    name: 'deciding the replacer after the units it replaces changes greedy order: fleet places db-0 first and db-1 follows it (4 run); fleetd places db-3 on db-0’s machine first, so db-1 (Conflicts db-3, MachineOf db-0) cannot run (3 run)',
    machines: two,
    units: [
      unit('db-0.service', ['Replaces=web-5.service']),
      unit('db-1.service', ['Conflicts=db-3.service', 'MachineOf=db-0.service']),
      unit('db-3.service'),
      unit('web-5.service'),
    ],
    fleet: {
      placements: { 'db-0.service': 'm1', 'db-1.service': 'm1', 'db-3.service': 'm2', 'web-5.service': 'm2' },
      running: 4,
      violations: [],
      settled: true,
    },
    fleetd: { placements: { 'db-0.service': 'm1', 'db-3.service': 'm1', 'web-5.service': 'm2' }, running: 3, violations: [], settled: true },
  },
  {
    name: 'only moving a placed unit that may stay would let it run: fleet puts db-0 (disk=ssd) on m1 and its replacer web-0 on m2 from the start; fleetd’s greedy order (web-0 decided after db-0) puts db-0 on m2 and web-0 on m1; when m2 loses disk=ssd, fleet moves nothing (5 run) and fleetd leaves db-0 out: web-0, which replaces it, stays on m1, the only ssd machine, though it could run on m3 (no rebalancing; 4 run; seed 160016, 1,500 clusters)',
    machines: [machine('m1', { disk: 'ssd' }), machine('m2', { disk: 'ssd' }), machine('m3')],
    then: [machine('m2')],
    units: [
      unit('api-2.service', ['Replaces=web-0.service']),
      unit('api-4.service'),
      unit('db-0.service', ['MachineMetadata=disk=ssd']),
      unit('db-2.service'),
      unit('web-0.service', ['Replaces=db-0.service']),
    ],
    fleet: {
      placements: { 'api-2.service': 'm1', 'api-4.service': 'm2', 'db-0.service': 'm1', 'db-2.service': 'm3', 'web-0.service': 'm2' },
      running: 5,
      violations: [],
      settled: true,
      uncheckedMoves: [],
    },
    fleetd: {
      placements: { 'api-2.service': 'm2', 'api-4.service': 'm1', 'db-2.service': 'm3', 'web-0.service': 'm1' },
      running: 4,
      violations: [],
      settled: true,
    },
  },
];

describe('differences between fleet and fleetd', () => {
  it.each([...optionDifferences, ...replacesDifferences, ...shortfalls])('$name', async ({ machines, units, then = [], fleet, fleetd }) => {
    expect(only(fleetOutcome(machines, units, then), fleet)).toEqual(fleet);
    expect(only(await fleetdOutcome(machines, units, then), fleetd)).toEqual(fleetd);
  });
});
