import { expectAssignable, expectError, expectType } from 'tsd';
import type { PluginHost, Registry } from '@fleetd/core';
import {
  startApiServer,
  type ApiServer,
  type Health,
  type MachinePage,
  type PlanResult,
  type UnitPage,
  type UnitStatePage,
  type WireError,
  type WireExplanation,
  type WireMachine,
  type WireUnit,
  type WireUnitState,
} from '../dist/api/index.js';
import { createFleetService, planUnits, type FleetService, type PutUnitOutcome } from '../dist/service/index.js';

declare const registry: Registry;
declare const host: PluginHost;

const service = createFleetService({ registry, host, mode: 'cluster', machineId: 'm1', version: '1.0.0', agentEnabled: true });
expectType<FleetService>(service);
expectType<FleetService>(
  createFleetService({
    registry,
    host,
    keyPrefix: '/fleetd/',
    mode: 'standalone',
    machineId: 'm1',
    version: '1.0.0',
    agentEnabled: false,
    engine: { enabled: true, isLeader: () => false },
    metrics: { contentType: 'text/plain', render: async () => '' },
    onPluginError: (error) => expectType<string | undefined>(error.plugin),
  }),
);
expectError(createFleetService({ registry, host, mode: 'both', machineId: 'm1', version: '1', agentEnabled: true }));
expectError(createFleetService({ registry, mode: 'cluster', machineId: 'm1', version: '1', agentEnabled: true }));

expectType<Promise<WireUnit[]>>(service.listUnits());
expectType<Promise<WireUnit>>(service.getUnit('a.service'));
expectType<Promise<PutUnitOutcome>>(service.putUnit({ name: 'a.service', desiredState: 'launched' }));
expectType<Promise<WireUnitState[]>>(service.listStates({ machineIDs: ['m1'], unitNames: ['a.service'] }));
expectType<Promise<WireMachine[]>>(service.listMachines());
expectType<Promise<void>>(service.patchMachines([{ op: 'add', path: '/m1/metadata/region', value: 'eu' }]));
expectType<Promise<WireExplanation>>(service.explain('a.service'));
expectType<Promise<PlanResult>>(service.plan({ units: [{ name: 'a.service', contents: '[Service]\nExecStart=/bin/true\n' }], machines: [{ id: 's1' }] }));
expectType<Promise<Health>>(service.health());
// The live feed: one listener per client, each message serialized once.
expectType<Promise<() => void>>(service.watchCluster((message) => expectType<'snapshot' | 'changes'>(message.event)));
expectType<Promise<void>>(service.close());
expectType<PlanResult>(planUnits(host, { machines: [], units: [] }, { units: [] }));
expectType<PlanResult>(planUnits(host, { machines: [], units: [] }, { units: [] }, { onPluginError: () => {}, maxRounds: 10 }));
declare const plan: PlanResult;
expectType<false | undefined>(plan.settled);
expectError(service.plan({ units: [{ name: 'a.service', desiredState: 'running' }] }));

expectType<Promise<ApiServer>>(
  startApiServer({ service, pageSize: 100, bodyLimitBytes: 1 << 20, socket: { path: '/run/fleetd/fleetd.sock', mode: 0o660, group: 'fleet' } }),
);
expectType<Promise<ApiServer>>(
  startApiServer({ service, pageSize: 100, bodyLimitBytes: 1024, tcp: { host: '0.0.0.0', port: 0, token: 't', tls: { cert: 'PEM', key: 'PEM', ca: 'PEM' } } }),
);
expectType<Promise<ApiServer>>(
  startApiServer({
    service,
    pageSize: 100,
    bodyLimitBytes: 1024,
    timeouts: { headersTimeoutMs: 10_000 },
    onConnectionEvent: (event) => {
      if (event.type === 'refused') expectType<'max-connections' | 'max-connections-per-client'>(event.reason);
      expectType<'socket' | 'tcp'>(event.listener);
    },
    tcp: { host: '0.0.0.0', port: 0, tls: { cert: 'PEM', key: 'PEM' }, allowUnauthenticated: true, maxConnections: 64, maxConnectionsPerClient: 8 },
  }),
);
expectError(startApiServer({ service, pageSize: 100, bodyLimitBytes: 1024, tcp: { host: '0.0.0.0', port: 0, allowUnauthenticated: 'yes' } }));
expectError(startApiServer({ service, pageSize: 100, bodyLimitBytes: 1024, timeouts: { headersTimeout: 10 } }));
expectError(startApiServer({ service, pageSize: 100, bodyLimitBytes: 1024, socket: { path: '/s', mode: '0660' } }));
expectError(startApiServer({ service, bodyLimitBytes: 1024 }));
declare const server: ApiServer;
expectType<string | undefined>(server.socketPath);
expectType<string | undefined>(server.tcpUrl);
expectType<Promise<void>>(server.close());

// Wire shapes fleet's clients rely on.
declare const unit: WireUnit;
expectType<string>(unit.name);
expectType<string | undefined>(unit.machineID);
expectType<'inactive' | 'loaded' | 'launched' | undefined>(unit.desiredState);
expectAssignable<UnitPage>({ units: [unit] });
expectAssignable<UnitPage>({ units: [], nextPageToken: 'ZAACAA==' });
expectAssignable<UnitStatePage>({
  states: [{ name: 'a.service', hash: 'h', machineID: 'm1', systemdLoadState: 'loaded', systemdActiveState: 'active', systemdSubState: 'running' }],
});
expectAssignable<MachinePage>({ machines: [{ id: 'm1', primaryIP: '10.0.0.1', metadata: { region: 'eu' } }] });
expectAssignable<WireError>({ error: { code: 404, message: 'unit does not exist', reason: 'UNIT_NOT_FOUND' } });
expectAssignable<WireError>({ error: { code: 500, message: 'x', reason: 'PLUGIN_ERROR', plugin: 'zone', pluginCode: 'EZONE' } });
expectError<WireError>({ error: { code: '404', message: 'x', reason: 'UNIT_NOT_FOUND' } });
expectError<WireError>({ error: { code: 404, message: 'x', reason: 'NOT_A_CODE' } });
declare const health: Health;
expectType<'ok' | 'degraded'>(health.status);
expectType<boolean>(health.registry.reachable);
