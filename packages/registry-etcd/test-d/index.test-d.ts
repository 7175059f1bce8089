import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import type { FleetError, LeaseId, Registry, Watcher } from '@fleetd/core';
import { createEtcdRegistry, DEFAULT_REQUEST_TIMEOUT_MS, type EtcdRegistry, type EtcdRegistryOptions, type EtcdTlsOptions } from '@fleetd/registry-etcd';
import { startEtcd, type EtcdCluster, type EtcdMember } from '@fleetd/registry-etcd/testing';
import { useEtcd } from '@fleetd/registry-etcd/vitest';

// The registry is a Registry, plus the endpoints it talks to.
const registry = createEtcdRegistry({ endpoints: ['http://127.0.0.1:2379'] });
expectType<EtcdRegistry>(registry);
expectAssignable<Registry>(registry);
expectType<readonly string[]>(registry.endpoints);
expectType<Promise<LeaseId>>(registry.grantLease(10));
expectType<Promise<Watcher>>(
  registry.watch('/units/', {
    fromRevision: 1,
    onEvents: () => undefined,
    onError: (error) => expectType<FleetError>(error),
  }),
);
expectType<EtcdRegistry>(createEtcdRegistry());
expectType<number>(DEFAULT_REQUEST_TIMEOUT_MS);

// Every option, TLS given inline or as files.
createEtcdRegistry({
  endpoints: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379'],
  tls: { ca: '-----BEGIN CERTIFICATE-----', cert: Buffer.from('pem'), key: 'pem' },
  auth: { username: 'root', password: 'secret' },
  requestTimeoutMs: 500,
  dialTimeoutMs: 2000,
});
createEtcdRegistry({ endpoints: ['https://10.0.0.1:2379'], tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem' } });

// Bad options do not compile.
expectError(createEtcdRegistry({ endpoints: 'http://127.0.0.1:2379' }));
expectError(createEtcdRegistry({ requestTimeoutMs: '1000' }));
expectError(createEtcdRegistry({ auth: { username: 'root' } }));
expectError(createEtcdRegistry({ tls: { ca: 1 } }));
expectError(createEtcdRegistry({ hosts: ['http://127.0.0.1:2379'] }));
// Contents and files do not mix.
expectNotAssignable<EtcdTlsOptions>({ ca: 'pem', caFile: '/ca.pem' });
expectAssignable<EtcdRegistryOptions>({ tls: { cert: 'pem', key: 'pem' } });

// The harness.
const cluster = await startEtcd({ members: 3, tls: true, auth: { username: 'root', password: 'x' } });
expectType<EtcdCluster>(cluster);
expectAssignable<EtcdRegistryOptions>(cluster.clientOptions);
expectType<readonly string[]>(cluster.clientOptions.endpoints);
expectType<Promise<EtcdMember>>(cluster.leader());
expectType<readonly EtcdMember[]>(cluster.members);
expectType<boolean>(cluster.members[0]!.isRunning);
expectType<Promise<void>>(cluster.stop());
createEtcdRegistry(cluster.clientOptions);
expectError(startEtcd({ members: 2 }));
expectError(startEtcd({ tls: 'yes' }));

// useEtcd (from /vitest, the one entry point that imports vitest) takes startEtcd's options.
expectType<() => EtcdCluster>(useEtcd({ members: 1 }));
expectType<() => EtcdCluster>(useEtcd());
expectError(useEtcd({ members: 2 }));
expectError(useEtcd({ tls: 'yes' }));

// The same members without vitest: /testing is what /local exports.
import { startEtcd as startLocalEtcd, startTcpProxy, type EtcdCluster as LocalEtcdCluster, type TcpProxy } from '@fleetd/registry-etcd/local';
expectType<Promise<LocalEtcdCluster>>(startLocalEtcd({ dir: '/tmp/etcd', members: 3 }));
expectType<Promise<TcpProxy>>(startTcpProxy('http://127.0.0.1:2379'));
expectError(startLocalEtcd({ dir: 1 }));
