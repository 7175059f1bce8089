import { expectAssignable, expectError, expectType } from 'tsd';
import { z } from 'zod';
import { assemblePlugins, definePlugin, fact, isFleetError, Stage } from '@fleetd/core';
import type {
  MachineFacts,
  UnitDropIn,
  BindBatch,
  CandidateNarrowing,
  ClusterView,
  DeclaredUnitOption,
  FilterVerdict,
  FleetPlugin,
  MachineView,
  PluginContext,
  PluginHooks,
  PluginLogger,
  ResolvedUnit,
  RoundResult,
  UnitDriver,
  UnitState,
} from '@fleetd/core';

const meta = { name: 'zones', version: '1.0.0', core: '^0.1.0' };

// definePlugin infers the options type from the schema.
const zones = definePlugin({
  meta,
  options: z.object({ key: z.string(), spread: z.number().default(1) }),
  apply(hooks, options, context) {
    expectType<PluginHooks>(hooks);
    expectType<PluginContext>(context);
    expectType<{ key: string; spread: number }>(options);
    hooks.filter.tap((unit, machine, cluster) => {
      expectType<ResolvedUnit>(unit);
      expectType<MachineView>(machine);
      expectType<ClusterView>(cluster);
      return machine.metadata[options.key] === undefined ? `no ${options.key}` : undefined;
    });
  },
});
expectType<FleetPlugin<{ key: string; spread: number }>>(zones);

// A narrow tap's promises are optional methods: a stand-in sink may leave them out, so taps call them with ?.().
definePlugin({
  meta,
  apply(hooks) {
    hooks.narrow.tap((unit, _cluster, narrowing) => {
      expectType<CandidateNarrowing>(narrowing);
      expectType<(() => void) | undefined>(narrowing.passesEverywhere);
      expectType<(() => void) | undefined>(narrowing.scoresNothing);
      expectType<((waitsFor: (unit: string) => boolean) => void) | undefined>(narrowing.decideAfter);
      if (!unit.fleetOptions.has('Group')) narrowing.scoresNothing?.();
      narrowing.decideAfter?.((other) => other.startsWith('db'));
      expectError(narrowing.decideAfter?.(['db.service']));
    });
    // A score that follows the load promises the core's load order; a stand-in view may have none.
    hooks.narrow.tap((_unit, cluster, narrowing) => {
      expectType<(() => Iterable<MachineView>) | undefined>(cluster.machinesByLoad);
      expectType<((machines: Iterable<MachineView>) => void) | undefined>(narrowing.scoreOrder);
      if (cluster.machinesByLoad !== undefined) narrowing.scoreOrder?.(cluster.machinesByLoad());
      expectError(narrowing.scoreOrder?.(3));
    });
  },
});
expectAssignable<CandidateNarrowing>({ restrict: () => {} });
expectAssignable<CandidateNarrowing>({ restrict: () => {}, scoresNothing: () => {} });
expectError<CandidateNarrowing>({ restrict: () => {}, scoresNothing: true });

// Without a schema, apply gets undefined options.
definePlugin({
  meta,
  apply(_hooks, options) {
    expectType<undefined>(options);
  },
});

// meta declares the [X-Fleet] options a plugin owns and the plugins it needs.
definePlugin({
  meta: {
    ...meta,
    unitOptions: [{ name: 'Group', aliases: ['X-Group'], description: 'the group', excludes: ['MachineID'], isSet: (values) => values.length > 0 }],
    dependencies: { metadata: '^1.0.0' },
  },
  apply(_hooks, _options, context) {
    expectType<PluginLogger>(context.logger);
    expectType<DeclaredUnitOption | undefined>(context.unitOptions.get('MachineOf'));
    context.logger.warn('deprecated option', { option: 'Group' });
  },
});

