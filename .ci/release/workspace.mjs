// What the release scripts know about the workspace: its packages as npm lists them,
// which are published, and the order they must reach the registry in.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The fields whose workspace entries a package needs installed next to it from the registry. */
const RUNTIME_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/** Runs npm; resolves with stdout, rejects with the command, folder and output. */
export function npm(args, { cwd = ROOT, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    execFile('npm', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${stdout}${stderr}`));
    });
  });
}

/**
 * Every workspace package: its package.json as on disk, plus `location` and `dir`. npm
 * query names the workspaces; the manifests are read here, since npm may answer from
 * node_modules/.package-lock.json, which does not see a package.json edited in place
 * (as `changeset version` does).
 */
export async function workspacePackages() {
  const packages = JSON.parse(await npm(['query', '.workspace']));
  return packages.map(({ location }) => ({ ...JSON.parse(readFileSync(join(ROOT, location, 'package.json'), 'utf8')), location, dir: join(ROOT, location) }));
}

/**
 * The packages that are published. (`npm query '.workspace:not([private=true])'` does not
 * filter: the attribute selector compares the boolean with the string "true".)
 */
export async function publishedPackages() {
  return (await workspacePackages()).filter((manifest) => manifest.private !== true);
}

/** The workspace packages `manifest` needs from the registry when it is installed. */
export function internalDependencies(manifest, names) {
  return [...new Set(RUNTIME_FIELDS.flatMap((field) => Object.keys(manifest[field] ?? {})))].filter((name) => names.has(name));
}

/**
 * `packages` in an order where each comes after every workspace package it depends on
 * (dependencies, peer and optional): published in this order, no package is ever on the
 * registry before what it needs. Throws on a cycle, naming it.
 */
export function publishOrder(packages) {
  const byName = new Map(packages.map((manifest) => [manifest.name, manifest]));
  const names = new Set(byName.keys());
  const order = [];
  const state = new Map();
  const visit = (name, path) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`dependency cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dependency of internalDependencies(byName.get(name), names).sort()) visit(dependency, [...path, name]);
    state.set(name, 'done');
    order.push(byName.get(name));
  };
  for (const name of [...names].sort()) visit(name, []);
  return order;
}

/**
 * Ranges that do not follow the versions: an internal dependency (any field, any
 * workspace package) its workspace package does not satisfy (npm would install another
 * copy from the registry instead of the workspace's), and published packages whose
 * versions differ (changesets' fixed group keeps them one version).
 */
export function rangeProblems(packages, satisfies) {
  const versions = new Map(packages.map(({ name, version }) => [name, version]));
  const problems = [];
  for (const manifest of packages) {
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [name, range] of Object.entries(manifest[field] ?? {})) {
        if (versions.has(name) && !satisfies(versions.get(name), range))
          problems.push(`${manifest.location}/package.json: ${field}.${name} is ${range}, the workspace has ${versions.get(name)}`);
      }
    }
  }
  const published = new Set(packages.filter((manifest) => manifest.private !== true).map(({ version }) => version));
  if (published.size > 1) problems.push(`published packages have different versions: ${[...published].join(', ')} (one fixed version)`);
  return problems;
}
