/**
 * A real fleetd cluster on one host: per machine a systemd user instance (its
 * own runtime dir, home and cgroup: what a real machine's systemd is to
 * fleetd) and a `fleetd` process driving it; one etcd member shared by them,
 * or, for a single machine, fleetd's embedded store. `fleetd dev`, the demo
 * and the end-to-end suites all start their clusters here. Every process,
 * cgroup and file goes on stop, on Ctrl-C, and if this process dies.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { retire, startWatchdog, track } from '@fleetd/core/processes';
import type { Cleanable } from '@fleetd/core/processes';
import { startSystemdInstance } from '@fleetd/plugin-systemd/local';
import type { SystemdInstance } from '@fleetd/plugin-systemd/local';
import { freePorts, startEtcd, startTcpProxy } from '@fleetd/registry-etcd/local';
import type { CutMode, EtcdCluster, TcpProxy } from '@fleetd/registry-etcd/local';
import type { FleetdConfig } from '../config/types.js';
import { runFleetctl, startFleetd } from './fleetd-process.js';
import type { FleetctlResult, FleetdProcess } from './fleetd-process.js';

export interface MachineSpec {
  /** The machine ID (fleet used /etc/machine-id; readable names make a cluster readable). */
  readonly id: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Shown by list-machines; nothing listens on it. Default 127.0.0.1. */
  readonly publicIP?: string;
  /** Plugins this machine's fleetd adds to the default ones (its `extraPlugins`), instead of the cluster's. */
  readonly extraPlugins?: FleetdConfig['extraPlugins'];
}

export interface LocalMachine {
  readonly spec: MachineSpec;
  readonly systemd: SystemdInstance;
  readonly fleetd: FleetdProcess;
  /** `http://127.0.0.1:<port>`: its TCP API and dashboard, with `tcpApi`; undefined without. */
  readonly apiUrl: string | undefined;
}

export interface LocalClusterOptions {
  /** The machines, in start order. Default: one machine, `alpha`. */
  readonly machines?: readonly MachineSpec[];
  /**
   * Where everything goes: `fleetd.sock` (the first machine's API), `etcd/`,
   * and per machine `machine-<n>/`. Made if missing, removed by stop().
   * Default: a new temporary directory.
   */
  readonly dir?: string;
  /**
   * The store: `etcd` starts one etcd member for the cluster, `embedded` uses
   * fleetd's embedded store (one machine only). Default: `embedded` for one
   * machine, else `etcd`.
   */
  readonly store?: 'etcd' | 'embedded';
  /** etcd members when the store is etcd: 3 to survive losing one. Default 1. */
  readonly etcdMembers?: 1 | 3;
  /** Where in etcd the cluster keeps its keys (fleetd's `etcd.keyPrefix`). Default: fleetd's. */
  readonly keyPrefix?: string;
  /** Agent TTL: how long a dead machine stays listed before its units move. Default 5 s. */
  readonly ttlSeconds?: number;
  /** The engine's pace: short, so a local cluster reacts within seconds. Default: a 1 s reconcile interval, a 3 s lease. */
  readonly engine?: { readonly reconcileIntervalMs?: number; readonly leaseTtlSeconds?: number };
  /** Told about each step while starting. */
  readonly onStep?: (text: string) => void;
  /** Every line each fleetd prints (its JSON log), with its machine. */
  readonly onOutput?: (machine: MachineSpec, line: string) => void;
  /** Plugins every fleetd adds to the default ones (`extraPlugins`), unless its machine gives its own: `['@fleetd/plugin-resources']`. */
  readonly extraPlugins?: FleetdConfig['extraPlugins'];
  /** fleetd's log level. Default `warn`. */
  readonly logLevel?: NonNullable<FleetdConfig['log']>['level'];
  /**
   * Each fleetd reaches etcd through a TCP proxy of its own, so that one machine
   * can be cut off (`cutFromEtcd`) while the others and etcd carry on. Default false.
   */
  readonly etcdProxies?: boolean;
  /**
   * Every fleetd also listens on TCP (127.0.0.1, a free port) with one token for
   * the cluster (`apiToken`): what a browser needs for the dashboard. Default false.
   */
  readonly tcpApi?: boolean;
}

