import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlugin, CreatePluginError } from './create.js';

const LAYOUT = [
  '.changeset/README.md',
  '.changeset/config.json',
  '.changeset/first-release.md',
  '.gitignore',
  'README.md',
  'package.json',
  'src/index.test.ts',
  'src/index.ts',
  'test-d/index.test-d.ts',
  'tsconfig.build.json',
  'tsconfig.json',
];

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'create-plugin-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return entries.map((entry) => relative(dir, join(entry.parentPath, entry.name))).sort();
}

function read(dir: string, path: string): string {
  return readFileSync(join(cwd, dir, path), 'utf8');
}

describe('createPlugin', () => {
  it('writes the plugin package layout into a new folder named after the package', () => {
    const created = createPlugin({ name: 'my-plugin', cwd });
    expect(created.directory).toBe(join(cwd, 'my-plugin'));
    expect(created.files).toEqual(LAYOUT);
    expect(filesUnder(join(cwd, 'my-plugin'))).toEqual(LAYOUT);
  });

  it('writes a package.json of an ESM plugin with @fleetd/core as a peer and the scripts that test it', () => {
    const { coreRange } = createPlugin({ name: 'my-plugin', cwd });
    const manifest = JSON.parse(read('my-plugin', 'package.json')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      name: 'my-plugin',
      version: '0.0.0',
      type: 'module',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      files: ['dist'],
      engines: { node: '>=20' },
      scripts: { build: 'tsc -p tsconfig.build.json', test: 'tsc && npm run build && vitest run && tsd', prepack: 'npm run build' },
      peerDependencies: { '@fleetd/core': coreRange },
      devDependencies: { '@fleetd/core': coreRange },
    });
    expect(Object.keys(manifest['exports'] as object)[0]).toBe('.');
    expect(Object.keys((manifest['exports'] as Record<string, object>)['.'] as object)[0]).toBe('types');
  });

  it.each([
    { name: 'an unscoped name', value: 'zones', folder: 'zones', plugin: 'zones' },
    { name: 'a scoped name', value: '@acme/fleetd-zones', folder: 'fleetd-zones', plugin: 'fleetd-zones' },
  ])('fills in $name: folder, plugin name, package imports, changeset', ({ value, folder, plugin }) => {
    const created = createPlugin({ name: value, cwd });
    expect(created.directory).toBe(join(cwd, folder));
    expect(read(folder, 'src/index.ts')).toContain(`meta: { name: '${plugin}',`);
    expect(read(folder, 'test-d/index.test-d.ts')).toContain(`from '${value}';`);
    expect(read(folder, '.changeset/first-release.md')).toMatch(new RegExp(`^---\\n'${value}': minor\\n---\\n`));
    expect(read(folder, 'README.md')).toMatch(new RegExp(`^# ${value}\\n`));
    for (const path of created.files) expect({ path, placeholders: read(folder, path).match(/\{\{\w+\}\}/g) }).toEqual({ path, placeholders: null });
  });

  it('writes into the directory it is given, relative to cwd', () => {
    expect(createPlugin({ name: 'zones', cwd, directory: 'plugins/zones-plugin' }).directory).toBe(join(cwd, 'plugins/zones-plugin'));
    expect(read('plugins/zones-plugin', 'package.json')).toContain('"name": "zones"');
  });

  it('writes into an empty directory that exists', () => {
    mkdirSync(join(cwd, 'zones'));
    expect(createPlugin({ name: 'zones', cwd }).files).toEqual(LAYOUT);
  });

  it.each([
    {
      name: 'a directory with files in it',
      prepare: () => {
        mkdirSync(join(cwd, 'zones'));
        writeFileSync(join(cwd, 'zones', 'notes.txt'), 'mine\n');
      },
      message: () => `${join(cwd, 'zones')} is not empty: choose another name or remove what is there`,
    },
    { name: 'a file', prepare: () => writeFileSync(join(cwd, 'zones'), 'mine\n'), message: () => `${join(cwd, 'zones')} exists and is not a directory` },
  ])('refuses $name in the way and leaves it as it was', ({ prepare, message }) => {
    prepare();
    const before = readdirSync(cwd, { recursive: true });
    expect(() => createPlugin({ name: 'zones', cwd })).toThrow(new CreatePluginError(message()));
    expect(readdirSync(cwd, { recursive: true })).toEqual(before);
  });

  it('refuses an invalid name before writing anything', () => {
    expect(() => createPlugin({ name: 'Zones', cwd })).toThrow(
      new CreatePluginError('invalid package name "Zones": it has capital letters (npm names are lowercase)'),
    );
    expect(readdirSync(cwd)).toEqual([]);
  });
});
