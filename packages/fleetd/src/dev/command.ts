/**
 * `fleetd dev`: a local cluster on this host that stays up until Ctrl-C, then
 * leaves nothing behind. Each machine is a systemd user instance with its own
 * fleetd; one machine uses the embedded store, several share a real etcd.
 */
import { Command, CommanderError, Option } from 'commander';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { LOG_LEVELS } from '../config/types.js';
import { startLocalCluster } from './local-cluster.js';
import type { LocalCluster, LocalClusterOptions, MachineSpec } from './local-cluster.js';
import { devMachines, MAX_DEV_MACHINES } from './machines.js';
import { defaultDevDir, devSocketPath } from './paths.js';
import { clusterSummary, outputRelay } from './report.js';

/** Marks a directory as made by `fleetd dev`, so a leftover one may be cleared and any other is refused. */
const MARKER = '.fleetd-dev';

export interface DevArgs {
  readonly machines: number;
  readonly metadata: readonly string[];
  readonly dir: string;
  readonly store: 'etcd' | 'embedded' | undefined;
  readonly logLevel: NonNullable<LocalClusterOptions['logLevel']>;
  /** `--plugin`: plugins every machine adds to the default ones, with their options. */
  readonly plugins: NonNullable<LocalClusterOptions['extraPlugins']>;
}

type Parsed = { readonly args: DevArgs } | { readonly exit: number; readonly text: string };

export function parseDevArgs(argv: readonly string[]): Parsed {
  let text = '';
  const program = new Command('fleetd dev')
    .description('A local fleetd cluster on this host, up until Ctrl-C: each machine is a systemd user instance with its own fleetd. See docs/dev.md.')
    .exitOverride()
    .configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk), outputError: () => {} })
    .helpOption('-h, --help', 'show this help')
    .option('-m, --machines <count>', `how many machines, 1 to ${MAX_DEV_MACHINES} (named alpha, bravo, ...)`, '1')
    .option('--metadata <pairs>', 'machine metadata: "key=value,..." for every machine, "bravo:key=value,..." for one; repeatable', collect, [] as string[])
    .option('--dir <dir>', `where the cluster lives, removed on exit (default ${defaultDevDir()})`)
    .addOption(
      new Option('--store <store>', 'etcd (a real etcd member), or embedded (one machine only); default: embedded for one machine').choices([
        'etcd',
        'embedded',
      ] as const),
    )
    .option(
      '--plugin <spec>',
      'a plugin every machine adds to the default ones: a package name or path, optionally =JSON options (\'@fleetd/plugin-resources={"enforce":true}\'); repeatable',
      collect,
      [] as string[],
    )
    .addOption(new Option('--log-level <level>', "the fleetds' log level, printed here").choices(LOG_LEVELS).default('warn'))
    .allowExcessArguments(false);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed') return { exit: 0, text };
    const message = error.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\)$/, ' (did you mean $1)');
    return { exit: 2, text: `fleetd dev: ${message}\n` };
  }
  const options = program.opts();
  const plugins = (options.plugin as string[]).map(pluginSpecOf);
  const bad = plugins.find((plugin): plugin is { problem: string } => typeof plugin === 'object' && 'problem' in plugin);
  if (bad !== undefined) return { exit: 2, text: `fleetd dev: ${bad.problem}\n` };
  return {
    args: {
      machines: Number(options.machines),
      metadata: options.metadata as string[],
      dir: resolve((options.dir as string | undefined) ?? defaultDevDir()),
      store: options.store as DevArgs['store'],
      logLevel: options.logLevel as DevArgs['logLevel'],
      plugins: plugins as DevArgs['plugins'],
    },
  };
}

