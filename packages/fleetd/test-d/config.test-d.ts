import { expectAssignable, expectError, expectType } from 'tsd';
import { definePlugin } from '@fleetd/core';
import { z } from 'zod';
import { defineConfig } from 'fleetd';
import type { FleetdConfig, PluginSpec, ResolvedConfig } from 'fleetd';

const zone = definePlugin({
  meta: { name: 'zone', version: '1.0.0', core: '^0.1.0' },
  options: z.object({ key: z.string() }),
  apply() {},
});

// defineConfig is the identity, typed.
expectType<FleetdConfig>(
  defineConfig({
    etcd: { endpoints: ['http://10.0.0.1:2379'], tls: { ca: '/etc/fleetd/ca.pem' }, requestTimeoutMs: 1000 },
    machine: { metadata: 'region=us-east,disk=ssd', publicIP: '10.0.0.9' },
    agent: { ttlSeconds: 30, unitsDirectory: '/run/fleet/units' },
    engine: { enabled: false, leaseTtlSeconds: 10 },
    api: { socket: false, tcp: { port: 8440, token: 'secret' } },
    log: { level: 'debug' },
    // Plugin objects inline, by name, by path, with options and weights.
    plugins: [zone, 'fleetd-plugin-zone', './plugins/rack.js', [zone, { key: 'rack' }], { plugin: zone, options: { key: 'az' }, weight: 2 }],
  }),
);

defineConfig({ machine: { metadata: { region: 'us-east' } } });
defineConfig({});
defineConfig({
  api: {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 5_000,
    tcp: { port: 8440, tls: { cert: '/c', key: '/k' }, allowUnauthenticated: true, maxConnections: 256, maxConnectionsPerClient: 32 },
  },
});

// Unknown keys and wrong types are compile errors.
expectError(defineConfig({ etcd: { endpoints: ['http://a:2379'], endpoint: 'http://b:2379' } }));
expectError(defineConfig({ bogus: true }));
expectError(defineConfig({ etcd: { endpoints: 'http://a:2379' } }));
expectError(defineConfig({ etcd: {} }));
expectError(defineConfig({ agent: { ttlSeconds: '30' } }));
expectError(defineConfig({ log: { level: 'verbose' } }));
expectError(defineConfig({ api: { socket: true } }));
expectError(defineConfig({ api: { tcp: { host: '0.0.0.0' } } }));
expectError(defineConfig({ api: { tcp: { port: 1, allowUnauthenticated: 'yes' } } }));
expectError(defineConfig({ api: { headersTimeout: 10 } }));
expectError(defineConfig({ plugins: [42] }));
expectError(defineConfig({ plugins: [{ plugin: zone, weight: '2' }] }));

expectAssignable<PluginSpec>(['fleetd-plugin-zone', { key: 'rack' }]);

declare const resolved: ResolvedConfig;
expectType<'standalone' | 'cluster'>(resolved.mode);
expectType<Readonly<Record<string, string>>>(resolved.machine.metadata);
expectType<string | false>(resolved.api.socket);
expectType<number>(resolved.api.socketMode);