export interface LocalCluster {
  /** The directory holding everything (see LocalClusterOptions.dir). */
  readonly dir: string;
  /** The cluster's etcd; undefined with the embedded store. */
  readonly etcd: EtcdCluster | undefined;
  readonly machines: readonly LocalMachine[];
  readonly ttlSeconds: number;
  /** The first machine's API socket: the endpoint to give fleetctl. */
  readonly endpoint: string;
  /** The bearer token of every machine's TCP API (`tcpApi`); undefined without. */
  readonly apiToken: string | undefined;
  /** The address that signs a browser in to a machine's dashboard (the first live one by default); needs `tcpApi`. */
  dashboardUrl(machine?: LocalMachine): string;
  /** Runs fleetctl against a machine's fleetd (the first live one by default), in `cwd`. */
  fleetctl(args: readonly string[], options?: { readonly via?: LocalMachine; readonly cwd?: string }): Promise<FleetctlResult>;
  machine(id: string): LocalMachine;
  /** Kills a machine as a power cut would: its fleetd (SIGKILL) and its systemd with every unit. */
  crash(machine: LocalMachine): Promise<void>;
  /** Starts a fleetd with the cluster's settings on a systemd instance (a second daemon, a replacement machine...). */
  startMember(spec: MachineSpec, systemd: SystemdInstance, name?: string): Promise<FleetdProcess>;
  /** Adds a machine (its own systemd instance and fleetd) that `stop()` removes with the others. */
  addMachine(spec: MachineSpec): Promise<LocalMachine>;
  /**
   * Cuts a machine's fleetd off etcd, etcd and the other machines staying up (needs
   * `etcdProxies`): `refuse` as a firewall's REJECT, `blackhole` (default) as a DROP.
   */
  cutFromEtcd(machine: LocalMachine, mode?: CutMode): void;
  /** Lets a machine cut off by `cutFromEtcd` reach etcd again. */
  reconnectToEtcd(machine: LocalMachine): void;
  /** Stops every fleetd, systemd instance and etcd member, and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

/** Where a member's files go (default: `member-<n>` in the cluster's directory) and its API socket (default: in that directory). */
interface MemberPlace {
  readonly dir?: string;
  readonly socket?: string | undefined;
}

/** The first rejection's reason among settled promises, if any. */
function firstFailure(outcomes: readonly PromiseSettledResult<unknown>[]): { readonly error: unknown } | undefined {
  const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  return rejected === undefined ? undefined : { error: rejected.reason as unknown };
}

const fulfilled = <T>(outcomes: readonly PromiseSettledResult<T>[]): T[] =>
  outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));

const DEFAULT_MACHINES: readonly MachineSpec[] = [{ id: 'alpha', metadata: {} }];

/** Removes the cluster's directory once this process is gone, even SIGKILLed, after the harnesses' own watchdogs. */
const WATCHDOG = `
parent="$1"; dir="$2"
while kill -0 "$parent" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
sleep 3
rm -rf "$dir"
`;

