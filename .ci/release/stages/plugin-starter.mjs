// release:check stage: the README's plugin-author instructions, run exactly as written
// (npm init @fleetd/plugin my-plugin, cd my-plugin, npm install, npm test) in an empty
// directory against the packed tarballs: the starter from the local registry writes a
// plugin package, which installs the packed @fleetd packages and passes its own vitest
// tests and tsd type tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onlyBlock } from './lib/doc-blocks.mjs';
import { authorEnv, checkInstalledTarballs, npxInstallOf, runCommands } from './lib/plugin-author.mjs';

export default async function pluginStarter(context) {
  const block = onlyBlock(readFileSync(join(context.root, 'README.md'), 'utf8'), 'README.md', 'plugin-author');
  const env = authorEnv(context);
  const packageDir = await runCommands(context, block, { cwd: context.workDir, env });
  checkInstalledTarballs(context, npxInstallOf(env, '@fleetd/create-plugin'), ['@fleetd/create-plugin']);
  checkInstalledTarballs(context, packageDir, ['@fleetd/core', '@fleetd/preset-fleet']);
}
