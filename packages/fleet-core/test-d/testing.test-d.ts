import { expectType } from 'tsd';
import { createTestCluster, simulate, testPlugin, type TestCluster } from '@fleetd/core/testing';
import type { RoundResult, UnitExplanation, MachineRejection } from '@fleetd/core';

const plugin = testPlugin('spread', (hooks) => hooks.score.tap('spread', (_unit, machine) => -machine.load));

expectType<Promise<TestCluster>>(simulate({ plugins: [plugin], machines: ['m1', { id: 'm2', metadata: { zone: 'a' } }], units: { 'a.service': '[Service]\nExecStart=/bin/true' } }));

const cluster = await createTestCluster({ plugins: [[plugin, undefined]] });
expectType<Promise<RoundResult>>(cluster.settle());
expectType<string | undefined>(cluster.placementOf('a.service'));
expectType<readonly MachineRejection[]>(cluster.reasons('a.service'));
expectType<UnitExplanation>(cluster.explain('a.service'));
