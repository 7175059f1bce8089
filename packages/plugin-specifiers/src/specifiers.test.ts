import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fleetOptionValues, parseUnitName, Stage, withRequirements } from '@fleetd/core';
import { createTestCluster, simulate, testPlugin } from '@fleetd/core/testing';
import specifiers, { expandFleetOptions, expandSpecifiers } from './index.js';
import type { SpecifierNameInfo } from './index.js';

const unitWith = (xFleet: string): string => `[Service]\nExecStart=/usr/bin/echo %i %n\n\n[X-Fleet]\n${xFleet}\n`;

describe('expandSpecifiers', () => {
  it.each([
    // A plain unit: the prefix is the name without suffix, the instance is empty.
    { name: 'plain %n', unit: 'web.service', value: '%n', expected: 'web.service' },
    { name: 'plain %N', unit: 'web.service', value: '%N', expected: 'web' },
    { name: 'plain %p', unit: 'web.service', value: '%p', expected: 'web' },
    { name: 'plain %i', unit: 'web.service', value: '%i', expected: '' },
    { name: 'plain %%', unit: 'web.service', value: '%%', expected: '%' },
    { name: 'plain dotted name %N drops only the type', unit: 'a.b.c.service', value: '%N', expected: 'a.b.c' },
    // A template instance.
    { name: 'instance %n', unit: 'foo@bar.service', value: '%n', expected: 'foo@bar.service' },
    { name: 'instance %N', unit: 'foo@bar.service', value: '%N', expected: 'foo@bar' },
    { name: 'instance %p', unit: 'foo@bar.service', value: '%p', expected: 'foo' },
    { name: 'instance %i', unit: 'foo@bar.service', value: '%i', expected: 'bar' },
    { name: 'instance %%', unit: 'foo@bar.service', value: '%%', expected: '%' },
    { name: 'instance with more @s: %i keeps them', unit: 'a@b@c.service', value: '%p|%i', expected: 'a|b@c' },
    // A template itself.
    { name: 'template %N', unit: 'foo@.service', value: '%N', expected: 'foo@' },
    { name: 'template %i is empty', unit: 'foo@.service', value: '[%i]', expected: '[]' },
    // Several in one value, around text.
    { name: 'MachineOf=%p.socket', unit: 'foo@bar.service', value: '%p.socket', expected: 'foo.socket' },
    { name: 'several specifiers', unit: 'foo@bar.service', value: '%p-%i/%n:%N', expected: 'foo-bar/foo@bar.service:foo@bar' },
    { name: 'adjacent specifiers', unit: 'foo@bar.service', value: '%p%i', expected: 'foobar' },
    // Left as written.
    { name: 'unknown %I', unit: 'foo@bar.service', value: '%I', expected: '%I' },
    { name: 'unknown %x between known ones', unit: 'foo@bar.service', value: '%p%x%i', expected: 'foo%xbar' },
    { name: 'unknown %H %u %m', unit: 'foo@bar.service', value: '%H %u %m', expected: '%H %u %m' },
    { name: 'lone trailing %', unit: 'foo@bar.service', value: '100%', expected: '100%' },
    { name: 'lone % alone', unit: 'foo@bar.service', value: '%', expected: '%' },
    { name: 'unknown then trailing %', unit: 'foo@bar.service', value: '%x%', expected: '%x%' },
    { name: '% before a space', unit: 'foo@bar.service', value: '50% %i', expected: '50% bar' },
    // %% is one literal %, never the start of another specifier.
    { name: '%%n is a literal %n', unit: 'foo@bar.service', value: '%%n', expected: '%n' },
    { name: '%%%n is % then the name', unit: 'foo@bar.service', value: '%%%n', expected: '%foo@bar.service' },
    { name: '%%%% is %%', unit: 'foo@bar.service', value: '%%%%', expected: '%%' },
    { name: 'no % at all', unit: 'foo@bar.service', value: 'region=us-east-1', expected: 'region=us-east-1' },
    { name: 'empty value', unit: 'foo@bar.service', value: '', expected: '' },
  ])('$name', ({ unit, value, expected }) => {
    expect(expandSpecifiers(value, parseUnitName(unit))).toBe(expected);
  });

  // Valid unit names cannot contain '%', but expansions must never be expanded again,
  // whatever they contain (fleet's chained strings.Replace re-expanded them).
  const percentName: SpecifierNameInfo = { name: 'a%ib@c%p.service', prefix: 'a%ib', instance: 'c%p' };
  it.each([
    { name: '%n containing %i and %p', value: '%n', expected: 'a%ib@c%p.service' },
    { name: '%N containing %i and %p', value: '%N', expected: 'a%ib@c%p' },
    { name: '%p containing %i', value: '%p', expected: 'a%ib' },
    { name: '%i containing %p (fleet gave the prefix here)', value: '%i', expected: 'c%p' },
    { name: 'several', value: '%p/%i', expected: 'a%ib/c%p' },
  ])('does not re-expand a name containing %: $name', ({ value, expected }) => {
    expect(expandSpecifiers(value, percentName)).toBe(expected);
  });

  it('is the identity on a value without % (property)', () => {
    const name = fc.constantFrom('web.service', 'foo@bar.service', 'foo@.service', 'a@b@c.socket').map(parseUnitName);
    fc.assert(
      fc.property(
        fc.string().filter((value) => !value.includes('%')),
        name,
        (value, info) => {
          expect(expandSpecifiers(value, info)).toBe(value);
        },
      ),
    );
  });

  it('gives back any text whose % were written as %% (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('%', 'n', 'N', 'p', 'i', 'x', 'a', '@', '.') }), (text) => {
        expect(expandSpecifiers(text.replaceAll('%', '%%'), parseUnitName('foo@bar.service'))).toBe(text);
      }),
    );
  });

  it('matches a one-pass regular-expression oracle on any text and names (property)', () => {
    const part = fc.string({ unit: fc.constantFrom('%', 'n', 'N', 'p', 'i', 'x', 'a', '@', '.'), maxLength: 6 });
    fc.assert(
      fc.property(
        part,
        part,
        fc.option(part, { nil: undefined }),
        fc.string({ unit: fc.constantFrom('%', 'n', 'N', 'p', 'i', 'I', '%', 'a', ' '), maxLength: 20 }),
        (prefix, suffix, instance, value) => {
          const info: SpecifierNameInfo = { name: `${prefix}${instance === undefined ? '' : `@${instance}`}.${suffix}`, prefix, instance };
          const dot = info.name.lastIndexOf('.');
          const parts: Record<string, string> = { n: info.name, N: info.name.slice(0, dot), p: prefix, i: instance ?? '', '%': '%' };
          const oracle = value.replace(/%([nNpi%])/g, (_match, key: string) => parts[key] as string);
          expect(expandSpecifiers(value, info)).toBe(oracle);
        },
      ),
    );
  });
});

