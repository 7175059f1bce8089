/**
 * docs/plugin-authoring.md shows the layout npm init @fleetd/plugin writes: the same
 * files, tsconfigs and package.json fields (release:check's plugin-authoring-doc stage
 * installs and runs the page's files; this keeps them the starter's without a network).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlugin } from '@fleetd/create-plugin';
import { fileBlocks, onlyBlock, shellCommands } from '../../.ci/release/stages/lib/doc-blocks.mjs';
import { readDoc } from './blocks.js';

const PAGE = 'docs/plugin-authoring.md';
const DIR = 'fleetd-plugin-zone-spread/';
const page = readDoc(PAGE);
const shown = new Map(fileBlocks(page, PAGE));

const cwd = mkdtempSync(join(tmpdir(), 'plugin-layout-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));
const starter = createPlugin({ name: 'fleetd-plugin-zone-spread', cwd });
const written = (path: string) => readFileSync(join(starter.directory, path), 'utf8');

type Manifest = Record<string, unknown>;

describe('docs/plugin-authoring.md shows the layout npm init @fleetd/plugin writes', () => {
  it('every file it shows is in its package folder, and is one the starter writes', () => {
    const paths = [...shown.keys()];
    expect(paths.filter((path) => !path.startsWith(DIR))).toEqual([]);
    const notWritten = paths.map((path) => path.slice(DIR.length)).filter((path) => !starter.files.includes(path));
    expect(notWritten).toEqual([]);
  });

  it('shows every file but the README and the changesets setup, which it describes', () => {
    const notShown = starter.files.filter((path) => !shown.has(`${DIR}${path}`));
    expect(notShown).toEqual(['.changeset/README.md', '.changeset/config.json', '.changeset/first-release.md', 'README.md']);
  });

  it.each(['tsconfig.json', 'tsconfig.build.json'])('%s: the same settings as the starter writes', (path) => {
    expect(JSON.parse(shown.get(`${DIR}${path}`) ?? '{}')).toEqual(JSON.parse(written(path)));
  });

  it('.gitignore: the same as the starter writes', () => {
    expect(shown.get(`${DIR}.gitignore`)).toBe(written('.gitignore'));
  });

  it('package.json: the starter fields (scripts, exports, dependency ranges) as the starter writes them', () => {
    const fields = ['type', 'types', 'exports', 'files', 'engines', 'scripts', 'dependencies', 'peerDependencies', 'devDependencies'];
    const pick = (manifest: Manifest) => Object.fromEntries(fields.map((field) => [field, manifest[field]]));
    const documented = JSON.parse(shown.get(`${DIR}package.json`) ?? '{}') as Manifest;
    expect(pick(documented)).toEqual(pick(JSON.parse(written('package.json')) as Manifest));
  });

  it('its commands install and test the package, as the starter says to', () => {
    expect(shellCommands(onlyBlock(page, PAGE, 'commands')).map(({ line }) => line)).toEqual([`cd ${DIR.slice(0, -1)}`, 'npm install', 'npm test']);
  });
});

describe('shell blocks run as written', () => {
  const block = (text: string) => ({ text, where: 'README.md:10' });

  it.each([
    {
      name: 'plain commands, a prompt, a comment and quotes',
      text: '$ npm init @fleetd/plugin my-plugin\n# then\ncd my-plugin\nnpm test -- "a b"\n',
      expected: [
        ['npm', 'init', '@fleetd/plugin', 'my-plugin'],
        ['cd', 'my-plugin'],
        ['npm', 'test', '--', 'a b'],
      ],
    },
    { name: 'blank lines', text: '\nnpm install\n\n', expected: [['npm', 'install']] },
  ])('reads $name', ({ text, expected }) => {
    expect(shellCommands(block(text)).map(({ argv }) => argv)).toEqual(expected);
  });

  it.each([
    { name: 'a pipe', text: 'npm test | tee log', line: 11 },
    { name: 'two commands on a line', text: 'npm install\nnpm install && npm test', line: 12 },
    { name: 'a variable', text: 'cd $HOME', line: 11 },
  ])('refuses $name, naming the line', ({ text, line }) => {
    expect(() => shellCommands(block(text))).toThrow(new RegExp(`^README\\.md:${line}: .*only plain commands run here`));
  });
});
