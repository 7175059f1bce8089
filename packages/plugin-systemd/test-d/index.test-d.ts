import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import type { DriverUnitState, FleetPlugin, TapFunction, UnitDriver } from '@fleetd/core';
import systemd, {
  createSystemdDriver,
  escapeBusLabel,
  SystemdManager,
  unescapeBusLabel,
  unitObjectPath,
  type JobRemovedSignal,
  type SystemdDriver,
  type SystemdDriverOptions,
  type SystemdPluginInput,
  type SystemdPluginOptions,
  type UnitListEntry,
  type UnitPropertiesChangedSignal,
} from '@fleetd/plugin-systemd';
import { startSystemdInstance, type SystemdInstance } from '@fleetd/plugin-systemd/testing';
import { useSystemd } from '@fleetd/plugin-systemd/vitest';

// The plugin's options are inferred from its zod schema: defaults make them required on output.
expectType<FleetPlugin<SystemdPluginOptions>>(systemd);
expectType<string | undefined>(({} as SystemdPluginOptions).busAddress);
expectType<string>(({} as SystemdPluginOptions).unitsDirectory);
expectType<number>(({} as SystemdPluginOptions).jobTimeoutMs);
expectAssignable<SystemdPluginInput>({});
expectAssignable<SystemdPluginInput>({ busAddress: 'unix:path=/run/user/0/bus', unitsDirectory: '/run/fleet/units', jobTimeoutMs: 5000 });
expectNotAssignable<SystemdPluginInput>({ jobTimeoutMs: '5s' });

// The driver is a UnitDriver, plus where it works.
const driver = await createSystemdDriver({ unitsDirectory: '/run/fleet/units' });
expectType<SystemdDriver>(driver);
expectAssignable<UnitDriver>(driver);
expectType<string>(driver.busAddress);
// Where its runtime links and the units' drop-ins go; undefined when systemd's UnitPath shows none.
expectType<string | undefined>(driver.runtimeUnitDirectory);
expectError((driver.runtimeUnitDirectory = '/run/systemd/system'));
expectType<Promise<readonly DriverUnitState[]>>(driver.states());
expectType<Promise<() => Promise<void>>>(driver.subscribe((state) => expectType<DriverUnitState>(state)));
expectError(createSystemdDriver({ busAddress: 'unix:path=/x' }));
expectError(createSystemdDriver({ unitsDirectory: '/x', jobTimeoutMs: '1s' }));
expectAssignable<SystemdDriverOptions>({ unitsDirectory: '/x', busAddress: undefined, startSettleMs: 0 });

// What the plugin taps createDriver with: an async function of no argument it needs, resolving to the driver.
expectAssignable<TapFunction<'createDriver'>>(async () => createSystemdDriver({ unitsDirectory: '/run/fleet/units' }));
expectNotAssignable<TapFunction<'createDriver'>>(async () => 'not a driver');

// Escaping.
expectType<string>(escapeBusLabel('foo.service'));
expectType<string | undefined>(unescapeBusLabel('foo_2eservice'));
expectType<string>(unitObjectPath('foo.service'));

// The typed D-Bus wrapper: no any in replies or signals.
const manager = await SystemdManager.connect(undefined, 1000);
expectType<Promise<UnitListEntry[]>>(manager.listUnitsByNames(['a.service']));
expectType<Promise<string>>(manager.startUnit('a.service', 'replace'));
expectError(manager.startUnit('a.service', 'sometimes'));
expectType<Promise<readonly string[]>>(manager.unitPath());
expectType<Promise<unknown>>(manager.getProperty('/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'Version'));
manager.onJobRemoved((signal) => {
  expectType<JobRemovedSignal>(signal);
  expectType<number>(signal.id);
});
manager.onUnitPropertiesChanged((signal) => {
  expectType<UnitPropertiesChangedSignal>(signal);
  expectType<string | undefined>(signal.changed.activeState);
});
expectType<number>((await manager.listUnitsByNames([]))[0]!.jobId);

// The test harness.
const instance = await startSystemdInstance({ name: 'm1' });
expectType<SystemdInstance>(instance);
expectType<string>(instance.busAddress);
expectType<Promise<void>>(instance.stop());
expectError(startSystemdInstance({ name: 1 }));

// useSystemd (from /vitest, the one entry point that imports vitest): how many, and startSystemdInstance's options but the name.
expectType<() => readonly SystemdInstance[]>(useSystemd(2));
expectType<() => readonly SystemdInstance[]>(useSystemd());
expectType<() => readonly SystemdInstance[]>(useSystemd(1, { dir: '/tmp/m1' }));
expectError(useSystemd('2'));
expectError(useSystemd(1, { name: 'm1' }));

// The same instances without vitest: /testing is what /local exports.
import { startSystemdInstance as startLocalInstance, type SystemdInstance as LocalInstance } from '@fleetd/plugin-systemd/local';
expectType<Promise<LocalInstance>>(startLocalInstance({ dir: '/tmp/machine-1/systemd' }));
expectError(startLocalInstance({ dir: 1 }));
