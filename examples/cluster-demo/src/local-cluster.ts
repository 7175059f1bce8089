/**
 * A real fleetd cluster on one host: one etcd member, and per machine a
 * systemd user instance (its own runtime dir, home and cgroup: what a real
 * machine's systemd is to fleetd) and a `fleetd` process driving it. Every
 * process is cleaned up on stop, on Ctrl-C, and if this process dies.
 */
import { startSystemdInstance } from '@fleetd/plugin-systemd/testing';
import type { SystemdInstance } from '@fleetd/plugin-systemd/testing';
import { startEtcd, startTcpProxy } from '@fleetd/registry-etcd/testing';
import type { CutMode, EtcdCluster, TcpProxy } from '@fleetd/registry-etcd/testing';
import { runFleetctl, startFleetd } from 'fleetd/testing';
import type { FleetctlResult, FleetdProcess } from 'fleetd/testing';

export interface MachineSpec {
  /** The machine ID (fleet used /etc/machine-id; readable names make a demo readable). */
  readonly id: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Shown by list-machines; nothing listens on it. */
  readonly publicIP: string;
}

export interface LocalMachine {
  readonly spec: MachineSpec;
  readonly systemd: SystemdInstance;
  readonly fleetd: FleetdProcess;
}

export const DEMO_MACHINES: readonly MachineSpec[] = [
  { id: 'alpha', metadata: { zone: 'a', disk: 'ssd' }, publicIP: '10.0.0.1' },
  { id: 'bravo', metadata: { zone: 'b', disk: 'ssd' }, publicIP: '10.0.0.2' },
  { id: 'charlie', metadata: { zone: 'c', disk: 'hdd' }, publicIP: '10.0.0.3' },
];

export interface LocalClusterOptions {
  readonly machines?: readonly MachineSpec[];
  /** Agent TTL: how long a dead machine stays listed before its units move. Default 5 s. */
  readonly ttlSeconds?: number;
  /** Told about each step while starting (the demo prints it). */
  readonly onStep?: (text: string) => void;
  /**
   * Each fleetd reaches etcd through a TCP proxy of its own, so that one machine
   * can be cut off (`cutFromEtcd`) while the others and etcd carry on. Default false.
   */
  readonly etcdProxies?: boolean;
}

export interface LocalCluster {
  readonly etcd: EtcdCluster;
  readonly machines: readonly LocalMachine[];
  readonly ttlSeconds: number;
  /** Runs fleetctl against a machine's fleetd (the first live one by default), in `cwd`. */
  fleetctl(args: readonly string[], options?: { readonly via?: LocalMachine; readonly cwd?: string }): Promise<FleetctlResult>;
  machine(id: string): LocalMachine;
  /** Kills a machine as a power cut would: its fleetd (SIGKILL) and its systemd with every unit. */
  crash(machine: LocalMachine): Promise<void>;
  /** Starts a fleetd with the cluster's etcd settings (a second daemon, a replacement machine...). */
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
  /** Stops every fleetd, systemd instance and etcd member, and removes their files. */
  stop(): Promise<void>;
}

const KEY_PREFIX = '/fleetd-demo/';

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const specs = options.machines ?? DEMO_MACHINES;
  const ttlSeconds = options.ttlSeconds ?? 5;
  const step = options.onStep ?? (() => undefined);
  step('starting etcd');
  const etcd = await startEtcd();
  const machines: LocalMachine[] = [];
  const crashed = new Set<LocalMachine>();
  const proxies = new Map<FleetdProcess, TcpProxy>();
  const startMember = async (spec: MachineSpec, systemd: SystemdInstance, name = spec.id): Promise<FleetdProcess> => {
    const proxy = options.etcdProxies === true ? await startTcpProxy(etcd.endpoints[0] as string) : undefined;
    const fleetd = await startFleetd({
      name,
      config: {
        etcd: { endpoints: proxy === undefined ? [...etcd.endpoints] : [proxy.endpoint], keyPrefix: KEY_PREFIX },
        machine: { id: spec.id, metadata: { ...spec.metadata }, publicIP: spec.publicIP },
        agent: { busAddress: systemd.busAddress, unitsDirectory: systemd.unitsDirectory, ttlSeconds },
        engine: { reconcileIntervalMs: 1000, leaseTtlSeconds: 3 },
        log: { level: 'warn' },
      },
    }).catch(async (error: unknown) => {
      await proxy?.close();
      throw error;
    });
    if (proxy !== undefined) proxies.set(fleetd, proxy);
    return fleetd;
  };
  const stop = async (): Promise<void> => {
    for (const machine of machines) {
      await machine.fleetd.remove().catch(() => undefined);
      await machine.systemd.stop().catch(() => undefined);
    }
    for (const proxy of proxies.values()) await proxy.close();
    await etcd.stop();
  };
  const addMachine = async (spec: MachineSpec): Promise<LocalMachine> => {
    step(`starting machine ${spec.id}: a systemd instance and fleetd`);
    const systemd = await startSystemdInstance();
    try {
      const machine = { spec, systemd, fleetd: await startMember(spec, systemd) };
      machines.push(machine);
      return machine;
    } catch (error) {
      await systemd.stop();
      throw error;
    }
  };
  const proxyOf = (machine: LocalMachine): TcpProxy => {
    const proxy = proxies.get(machine.fleetd);
    if (proxy === undefined) throw new Error(`machine ${machine.spec.id} reaches etcd directly: start the cluster with etcdProxies: true`);
    return proxy;
  };
  try {
    for (const spec of specs) await addMachine(spec);
  } catch (error) {
    await stop();
    throw error;
  }
  const live = (): LocalMachine => {
    // A fleetd stopped on purpose (fleetd.stop()) cannot answer either.
    const machine = machines.find((candidate) => !crashed.has(candidate) && candidate.fleetd.pid !== undefined);
    if (machine === undefined) throw new Error('every machine of the local cluster has crashed');
    return machine;
  };
  return {
    etcd,
    machines,
    ttlSeconds,
    fleetctl: (args, { via = live(), cwd } = {}) => runFleetctl(args, { endpoint: via.fleetd.socketPath, ...(cwd === undefined ? {} : { cwd }) }),
    machine(id) {
      const found = machines.find((machine) => machine.spec.id === id);
      if (found === undefined) throw new Error(`no machine ${id} in the local cluster`);
      return found;
    },
    async crash(machine) {
      crashed.add(machine);
      await machine.fleetd.kill();
      await machine.systemd.stop();
    },
    startMember,
    addMachine,
    cutFromEtcd: (machine, mode = 'blackhole') => proxyOf(machine).cut(mode),
    reconnectToEtcd: (machine) => proxyOf(machine).restore(),
    stop,
  };
}
