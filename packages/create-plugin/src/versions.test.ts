import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ownManifest, TEMPLATE_PACKAGES, templateVersions } from './versions.js';

function json(path: string): { version: string; devDependencies: Record<string, string> } {
  return JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string; devDependencies: Record<string, string> };
}

const devDependencies = Object.fromEntries(TEMPLATE_PACKAGES.map((name) => [name, '^1.2.3']));

describe('templateVersions', () => {
  it.each([
    { name: 'an exact version', range: '0.1.0', expected: '^0.1.0' },
    { name: 'a caret range', range: '^0.2.1', expected: '^0.2.1' },
    { name: 'a tilde range', range: '~1.0.0', expected: '^1.0.0' },
    { name: 'a prerelease', range: '1.0.0-next.2', expected: '^1.0.0-next.2' },
  ])('gives @fleetd packages a caret range from $name', ({ range, expected }) => {
    const versions = templateVersions({ devDependencies: { ...devDependencies, '@fleetd/core': range } });
    expect(versions['@fleetd/core']).toBe(expected);
  });

  it('takes the other ranges as written', () => {
    expect(templateVersions({ devDependencies: { ...devDependencies, typescript: '~5.9.3' } }).typescript).toBe('~5.9.3');
  });

  it.each([
    {
      name: 'a missing package',
      manifest: { devDependencies: { ...devDependencies, tsd: undefined } },
      message: "@fleetd/create-plugin's package.json has no devDependency on tsd, the range it writes for it",
    },
    {
      name: 'a @fleetd range that is not a version',
      manifest: { devDependencies: { ...devDependencies, '@fleetd/core': '>=0.1.0' } },
      message: "@fleetd/create-plugin's devDependency on @fleetd/core is >=0.1.0, not a version (X.Y.Z, ^X.Y.Z or ~X.Y.Z)",
    },
  ])('refuses $name', ({ manifest, message }) => {
    expect(() => templateVersions(manifest as { devDependencies: Record<string, string> })).toThrow(new Error(message));
  });
});

describe("the starter's own ranges", () => {
  const versions = templateVersions(ownManifest());

  it.each([
    { name: '@fleetd/core', path: '../../fleet-core/package.json' },
    { name: '@fleetd/preset-fleet', path: '../../preset-fleet/package.json' },
  ] as const)('accept the workspace $name', ({ name, path }) => {
    expect(semver.satisfies(json(path).version, versions[name])).toBe(true);
  });

  it('are the ranges the workspace tests with', () => {
    const root = json('../../../package.json').devDependencies;
    for (const name of TEMPLATE_PACKAGES.filter((name) => !name.startsWith('@fleetd/'))) {
      expect({ name, range: versions[name] }).toEqual({ name, range: root[name] });
    }
  });
});
