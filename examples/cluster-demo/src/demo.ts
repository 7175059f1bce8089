/**
 * The demo's story, step by step, on a running local cluster: every command
 * is a real fleetctl run against a real fleetd, printed as a person would
 * type it, with its output indented below.
 */
import { formatBytes } from '@fleetd/core';
import { SystemdManager, unitObjectPath } from '@fleetd/plugin-systemd';
import type { FleetctlResult } from 'fleetd/dev';
import type { LocalCluster, LocalMachine } from 'fleetd/dev';

export interface Narrator {
  heading(text: string): void;
  say(text: string): void;
  /** A command and its output. */
  shell(command: string, result: FleetctlResult): void;
}

export function consoleNarrator(write: (text: string) => void = (text) => process.stdout.write(text)): Narrator {
  let step = 0;
  const indent = (text: string): string =>
    text
      .trimEnd()
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n');
  return {
    heading: (text) => write(`\n${++step}. ${text}\n`),
    say: (text) => write(`   ${text}\n`),
    shell(command, result) {
      write(`\n  $ ${command}\n`);
      const output = [result.stdout, result.stderr].filter((part) => part.trim() !== '').join('\n');
      if (output !== '') write(`${indent(output)}\n`);
    },
  };
}

export const DEMO_UNITS = [
  'hello.service',
  'web@1.service',
  'web@2.service',
  'web@3.service',
  'web-sidekick@1.service',
  'web-sidekick@2.service',
  'web-sidekick@3.service',
  'db.service',
  'monitor.service',
  'pinned.service',
  'cache-v1.service',
];

export interface DemoOptions {
  readonly cluster: LocalCluster;
  readonly narrator: Narrator;
  /** Where the example unit files are (examples/units). */
  readonly unitsDir: string;
}

/** Runs the story; resolves when it is told, rejects if a command fails unexpectedly. */
export async function runDemo({ cluster, narrator, unitsDir }: DemoOptions): Promise<void> {
  const fleetctl = async (args: string[], expectSuccess = true, via?: LocalMachine): Promise<FleetctlResult> => {
    const result = await cluster.fleetctl(args, { cwd: unitsDir, ...(via === undefined ? {} : { via }) });
    narrator.shell(`fleetctl ${args.join(' ')}`, result);
    if (expectSuccess && result.code !== 0) throw new Error(`fleetctl ${args.join(' ')} exited with ${String(result.code)}`);
    return result;
  };

  narrator.heading('The machines, as any fleetd sees them');
  await fleetctl(['list-machines']);

  narrator.heading('Start units that use every [X-Fleet] option (examples/units/)');
  narrator.say('web@1..3 come from the template web@.service; each waits until systemd runs it.');
  await fleetctl(['start', ...DEMO_UNITS]);
  await fleetctl(['list-units']);

  narrator.heading('Replaces: cache-v2 never shares a machine with cache-v1');
  const cacheBefore = await placementOf(cluster, 'cache-v1.service');
  await fleetctl(['start', 'cache-v2.service']);
  const cacheAfter = await placementOf(cluster, 'cache-v1.service');
  const newCache = await placementOf(cluster, 'cache-v2.service');
  narrator.say(`cache-v1.service was on ${cacheBefore} and is on ${cacheAfter}; cache-v2.service runs on ${newCache}.`);
  narrator.say('A replacing unit runs where it can without pushing; only one that can run nowhere else takes the machine and pushes the old unit away.');
  await fleetctl(['list-unit-files', '--fields', 'unit,dstate,state,target']);

  narrator.heading('A unit no machine can take, and why');
  await fleetctl(['start', '--no-block', 'gpu-job.service']);
  await fleetctl(['explain', 'gpu-job.service']);

  narrator.heading('Resources: capacity announced, requests placed and enforced (@fleetd/plugin-resources)');
  narrator.say("Each fleetd runs the plugin (extraPlugins, enforce: true) and announces this host's CPUs and memory.");
  await fleetctl(['list-machines', '--fields', 'machine,facts']);
  await fleetctl(['start', 'batch.service']);
  const batchMachine = await placementOf(cluster, 'batch.service');
  const limits = await serviceLimits(cluster.machine(batchMachine), 'batch.service');
  narrator.say(`batch.service asked for Memory=256M and CPU=0.5; ${batchMachine}'s systemd runs it with ${limits}.`);

  narrator.heading('A machine dies');
  const victim = cluster.machine('bravo');
  const victims = (await unitsOn(cluster, victim.spec.id)).filter((unit) => unit !== 'monitor.service');
  const before = await placements(cluster);
  narrator.say(`Power cut on bravo, which runs ${victims.join(', ')} (and its copy of the global monitor.service).`);
  await cluster.crash(victim);
  narrator.say(`Its presence expires after the agent TTL (${cluster.ttlSeconds} s); then the engine moves its units.`);
  const after = await waitForMoves(cluster, victims, victim.spec.id);
  // Every change, not only bravo's units: a unit that moves can push out another (Replaces).
  const changed = [...before].filter(([unit, machine]) => after.get(unit) !== machine);
  for (const [unit, machine] of changed) narrator.say(`  ${unit}: ${machine} → ${placedOrNowhere(after.get(unit))}`);
  await fleetctl(['list-units']);
  const stranded = changed.filter(([unit]) => placedOrNowhere(after.get(unit)) === 'nowhere').map(([unit]) => unit);
  if (stranded.length > 0) {
    narrator.say('Why some could not go anywhere, in one line each (fleetctl explain UNIT gives every machine and plugin):');
    for (const unit of stranded) narrator.say(`  ${unit}: ${await summaryOf(cluster, unit)}`);
  }
}

