import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY, selectUnits, unitMachine, type UnitsQuery } from './query.js';
import { countByState, machineUnits, unschedulableUnits } from './select.js';
import { unit } from './testing/fixtures.js';

const units = [
  unit('web@1.service', { machineID: 'beta', hash: 'c1' }),
  unit('web@2.service', { machineID: 'alpha', currentState: 'loaded', desiredState: 'loaded', hash: 'a1' }),
  unit('db.service', { currentState: 'inactive', unschedulable: '0/2 machines available: 2 metadata disk=ssd not matched', hash: 'b1' }),
  unit('logs.service', {
    global: true,
    states: [
      { machineID: 'alpha', load: 'loaded', active: 'active', sub: 'running', hash: 'd1' },
      { machineID: 'gamma', load: 'loaded', active: 'failed', sub: 'failed', hash: 'd1' },
    ],
    hash: 'd1',
  }),
  unit('cache.service', { machineID: 'gamma', currentState: 'inactive', desiredState: 'inactive', hash: 'e1' }),
];

function names(query: Partial<UnitsQuery>): string[] {
  return selectUnits(units, { ...DEFAULT_QUERY, ...query }).map((u) => u.name);
}

describe('selectUnits', () => {
  it.each([
    { name: 'everything, by name', query: {}, expected: ['cache.service', 'db.service', 'logs.service', 'web@1.service', 'web@2.service'] },
    { name: 'a name substring, any case', query: { q: 'WEB@' }, expected: ['web@1.service', 'web@2.service'] },
    { name: 'a machine', query: { q: 'alpha' }, expected: ['logs.service', 'web@2.service'] },
    { name: 'a state', query: { q: 'loaded' }, expected: ['web@2.service'] },
    { name: 'the word unschedulable', query: { q: 'unschedulable' }, expected: ['db.service'] },
    { name: 'spaces around the text', query: { q: '  db ' }, expected: ['db.service'] },
    { name: 'nothing matching', query: { q: 'nope' }, expected: [] },
    { name: 'state launched', query: { state: 'launched' }, expected: ['logs.service', 'web@1.service'] },
    { name: 'state inactive', query: { state: 'inactive' }, expected: ['cache.service', 'db.service'] },
    { name: 'state unschedulable', query: { state: 'unschedulable' }, expected: ['db.service'] },
    { name: 'text and state together', query: { q: 'service', state: 'loaded' }, expected: ['web@2.service'] },
  ] as const)('filters: $name', ({ query, expected }) => {
    expect(names(query)).toEqual(expected);
  });

  it.each([
    {
      name: 'name descending',
      query: { sort: 'name', descending: true },
      expected: ['web@2.service', 'web@1.service', 'logs.service', 'db.service', 'cache.service'],
    },
    // Ties (the two launched, the two inactive) go by name ascending, in either direction.
    { name: 'current state', query: { sort: 'current' }, expected: ['cache.service', 'db.service', 'logs.service', 'web@1.service', 'web@2.service'] },
    {
      name: 'current state descending',
      query: { sort: 'current', descending: true },
      expected: ['web@2.service', 'logs.service', 'web@1.service', 'cache.service', 'db.service'],
    },
    { name: 'desired state', query: { sort: 'desired' }, expected: ['cache.service', 'db.service', 'logs.service', 'web@1.service', 'web@2.service'] },
    // Unplaced ('') first, a global by its machines ("alpha, gamma").
    { name: 'machine', query: { sort: 'machine' }, expected: ['db.service', 'web@2.service', 'logs.service', 'web@1.service', 'cache.service'] },
    { name: 'hash', query: { sort: 'hash' }, expected: ['web@2.service', 'db.service', 'web@1.service', 'logs.service', 'cache.service'] },
  ] as const)('sorts: $name', ({ query, expected }) => {
    expect(names(query)).toEqual(expected);
  });

  it('leaves its input alone', () => {
    const input = [...units];
    selectUnits(input, { ...DEFAULT_QUERY, sort: 'hash', descending: true });
    expect(input).toEqual(units);
  });

  it('sees a unit upserted with new fields (the search text is kept per unit object)', () => {
    const before = unit('moving.service', { machineID: 'alpha' });
    expect(selectUnits([before], { ...DEFAULT_QUERY, q: 'beta' })).toEqual([]);
    const after = { ...before, machineID: 'beta' };
    expect(selectUnits([after], { ...DEFAULT_QUERY, q: 'beta' })).toEqual([after]);
  });
});

describe('what the views derive', () => {
  it.each([
    { name: 'a placed unit', unit: units[0]!, expected: 'beta' },
    { name: 'a global unit', unit: units[3]!, expected: 'alpha, gamma' },
    { name: 'an unplaced unit', unit: units[2]!, expected: '' },
  ])('unitMachine: $name', ({ unit: subject, expected }) => {
    expect(unitMachine(subject)).toBe(expected);
  });

  it('counts units by current state, and the unschedulable ones', () => {
    expect(countByState(units)).toEqual({ total: 5, launched: 2, loaded: 1, inactive: 2, unschedulable: 1 });
  });

  it('lists the unschedulable units by name', () => {
    const stuck = [unit('z.service', { unschedulable: 'r1' }), unit('a.service'), unit('b.service', { unschedulable: 'r2' })];
    expect(unschedulableUnits(stuck).map((u) => u.name)).toEqual(['b.service', 'z.service']);
  });

  it.each([
    {
      name: 'reported states and a placement not reported yet',
      machine: 'alpha',
      expected: [
        { name: 'logs.service', load: 'loaded', active: 'active', sub: 'running' },
        { name: 'web@2.service', load: '', active: '', sub: '' },
      ],
    },
    {
      name: 'a global failed there',
      machine: 'gamma',
      expected: [expect.objectContaining({ name: 'cache.service' }), expect.objectContaining({ name: 'logs.service', active: 'failed' })],
    },
    { name: 'a machine without units', machine: 'delta', expected: [] },
  ])('machineUnits: $name', ({ machine, expected }) => {
    expect(machineUnits(units, machine)).toEqual(expected);
  });
});
