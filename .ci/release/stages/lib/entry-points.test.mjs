import { describe, expect, it } from 'vitest';
import { importableSubpaths, isVitestSubpath, specifierOf, vitestInLock } from './entry-points.mjs';

const entry = (base) => ({ types: `./dist/${base}.d.ts`, default: `./dist/${base}.js` });

describe('importableSubpaths', () => {
  it.each([
    {
      name: 'regression: /testing is imported, /vitest (useEtcd) is left out',
      manifest: {
        name: '@fleetd/registry-etcd',
        exports: {
          '.': entry('index'),
          './testing': entry('testing/index'),
          './vitest': entry('vitest/index'),
          './local': entry('local/index'),
          './package.json': './package.json',
        },
      },
      expected: ['.', './testing', './local'],
    },
    {
      name: 'a vitest segment anywhere is left out, a name that only starts with vitest is not',
      manifest: { name: 'p', exports: { './testing/vitest': entry('a'), './vitest/extra': entry('b'), './vitesting': entry('c') } },
      expected: ['./vitesting'],
    },
    { name: 'exports as one string', manifest: { name: 'p', exports: './dist/index.js' }, expected: ['.'] },
    { name: 'exports as the conditions of "." alone', manifest: { name: 'p', exports: entry('index') }, expected: ['.'] },
    { name: 'a subpath blocked with null', manifest: { name: 'p', exports: { '.': entry('index'), './internal': null } }, expected: ['.'] },
    { name: 'JSON files', manifest: { name: 'p', exports: { '.': entry('index'), './schema.json': './schema.json' } }, expected: ['.'] },
    { name: 'no exports, a main', manifest: { name: 'p', main: './index.js' }, expected: ['.'] },
    { name: 'no exports, no main (a command-line tool)', manifest: { name: 'p', bin: { p: './cli.js' } }, expected: [] },
  ])('$name', ({ manifest, expected }) => {
    expect(importableSubpaths(manifest)).toEqual(expected);
  });

  it('refuses an exports pattern, whose entry points it cannot list', () => {
    expect(() => importableSubpaths({ name: '@fleetd/x', exports: { '.': entry('index'), './plugins/*': './dist/plugins/*.js' } })).toThrow(
      new Error('@fleetd/x: exports pattern "./plugins/*" cannot be checked entry point by entry point; list them one by one'),
    );
  });
});

describe('isVitestSubpath', () => {
  it.each([
    { subpath: './vitest', expected: true },
    { subpath: './testing/vitest', expected: true },
    { subpath: './testing', expected: false },
    { subpath: '.', expected: false },
    { subpath: './vitest-free', expected: false },
  ])('$subpath: $expected', ({ subpath, expected }) => {
    expect(isVitestSubpath(subpath)).toBe(expected);
  });
});

describe('specifierOf', () => {
  it.each([
    { name: '@fleetd/core', subpath: '.', expected: '@fleetd/core' },
    { name: '@fleetd/core', subpath: './testing', expected: '@fleetd/core/testing' },
    { name: 'fleetd', subpath: './dev', expected: 'fleetd/dev' },
  ])('$name $subpath: $expected', ({ name, subpath, expected }) => {
    expect(specifierOf(name, subpath)).toBe(expected);
  });
});

describe('vitestInLock', () => {
  it('finds vitest and @vitest packages, hoisted or nested, and nothing that only resembles them', () => {
    const lock = {
      packages: {
        '': { name: 'testing-without-vitest' },
        'node_modules/@fleetd/core': {},
        'node_modules/vitest': {},
        'node_modules/@vitest/runner': {},
        'node_modules/some-tool/node_modules/vitest': {},
        'node_modules/vitest-environment-x': {},
        'node_modules/@vitest-like/runner': {},
      },
    };
    expect(vitestInLock(lock)).toEqual(['node_modules/vitest', 'node_modules/@vitest/runner', 'node_modules/some-tool/node_modules/vitest']);
  });

  it('finds none in a lock without them, or without packages', () => {
    expect(vitestInLock({ packages: { '': {}, 'node_modules/@fleetd/core': {} } })).toEqual([]);
    expect(vitestInLock({})).toEqual([]);
  });
});
