/**
 * A private cgroup subtree per instance. Without one, two user instances on
 * the same host put same-named units into the same cgroup (app.slice/foo.service),
 * and stopping the unit in one instance kills the other's processes too.
 * Works on hybrid hosts (unified + name=systemd, as here) and pure cgroup v2.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The hierarchies a systemd instance needs its own subtree in. */
export function cgroupHierarchies(): string[] {
  const hybrid = ['unified', 'systemd'].map((h) => join(CGROUP_ROOT, h)).filter((dir) => existsSync(join(dir, 'cgroup.procs')));
  if (hybrid.length > 0) return hybrid;
  if (existsSync(join(CGROUP_ROOT, 'cgroup.controllers'))) return [CGROUP_ROOT];
  throw new Error(`no cgroup hierarchy found under ${CGROUP_ROOT}: systemd user instances need cgroups`);
}

/**
 * Where instances' subtrees go in each hierarchy. root: the hierarchy's top.
 * Anyone else: the cgroup this process runs in, which must be delegated to
 * them (writable), as `systemd-run --user --scope -p Delegate=yes` makes one;
 * moving a process needs write access to the common ancestor's cgroup.procs.
 */
export function cgroupParents(uid: number = process.getuid?.() ?? 0): string[] {
  const hierarchies = cgroupHierarchies();
  if (uid === 0) return hierarchies;
  const own = ownCgroups();
  return hierarchies.map((hierarchy) => {
    const path = own.get(hierarchy.endsWith('/systemd') ? 'name=systemd' : '');
    const dir = path === undefined ? undefined : join(hierarchy, path).replace(/(.)\/$/, '$1');
    if (dir === undefined || !isWritable(dir) || !isWritable(join(dir, 'cgroup.procs'))) throw new Error(notDelegated(uid, dir ?? hierarchy));
    return dir;
  });
}

function notDelegated(uid: number, dir: string): string {
  return (
    `systemd user instances need a cgroup of their own, and cgroup ${dir} is not delegated to uid ${uid}. ` +
    'Run as root, or inside a delegated scope of your own systemd: systemd-run --user --scope -p Delegate=yes <command>'
  );
}

/** hierarchy key (`name=systemd`, or '' for the unified one) → this process's cgroup path in it. */
function ownCgroups(): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (controllers !== undefined && path !== undefined) paths.set(controllers, path);
  }
  return paths;
}

function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every directory of a subtree, deepest first. */
function subtree(dir: string): string[] {
  let children: string[] = [];
  try {
    children = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
  return [...children.flatMap(subtree), dir];
}

/** Pids of every process in the subtrees. */
export function cgroupPids(dirs: readonly string[]): number[] {
  const pids = new Set<number>();
  for (const dir of dirs.flatMap(subtree)) {
    try {
      for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line !== '') pids.add(Number(line));
    } catch {
      // removed meanwhile
    }
  }
  return [...pids];
}

export function killCgroups(dirs: readonly string[], signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const pid of cgroupPids(dirs)) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** rmdir of every subtree, deepest first; true when all are gone (a cgroup with processes cannot be removed). */
export function removeCgroups(dirs: readonly string[]): boolean {
  for (const dir of dirs.flatMap(subtree)) {
    try {
      rmdirSync(dir);
    } catch {
      // busy (processes still exiting) or gone; the caller retries
    }
  }
  return dirs.every((dir) => !existsSync(dir));
}

/**
 * Creates `fleet-<name>` in every hierarchy. A leftover without processes
 * (a crashed run) is reused; one with processes belongs to a live instance.
 */
export function createCgroups(name: string): string[] {
  const dirs = cgroupParents().map((parent) => join(parent, `fleet-${name}`));
  if (cgroupPids(dirs).length > 0) {
    throw new Error(`cgroup fleet-${name} is in use by another systemd instance: choose another instance name`);
  }
  removeCgroups(dirs.filter((dir) => existsSync(dir)));
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  return dirs;
}
