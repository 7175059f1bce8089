#!/usr/bin/env node
// The checks of `npm test` besides the vitest suites: the lint (npm run lint), the layout
// (npm run format:check), the API reports (npm run api:check), the repository-wide type check (npm run typecheck) and every
// package's tsd tests (npm run test:types), and the release check (npm run release:check:
// the packed packages installed and used as a user would). They are CPU-bound and independent, so they
// run side by side, one per core (they took 2 min 50 s one after another on 2 cores).
// Each check's output is printed whole when it ends; the exit status is 1 when any failed,
// naming them.
import { execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Workspace folders whose package.json has a test:types script, as npm itself lists the workspaces. */
function tsdPackages() {
  const workspaces = JSON.parse(execFileSync('npm', ['query', '.workspace'], { cwd: ROOT, encoding: 'utf8' }));
  return workspaces.filter((workspace) => workspace.scripts?.['test:types'] !== undefined).map((workspace) => join(ROOT, workspace.location));
}

// The longest tasks start first: the release check (pack, install from a local registry,
// run the stages; .ci/release/check.mjs), then the lint and the type check (each
// type-checks the whole repository).
const checks = [
  { name: 'release:check', command: ['node', '.ci/release/check.mjs'], cwd: ROOT },
  { name: 'lint', command: ['npm', 'run', '--silent', 'lint'], cwd: ROOT },
  { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'], cwd: ROOT },
  { name: 'format:check', command: ['npm', 'run', '--silent', 'format:check'], cwd: ROOT },
  { name: 'api:check', command: ['node', '.ci/api-report.mjs'], cwd: ROOT },
  ...tsdPackages().map((dir) => ({ name: `tsd ${relative(ROOT, dir)}`, command: ['npm', 'run', '--silent', 'test:types'], cwd: dir })),
];

function run({ name, command, cwd }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const [program, ...args] = command;
    const child = spawn(program, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ name, ok: false, output: `${output}${error.message}\n`, seconds: 0 }));
    child.on('close', (code) => resolve({ name, ok: code === 0, output, seconds: (Date.now() - started) / 1000 }));
  });
}

const lanes = Math.max(1, Math.min(availableParallelism(), 4));
const pending = [...checks];
const failed = [];
async function lane() {
  for (let check = pending.shift(); check !== undefined; check = pending.shift()) {
    const result = await run(check);
    const text = result.output.trim();
    process.stdout.write(`\n── ${result.name}: ${result.ok ? 'ok' : 'FAILED'} (${result.seconds.toFixed(1)} s)\n${text === '' ? '' : `${text}\n`}`);
    if (!result.ok) failed.push(result.name);
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: lanes }, lane));
process.stdout.write(
  `\nstatic checks: ${checks.length - failed.length} of ${checks.length} passed in ${((Date.now() - started) / 1000).toFixed(1)} s (${lanes} at a time)\n`,
);
if (failed.length > 0) {
  process.stdout.write(`failed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
