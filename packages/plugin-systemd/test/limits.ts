/**
 * Reading a service's resource limits back, as systemd holds them (D-Bus
 * properties) and as the kernel enforces them (the files of its cgroup).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_INTERFACE, UNIT_INTERFACE, unitObjectPath, type SystemdManager } from '../src/index.js';

/** systemd's "no limit" for a uint64 property (UINT64_MAX). */
export const INFINITY = 18446744073709551615n;

export interface ServiceLimits {
  /** Bytes, or INFINITY. */
  readonly memoryMax: unknown;
  /** CPU time per second of wall time, in µs (CPUQuota=50% is 500000), or INFINITY. */
  readonly cpuQuotaPerSecUSec: unknown;
  /** The unit's cgroup, relative to the hierarchies' roots. */
  readonly controlGroup: string;
  readonly dropInPaths: unknown;
}

export async function serviceLimits(manager: SystemdManager, name: string): Promise<ServiceLimits> {
  const path = unitObjectPath(name);
  const [memoryMax, cpuQuotaPerSecUSec, controlGroup, dropInPaths] = await Promise.all([
    manager.getProperty(path, SERVICE_INTERFACE, 'MemoryMax'),
    manager.getProperty(path, SERVICE_INTERFACE, 'CPUQuotaPerSecUSec'),
    manager.getProperty(path, SERVICE_INTERFACE, 'ControlGroup'),
    manager.getProperty(path, UNIT_INTERFACE, 'DropInPaths'),
  ]);
  if (typeof controlGroup !== 'string' || controlGroup === '')
    throw new Error(`${name} has no cgroup (ControlGroup ${JSON.stringify(controlGroup)}): is it running?`);
  return { memoryMax, cpuQuotaPerSecUSec, controlGroup, dropInPaths };
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Which cgroup layout holds the memory and cpu controllers here: `v2` (unified) or `v1` (hybrid or legacy). */
export function limitLayout(): 'v1' | 'v2' {
  return existsSync(join(CGROUP_ROOT, 'memory', 'cgroup.procs')) ? 'v1' : 'v2';
}

/**
 * The memory and CPU limit files of a cgroup, by file name: `memory.max` and
 * `cpu.max` on cgroup v2; on v1 (the memory and cpu hierarchies of a hybrid
 * host) `memory.limit_in_bytes`, `cpu.cfs_quota_us` and `cpu.cfs_period_us`.
 * A missing file throws, naming it: the controller was not given to systemd.
 */
export function cgroupLimitFiles(controlGroup: string): Record<string, string> {
  const files =
    limitLayout() === 'v2'
      ? { 'memory.max': join(CGROUP_ROOT, controlGroup), 'cpu.max': join(CGROUP_ROOT, controlGroup) }
      : {
          'memory.limit_in_bytes': join(CGROUP_ROOT, 'memory', controlGroup),
          'cpu.cfs_quota_us': join(CGROUP_ROOT, 'cpu', controlGroup),
          'cpu.cfs_period_us': join(CGROUP_ROOT, 'cpu', controlGroup),
        };
  return Object.fromEntries(
    Object.entries(files).map(([file, dir]) => {
      const path = join(dir, file);
      if (!existsSync(path)) throw new Error(`${path} does not exist: systemd did not get the ${file.split('.')[0]} controller for ${controlGroup}`);
      return [file, readFileSync(path, 'utf8').trim()];
    }),
  );
}

/** What cgroupLimitFiles reads for MemoryMax=<bytes> and CPUQuota=<percent>% (the default period, 100 ms). */
export function expectedLimitFiles(bytes: number, percent: number): Record<string, string> {
  const period = 100_000;
  const quota = (period * percent) / 100;
  return limitLayout() === 'v2'
    ? { 'memory.max': String(bytes), 'cpu.max': `${quota} ${period}` }
    : { 'memory.limit_in_bytes': String(bytes), 'cpu.cfs_quota_us': String(quota), 'cpu.cfs_period_us': String(period) };
}
