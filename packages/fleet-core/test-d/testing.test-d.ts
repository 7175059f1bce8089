import { expectAssignable, expectError, expectType } from 'tsd';
import { createTestCluster, recordingLogger, simulate, testPlugin, type LoggedLine, type TestCluster } from '@fleetd/core/testing';
import type { ClusterView, MachineRejection, PluginLoggerFactory, RoundResult, UnitExplanation } from '@fleetd/core';

const plugin = testPlugin('spread', (hooks) => hooks.score.tap((_unit, machine) => -machine.load), {
  unitOptions: [{ name: 'Spread', description: 'spread key' }],
});

expectType<Promise<TestCluster>>(
  simulate({ plugins: [plugin], machines: ['m1', { id: 'm2', metadata: { zone: 'a' } }], units: { 'a.service': '[Service]\nExecStart=/bin/true' } }),
);

const cluster = await createTestCluster({ plugins: [[plugin, undefined]], maxPasses: 2 });
expectType<Promise<RoundResult>>(cluster.settle());
expectType<string | undefined>(cluster.placementOf('a.service'));
expectType<readonly MachineRejection[]>(cluster.reasons('a.service'));
expectType<UnitExplanation>(cluster.explain('a.service'));
expectType<readonly LoggedLine[]>(cluster.logs);
// The state is read-only: plugins see it as a ClusterView, tests change it through the cluster's methods.
expectType<ClusterView>(cluster.state);
expectError(cluster.state.setPlacement('a.service', 'm1'));
expectType<PluginLoggerFactory>(recordingLogger().logger);

// An in-memory driver for agent tests without systemd.
import { memoryDriver, memoryDriverPlugin, type MemoryDriver } from '@fleetd/core/testing';
import type { FleetPlugin, UnitDriver } from '@fleetd/core';
const driver = memoryDriver();
expectType<MemoryDriver>(driver);
expectAssignable<UnitDriver>(driver);
expectType<FleetPlugin<undefined>>(memoryDriverPlugin(driver, 'toy-driver'));

// Units stored without today's submit-time checks, as an older fleetd may have left them.
expectType<Promise<TestCluster>>(createTestCluster({ plugins: [plugin], stored: { 'bad.service': '[X-Fleet]\nConflicts=[a' } }));
expectType<TestCluster>(cluster.store('bad.service', '[X-Fleet]\nConflicts=[a', 'loaded'));
