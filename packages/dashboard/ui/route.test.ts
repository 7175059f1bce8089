import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from './query.js';
import { machineHref, parseRoute, samePage, unitHref, unitsHref } from './route.js';

describe('parseRoute', () => {
  it.each([
    { name: 'no fragment', hash: '', route: { view: 'overview' } },
    { name: 'the root', hash: '#/', route: { view: 'overview' } },
    { name: 'an in-page anchor', hash: '#content', route: { view: 'overview' } },
    { name: 'the units table', hash: '#/units', route: { view: 'units', query: DEFAULT_QUERY } },
    { name: 'a trailing slash', hash: '#/units/', route: { view: 'units', query: DEFAULT_QUERY } },
    {
      name: 'a units query',
      hash: '#/units?q=web&state=unschedulable&sort=-machine',
      route: { view: 'units', query: { q: 'web', state: 'unschedulable', sort: 'machine', descending: true } },
    },
    { name: 'an encoded filter', hash: '#/units?q=web%40+1', route: { view: 'units', query: { ...DEFAULT_QUERY, q: 'web@ 1' } } },
    // The contract's example says state=failed: not a filter of the table, so all of them.
    { name: 'an unknown state and sort', hash: '#/units?state=failed&sort=-size', route: { view: 'units', query: DEFAULT_QUERY } },
    { name: 'a unit', hash: '#/units/web%401.service', route: { view: 'unit', name: 'web@1.service' } },
    { name: 'a unit with a slash in its encoded name', hash: '#/units/a%2Fb.service', route: { view: 'unit', name: 'a/b.service' } },
    { name: 'a machine', hash: '#/machines/2c5e6f', route: { view: 'machine', id: '2c5e6f' } },
    { name: 'the plan', hash: '#/plan', route: { view: 'plan' } },
    { name: 'the events', hash: '#/events', route: { view: 'events' } },
    { name: 'an unknown page', hash: '#/nope', route: { view: 'missing', path: '/nope' } },
    { name: 'too deep', hash: '#/units/a/b', route: { view: 'missing', path: '/units/a/b' } },
    { name: 'a broken escape', hash: '#/units/%E0%A4%A', route: { view: 'missing', path: '/units/%E0%A4%A' } },
    { name: 'an unknown collection', hash: '#/jobs/x', route: { view: 'missing', path: '/jobs/x' } },
  ])('$name: $hash', ({ hash, route }) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it.each([
    { name: 'the defaults', query: DEFAULT_QUERY, href: '#/units' },
    { name: 'a filter', query: { ...DEFAULT_QUERY, q: 'web@1 x' }, href: '#/units?q=web%401+x' },
    { name: 'everything', query: { q: 'db', state: 'inactive', sort: 'hash', descending: true }, href: '#/units?q=db&state=inactive&sort=-hash' },
    { name: 'name descending', query: { ...DEFAULT_QUERY, descending: true }, href: '#/units?sort=-name' },
  ] as const)('unitsHref writes what parseRoute reads: $name', ({ query, href }) => {
    expect(unitsHref(query)).toBe(href);
    expect(parseRoute(href)).toEqual({ view: 'units', query });
  });

  it.each(['web@1.service', 'a b.service', 'ü/x.service'])('unitHref and machineHref round-trip %s', (name) => {
    expect(parseRoute(unitHref(name))).toEqual({ view: 'unit', name });
    expect(parseRoute(machineHref(name))).toEqual({ view: 'machine', id: name });
  });

  it.each([
    { name: 'a new units query is the same page', a: '#/units', b: '#/units?q=x', same: true },
    { name: 'another unit is another page', a: '#/units/a.service', b: '#/units/b.service', same: false },
    { name: 'another machine is another page', a: '#/machines/a', b: '#/machines/b', same: false },
    { name: 'another view is another page', a: '#/units', b: '#/plan', same: false },
  ])('samePage: $name', ({ a, b, same }) => {
    expect(samePage(parseRoute(a), parseRoute(b))).toBe(same);
  });
});
