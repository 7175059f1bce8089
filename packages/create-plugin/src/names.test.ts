import { describe, expect, it } from 'vitest';
import { bareName, packageNameProblem, splitPackageName } from './names.js';

describe('packageNameProblem', () => {
  it.each([
    { name: 'a plain name', value: 'my-plugin' },
    { name: 'dots and underscores inside', value: 'fleetd.zone_spread' },
    { name: 'a scoped name', value: '@acme/fleetd-zones' },
    { name: 'digits first', value: '3zones' },
    { name: 'a core module name under a scope', value: '@acme/http' },
  ])('accepts $name', ({ value }) => {
    expect(packageNameProblem(value)).toBeUndefined();
  });

  it.each([
    { name: 'an empty name', value: '', problem: 'it is empty' },
    { name: 'spaces around', value: ' my-plugin', problem: 'it has leading or trailing spaces' },
    { name: 'capitals', value: 'My-Plugin', problem: 'it has capital letters (npm names are lowercase)' },
    { name: 'a scope without a name', value: '@acme', problem: 'a scoped name is @scope/name' },
    { name: 'a path', value: '@acme/zones/extra', problem: 'a scoped name is @scope/name' },
    { name: 'an empty scope', value: '@/zones', problem: 'a scoped name is @scope/name' },
    { name: 'a leading dot', value: '.plugin', problem: 'its name starts with "."' },
    { name: 'a leading underscore in the scope', value: '@_acme/zones', problem: 'its scope starts with "_"' },
    { name: 'a character npm no longer allows', value: 'zones!', problem: "its name has one of the characters ~'!()* that npm no longer allows" },
    { name: 'a space inside', value: 'my plugin', problem: 'its name has characters that are not allowed in a URL' },
    { name: 'a slash without a scope', value: 'acme/zones', problem: 'its name has characters that are not allowed in a URL' },
    { name: 'a name npm reserves', value: 'node_modules', problem: '"node_modules" is reserved by npm' },
    { name: 'a Node.js core module', value: 'http', problem: '"http" is the name of a Node.js core module' },
    {
      name: 'a leading dash (not a plugin name)',
      value: '-zones',
      problem: 'its name must start with a letter or digit (it is also the plugin name, meta.name)',
    },
    {
      name: 'a name longer than a plugin name',
      value: 'z'.repeat(129),
      problem: 'its name is longer than 128 characters (it is also the plugin name, meta.name)',
    },
    { name: 'a name longer than npm allows', value: `@acme/${'z'.repeat(210)}`, problem: 'it is longer than 214 characters' },
  ])('refuses $name', ({ value, problem }) => {
    expect(packageNameProblem(value)).toBe(problem);
  });
});

describe('names of a package', () => {
  it.each([
    { name: 'unscoped', value: 'my-plugin', scope: undefined, bare: 'my-plugin' },
    { name: 'scoped', value: '@acme/zones', scope: 'acme', bare: 'zones' },
  ])('$name: scope and bare name', ({ value, scope, bare }) => {
    expect(splitPackageName(value)).toEqual({ scope, bare });
    expect(bareName(value)).toBe(bare);
  });
});
