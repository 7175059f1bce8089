/**
 * What the cluster really looks like: etcd's keys under the cluster's prefix
 * (read with a client of our own, not through fleetd) and, per machine, the
 * units its systemd runs (`systemctl --user` against that instance).
 */
import type { Registry } from '@fleetd/core';
import type { SystemdInstance } from '@fleetd/plugin-systemd/local';
import type { EtcdView, SystemdView } from './check.js';
import type { UnitOption } from './workload.js';

/** Names the workload and the churn give their units (nothing of systemd's own). */
export const CHAOS_UNIT = /^(plain|spread-a|spread-b|ssdpair|db|cache|app|zone-a|zone-bc|hdd|ssd|global-all|global-ssd|idle|parked|churn)-[\w-]*\.service$/;

const RUNNING = new Set(['active', 'activating', 'reloading']);

function parseJson(key: string, value: string): Record<string, unknown> {
  try {
    return JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw new Error(`etcd key ${key} does not hold JSON: ${value.slice(0, 80)}`);
  }
}

export async function readEtcd(registry: Registry, prefix: string): Promise<EtcdView> {
  const { items } = await registry.list(prefix);
  const units = new Map<string, UnitOption[]>();
  const desired = new Map<string, string>();
  const placements = new Map<string, string>();
  const machines = new Set<string>();
  const states = new Map<string, Map<string, { activeState: string; subState: string; message?: string }>>();
  for (const { key, value } of items) {
    const [kind = '', first = '', second] = key.slice(prefix.length).split('/');
    if (kind === 'units') units.set(first, parseJson(key, value)['options'] as UnitOption[]);
    else if (kind === 'desired') desired.set(first, value);
    else if (kind === 'placements') placements.set(first, String(parseJson(key, value)['machine']));
    else if (kind === 'machines') machines.add(first);
    else if (kind === 'states' && second !== undefined) {
      const state = parseJson(key, value);
      const perMachine = states.get(first) ?? new Map<string, { activeState: string; subState: string; message?: string }>();
      const message = typeof state['message'] === 'string' ? { message: state['message'] } : {};
      perMachine.set(second, { activeState: String(state['activeState']), subState: String(state['subState']), ...message });
      states.set(first, perMachine);
    }
  }
  return { units, desired, placements, machines, states };
}

/** The chaos units one systemd instance runs. */
export async function runningUnits(systemd: SystemdInstance): Promise<Set<string>> {
  const { code, stdout, stderr } = await systemd.systemctl(['list-units', '--all', '--type=service', '--no-legend', '--plain', '--no-pager']);
  if (code !== 0) throw new Error(`systemctl --user list-units on ${systemd.name} failed (exit ${code}): ${stderr.trim()}`);
  const running = new Set<string>();
  for (const line of stdout.split('\n')) {
    const [name = '', , active = ''] = line.trim().split(/\s+/);
    if (CHAOS_UNIT.test(name) && RUNNING.has(active)) running.add(name);
  }
  return running;
}

export async function readSystemd(machines: readonly { readonly id: string; readonly systemd: SystemdInstance }[]): Promise<SystemdView> {
  const entries = await Promise.all(machines.map(async (machine) => [machine.id, await runningUnits(machine.systemd)] as const));
  return new Map(entries);
}

/** Units systemd runs on more than one machine at this moment (non-global ones): the double runs of issue 15, item 8. */
export function countDoubleRuns(systemd: SystemdView, globals: ReadonlySet<string>): number {
  const seen = new Map<string, number>();
  for (const units of systemd.values()) for (const unit of units) if (!globals.has(unit)) seen.set(unit, (seen.get(unit) ?? 0) + 1);
  return [...seen.values()].filter((count) => count > 1).length;
}
