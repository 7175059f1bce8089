// release:check stage: the packages load in plain `node` without vitest, as an operator, or
// a plugin author on another test runner (or none), gets them. Every packed package is
// installed from the local registry into an empty project; vitest, an optional peer
// dependency of the packages with a /vitest entry point, must not come with them. Then
// every subpath of every package's `exports` is imported in a `node` of its own, except
// the /vitest ones, which are for vitest. The subpaths are read from the installed
// package.json files, so a new entry point is checked without being listed here.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importableSubpaths, specifierOf, vitestInLock } from './lib/entry-points.mjs';
import { authorEnv, checkInstalledTarballs } from './lib/plugin-author.mjs';

export default async function testingWithoutVitest(context) {
  const { workDir } = context;
  const env = authorEnv(context);
  const names = [...context.tarballs.keys()].sort();
  writeFileSync(join(workDir, 'package.json'), `${JSON.stringify({ name: 'testing-without-vitest', private: true, type: 'module' }, null, 2)}\n`);
  // By name: the local registry serves a packed package as its only version.
  await context.run('npm', ['install', ...names], { cwd: workDir, env });
  checkInstalledTarballs(context, workDir, names);
  await refuseVitest(context, env);

  const specifiers = names.flatMap((name) => importableSubpaths(installedManifest(workDir, name)).map((subpath) => specifierOf(name, subpath)));
  const failures = [];
  for (const specifier of specifiers) {
    const failure = await importFailure(context, specifier, env);
    if (failure !== undefined) failures.push(failure);
  }
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${specifiers.length} entry points do not load in plain node without vitest:\n\n${failures.join('\n\n')}`);
  }
  context.log(`${specifiers.length} entry points of ${names.length} packages load in plain node, without vitest installed: ${specifiers.join(', ')}`);
}

function installedManifest(workDir, name) {
  return JSON.parse(readFileSync(join(workDir, 'node_modules', name, 'package.json'), 'utf8'));
}

/**
 * vitest must be neither installed nor resolvable from above the project (a vitest in a
 * parent folder's node_modules would make a missing one go unnoticed).
 */
async function refuseVitest(context, env) {
  const { workDir } = context;
  const installed = vitestInLock(JSON.parse(readFileSync(join(workDir, 'package-lock.json'), 'utf8')));
  if (installed.length > 0) {
    const { stdout } = await context.run('npm', ['explain', 'vitest'], { cwd: workDir, env }).catch((error) => ({ stdout: error.message }));
    // npm explain's direct edges (two spaces in) that are not optional: why vitest came.
    const why = stdout.split('\n').filter((line) => /^ {2}\S.* from /.test(line) && !line.startsWith('  peerOptional '));
    throw new Error(
      `installing the packages installed ${installed.join(', ')}: vitest must stay an optional peer dependency; it came through:\n${why.join('\n')}`,
    );
  }
  for (let dir = dirname(workDir); ; dir = dirname(dir)) {
    const above = join(dir, 'node_modules', 'vitest');
    if (existsSync(above)) throw new Error(`${above} exists: the entry points would find it, so this stage could not tell whether they need vitest`);
    if (dirname(dir) === dir) break;
  }
}

/**
 * Imports `specifier` in a `node` of its own in the project; the failure, naming the
 * specifier, or undefined. The child reports the import's error as one JSON line (code and
 * message, which name the module that was not found), not as a stack trace on stderr.
 */
async function importFailure(context, specifier, env) {
  // Exit once loaded: what an entry point leaves running is not what this stage checks.
  const script = [
    'let error;',
    `try { await import(${JSON.stringify(specifier)}); } catch (thrown) { error = thrown instanceof Error ? \`\${thrown.code ?? thrown.name}: \${thrown.message}\` : String(thrown); }`,
    'console.log(JSON.stringify({ error }));',
    'process.exit(0);',
  ].join('\n');
  let stdout;
  try {
    ({ stdout } = await context.run(process.execPath, ['--input-type=module', '--eval', script], { cwd: context.workDir, env: { ...env, NODE_OPTIONS: '' } }));
  } catch (crash) {
    return `${specifier}: ${crash instanceof Error ? crash.message : String(crash)}`;
  }
  const report = stdout.trim().split('\n').at(-1) ?? '';
  if (!report.startsWith('{')) return `${specifier}: node exited before the import settled; its output:\n${stdout}`;
  const { error } = JSON.parse(report);
  return error === undefined ? undefined : `${specifier}: ${error}`;
}
