import { expectAssignable, expectError, expectType } from 'tsd';
import type { EtcdCluster } from '@fleetd/registry-etcd/local';
import type { SystemdInstance } from '@fleetd/plugin-systemd/local';
import {
  defaultDevDir,
  devSocketPath,
  startLocalCluster,
  type FleetctlResult,
  type FleetdProcess,
  type LocalCluster,
  type LocalClusterOptions,
  type LocalMachine,
  type MachineSpec,
} from 'fleetd/dev';

// Every option is optional: one machine on the embedded store.
expectType<Promise<LocalCluster>>(startLocalCluster());
expectAssignable<LocalClusterOptions>({
  machines: [
    { id: 'alpha', metadata: { zone: 'a' } },
    { id: 'bravo', metadata: {}, publicIP: '10.0.0.2' },
  ],
  dir: '/tmp/cluster',
  store: 'etcd',
  etcdMembers: 3,
  keyPrefix: '/mine/',
  ttlSeconds: 3,
  engine: { reconcileIntervalMs: 500 },
  logLevel: 'info',
  onStep: (text: string) => void text,
  onOutput: (machine: MachineSpec, line: string) => void [machine, line],
  etcdProxies: true,
  tcpApi: true,
});
expectError(startLocalCluster({ store: 'redis' }));
expectError(startLocalCluster({ etcdMembers: 2 }));
expectError<MachineSpec>({ id: 'alpha' });

const cluster = await startLocalCluster();
expectType<string>(cluster.endpoint);
expectType<EtcdCluster | undefined>(cluster.etcd);
expectType<readonly LocalMachine[]>(cluster.machines);
expectType<Promise<FleetctlResult>>(cluster.fleetctl(['list-machines'], { cwd: '/' }));
const machine = cluster.machine('alpha');
expectType<SystemdInstance>(machine.systemd);
expectType<FleetdProcess>(machine.fleetd);
expectType<Promise<void>>(cluster.crash(machine));
expectType<Promise<LocalMachine>>(cluster.addMachine({ id: 'charlie', metadata: {} }));
expectType<void>(cluster.cutFromEtcd(machine, 'refuse'));
expectType<Promise<void>>(cluster.stop());
// The dashboard of a cluster started with tcpApi.
expectType<string | undefined>(cluster.apiToken);
expectType<string | undefined>(machine.apiUrl);
expectType<string>(cluster.dashboardUrl());
expectType<string>(cluster.dashboardUrl(machine));

// Where fleetd dev lives and where fleetctl looks for it.
expectType<string>(defaultDevDir());
expectType<string>(defaultDevDir({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000));
expectType<string>(devSocketPath());