/** Starts the machines (and etcd when the store is etcd); on failure nothing is left behind. */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const specs = options.machines ?? DEFAULT_MACHINES;
  const store = options.store ?? (specs.length > 1 ? 'etcd' : 'embedded');
  if (store === 'embedded' && specs.length > 1) {
    throw new Error(`the embedded store serves one machine, not ${specs.length}: use store "etcd" for several`);
  }
  const cluster = new Cluster(options);
  try {
    await cluster.startMachines(specs, store === 'etcd');
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

class Cluster implements LocalCluster, Cleanable {
  readonly dir: string;
  readonly endpoint: string;
  readonly ttlSeconds: number;
  readonly machines: LocalMachine[] = [];
  readonly apiToken: string | undefined;
  etcd: EtcdCluster | undefined;
  private readonly apiUrls = new Map<FleetdProcess, string>();
  private readonly crashed = new Set<LocalMachine>();
  private readonly proxies = new Map<FleetdProcess, TcpProxy>();
  private readonly watchdog: number | undefined;
  private members = 0;
  private stopped = false;

  constructor(private readonly options: LocalClusterOptions) {
    this.dir = options.dir ?? mkdtempSync('/tmp/fleetd-cluster-');
    mkdirSync(this.dir, { recursive: true });
    this.endpoint = join(this.dir, 'fleetd.sock');
    this.ttlSeconds = options.ttlSeconds ?? 5;
    this.apiToken = options.tcpApi === true ? randomBytes(24).toString('base64url') : undefined;
    track(this);
    this.watchdog = startWatchdog('fleetd-cluster-watchdog', WATCHDOG, [this.dir]);
  }

  step(text: string): void {
    this.options.onStep?.(text);
  }

  /**
   * etcd and every machine's systemd at once, then every fleetd at once: start-up
   * takes as long as the slowest of each, not their sum. The first machine's API is
   * the cluster's endpoint.
   */
  async startMachines(specs: readonly MachineSpec[], withEtcd: boolean): Promise<void> {
    const members = this.options.etcdMembers ?? 1;
    const etcdText = !withEtcd ? '' : members === 1 ? 'etcd and ' : `a ${members}-member etcd and `;
    this.step(`starting ${etcdText}${specs.length} systemd user instance${specs.length === 1 ? '' : 's'}`);
    // Every start is waited for, so none is left running unseen when another fails.
    const etcdStarted = Promise.allSettled(withEtcd ? [startEtcd({ dir: join(this.dir, 'etcd'), members })] : []);
    const systemds = await Promise.allSettled(specs.map((_, index) => startSystemdInstance({ dir: join(this.machineDir(index), 'systemd') })));
    const etcd = await etcdStarted;
    this.etcd = fulfilled(etcd)[0];
    const running = fulfilled(systemds);
    const startFailure = firstFailure([...etcd, ...systemds]);
    if (startFailure !== undefined) {
      await Promise.all(running.map((systemd) => systemd.stop()));
      throw startFailure.error;
    }
    this.step(`starting ${specs.length} fleetd${specs.length === 1 ? '' : 's'}: ${specs.map((spec) => spec.id).join(', ')}`);
    const fleetds = await Promise.allSettled(
      specs.map((spec, index) =>
        this.startMember(spec, running[index] as SystemdInstance, spec.id, {
          dir: join(this.machineDir(index), 'fleetd'),
          socket: index === 0 ? this.endpoint : undefined,
        }),
      ),
    );
    // In spec order; the machines that did start are kept, so that stop() removes them.
    const orphans: SystemdInstance[] = [];
    fleetds.forEach((member, index) => {
      const systemd = running[index] as SystemdInstance;
      if (member.status === 'fulfilled') this.machines.push(this.machineOf(specs[index] as MachineSpec, systemd, member.value));
      else orphans.push(systemd);
    });
    await Promise.all(orphans.map((systemd) => systemd.stop()));
    const memberFailure = firstFailure(fleetds);
    if (memberFailure !== undefined) throw memberFailure.error;
  }

  async addMachine(spec: MachineSpec): Promise<LocalMachine> {
    this.step(`starting machine ${spec.id}: a systemd user instance and fleetd`);
    const dir = this.machineDir(this.machines.length);
    const systemd = await startSystemdInstance({ dir: join(dir, 'systemd') });
    try {
      const machine = this.machineOf(spec, systemd, await this.startMember(spec, systemd, spec.id, { dir: join(dir, 'fleetd') }));
      this.machines.push(machine);
      return machine;
    } catch (error) {
      await systemd.stop();
      throw error;
    }
  }

  async startMember(spec: MachineSpec, systemd: SystemdInstance, name = spec.id, where: MemberPlace = {}): Promise<FleetdProcess> {
    this.members += 1;
    const proxy = this.options.etcdProxies === true && this.etcd !== undefined ? await startTcpProxy(this.etcd.endpoints[0] as string) : undefined;
    const onOutput = this.options.onOutput;
    const api = await this.apiConfig(where.socket);
    const fleetd = await startFleetd({
      name,
      dir: where.dir ?? join(this.dir, `member-${this.members}`),
      config: this.memberConfig(spec, systemd, proxy, api),
      ...(onOutput === undefined ? {} : { onOutput: (line: string) => onOutput(spec, line) }),
    }).catch(async (error: unknown) => {
      await proxy?.close();
      throw error;
    });
    if (proxy !== undefined) this.proxies.set(fleetd, proxy);
    const tcp = api?.tcp;
    if (tcp !== undefined) this.apiUrls.set(fleetd, `http://${tcp.host ?? '127.0.0.1'}:${tcp.port ?? 0}`);
    return fleetd;
  }

  dashboardUrl(machine: LocalMachine = this.live()): string {
    if (machine.apiUrl === undefined || this.apiToken === undefined) throw new Error('the dashboard needs a TCP API: start the cluster with tcpApi: true');
    return `${machine.apiUrl}/ui/login#token=${this.apiToken}`;
  }

  machineOf(spec: MachineSpec, systemd: SystemdInstance, fleetd: FleetdProcess): LocalMachine {
    return { spec, systemd, fleetd, apiUrl: this.apiUrls.get(fleetd) };
  }

  /** The member's socket, and with `tcpApi` a TCP listener on a port of its own, kept across restarts (the config file holds it). */
  private async apiConfig(socket: string | undefined): Promise<FleetdConfig['api']> {
    const tcp = this.apiToken === undefined ? {} : { tcp: { host: '127.0.0.1', port: (await freePorts(1))[0] as number, token: this.apiToken } };
    if (socket === undefined && tcp.tcp === undefined) return undefined;
    return { ...(socket === undefined ? {} : { socket }), ...tcp };
  }

  async fleetctl(args: readonly string[], { via, cwd }: { readonly via?: LocalMachine; readonly cwd?: string } = {}): Promise<FleetctlResult> {
    const machine = via ?? this.live();
    return runFleetctl(args, { endpoint: machine.fleetd.socketPath, ...(cwd === undefined ? {} : { cwd }) });
  }

  machine(id: string): LocalMachine {
    const found = this.machines.find((machine) => machine.spec.id === id);
    if (found === undefined) throw new Error(`no machine ${id} in the local cluster`);
    return found;
  }

  async crash(machine: LocalMachine): Promise<void> {
    this.crashed.add(machine);
    await machine.fleetd.kill();
    await machine.systemd.stop();
  }

  cutFromEtcd(machine: LocalMachine, mode: CutMode = 'blackhole'): void {
    this.proxyOf(machine).cut(mode);
  }

  reconnectToEtcd(machine: LocalMachine): void {
    this.proxyOf(machine).restore();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const machine of this.machines) {
      await machine.fleetd.remove().catch(() => undefined);
      await machine.systemd.stop().catch(() => undefined);
    }
    for (const proxy of this.proxies.values()) await proxy.close();
    await this.etcd?.stop();
    this.removeFiles();
  }

  cleanupSync(): void {
    // The harnesses' own exit handlers kill their processes; what is left is the directory.
    this.stopped = true;
    this.removeFiles();
  }

  private memberConfig(spec: MachineSpec, systemd: SystemdInstance, proxy: TcpProxy | undefined, api: FleetdConfig['api']): FleetdConfig {
    const keyPrefix = this.options.keyPrefix === undefined ? {} : { keyPrefix: this.options.keyPrefix };
    const endpoints = proxy === undefined ? [...(this.etcd?.endpoints ?? [])] : [proxy.endpoint];
    const etcd = this.etcd === undefined ? {} : { etcd: { endpoints, ...keyPrefix } };
    return {
      ...etcd,
      machine: { id: spec.id, metadata: { ...spec.metadata }, publicIP: spec.publicIP ?? '127.0.0.1' },
      agent: { busAddress: systemd.busAddress, unitsDirectory: systemd.unitsDirectory, ttlSeconds: this.ttlSeconds },
      engine: { reconcileIntervalMs: 1000, leaseTtlSeconds: 3, ...this.options.engine },
      ...(api === undefined ? {} : { api }),
      log: { level: this.options.logLevel ?? 'warn' },
      ...extraPluginsOf(spec.extraPlugins ?? this.options.extraPlugins),
    };
  }

  private machineDir(index: number): string {
    return join(this.dir, `machine-${index + 1}`);
  }

  private live(): LocalMachine {
    // A fleetd stopped on purpose (fleetd.stop()) cannot answer either.
    const machine = this.machines.find((candidate) => !this.crashed.has(candidate) && candidate.fleetd.pid !== undefined);
    if (machine === undefined) throw new Error('every machine of the local cluster has crashed');
    return machine;
  }

  private proxyOf(machine: LocalMachine): TcpProxy {
    const proxy = this.proxies.get(machine.fleetd);
    if (proxy === undefined) throw new Error(`machine ${machine.spec.id} reaches etcd directly: start the cluster with etcdProxies: true`);
    return proxy;
  }

  private removeFiles(): void {
    retire(this, this.watchdog, this.dir);
  }
}

function extraPluginsOf(plugins: FleetdConfig['extraPlugins']): Pick<FleetdConfig, 'extraPlugins'> {
  return plugins === undefined || plugins.length === 0 ? {} : { extraPlugins: [...plugins] };
}
