#!/usr/bin/env node
// `prepack` of every published package (npm runs it in the package's folder before
// `npm pack` and `npm publish`), so that a fresh clone packs complete packages: it builds
// the package (and, through the project references, what it depends on) and copies the
// repository's LICENSE into it. Each tarball so carries the one LICENSE (release:check
// verifies it is the root's, byte for byte).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const packageDir = process.cwd();

/**
 * tsc -b trusts its build info: with the build info left and dist/ deleted by hand, it
 * reports "up to date" and builds nothing. A project without its outDir forgets its build
 * info (every project: this package references others).
 */
function forgetOrphanBuildInfo(dir) {
  const config = join(dir, 'tsconfig.build.json');
  if (!existsSync(config)) return;
  const { compilerOptions = {} } = JSON.parse(readFileSync(config, 'utf8'));
  if (compilerOptions.tsBuildInfoFile === undefined || existsSync(join(dir, compilerOptions.outDir ?? 'dist'))) return;
  rmSync(join(dir, compilerOptions.tsBuildInfoFile), { force: true });
}

for (const group of ['packages', 'examples']) {
  for (const name of readdirSync(join(ROOT, group))) forgetOrphanBuildInfo(join(ROOT, group, name));
}
/**
 * tsc -b never deletes what it emitted for a source that is gone (moved, renamed): such
 * outputs would ship, with maps naming sources the tarball does not have. Every output in
 * the outDir whose source is not in the rootDir goes.
 */
function pruneStaleOutputs(dir) {
  const { compilerOptions = {} } = JSON.parse(readFileSync(join(dir, 'tsconfig.build.json'), 'utf8'));
  const outDir = join(dir, compilerOptions.outDir ?? 'dist');
  const rootDir = join(dir, compilerOptions.rootDir ?? 'src');
  for (const file of readdirSync(outDir, { recursive: true })) {
    const source = join(
      rootDir,
      String(file)
        .replace(/\.map$/, '')
        .replace(/(\.d)?\.([cm]?)js$/, '.$2ts')
        .replace(/\.d\.([cm]?)ts$/, '.$1ts'),
    );
    const output = join(outDir, String(file));
    if (statSync(output).isFile() && !existsSync(source)) rmSync(output);
  }
}

execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b', join(packageDir, 'tsconfig.build.json')], { cwd: packageDir, stdio: 'inherit' });
pruneStaleOutputs(packageDir);
copyFileSync(join(ROOT, 'LICENSE'), join(packageDir, 'LICENSE'));
