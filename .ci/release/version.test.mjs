import { describe, expect, it } from 'vitest';
import { followVersion, followVersionsInPage } from './version.mjs';

describe('followVersion', () => {
  it.each([
    { name: 'an exact pin stays exact', range: '0.1.0', expected: '0.2.0' },
    { name: 'a caret range moves', range: '^0.1.0', expected: '^0.2.0' },
    { name: 'a tilde range moves', range: '~0.1.0', expected: '~0.2.0' },
    { name: 'a prerelease pin moves', range: '0.1.0-next.1', expected: '0.2.0' },
    { name: 'a star stays', range: '*', expected: '*' },
    { name: 'a union stays', range: '^0.1.0 || ^0.2.0', expected: '^0.1.0 || ^0.2.0' },
  ])('$name', ({ range, expected }) => {
    expect(followVersion(range, '0.2.0')).toBe(expected);
  });
});

describe('followVersionsInPage', () => {
  const versions = new Map([
    ['@fleetd/core', '0.2.0'],
    ['fleetd', '0.2.0'],
  ]);

  it("moves the workspace packages' ranges in a page's package.json block, and nothing else", () => {
    const page = [
      '```json',
      '{',
      '  "name": "my-plugin",',
      '  "version": "1.0.0",',
      '  "peerDependencies": { "@fleetd/core": "^0.1.0" },',
      '  "devDependencies": { "@fleetd/core": "^0.1.0", "fleetd": "0.1.0", "vitest": "^4.1.0" }',
      '}',
      '```',
    ].join('\n');
    expect(followVersionsInPage(page, versions)).toBe(
      page.replaceAll('"@fleetd/core": "^0.1.0"', '"@fleetd/core": "^0.2.0"').replace('"fleetd": "0.1.0"', '"fleetd": "0.2.0"'),
    );
  });

  it("leaves a plugin's own name and version alone", () => {
    expect(followVersionsInPage('"name": "fleetd-plugin-x", "version": "0.1.0"', versions)).toBe('"name": "fleetd-plugin-x", "version": "0.1.0"');
  });
});
