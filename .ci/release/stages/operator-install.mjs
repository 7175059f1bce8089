// The README's operator install, as written (the block marked
// <!-- release-check: operator-install -->), with npm's global prefix in this stage's
// folder; then what an operator does next: `fleetctl simulate` on a cluster file, and a
// third-party plugin (the example plugin, from the registry) installed next to a fleetd
// config that names it by package name. Fails on any npm warning about engines or peers.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineAndPeerWarnings, readmeBlock } from '../readme.mjs';

const CLUSTER = `machines:
  - id: a1
    metadata: { zone: a }
  - id: a2
    metadata: { zone: a }
  - id: b1
    metadata: { zone: b }
`;

// fleet's plugins that matter here, and zone-spread by its package name.
const CONFIG = `plugins:
  - '@fleetd/plugin-specifiers'
  - '@fleetd/plugin-validation'
  - '@fleetd/plugin-least-loaded'
  - ['fleetd-plugin-zone-spread', { key: zone }]
`;

// Group= is zone-spread's option: the validation plugin refuses it unless zone-spread is loaded.
const API_UNIT = `[Service]
ExecStart=/bin/sleep infinity

[X-Fleet]
Group=web
`;

/** unit -> machine, from fleetctl simulate's table. */
function placements(table) {
  const rows = table.trim().split('\n\n')[0].split('\n').slice(1);
  return Object.fromEntries(rows.map((row) => row.split(/\s+/)));
}

function expectNoWarnings(what, { stdout, stderr }) {
  const warnings = engineAndPeerWarnings(`${stdout}\n${stderr}`);
  if (warnings.length > 0) throw new Error(`${what}: npm warned about engines or peers:\n${warnings.join('\n')}`);
}

export default async function operatorInstall({ root, workDir, run, log }) {
  const prefix = join(workDir, 'global');
  const env = { npm_config_prefix: prefix, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
  const block = readmeBlock(root, 'operator-install');
  log(`README operator install:\n${block.trimEnd()}`);
  const installed = await run('bash', ['-euo', 'pipefail', '-c', block], { env });
  expectNoWarnings('the README operator install', installed);
  log(`→ ${installed.stdout.trim().split('\n').at(-1)}`);

  const version = (await run('fleetctl', ['--version'], { env })).stdout.trim();
  if (!/^\d+\.\d+\.\d+/.test(version)) throw new Error(`fleetctl --version printed ${JSON.stringify(version)}`);

  const site = join(workDir, 'etc-fleetd');
  mkdirSync(site);
  writeFileSync(join(site, 'cluster.yaml'), CLUSTER);
  copyFileSync(join(root, 'examples', 'units', 'web@.service'), join(site, 'web@.service'));
  const simulate = await run('fleetctl', ['simulate', '--cluster', 'cluster.yaml', 'web@1.service', 'web@2.service', 'web@3.service'], { cwd: site, env });
  log(`fleetctl simulate, examples/units/web@.service (fleet's plugins):\n${simulate.stdout.trimEnd()}`);
  // Its Conflicts=web@*.service keeps the three instances on three machines.
  const machines = new Set(Object.values(placements(simulate.stdout)));
  if (machines.size !== 3) throw new Error(`fleetctl simulate did not spread web@1..3 over the three machines:\n${simulate.stdout}`);

  // As docs/operations.md says: a third-party plugin is installed next to the config file.
  const plugin = await run('npm', ['install', '--no-fund', 'fleetd-plugin-zone-spread'], { cwd: site, env });
  expectNoWarnings('npm install fleetd-plugin-zone-spread', plugin);
  writeFileSync(join(site, 'fleetd.config.yaml'), CONFIG);
  writeFileSync(join(site, 'api@.service'), API_UNIT);
  const spread = await run('fleetctl', ['simulate', '--cluster', 'cluster.yaml', '--config', 'fleetd.config.yaml', 'api@1.service', 'api@2.service'], {
    cwd: site,
    env,
  });
  log(`fleetctl simulate --config fleetd.config.yaml (zone-spread by package name):\n${spread.stdout.trimEnd()}`);
  // least-loaded alone puts api@2 on a2 (ties go by machine ID); zone-spread moves it to zone b.
  if (placements(spread.stdout)['api@2.service'] !== 'b1')
    throw new Error(`zone-spread did not place api@2.service in the other zone (b1):\n${spread.stdout}${spread.stderr}`);
  if (/another copy of @fleetd\/core/.test(spread.stderr)) {
    throw new Error(
      `the plugin installed next to the config runs on a second copy of @fleetd/core (npm installed its peer there), and fleetd warns:\n${spread.stderr.trim()}`,
    );
  }
}
