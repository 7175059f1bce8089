/**
 * Issue 17: `fleetd --help` listed the flags only. It now names the config
 * file names and formats fleetd searches for, `fleetd dev`, and where the docs are.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseFleetdArgs, SEARCH_PLACES } from '../../src/config/index.js';
import { FLEETD_BIN } from '../../src/testing/index.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

const EPILOGUE = `
Config file: --config PATH (or FLEETD_CONFIG), else the first found in the
working directory, then each parent, then /etc/fleetd, of:
  package.json (its "fleetd" key)
  .fleetdrc (YAML or JSON)
  .fleetdrc.{json,yaml,yml,js,cjs,mjs}
  fleetd.config.{ts,mts,js,mjs,cjs,json,yaml,yml}
YAML (.yaml, .yml, .fleetdrc), JSON (.json), or a JavaScript or TypeScript
module (.js, .mjs, .cjs, .ts, .mts) whose default export is the config.
Relative paths in the file are relative to its directory; in flags and FLEETD_*
variables, to the working directory.

Commands:
  fleetd dev [--machines N]: a local cluster on this host, see docs/dev.md

Documentation: docs/configuration.md (every option) in the fleetd repository,
and the README: ${README}
`;

const help = parseFleetdArgs(['--help']).help ?? '';

/** The file names the help lists, braces expanded: `a.{x,y}` is a.x and a.y. */
function listedNames(text: string): string[] {
  const section = text.slice(text.indexOf('Config file:'), text.indexOf('YAML ('));
  return [...section.matchAll(/^ {2}(\S+)/gm)].flatMap(([, name = '']) => {
    const braces = /^(.*)\.\{([^}]*)\}$/.exec(name);
    return braces === null ? [name] : (braces[2] ?? '').split(',').map((extension) => `${braces[1]}.${extension}`);
  });
}

describe('fleetd --help', () => {
  it('ends with the config file names and formats, fleetd dev, and where the docs are', () => {
    expect(help.slice(help.indexOf('show this help\n') + 'show this help\n'.length)).toBe(EPILOGUE);
  });

  it('lists exactly the names the config search looks for, in its order', () => {
    expect(listedNames(help)).toEqual([...SEARCH_PLACES]);
  });

  it('the built fleetd prints it and exits 0', () => {
    const result = spawnSync(process.execPath, [FLEETD_BIN, '--help'], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: fleetd \[options\]\n/);
    expect(result.stdout.endsWith(EPILOGUE)).toBe(true);
  });
});