// Taps are bound to the plugin: a function, or { stage } and a function; async hooks take values or promises.
definePlugin({
  meta,
  apply(hooks) {
    hooks.score.tap((_unit, machine) => -machine.load);
    hooks.bind.tap(async (batch) => {
      expectType<BindBatch>(batch);
      batch.refuse('a.service', 'quota');
    });
    hooks.reportState.tap(async (state) => {
      expectType<UnitState>(state);
      return { ...state, subState: 'running' };
    });
    hooks.reportState.tap((state) => state);
    hooks.beforeStart.tap(async (unit) => (unit.desiredState === 'launched' ? undefined : 'not now'));
    hooks.createDriver.tap(async (): Promise<UnitDriver | undefined> => undefined);
    hooks.resolveUnit.tap({ stage: Stage.PREPARE }, (unit) => unit);
    hooks.roundComplete.tap((result) => {
      expectType<RoundResult>(result);
    });
    hooks.machineFacts.tap(async (facts, { machine, previous }) => {
      expectType<MachineFacts>(facts);
      expectType<MachineFacts | undefined>(previous);
      return { ...facts, cpu: fact.number(4), zone: fact.string(machine.metadata['zone'] ?? '') };
    });
    hooks.unitDropIns.tap((dropIns, unit) => {
      expectType<readonly UnitDropIn[]>(dropIns);
      return unit.fleetOptions.has('Memory') ? [...dropIns, { name: 'memory.conf', text: '[Service]\nMemoryMax=1G\n' }] : dropIns;
    });
    hooks.filter.tap((_unit, machine) => (machine.unitsVersion >= 0 && machine.machine.facts?.['gpu']?.type === 'number' ? undefined : 'no gpu'));
    expectAssignable<FilterVerdict>(undefined);
  },
});

// Misuse fails to compile.
definePlugin({
  meta,
  apply(hooks) {
    // a tap is named after its plugin: no name
    expectError(hooks.filter.tap('zones', () => undefined));
    expectError(hooks.filter.tap({ name: 'zones' }, () => undefined));
    // filter must return a reason string or nothing
    expectError(hooks.filter.tap(() => 42));
    expectError(hooks.filter.tap(() => true));
    // score must return a number
    expectError(hooks.score.tap(() => 'high'));
    // resolveUnit must return the unit
    expectError(hooks.resolveUnit.tap(() => undefined));
    // reportState must return a state
    expectError(hooks.reportState.tap(async () => 'ok'));
    // facts are typed { type, value }, not bare values
    expectError(hooks.machineFacts.tap((facts) => ({ ...facts, cpu: 4 })));
    expectError(hooks.machineFacts.tap(() => ({ memory: { type: 'liters', value: 1 } })));
    // a drop-in has a name and a text
    expectError(hooks.unitDropIns.tap(() => ['[Service]\nMemoryMax=1G\n']));
    // there is no such hook, and the observer hooks folded into roundComplete are gone
    expectError(hooks.schedule);
    expectError(hooks.placed);
    // no tapable internals on a plugin's hooks
    expectError(hooks.filter.call);
    expectError(hooks.bind.tapPromise);
  },
});

// regression: the host's score hook was typed as returning a number, and returned undefined.
const host = await assemblePlugins([zones]);
declare const unit: ResolvedUnit;
declare const machine: MachineView;
declare const cluster: ClusterView;
expectType<void>(host.hooks.score.call(unit, machine, cluster));
expectType<string | undefined | void>(host.hooks.filter.call(unit, machine, cluster));

// Bad meta fails to compile.
expectError(definePlugin({ meta: { name: 'x', version: '1.0.0' }, apply() {} }));
expectError(definePlugin({ meta: { name: 'x', version: 1, core: '*' }, apply() {} }));
expectError(definePlugin({ meta: { ...meta, unitOptions: [{ name: 'Group' }] }, apply() {} }));
expectError(definePlugin({ meta: { ...meta, dependencies: ['metadata'] }, apply() {} }));
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

// isFleetError narrows anything thrown.
declare const thrown: unknown;
if (isFleetError(thrown)) expectType<string | undefined>(thrown.pluginCode);
