#!/usr/bin/env node
// `npm run release`: publishes every package whose version is not on the registry yet, in
// dependency order, then tags the release (`changeset tag`). Dependency order matters:
// fleetd pins its @fleetd/* packages exactly, so published first it would be
// uninstallable until they follow. `changeset publish` (2.x, the line that runs on
// Node 20) starts every publish at once (Promise.all over the unpublished packages, up to
// 10 at a time, in publishPackages.ts), so the order is ours. Run `npm run release:check`
// first; `--dry-run` prints what would be published without uploading.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { npm, publishedPackages, publishOrder, ROOT } from './workspace.mjs';

const dryRun = process.argv.includes('--dry-run');

/** Whether `name@version` is on the registry already (so a failed release can be resumed). */
async function onRegistry(name, version) {
  try {
    return (await npm(['view', `${name}@${version}`, 'version', '--json'])).trim() !== '';
  } catch (error) {
    if (/E404|404 Not Found/.test(error.message)) return false;
    throw error;
  }
}

const order = publishOrder(await publishedPackages());
for (const { name, version, dir } of order) {
  if (await onRegistry(name, version)) {
    process.stdout.write(`${name}@${version}: on the registry already, skipped\n`);
    continue;
  }
  process.stdout.write(`${name}@${version}: ${dryRun ? 'would publish' : 'publishing'}\n`);
  if (!dryRun) await npm(['publish', '--workspace', dir, '--access', 'public']);
}
if (!dryRun) execFileSync(join(ROOT, 'node_modules', '.bin', 'changeset'), ['tag'], { cwd: ROOT, stdio: 'inherit' });
