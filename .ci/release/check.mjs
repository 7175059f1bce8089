#!/usr/bin/env node
// `npm run release:check`: everything `npm run release` does but the upload, then what a
// user does with the result. It
//   1. builds, packs every published package and the example plugin (npm pack: prepack
//      builds too, and copies the LICENSE in),
//   2. checks each tarball with publint, @arethetypeswrong (the CLI's esm-only profile,
//      attw.mjs) and its contents (tarballs.mjs), side by side,
//   3. checks the internal ranges and the publish order (workspace.mjs),
//   4. serves the tarballs from a local npm registry (registry.mjs) and runs every stage
//      in .ci/release/stages/ side by side, each in a fresh temp dir outside the workspace.
// Each step prints its output and time; the exit status is 1 naming what failed.
// Everything it starts is stopped and its temp dirs removed, also on Ctrl-C.
//
//   node .ci/release/check.mjs [stage ...]   only these stages (file names without .mjs)
//   --keep                                   keep the temp dirs (their paths are printed)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { startRegistry } from './registry.mjs';
import { expectedRepositoryFields, tarballProblems } from './tarballs.mjs';
import { publishOrder, rangeProblems, ROOT, workspacePackages } from './workspace.mjs';

/** The example plugin: private, never published, packed and installed as a third-party plugin is. */
const EXAMPLE_PLUGIN = 'fleetd-plugin-zone-spread';
const STAGES_DIR = join(ROOT, '.ci', 'release', 'stages');
const LANES = Math.max(1, Math.min(availableParallelism(), 2));

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const onlyStages = args.filter((arg) => !arg.startsWith('--'));

// Short: fleetd dev's systemd sockets live under a stage's folder, and unix socket paths are short.
const temp = mkdtempSync(join(tmpdir(), 'release-check-'));
const children = new Set();
let registry;
const failed = [];
const timings = [];

/** The environment of every command: this one without the variables npm sets for the script running us. */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_|^INIT_CWD$/i.test(key)));
}

/**
 * Spawns `command` in a process group of its own (so that stopping it stops what it
 * started); resolves with { stdout, stderr }, rejects naming the command, folder, exit
 * and output.
 */
function run(command, commandArgs = [], { cwd = ROOT, env = {}, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, {
      cwd,
      env: { ...cleanEnv(), ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    if (input !== undefined) child.stdin.end(input);
    child.on('error', (error) => {
      children.delete(child);
      reject(new Error(`${command} ${commandArgs.join(' ')} (in ${cwd}) could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${commandArgs.join(' ')} (in ${cwd}) exited with ${code === null ? String(signal) : code}:\n${stdout}${stderr}`));
    });
  });
}

function seconds(since) {
  return ((Date.now() - since) / 1000).toFixed(1);
}

/** Runs `work(log)` as a named step; prints its log and time when it ends; records a failure. */
async function step(name, work) {
  const started = Date.now();
  const lines = [];
  const log = (message) => lines.push(String(message).trimEnd());
  let ok = true;
  try {
    await work(log);
  } catch (error) {
    ok = false;
    lines.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
    failed.push(name);
  }
  const time = seconds(started);
  timings.push({ name, time, ok });
  process.stdout.write(
    `\n── ${name}: ${ok ? 'ok' : 'FAILED'} (${time} s)\n${lines
      .filter((line) => line !== '')
      .map((line) => `${line}\n`)
      .join('')}`,
  );
  return ok;
}

/** Runs `task` over `items`, LANES at a time. */
async function pool(items, task) {
  const pending = [...items];
  const lane = async () => {
    for (let item = pending.shift(); item !== undefined; item = pending.shift()) await task(item);
  };
  await Promise.all(Array.from({ length: LANES }, lane));
}

async function stopEverything() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await registry?.close();
  if (keep) process.stdout.write(`temp dirs kept in ${temp}\n`);
  else rmSync(temp, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stdout.write(`\n${signal}: stopping\n`);
    void stopEverything().finally(() => process.exit(130));
  });
}

/** Packs the published packages and the example plugin; returns [{ name, location, filename, size, unpackedSize, entryCount }]. */
async function pack(packages, log) {
  const destination = join(temp, 'tarballs');
  mkdirSync(destination);
  const workspaces = packages.flatMap(({ location }) => ['--workspace', location]);
  const { stdout } = await run('npm', ['pack', ...workspaces, '--pack-destination', destination, '--json', '--silent']);
  const packed = JSON.parse(stdout);
  const locations = new Map(packages.map(({ name, location }) => [name, location]));
  for (const { name, size, unpackedSize, entryCount } of packed) {
    log(
      `${name.padEnd(30)} ${String(entryCount).padStart(4)} files ${(size / 1024).toFixed(1).padStart(7)} kB packed ${(unpackedSize / 1024).toFixed(1).padStart(8)} kB unpacked`,
    );
  }
  return packed.map((entry) => ({ ...entry, location: locations.get(entry.name), path: join(destination, entry.filename) }));
}

