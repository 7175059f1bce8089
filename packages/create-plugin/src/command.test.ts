import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, USAGE } from './command.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'create-plugin-cli-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = main(args, { cwd, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> };

describe('create-plugin command', () => {
  it('writes the package and says what to run next', () => {
    const { code, stdout, stderr } = run('my-plugin');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(
      /^Wrote my-plugin in my-plugin\/ \(a fleetd plugin for @fleetd\/core \^\d+\.\d+\.\d+\), 11 files\. Next:\n\n {2}cd my-plugin\n {2}npm install\n {2}npm test\n$/,
    );
  });

  it.each([
    { name: '--help', args: ['--help'] },
    { name: '-h, with a name', args: ['my-plugin', '-h'] },
  ])('prints the usage for $name', ({ args }) => {
    expect(run(...args)).toEqual({ code: 0, stdout: USAGE, stderr: '' });
  });

  it('prints its version', () => {
    expect(run('--version')).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
  });

  it.each([
    { name: 'no name', args: [], message: 'name the package to create' },
    { name: 'two names', args: ['a', 'b'], message: 'one name only, got 2: a b' },
    { name: 'an unknown option', args: ['my-plugin', '--force'], message: 'unknown option --force' },
  ])('refuses $name with the usage line', ({ args, message }) => {
    expect(run(...args)).toEqual({ code: 1, stdout: '', stderr: `create-plugin: ${message} (usage: npm init @fleetd/plugin <name>, or --help)\n` });
  });

  it.each([
    { name: 'an invalid name', args: ['My-Plugin'], message: () => 'invalid package name "My-Plugin": it has capital letters (npm names are lowercase)' },
    {
      name: 'a folder that is not empty',
      args: ['my-plugin'],
      prepare: () => {
        mkdirSync(join(cwd, 'my-plugin'));
        writeFileSync(join(cwd, 'my-plugin', 'index.js'), '');
      },
      message: () => `${join(cwd, 'my-plugin')} is not empty: choose another name or remove what is there`,
    },
  ])('refuses $name in one line, exit 1, no stack', ({ args, prepare, message }) => {
    prepare?.();
    expect(run(...args)).toEqual({ code: 1, stdout: '', stderr: `create-plugin: ${message()}\n` });
  });

  it('reports a file system failure in one line', () => {
    writeFileSync(join(cwd, 'plugins'), '');
    const { code, stderr } = run('plugins');
    expect({ code, lines: stderr.split('\n').length }).toEqual({ code: 1, lines: 2 });
    expect(stderr).toBe(`create-plugin: ${join(cwd, 'plugins')} exists and is not a directory\n`);
  });
});

describe('the bin npm init runs', () => {
  // npm init @fleetd/plugin runs npm exec @fleetd/create-plugin, which runs the package's only bin
  // (or the one named after the package without its scope).
  it('is the only bin, named create-plugin', () => {
    expect(manifest.bin).toEqual({ 'create-plugin': './dist/cli.js' });
  });

  it('runs from the build with node, refusing in one line', () => {
    const bin = fileURLToPath(new URL(`../${manifest.bin['create-plugin'] as string}`, import.meta.url));
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [bin, 'Bad'], { cwd, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect({ status: failure?.status, stderr: failure?.stderr }).toEqual({
      status: 1,
      stderr: 'create-plugin: invalid package name "Bad": it has capital letters (npm names are lowercase)\n',
    });
  });
});
