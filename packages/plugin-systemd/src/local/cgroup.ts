/**
 * A private cgroup subtree per instance. Without one, two user instances on
 * the same host put same-named units into the same cgroup (app.slice/foo.service),
 * and stopping the unit in one instance kills the other's processes too.
 * Works on hybrid hosts (unified + name=systemd, as here) and pure cgroup v2.
 *
 * Resource limits (MemoryMax=, CPUQuota=) need the memory and cpu controllers.
 * On cgroup v2 they come with the subtree (when its parent enables them). On a
 * hybrid host they live in v1 hierarchies of their own, which systemd uses
 * only where its root cgroup (the same path as in name=systemd) exists and is
 * writable there: without `fleet-<name>` in /sys/fs/cgroup/memory and .../cpu,
 * a user instance accepted MemoryMax= and wrote no limit anywhere.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';
/**
 * The v1 controller hierarchies behind systemd's memory and CPU limits
 * (MemoryMax=, CPUQuota=). cpuacct too: systemd realizes cpu and cpuacct as
 * one (hosts often mount them together), and with cpuacct missing it made a
 * unit's cpu cgroup only at its slice, where CPUQuota= was not written.
 */
const LIMIT_CONTROLLERS = ['memory', 'cpu', 'cpuacct'];

/** An instance's cgroups: those its manager starts in, and all of them (for pids, kill, removal). */
export interface InstanceCgroups {
  /** One per hierarchy systemd tracks its processes in; the manager joins these before it runs. */
  readonly joined: readonly string[];
  /** `joined` plus the v1 controller cgroups systemd puts units into on a hybrid host. */
  readonly all: readonly string[];
}

/** The hierarchies a systemd instance needs its own subtree in. */
export function cgroupHierarchies(): string[] {
  const hybrid = ['unified', 'systemd'].map((h) => join(CGROUP_ROOT, h)).filter((dir) => existsSync(join(dir, 'cgroup.procs')));
  if (hybrid.length > 0) return hybrid;
  if (existsSync(join(CGROUP_ROOT, 'cgroup.controllers'))) return [CGROUP_ROOT];
  throw new Error(`no cgroup hierarchy found under ${CGROUP_ROOT}: systemd user instances need cgroups`);
}

/**
 * The v1 memory and cpu hierarchies an instance of this uid can use: only
 * root's, at the top, on a host that mounts them (hybrid or legacy). The
 * manager need not join them; systemd moves each unit's processes there.
 */
export function limitControllerParents(uid: number = process.getuid?.() ?? 0): string[] {
  if (uid !== 0) return [];
  const mounted = LIMIT_CONTROLLERS.map((controller) => join(CGROUP_ROOT, controller)).filter((dir) => existsSync(join(dir, 'cgroup.procs')));
  // cpu and cpuacct are often links to one cpu,cpuacct hierarchy: one subtree there.
  return [...new Map(mounted.map((dir) => [realpathSync(dir), dir])).values()];
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
 * Creates `fleet-<name>` in every hierarchy (and, as root on a hybrid host,
 * in the memory and cpu ones). A leftover without processes (a crashed run)
 * is reused; one with processes belongs to a live instance.
 */
export function createCgroups(name: string): InstanceCgroups {
  const own = `fleet-${name}`;
  const joined = cgroupParents().map((parent) => join(parent, own));
  const all = [...joined, ...limitControllerParents().map((parent) => join(parent, own))];
  if (cgroupPids(all).length > 0) {
    throw new Error(`cgroup ${own} is in use by another systemd instance: choose another instance name`);
  }
  removeCgroups(all.filter((dir) => existsSync(dir)));
  for (const dir of all) mkdirSync(dir, { recursive: true });
  return { joined, all };
}
