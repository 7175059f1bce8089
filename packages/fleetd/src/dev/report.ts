/**
 * What `fleetd dev` prints: the cluster once it is up (what to do next), and
 * the fleetds' log lines, one readable line each.
 */
import { existsSync } from 'node:fs';
import type { LocalCluster, MachineSpec } from './local-cluster.js';

const HELLO_IN_CHECKOUT = 'examples/units/hello.service';

export interface SummaryContext {
  readonly seconds: number;
  /** True when fleetctl finds the cluster without being told (the default directory). */
  readonly defaultEndpoint: boolean;
}

export function clusterSummary(cluster: LocalCluster, { seconds, defaultEndpoint }: SummaryContext): string {
  const store = cluster.etcd === undefined ? 'the embedded store' : `etcd at ${cluster.etcd.endpoints.join(', ')}`;
  const rows = cluster.machines.map(({ spec, systemd }) => [spec.id, metadataText(spec), systemd.runtimeDir]);
  const lines = [
    '',
    `Ready in ${seconds.toFixed(1)} s: ${cluster.machines.length} machine${cluster.machines.length === 1 ? '' : 's'} on ${store}.`,
    '',
    ...table([['MACHINE', 'METADATA', "ITS SYSTEMD'S XDG_RUNTIME_DIR"], ...rows]),
    '',
    `fleetctl endpoint: ${cluster.endpoint}`,
    defaultEndpoint
      ? '  fleetctl finds it by itself on this host; elsewhere, or for other tools:'
      : '  fleetctl needs to be told, in every terminal that uses this cluster:',
    `  export FLEETCTL_ENDPOINT=${cluster.endpoint}`,
    '',
    ...dashboardLines(cluster),
    'Next, in another terminal:',
    '  fleetctl list-machines',
    `  fleetctl start ${helloUnit()}`,
    '  fleetctl list-units',
    "Inside a machine's systemd:",
    `  XDG_RUNTIME_DIR=${cluster.machines[0]?.systemd.runtimeDir ?? ''} systemctl --user status`,
    '',
    'Ctrl-C stops the cluster and removes every process, cgroup and file it made.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** The dashboard of the first machine, and the others' (each fleetd serves the whole cluster's). */
function dashboardLines(cluster: LocalCluster): string[] {
  if (cluster.apiToken === undefined || cluster.machines[0]?.apiUrl === undefined) return [];
  const others = cluster.machines.slice(1).flatMap((machine) => (machine.apiUrl === undefined ? [] : [`${machine.spec.id} ${machine.apiUrl}/ui/`]));
  return [
    `Dashboard: ${cluster.dashboardUrl(cluster.machines[0])}`,
    '  (the link signs the browser in; the API token for scripts:',
    `  curl -H 'Authorization: Bearer ${cluster.apiToken}' ${cluster.machines[0].apiUrl}/fleet/v1/machines)`,
    ...(others.length === 0 ? [] : [`  every machine serves it: ${others.join(', ')}`]),
    '',
  ];
}

function helloUnit(): string {
  if (existsSync(HELLO_IN_CHECKOUT)) return HELLO_IN_CHECKOUT;
  return `hello.service    (any unit file; e.g. printf '[Service]\\nExecStart=/bin/sleep infinity\\n' > hello.service)`;
}

function metadataText(spec: MachineSpec): string {
  const pairs = Object.entries(spec.metadata).map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? '-' : pairs.join(',');
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map(
    (row) =>
      `  ${row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd()}`,
  );
}

/** Prints each fleetd line as `[machine] level: message`, fleetd's JSON log made readable. */
export function outputRelay(write: (text: string) => void): (machine: MachineSpec, line: string) => void {
  return (machine, line) => {
    if (line.trim() === '') return;
    write(`  [${machine.id}] ${readable(line)}\n`);
  };
}

function readable(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null) return line;
  const { level, msg, err } = entry as { level?: unknown; msg?: unknown; err?: { message?: unknown } };
  const cause = typeof err?.message === 'string' ? ` (${err.message})` : '';
  return `${typeof level === 'string' ? level : 'log'}: ${typeof msg === 'string' ? msg : line}${cause}`;
}
