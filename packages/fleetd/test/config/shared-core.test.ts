/**
 * A plugin installed apart from fleetd gets a copy of its @fleetd/core peer
 * from npm; fleetd makes it run on fleetd's own copy (config/shared-core.ts).
 * The plugin's own copy here is a decoy that fails when imported, so a plugin
 * that ran on it could not load at all.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFleetctl } from '../../src/dev/index.js';

const site = mkdtempSync(join(tmpdir(), 'fleetd-shared-core-'));
afterAll(() => rmSync(site, { recursive: true, force: true }));

function writePackage(dir: string, manifest: Record<string, unknown>, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const decoy = "throw new Error('the plugin ran on the copy of @fleetd/core npm installed for it');\n";
writePackage(
  join(site, 'node_modules', '@fleetd', 'core'),
  { name: '@fleetd/core', version: '0.1.0', type: 'module', exports: { '.': './index.js', './unstable': './index.js' } },
  { 'index.js': decoy },
);
writePackage(
  join(site, 'node_modules', 'fleetd-plugin-next-door'),
  { name: 'fleetd-plugin-next-door', version: '1.0.0', type: 'module', exports: './index.js', peerDependencies: { '@fleetd/core': '*' } },
  {
    'index.js': [
      "import { definePlugin } from '@fleetd/core';",
      "export default definePlugin({ meta: { name: 'next-door', version: '1.0.0', core: '*' }, apply(hooks) {",
      "  hooks.filter.tap((unit, machine) => (machine.id === 'b1' ? undefined : 'only b1'));",
      '} });',
      '',
    ].join('\n'),
  },
);
writeFileSync(join(site, 'cluster.yaml'), 'machines:\n  - id: a1\n  - id: b1\n');
writeFileSync(join(site, 'fleetd.config.yaml'), "plugins:\n  - '@fleetd/plugin-least-loaded'\n  - fleetd-plugin-next-door\n");
writeFileSync(join(site, 'hello.service'), '[Service]\nExecStart=/bin/sleep infinity\n');

describe('a plugin installed next to the config with its own copy of @fleetd/core', () => {
  it("runs on fleetd's copy: it loads, places, and no second copy is reported", async () => {
    const simulated = await runFleetctl(['simulate', '--cluster', 'cluster.yaml', '--config', 'fleetd.config.yaml', 'hello.service'], { cwd: site });
    expect(simulated.stderr).not.toMatch(/copy of @fleetd\/core/);
    expect(simulated.code).toBe(0);
    expect(simulated.stdout).toMatch(/hello\.service\s+b1/);
  });
});