describe('expandFleetOptions', () => {
  it('returns the same map when no value has a %', () => {
    const options = new Map([
      ['MachineMetadata', ['region=us-east-1']],
      ['Conflicts', ['web@*.service']],
    ]);
    expect(expandFleetOptions(options, parseUnitName('web@1.service'))).toBe(options);
  });

  it('expands every value of every option and leaves the input map alone', () => {
    const options = new Map([
      ['MachineOf', ['%p.socket']],
      ['Conflicts', ['%p@*.service', 'other.service']],
      ['MachineMetadata', ['role=%i']],
    ]);
    const expanded = expandFleetOptions(options, parseUnitName('foo@bar.service'));
    expect(Object.fromEntries(expanded)).toEqual({
      MachineOf: ['foo.socket'],
      Conflicts: ['foo@*.service', 'other.service'],
      MachineMetadata: ['role=bar'],
    });
    expect(options.get('MachineOf')).toEqual(['%p.socket']);
  });
});

/** Reads MachineOf in its own resolveUnit tap, to see what it was given. */
const reader = (stage: number) =>
  testPlugin('reader', (hooks) => {
    hooks.resolveUnit.tap({ stage }, (unit) => withRequirements(unit, { reader: fleetOptionValues(unit, 'MachineOf') }));
  });

/** A minimal MachineOf: only on the machine where every peer is placed. */
const follow = testPlugin('follow', (hooks) => {
  hooks.filter.tap((unit, machine, cluster) => {
    for (const peer of fleetOptionValues(unit, 'MachineOf')) if (cluster.placementOf(peer) !== machine) return `not the machine of ${peer}`;
    return undefined;
  });
});

describe('specifiers plugin', () => {
  it('expands MachineOf=%p.socket on foo@bar.service to foo.socket', async () => {
    const cluster = await createTestCluster({ plugins: [specifiers], units: { 'foo@bar.service': unitWith('MachineOf=%p.socket') } });
    expect(cluster.state.unit('foo@bar.service')?.fleetOptions.get('MachineOf')).toEqual(['foo.socket']);
  });

  it('expands [X-Fleet] values only, not the rest of the unit file', async () => {
    const cluster = await createTestCluster({ plugins: [specifiers], units: { 'foo@bar.service': unitWith('MachineMetadata="role=%i" "unit=%n"') } });
    const resolved = cluster.state.unit('foo@bar.service');
    expect(resolved?.fleetOptions.get('MachineMetadata')).toEqual(['role=bar', 'unit=foo@bar.service']);
    expect(resolved?.file.options.find((option) => option.name === 'ExecStart')?.value).toBe('/usr/bin/echo %i %n');
  });

  it('schedules an instance next to the unit its expanded MachineOf names', async () => {
    const cluster = await simulate({
      plugins: [specifiers, follow],
      machines: ['m1', 'm2', 'm3'],
      units: { 'foo.socket': '[Socket]\nListenStream=80\n', 'foo@bar.service': unitWith('MachineOf=%p.socket') },
      placements: { 'foo.socket': 'm2' },
    });
    expect(cluster.placementOf('foo@bar.service')).toBe('m2');
  });

  it.each([
    { name: 'listed first, default stage', plugins: () => [reader(Stage.DEFAULT), specifiers] },
    { name: 'listed first, EARLY stage', plugins: () => [reader(Stage.EARLY), specifiers] },
    { name: 'listed after it', plugins: () => [specifiers, reader(Stage.DEFAULT)] },
  ])('runs before other resolveUnit taps ($name)', async ({ plugins }) => {
    const cluster = await createTestCluster({ plugins: plugins(), units: { 'foo@bar.service': unitWith('MachineOf=%p.socket') } });
    expect(cluster.state.unit('foo@bar.service')?.requirements['reader']).toEqual(['foo.socket']);
  });

  it('owns no [X-Fleet] option: it rewrites the values of every option, whoever owns it', async () => {
    const cluster = await createTestCluster({ plugins: [specifiers] });
    expect(cluster.host.unitOptions.options).toEqual([]);
  });

  it('leaves a unit without % as it was resolved', async () => {
    const cluster = await createTestCluster({ plugins: [specifiers], units: { 'web.service': unitWith('MachineMetadata=region=us-east-1') } });
    expect(cluster.state.unit('web.service')?.fleetOptions.get('MachineMetadata')).toEqual(['region=us-east-1']);
  });
});
