import type { TemplateVersions } from './versions.js';

/** The package.json of a generated plugin package (version 0.0.0: its first changeset makes it 0.1.0). */
export function pluginPackageJson(name: string, versions: TemplateVersions): string {
  const manifest = {
    name,
    version: '0.0.0',
    description: 'A fleetd scheduling plugin: keeps every machine at maxUnits units or fewer',
    type: 'module',
    types: './dist/index.d.ts',
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    files: ['dist'],
    engines: { node: '>=20' },
    keywords: ['fleetd', 'fleetd-plugin'],
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      test: 'tsc && npm run build && vitest run && tsd',
      prepack: 'npm run build',
      changeset: 'changeset',
      release: 'changeset publish',
    },
    dependencies: { zod: versions.zod },
    // A peer: the plugin runs on the core fleetd has loaded, never on a copy of its own.
    peerDependencies: { '@fleetd/core': versions['@fleetd/core'] },
    devDependencies: {
      '@changesets/cli': versions['@changesets/cli'],
      '@fleetd/core': versions['@fleetd/core'],
      '@fleetd/preset-fleet': versions['@fleetd/preset-fleet'],
      '@types/node': versions['@types/node'],
      tsd: versions.tsd,
      typescript: versions.typescript,
      vitest: versions.vitest,
    },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
