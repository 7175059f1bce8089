// release:check stage: docs/plugin-authoring.md followed word for word. Its files (each
// block marked <!-- release-check: file PATH -->) are written in the documented layout in
// an empty directory, and its commands (<!-- release-check: commands -->) run there
// against the packed tarballs: install, type check, build, vitest tests, tsd.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileBlocks, onlyBlock } from './lib/doc-blocks.mjs';
import { authorEnv, checkInstalledTarballs, runCommands } from './lib/plugin-author.mjs';

const PAGE = 'docs/plugin-authoring.md';

export default async function pluginAuthoringDoc(context) {
  const markdown = readFileSync(join(context.root, PAGE), 'utf8');
  const files = fileBlocks(markdown, PAGE);
  if (files.length === 0) throw new Error(`${PAGE}: no block marked <!-- release-check: file PATH -->`);
  for (const [path, text] of files) {
    mkdirSync(dirname(join(context.workDir, path)), { recursive: true });
    writeFileSync(join(context.workDir, path), text);
  }
  context.log(`wrote ${files.map(([path]) => path).join(', ')}`);
  const packageDir = await runCommands(context, onlyBlock(markdown, PAGE, 'commands'), { cwd: context.workDir, env: authorEnv(context) });
  checkInstalledTarballs(context, packageDir, ['@fleetd/core', '@fleetd/preset-fleet']);
}