const absoluteIfPath = (specifier: string): string => (/^\.\.?\//.test(specifier) ? resolve(specifier) : specifier);

/** `name` or `name={json options}`, as `--plugin` takes it, or what is wrong with it. */
function pluginSpecOf(text: string): DevArgs['plugins'][number] | { readonly problem: string } {
  const eq = text.indexOf('=');
  // Each machine's config lives in the cluster's directory: a path is meant from here.
  const plugin = absoluteIfPath(eq === -1 ? text : text.slice(0, eq));
  if (eq === -1) return plugin;
  let options: unknown;
  try {
    options = JSON.parse(text.slice(eq + 1));
  } catch (error) {
    return { problem: `--plugin ${plugin}: its options after "=" are not JSON (${(error as Error).message})` };
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return { problem: `--plugin ${plugin}: its options after "=" must be a JSON object` };
  return { plugin, options: options as Record<string, unknown> };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs `fleetd dev` until SIGINT or SIGTERM; resolves with the exit code. */
export async function devMain(argv: readonly string[], write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const parsed = parseDevArgs(argv);
  if ('exit' in parsed) {
    (parsed.exit === 0 ? write : (text: string) => process.stderr.write(text))(parsed.text);
    return parsed.exit;
  }
  const machines = machinesOf(parsed.args);
  if (typeof machines === 'string') return fail(machines);
  const stopRequested = untilSignalled();
  const started = Date.now();
  let cluster: LocalCluster | undefined;
  try {
    await claimDir(parsed.args.dir);
  } catch (error) {
    return fail(messageOf(error));
  }
  try {
    write(`fleetd dev: ${plural(machines.length, 'machine')} in ${parsed.args.dir}\n`);
    cluster = await Promise.race([startCluster(parsed.args, machines, write), stopRequested.then(() => undefined)]);
  } catch (error) {
    rmSync(parsed.args.dir, { recursive: true, force: true }); // ours since claimDir
    return fail(messageOf(error));
  }
  if (cluster === undefined) return stopped(write, started);
  write(clusterSummary(cluster, { seconds: (Date.now() - started) / 1000, defaultEndpoint: cluster.endpoint === devSocketPath() }));
  await stopRequested;
  write('\nStopping: every fleetd, systemd instance and etcd member of the cluster, then its files.\n');
  await cluster.stop();
  return stopped(write, started);
}

/** The machines to start, or what is wrong with the arguments. */
function machinesOf(args: DevArgs): MachineSpec[] | string {
  const machines = devMachines(args.machines, args.metadata);
  if (!machines.ok) return machines.problem;
  if (args.store === 'embedded' && args.machines > 1)
    return `--store embedded serves one machine, not ${args.machines}: leave --store out, or use --store etcd`;
  return machines.machines;
}

function startCluster(args: DevArgs, machines: readonly MachineSpec[], write: (text: string) => void): Promise<LocalCluster> {
  return startLocalCluster({
    machines,
    dir: args.dir,
    ...(args.store === undefined ? {} : { store: args.store }),
    logLevel: args.logLevel,
    extraPlugins: args.plugins,
    // The dashboard needs a listener a browser can reach: each machine's on 127.0.0.1, with one token.
    tcpApi: true,
    onStep: (text) => write(`  … ${text}\n`),
    onOutput: outputRelay(write),
  });
}

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function stopped(write: (text: string) => void, started: number): number {
  write(`Stopped; nothing is left behind. (up ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return 0;
}

/**
 * Resolves on the first SIGINT or SIGTERM. The harnesses' own handlers have by
 * then killed their processes synchronously; stopping is what is left.
 */
function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolvePromise) => {
    const handler = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      // Kept listening, so that a second Ctrl-C does not kill us before the files are gone.
      process.on('SIGINT', () => undefined);
      process.on('SIGTERM', () => undefined);
      resolvePromise(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

/** Makes `dir`, or clears one a previous `fleetd dev` left behind; refuses one in use or not ours. */
async function claimDir(dir: string): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (await answers(devSocketPath(dir))) {
      throw new Error(`a fleetd dev cluster is already running in ${dir} (endpoint ${devSocketPath(dir)}): stop it with Ctrl-C in its terminal, or use --dir`);
    }
    if (!existsSync(join(dir, MARKER))) throw new Error(`${dir} is not empty and was not made by fleetd dev: choose another --dir, or remove it`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, MARKER), 'made by fleetd dev; removed when it stops\n');
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

function fail(message: string): number {
  process.stderr.write(`fleetd dev: ${message}\n`);
  return 1;
}