async function checkTarball(tarball, rootManifest) {
  await step(`tarball ${tarball.name}`, async (log) => {
    const unpacked = join(temp, 'unpacked', tarball.name);
    mkdirSync(unpacked, { recursive: true });
    await run('tar', ['-xzf', tarball.path, '-C', unpacked]);
    const problems = tarballProblems({ packageDir: join(unpacked, 'package'), location: tarball.location, rootDir: ROOT, rootManifest });
    try {
      await run(join(ROOT, 'node_modules', '.bin', 'publint'), ['run', tarball.path, '--strict']);
    } catch (error) {
      problems.push(`publint: ${error.message}`);
    }
    if (problems.length > 0) throw new Error(`${tarball.filename}:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    log(`${tarball.filename}: publint and contents ok`);
  });
}

async function runStage(file, tarballs) {
  const name = file.replace(/\.mjs$/, '');
  await step(`stage ${name}`, async (log) => {
    const workDir = mkdtempSync(join(temp, `${name}-`));
    const { default: stage } = await import(pathToFileURL(join(STAGES_DIR, file)).href);
    const stageRun = (command, commandArgs, options = {}) =>
      run(command, commandArgs, { cwd: workDir, ...options, env: { npm_config_registry: registry.url, npm_config_update_notifier: 'false', ...options.env } });
    await stage({ root: ROOT, tarballs, registryUrl: registry.url, workDir, run: stageRun, log });
  });
}

const started = Date.now();
const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const workspace = await workspacePackages();
const toPack = workspace.filter((manifest) => manifest.private !== true || manifest.name === EXAMPLE_PLUGIN);
let tarballs = [];

await step('ranges and publish order', async (log) => {
  const problems = rangeProblems(workspace, (version, range) => semver.satisfies(version, range));
  if (rootManifest.repository?.url === undefined) problems.push('package.json (root): no repository.url, which every package repeats');
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const order = publishOrder(workspace.filter((manifest) => manifest.private !== true));
  log(`npm run release publishes: ${order.map(({ name }) => name).join(', ')}`);
  log(`every package's repository: ${JSON.stringify(expectedRepositoryFields(rootManifest, '<folder>').repository)}`);
});
// One tsc -b over the whole solution first: each package's prepack then finds its build up
// to date (from a fresh clone, 18 prepacks building one after another took 230 s).
await step('build', async () => {
  await run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b']);
});
await step('pack', async (log) => {
  tarballs = await pack(toPack, log);
});
if (tarballs.length > 0) {
  // attw checks every tarball in one process (TypeScript loaded once), beside the per-tarball checks.
  const attw = () =>
    step('attw --profile esm-only, every tarball', async (log) => {
      const { stdout } = await run('node', [join(ROOT, '.ci', 'release', 'attw.mjs'), ...tarballs.map(({ path }) => path)]);
      log(stdout.trim() === '' ? `no problems in ${tarballs.length} tarballs` : stdout);
    });
  await pool([attw, ...tarballs.map((tarball) => () => checkTarball(tarball, rootManifest))], (task) => task());
  const byName = new Map(tarballs.map(({ name, path }) => [name, path]));
  const { stdout: upstream } = await run('npm', ['config', 'get', 'registry']);
  registry = await startRegistry(byName, upstream.trim());
  process.stdout.write(`\nlocal registry ${registry.url} serves ${byName.size} packed packages, redirects the rest to ${upstream.trim()}\n`);
  const stages = readdirSync(STAGES_DIR)
    .filter((file) => file.endsWith('.mjs'))
    .filter((file) => onlyStages.length === 0 || onlyStages.includes(file.replace(/\.mjs$/, '')))
    .sort();
  await pool(stages, (file) => runStage(file, byName));
  if (registry !== undefined)
    process.stdout.write(`\nlocal registry: ${registry.requests.local} requests served, ${registry.requests.redirected} redirected upstream\n`);
}
await stopEverything();

process.stdout.write(`\nrelease check: ${timings.length - failed.length} of ${timings.length} steps passed in ${seconds(started)} s (${LANES} at a time)\n`);
for (const { name, time, ok } of timings) process.stdout.write(`  ${ok ? 'ok    ' : 'FAILED'} ${time.padStart(6)} s  ${name}\n`);
if (failed.length > 0) {
  process.stdout.write(`failed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