/** MemoryMax and CPUQuota of a running service, as its machine's systemd reports them. */
async function serviceLimits(machine: LocalMachine, unit: string): Promise<string> {
  const manager = await SystemdManager.connect(machine.systemd.busAddress, 5000);
  try {
    const read = (property: string) => manager.getProperty(unitObjectPath(unit), 'org.freedesktop.systemd1.Service', property);
    const [memoryMax, quota] = await Promise.all([read('MemoryMax'), read('CPUQuotaPerSecUSec')]);
    return `MemoryMax=${formatBytes(Number(memoryMax))}, CPUQuota=${Number(quota) / 10_000}%`;
  } finally {
    manager.connection.close();
  }
}

const placedOrNowhere = (machine: string | undefined): string => (machine === undefined || machine === '-' ? 'nowhere' : machine);

async function summaryOf(cluster: LocalCluster, unit: string): Promise<string> {
  const { stdout } = await cluster.fleetctl(['explain', unit]);
  return /^Summary:\s+(.*)$/m.exec(stdout)?.[1] ?? 'no explanation';
}

/** unit → machine ID, as the cluster stores it (`-` when not placed). */
async function placements(cluster: LocalCluster): Promise<Map<string, string>> {
  const { stdout } = await cluster.fleetctl(['list-unit-files', '--no-legend', '-l', '--fields', 'unit,target']);
  const rows = stdout.trim().split('\n').filter(Boolean);
  return new Map(rows.map((row) => row.split(/\s+/) as [string, string]).map(([unit, target]) => [unit, target.split('/')[0] ?? '-']));
}

async function placementOf(cluster: LocalCluster, unit: string): Promise<string> {
  return (await placements(cluster)).get(unit) ?? '-';
}

async function unitsOn(cluster: LocalCluster, machine: string): Promise<string[]> {
  const { stdout } = await cluster.fleetctl(['list-units', '--no-legend', '-l', '--fields', 'unit,machine']);
  return stdout
    .trim()
    .split('\n')
    .map((row) => row.split(/\s+/) as [string, string])
    .filter(([, where]) => where.split('/')[0] === machine)
    .map(([unit]) => unit);
}

/** Waits until none of `units` is placed on `from` any more; returns every placement then. */
async function waitForMoves(cluster: LocalCluster, units: readonly string[], from: string): Promise<Map<string, string>> {
  const deadline = Date.now() + (cluster.ttlSeconds + 20) * 1000;
  for (;;) {
    const now = await placements(cluster);
    if (units.every((unit) => now.get(unit) !== from)) return now;
    if (Date.now() > deadline) throw new Error(`units of ${from} did not move within ${cluster.ttlSeconds + 20} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
