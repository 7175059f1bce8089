#!/usr/bin/env node
// `npm run release:version`: `changeset version` (versions, CHANGELOG.md files, consumed
// changesets), then every internal range follows the new versions, and the lock file with
// them. Changesets leaves alone what it need not touch: a peer range the new version still
// satisfies (so that @fleetd/core's minor does not make every plugin major), and the
// private examples (not versioned). Here an exact pin stays exact and a ^ or ~ range moves
// to the new version, in every workspace package, so the examples keep linking the
// workspace packages and a plugin's peer range (its meta.core) names the core it was
// released with.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { npm, ROOT, workspacePackages } from './workspace.mjs';

const FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

// Pages that show a plugin package's package.json (release:check installs them as shown).
const PAGES_WITH_MANIFESTS = ['docs/plugin-authoring.md'];

/** `range` moved to `version`, keeping its kind; other ranges (*, tags, unions) as they are. */
export function followVersion(range, version) {
  const match = /^([\^~]?)\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.exec(range);
  return match === null ? range : `${match[1] ?? ''}${version}`;
}

/** A page's `"name": "range"` pairs for the packages of `versions`, moved like the manifests' ranges. */
export function followVersionsInPage(markdown, versions) {
  return markdown.replace(/"((?:@fleetd\/)?[a-z][a-z0-9-]*)": "([^"]+)"/g, (pair, name, range) =>
    versions.has(name) ? `"${name}": "${followVersion(range, versions.get(name))}"` : pair,
  );
}

async function main() {
  execFileSync(join(ROOT, 'node_modules', '.bin', 'changeset'), ['version'], { cwd: ROOT, stdio: 'inherit' });
  const packages = await workspacePackages();
  const versions = new Map(packages.map(({ name, version }) => [name, version]));
  for (const dir of [ROOT, ...packages.map((manifest) => manifest.dir)]) {
    const file = join(dir, 'package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    for (const field of FIELDS) {
      for (const [name, range] of Object.entries(manifest[field] ?? {})) {
        if (versions.has(name)) manifest[field][name] = followVersion(range, versions.get(name));
      }
    }
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  for (const page of PAGES_WITH_MANIFESTS) {
    const file = join(ROOT, page);
    writeFileSync(file, followVersionsInPage(readFileSync(file, 'utf8'), versions));
  }
  await npm(['install', '--package-lock-only', '--no-audit', '--no-fund']);
  process.stdout.write('versions and internal ranges updated; review, commit, then npm run release\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
