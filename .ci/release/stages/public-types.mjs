// The public types as a user's project sees them: an empty project installs the packages
// from the registry (no workspace links, no repository tsconfig) with typescript, and
// type-checks a file that uses fleet-core, fleetd, a plugin, the example plugin and the
// testing kits, with skipLibCheck false and `types` not forced (every .d.ts checked, Node's
// types only where a package brings them). A Node type without @types/node fails here
// with TS2503/TS2580, a .d.ts that only compiled in the workspace with TS2307.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineAndPeerWarnings } from '../readme.mjs';

const PACKAGES = [
  'fleetd',
  '@fleetd/core',
  '@fleetd/plugin-global',
  '@fleetd/preset-fleet',
  '@fleetd/registry-etcd',
  '@fleetd/plugin-systemd',
  'fleetd-plugin-zone-spread',
];

const TSCONFIG = {
  compilerOptions: {
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  },
  include: ['src'],
};

const SOURCE = `// Everything a plugin author or an embedder reaches for, by package name.
import { definePlugin, Stage } from '@fleetd/core';
import type { FleetPlugin, MachineView, ResolvedUnit } from '@fleetd/core';
import { createTestCluster, waitFor } from '@fleetd/core/testing';
import { defineConfig, resolveConfig, startDaemon } from 'fleetd';
import type { Daemon, FleetdConfig } from 'fleetd';
import { runFleetctl, startFleetd } from 'fleetd/testing';
import global from '@fleetd/plugin-global';
import { fleetPreset } from '@fleetd/preset-fleet';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { startEtcd } from '@fleetd/registry-etcd/testing';
import { startSystemdInstance } from '@fleetd/plugin-systemd/testing';
import zoneSpread from 'fleetd-plugin-zone-spread';

const sameZone: FleetPlugin = definePlugin({
  meta: { name: 'same-zone', version: '1.0.0', core: '^0.1.0' },
  apply(hooks) {
    hooks.filter.tap({ stage: Stage.LATE }, (unit: ResolvedUnit, machine: MachineView) => (machine.metadata['zone'] === undefined ? \`\${unit.name}: no zone\` : undefined));
  },
});

export const config: FleetdConfig = defineConfig({ plugins: [...fleetPreset(), global, [zoneSpread, { key: 'zone' }], sameZone] });

export async function tryIt(): Promise<void> {
  const cluster = await createTestCluster({ machines: [{ id: 'a', metadata: { zone: 'a' } }], plugins: [sameZone] });
  await waitFor(() => true, 'nothing', 1000);
  void cluster;
  const etcd = await startEtcd();
  const registry = createEtcdRegistry({ endpoints: etcd.endpoints });
  void registry;
  const systemd = await startSystemdInstance();
  void systemd;
  const daemon: Daemon = await startDaemon(await resolveConfig({ config }));
  void daemon;
  const fleetd = await startFleetd({ config: {} });
  void fleetd;
  void runFleetctl;
}
`;

export default async function publicTypes({ root, workDir, run, log }) {
  const typescript = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.typescript;
  writeFileSync(join(workDir, 'package.json'), `${JSON.stringify({ name: 'uses-fleetd-types', private: true, type: 'module' }, null, 2)}\n`);
  const installed = await run('npm', ['install', '--no-fund', '--no-audit', ...PACKAGES, `typescript@${typescript}`]);
  const warnings = engineAndPeerWarnings(`${installed.stdout}\n${installed.stderr}`);
  if (warnings.length > 0) throw new Error(`npm warned about engines or peers:\n${warnings.join('\n')}`);
  writeFileSync(join(workDir, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  mkdirSync(join(workDir, 'src'));
  writeFileSync(join(workDir, 'src', 'index.ts'), SOURCE);
  try {
    await run(join(workDir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json']);
  } catch (error) {
    throw new Error(`tsc (skipLibCheck false) failed on the public types:\n${error.message}`);
  }
  log(`tsc -p (skipLibCheck false, types not forced) passed on ${PACKAGES.join(', ')} with typescript@${typescript}`);
}
