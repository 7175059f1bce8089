/**
 * The commands as npm links them. npm links a package's `bin` at install time
 * and skips a target that does not exist yet: in a fresh clone, dist/ is built
 * after `npm ci`, so bins pointing into dist/ were never linked and
 * `npx fleetctl` fetched an unrelated package of that name from the registry.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from './run-command.js';

const PACKAGE = fileURLToPath(new URL('../', import.meta.url));
const { bin, files } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
const commands = Object.entries(bin).map(([name, path]) => ({ name, path }));
const work = mkdtempSync('/tmp/fleetd-bin-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('fleetd and fleetctl as npm links them', () => {
  it.each(commands)('regression: $name is linked from a file that exists before the build ($path)', ({ path }) => {
    expect(path.startsWith('./dist/') || path.startsWith('dist/')).toBe(false);
    expect(existsSync(join(PACKAGE, path))).toBe(true);
    expect(files).toContain(path.replace(/^\.\//, '').split('/')[0]);
  });

  it.each(commands)('$name runs the built command', async ({ name, path }) => {
    const result = await runCommand([join(PACKAGE, path), '--version']);
    expect(result, `${name}: ${result.stderr}`).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it.each(commands)('$name says to build when dist/ is missing', async ({ name, path }) => {
    const copy = join(work, name);
    mkdirSync(join(copy, 'bin'), { recursive: true });
    writeFileSync(join(copy, 'package.json'), '{ "type": "module" }\n');
    copyFileSync(join(PACKAGE, path), join(copy, 'bin', `${name}.js`));
    const result = await runCommand([process.execPath, join(copy, 'bin', `${name}.js`), '--version']);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${name}: not built yet (no dist/bin/${name}.js): run npm run build in the fleetd repository\n` });
  });
});
