// Running a page's commands as a plugin author would, against release:check's local
// registry (the packed tarballs), and checking that what got installed is those tarballs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { shellCommands } from './doc-blocks.mjs';

// Install warnings that mean the author gets a dependency tree nobody tested.
const INSTALL_WARNING = /^npm warn (EBADENGINE|ERESOLVE|peer)|conflicting peer dependency|unmet peer/im;
const INSTALLS = new Set(['install', 'i', 'ci', 'init', 'exec', 'add']);

/**
 * The environment of an author's shell: the local registry; an npm cache of its own (a
 * shared one would let `npm init` run a stale copy of the starter, kept in the npx cache
 * under the same version) whose content store is the machine's (see authorCache); npm's
 * defaults instead of this machine's user .npmrc (its `yes=false` would refuse what npm
 * init installs); and none of the npm_* variables of the `npm run` that started
 * release:check (they would point npm at the workspace).
 */
export function authorEnv(context) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_(config|package|lifecycle)_/i.test(name) && name !== 'INIT_CWD'));
  return {
    ...env,
    npm_config_registry: context.registryUrl,
    npm_config_cache: authorCache(context.workDir),
    npm_config_userconfig: join(context.workDir, '.npm-cache', 'no-user-npmrc'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

/**
 * A stage's npm cache: its own npx installs (`_npx`), but the machine's content store
 * (`_cacache`, which `npm ci` filled). Content there is addressed by integrity, and the
 * local registry's documents by its URL (a new port each run), so nothing stale can be
 * reused; without it every stage downloaded typescript, vitest and tsd again (about 80 s
 * of a 3-minute stage).
 */
function authorCache(workDir) {
  const cache = join(workDir, '.npm-cache');
  const machineStore = join(process.env.npm_config_cache ?? join(homedir(), '.npm'), '_cacache');
  mkdirSync(machineStore, { recursive: true });
  mkdirSync(cache, { recursive: true });
  if (!existsSync(join(cache, '_cacache'))) symlinkSync(machineStore, join(cache, '_cacache'));
  return cache;
}

/** Runs a shell block's commands in order from `cwd`, `cd` included; returns the directory it ends in. */
export async function runCommands(context, block, { cwd, env }) {
  let dir = cwd;
  for (const { argv, line, where } of shellCommands(block)) {
    if (argv[0] === 'cd') {
      dir = resolve(dir, argv[1] ?? '');
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${where}: ${line}: ${dir} is not a directory`);
      continue;
    }
    const started = Date.now();
    const { stdout, stderr } = await context.run(argv[0], argv.slice(1), { cwd: dir, env });
    context.log(`${line} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (argv[0] === 'npm' && INSTALLS.has(argv[1])) refuseInstallWarnings(`${where}: ${line}`, `${stdout}\n${stderr}`);
  }
  return dir;
}

function refuseInstallWarnings(what, output) {
  const warnings = output.split('\n').filter((line) => INSTALL_WARNING.test(line));
  if (warnings.length > 0) throw new Error(`${what}: install warnings about engines or peers:\n${warnings.join('\n')}`);
}

/**
 * Checks that the packages `names` in the lock file at `lockDir` are the packed tarballs
 * (same sha512), not a copy from elsewhere (an upstream @fleetd package of the same version).
 */
export function checkInstalledTarballs(context, lockDir, names) {
  const lock = JSON.parse(readFileSync(join(lockDir, 'package-lock.json'), 'utf8'));
  for (const name of names) {
    const tarball = context.tarballs.get(name);
    if (tarball === undefined) throw new Error(`release:check packed no ${name}`);
    const installed = lock.packages?.[`node_modules/${name}`];
    if (installed === undefined) throw new Error(`${lockDir}: ${name} is not installed`);
    const packed = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (installed.integrity !== packed) {
      throw new Error(
        `${lockDir}: ${name}@${installed.version} was installed from ${installed.resolved}, not the packed ${tarball}: does the package's range include the packed version?`,
      );
    }
  }
}

/** The npx cache directory (in the author's npm cache) where `npm init` installed `name`. */
export function npxInstallOf(env, name) {
  const npx = join(env.npm_config_cache, '_npx');
  const dirs = existsSync(npx) ? readdirSync(npx).map((dir) => join(npx, dir)) : [];
  const found = dirs.find((dir) => existsSync(join(dir, 'node_modules', name, 'package.json')));
  if (found === undefined) throw new Error(`${name} was not installed by npm init (nothing in ${npx})`);
  return found;
}
