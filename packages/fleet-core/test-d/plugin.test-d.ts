import { expectAssignable, expectError, expectType } from 'tsd';
import { z } from 'zod';
import { definePlugin, Stage } from '@fleetd/core';
import type { FleetPlugin, MachineView, ResolvedUnit, ClusterView, BindBatch, UnitState, FilterVerdict } from '@fleetd/core';

const meta = { name: 'zones', version: '1.0.0', core: '^0.1.0' };

// definePlugin infers the options type from the schema.
const zones = definePlugin({
  meta,
  options: z.object({ key: z.string(), spread: z.number().default(1) }),
  apply(hooks, options) {
    expectType<{ key: string; spread: number }>(options);
    hooks.filter.tap('zones', (unit, machine, cluster) => {
      expectType<ResolvedUnit>(unit);
      expectType<MachineView>(machine);
      expectType<ClusterView>(cluster);
      return machine.metadata[options.key] === undefined ? `no ${options.key}` : undefined;
    });
  },
});
expectType<FleetPlugin<{ key: string; spread: number }>>(zones);

// Without a schema, apply gets undefined options.
definePlugin({
  meta,
  apply(_hooks, options) {
    expectType<undefined>(options);
  },
});

// Tap callbacks get the right arguments and must return the right type.
definePlugin({
  meta,
  apply(hooks) {
    hooks.score.tap('zones', (_unit, machine) => -machine.load);
    hooks.bind.tapPromise('zones', async (batch) => {
      expectType<BindBatch>(batch);
      batch.refuse('a.service', 'quota');
    });
    hooks.reportState.tapPromise('zones', async (state) => {
      expectType<UnitState>(state);
      return { ...state, subState: 'running' };
    });
    hooks.beforeStart.tapPromise('zones', async (unit) => (unit.desiredState === 'launched' ? undefined : 'not now'));
    hooks.resolveUnit.tap({ name: 'zones', stage: Stage.PREPARE }, (unit) => unit);
    expectAssignable<FilterVerdict>(undefined);
  },
});

// Misuse fails to compile.
definePlugin({
  meta,
  apply(hooks) {
    // filter must return a reason string or nothing
    expectError(hooks.filter.tap('zones', () => 42));
    expectError(hooks.filter.tap('zones', () => true));
    // score must return a number
    expectError(hooks.score.tap('zones', () => 'high'));
    // resolveUnit must return the unit
    expectError(hooks.resolveUnit.tap('zones', () => undefined));
    // reportState must return a state
    expectError(hooks.reportState.tapPromise('zones', async () => 'ok'));
    // there is no such hook
    expectError(hooks.schedule);
  },
});

// Bad meta fails to compile.
expectError(definePlugin({ meta: { name: 'x', version: '1.0.0' }, apply() {} }));
expectError(definePlugin({ meta: { name: 'x', version: 1, core: '*' }, apply() {} }));
expectError(definePlugin({ apply() {} }));
// apply receives options of the schema's type, not anything else
expectError(
  definePlugin({
    meta,
    options: z.object({ key: z.string() }),
    apply(_hooks, options: { key: number }) {
      void options;
    },
  }),
);
