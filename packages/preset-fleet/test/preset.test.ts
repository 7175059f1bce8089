import { describe, expect, it } from 'vitest';
import { assemblePlugins, ErrorCodes, definePlugin } from '@fleetd/core';
import { simulate } from '@fleetd/core/testing';
import { fleetPluginNames, fleetPreset } from '../src/index.js';

const unit = (xfleet = '') => `[Service]\nExecStart=/bin/true\n${xfleet ? `\n[X-Fleet]\n${xfleet}\n` : ''}`;

const mostLoaded = definePlugin({
  meta: { name: 'bin-pack', version: '1.0.0', core: '^0.1.0' },
  apply(hooks) {
    hooks.score.tap((_unit, machine) => machine.load);
  },
});

describe('fleetPreset', () => {
  it('lists every first-party plugin in tap order', () => {
    expect(fleetPluginNames).toEqual([
      'specifiers',
      'validation',
      'global',
      'machine-id',
      'metadata',
      'machine-of',
      'conflicts',
      'replaces',
      'least-loaded',
      'disconnect',
    ]);
  });

  it.each(fleetPluginNames.map((name) => ({ name })))('assembles and schedules with $name disabled', async ({ name }) => {
    const host = await assemblePlugins(fleetPreset({ disable: [name] }));
    expect(host.plugins.map((plugin) => plugin.meta.name)).toEqual(fleetPluginNames.filter((other) => other !== name));
    const cluster = await simulate({ plugins: fleetPreset({ disable: [name] }), machines: ['m1', 'm2'], units: { 'a.service': unit(), 'b.service': unit() } });
    expect(Object.keys(cluster.placements())).toEqual(['a.service', 'b.service']);
  });

  it('disabling conflicts makes Conflicts an option no plugin reads: refused at submit, or ignored when unknown options are let through', async () => {
    const units = { 'a.service': unit('Conflicts=b.service'), 'b.service': unit() };
    expect(Object.keys((await simulate({ plugins: fleetPreset(), machines: ['m1'], units })).placements())).toEqual(['a.service']);
    await expect(simulate({ plugins: fleetPreset({ disable: ['conflicts'] }), machines: ['m1'], units })).rejects.toThrow(
      'unit a.service: unrecognized [X-Fleet] option Conflicts',
    );
    const lenient = fleetPreset({ disable: ['conflicts'], options: { validation: { rejectUnknownOptions: false } } });
    expect(Object.keys((await simulate({ plugins: lenient, machines: ['m1'], units })).placements())).toEqual(['a.service', 'b.service']);
  });

  it('replacing least-loaded with a bin-packing scorer packs units, other plugins untouched', async () => {
    const cluster = await simulate({
      plugins: fleetPreset({ replace: { 'least-loaded': mostLoaded } }),
      machines: ['m1', 'm2', 'm3'],
      units: { 'a.service': unit(), 'b.service': unit(), 'c.service': unit('Conflicts=a.service') },
    });
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm1', 'c.service': 'm2' });
  });

  it('passes options and weights to first-party plugins', async () => {
    const host = await assemblePlugins(fleetPreset({ options: { validation: { rejectUnknownOptions: false } }, weights: { 'least-loaded': 3 } }));
    expect(host.plugins.find((p) => p.meta.name === 'least-loaded')?.weight).toBe(3);
    expect(host.plugins.find((p) => p.meta.name === 'validation')?.options).toEqual({ rejectUnknownOptions: false });
  });

  it('knows every [X-Fleet] option fleet knew, each declared by the plugin that reads it', async () => {
    const host = await assemblePlugins(fleetPreset());
    const owners = Object.fromEntries(host.unitOptions.options.flatMap((option) => option.spellings.map((spelling) => [spelling, option.plugin])));
    expect(owners).toEqual({
      Global: 'global',
      MachineID: 'machine-id',
      'X-ConditionMachineID': 'machine-id',
      'X-ConditionMachineBootID': 'machine-id',
      MachineMetadata: 'metadata',
      'X-ConditionMachineMetadata': 'metadata',
      MachineOf: 'machine-of',
      'X-ConditionMachineOf': 'machine-of',
      Conflicts: 'conflicts',
      'X-Conflicts': 'conflicts',
      Replaces: 'replaces',
      StopAfterDisconnect: 'disconnect',
    });
  });

  it('refuses an unknown plugin name, listing the known ones', () => {
    expect(() => fleetPreset({ disable: ['conflict'] })).toThrow(
      expect.objectContaining({
        code: ErrorCodes.PLUGIN_INVALID,
        message: `preset-fleet: disable: unknown first-party plugin "conflict"; known: ${fleetPluginNames.join(', ')}`,
      }),
    );
  });
});
