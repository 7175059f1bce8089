import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import type { PluginEntry, UnitOptionSpec } from '@fleetd/core';
import { createTestCluster, testPlugin } from '@fleetd/core/testing';
import conflicts from '@fleetd/plugin-conflicts';
import machineOf from '@fleetd/plugin-machine-of';
import replaces from '@fleetd/plugin-replaces';
import validation, { closestOption, exclusionProblem, unrecognizedOption, validationReasons } from './index.js';

const unit = (xfleet: string) => `[Service]\nExecStart=/bin/true\n\n[X-Fleet]\n${xfleet}\n`;

/** A plugin that only declares options, as a third-party plugin (or another package's plugin) would. */
const owner = (name: string, ...unitOptions: UnitOptionSpec[]) => testPlugin(name, () => undefined, { unitOptions });

// Stand-ins with the declarations of @fleetd/plugin-machine-id, -global and -metadata: this
// package's tests do not depend on those packages, only on what they declare.
const machineId = owner('machine-id', {
  name: 'MachineID',
  aliases: ['X-ConditionMachineID', 'X-ConditionMachineBootID'],
  description: 'run only on the machine with this ID',
  excludes: ['MachineOf', 'Conflicts', 'Global', 'Replaces'],
});
const global = owner('global', {
  name: 'Global',
  description: 'run on every machine',
  excludes: ['MachineOf', 'Replaces'],
  isSet: (values) => /^(true|yes|1|on|t)$/i.test(values.at(-1) ?? ''),
});
const metadata = owner('metadata', {
  name: 'MachineMetadata',
  aliases: ['X-ConditionMachineMetadata'],
  description: 'run only on machines with this metadata',
});

/** fleet's option owners, machine-id first: fleet checked MachineID's combinations before Global's. */
const fleetOwners: PluginEntry[] = [machineId, global, metadata, machineOf, conflicts, replaces];

/** A cluster with the validation plugin (options as given) and `plugins`. */
async function clusterWith(plugins: readonly PluginEntry[] = fleetOwners, options?: unknown) {
  return createTestCluster({ plugins: [[validation, options], ...plugins], machines: ['m1'] });
}

/** What submitting web.service throws, or undefined when it is accepted. */
async function submitError(xfleet: string, plugins?: readonly PluginEntry[], options?: unknown): Promise<unknown> {
  const cluster = await clusterWith(plugins, options);
  try {
    cluster.submit('web.service', unit(xfleet));
    return undefined;
  } catch (error) {
    return error;
  }
}

describe("fleet's invalid option combinations are refused at submit", () => {
  it.each([
    { name: 'MachineID with MachineOf', xfleet: 'MachineID=m1\nMachineOf=db.service', problem: 'MachineID cannot be combined with MachineOf' },
    { name: 'MachineID with Conflicts', xfleet: 'MachineID=m1\nConflicts=web*', problem: 'MachineID cannot be combined with Conflicts' },
    { name: 'MachineID with Global', xfleet: 'MachineID=m1\nGlobal=true', problem: 'MachineID cannot be combined with Global' },
    { name: 'MachineID with Replaces', xfleet: 'MachineID=m1\nReplaces=old.service', problem: 'MachineID cannot be combined with Replaces' },
    {
      name: 'legacy MachineID with legacy MachineOf',
      xfleet: 'X-ConditionMachineID=m1\nX-ConditionMachineOf=db.service',
      problem: 'X-ConditionMachineID cannot be combined with X-ConditionMachineOf',
    },
    {
      name: 'legacy MachineID with legacy Conflicts',
      xfleet: 'X-ConditionMachineID=m1\nX-Conflicts=web*',
      problem: 'X-ConditionMachineID cannot be combined with X-Conflicts',
    },
    {
      name: 'the boot ID spelling with Global',
      xfleet: 'X-ConditionMachineBootID=abc\nGlobal=yes',
      problem: 'X-ConditionMachineBootID cannot be combined with Global',
    },
    { name: 'MachineID with Global=true written last', xfleet: 'MachineID=m1\nGlobal=false\nGlobal=TRUE', problem: 'MachineID cannot be combined with Global' },
    { name: 'Global with MachineOf', xfleet: 'Global=yes\nMachineOf=db.service', problem: 'Global cannot be combined with MachineOf' },
    {
      name: 'Global with legacy MachineOf',
      xfleet: 'Global=1\nX-ConditionMachineOf=db.service',
      problem: 'Global cannot be combined with X-ConditionMachineOf',
    },
    { name: 'Global with Replaces', xfleet: 'Global=true\nReplaces=old.service', problem: 'Global cannot be combined with Replaces' },
    { name: 'Conflicts with Replaces', xfleet: 'Conflicts=a*\nReplaces=old.service', problem: 'Conflicts cannot be combined with Replaces' },
    { name: 'legacy Conflicts with Replaces', xfleet: 'X-Conflicts=a*\nReplaces=old.service', problem: 'X-Conflicts cannot be combined with Replaces' },
    {
      name: 'MachineID with several: the first its owner excludes',
      xfleet: 'Replaces=old.service\nConflicts=a*\nMachineID=m1',
      problem: 'MachineID cannot be combined with Conflicts',
    },
  ])('refuses $name', async ({ xfleet, problem }) => {
    expect(await submitError(xfleet)).toMatchObject({
      code: ErrorCodes.UNIT_INVALID,
      unit: 'web.service',
      plugin: 'validation',
      message: `unit web.service: ${problem}`,
    });
  });

  it.each([
    // Owned by the conflicts and replaces plugins (fleet: "unresolvable requirements"), with MachineOf found through the table.
    {
      name: 'a MachineOf peer matching its own Conflicts',
      xfleet: 'MachineOf=db.service\nConflicts=db*',
      plugin: 'conflicts',
      problem: "MachineOf peer db.service matches the unit's own Conflicts pattern db*",
    },
    {
      name: 'a legacy MachineOf peer matching its own legacy Conflicts',
      xfleet: 'X-ConditionMachineOf=db.service\nX-Conflicts=d?.service',
      plugin: 'conflicts',
      problem: "X-ConditionMachineOf peer db.service matches the unit's own X-Conflicts pattern d?.service",
    },
    {
      name: 'a MachineOf peer matching its own Replaces',
      xfleet: 'MachineOf=db.service\nReplaces=d?.service',
      plugin: 'replaces',
      problem: "MachineOf peer db.service matches the unit's own Replaces pattern d?.service",
    },
  ])('refuses $name (the $plugin plugin)', async ({ xfleet, plugin, problem }) => {
    expect(await submitError(xfleet)).toMatchObject({ code: ErrorCodes.UNIT_INVALID, unit: 'web.service', plugin, message: `unit web.service: ${problem}` });
  });

  it.each([
    { name: 'MachineID alone', xfleet: 'MachineID=m1' },
    { name: 'MachineID with Global=false', xfleet: 'MachineID=m1\nGlobal=false' },
    { name: 'MachineID with Global=true overridden by a later Global=no', xfleet: 'MachineID=m1\nGlobal=true\nGlobal=no' },
    { name: 'MachineID with metadata', xfleet: 'MachineID=m1\nMachineMetadata=region=eu' },
    { name: 'legacy metadata', xfleet: 'X-ConditionMachineMetadata=region=eu' },
    { name: 'Global with Conflicts and metadata', xfleet: 'Global=true\nConflicts=other*\nMachineMetadata=role=edge' },
    { name: 'Global=false with MachineOf and Replaces', xfleet: 'Global=false\nMachineOf=db.service\nReplaces=old.service' },
    { name: 'MachineOf with an unrelated Conflicts', xfleet: 'MachineOf=db.service\nConflicts=cache*' },
    { name: 'MachineOf with an unrelated Replaces', xfleet: 'MachineOf=db.service\nReplaces=old*' },
    { name: 'Replaces alone', xfleet: 'Replaces=old*.service' },
    { name: "fleet's legacy boot ID condition", xfleet: 'X-ConditionMachineBootID=abc' },
  ])('accepts $name', async ({ xfleet }) => {
    expect(await submitError(xfleet)).toBeUndefined();
  });

  it('goes through declared options in table order (plugin order), so the first owner listed speaks', async () => {
    const xfleet = 'Global=true\nMachineOf=db.service\nMachineID=m1';
    expect(await submitError(xfleet)).toMatchObject({ message: 'unit web.service: MachineID cannot be combined with MachineOf' });
    const globalFirst = [global, machineId, metadata, machineOf, conflicts, replaces];
    expect(await submitError(xfleet, globalFirst)).toMatchObject({ message: 'unit web.service: Global cannot be combined with MachineOf' });
  });
});

describe('unknown [X-Fleet] options', () => {
  it.each([
    { name: 'a typo', xfleet: 'MachineMetdata=region=eu', problem: 'unrecognized [X-Fleet] option MachineMetdata (did you mean MachineMetadata?)' },
    { name: 'another case', xfleet: 'machineof=db.service', problem: 'unrecognized [X-Fleet] option machineof (did you mean MachineOf?)' },
    { name: 'swapped letters', xfleet: 'Confilcts=db*', problem: 'unrecognized [X-Fleet] option Confilcts (did you mean Conflicts?)' },
    {
      name: 'a typo of a legacy spelling',
      xfleet: 'X-ConditionMachinOf=db.service',
      problem: 'unrecognized [X-Fleet] option X-ConditionMachinOf (did you mean X-ConditionMachineOf?)',
    },
    { name: 'a singular', xfleet: 'Replace=old.service', problem: 'unrecognized [X-Fleet] option Replace (did you mean Replaces?)' },
    { name: 'nothing close', xfleet: 'SpreadBy=zone', problem: 'unrecognized [X-Fleet] option SpreadBy' },
    { name: 'three edits away', xfleet: 'Glb=true', problem: 'unrecognized [X-Fleet] option Glb' },
    { name: 'the first unknown key in file order', xfleet: 'MachineID=m1\nZone=a\nGrop=b', problem: 'unrecognized [X-Fleet] option Zone' },
  ])('refuses $name', async ({ xfleet, problem }) => {
    expect(await submitError(xfleet)).toMatchObject({ code: ErrorCodes.UNIT_INVALID, plugin: 'validation', message: `unit web.service: ${problem}` });
  });

  it('comes before combinations', async () => {
    expect(await submitError('MachineID=m1\nGlobal=true\nMachinID=m2')).toMatchObject({
      message: 'unit web.service: unrecognized [X-Fleet] option MachinID (did you mean MachineID?)',
    });
  });

  it('are every key when no plugin declares options: validation knows none by name', async () => {
    expect(await submitError('MachineID=m1', [])).toMatchObject({ message: 'unit web.service: unrecognized [X-Fleet] option MachineID' });
    expect(await submitError('Global=true', [conflicts])).toMatchObject({ message: 'unit web.service: unrecognized [X-Fleet] option Global' });
  });

  it('a unit without [X-Fleet] options is accepted by validation alone', async () => {
    const cluster = await clusterWith([]);
    expect(() => cluster.submit('web.service', '[Service]\nExecStart=/bin/true\n')).not.toThrow();
  });

  it('can be let through with rejectUnknownOptions: false; combinations are still refused', async () => {
    expect(await submitError('Anything=goes\nMachineMetdata=x', fleetOwners, { rejectUnknownOptions: false })).toBeUndefined();
    expect(await submitError('Anything=goes\nMachineID=m1\nReplaces=old.service', fleetOwners, { rejectUnknownOptions: false })).toMatchObject({
      message: 'unit web.service: MachineID cannot be combined with Replaces',
    });
  });
});

describe('regressions', () => {
  it("a third-party plugin's [X-Fleet] option is accepted without any validation option", async () => {
    const group = owner('zone-spread', { name: 'Group', description: 'spread the units of a group over zones' });
    expect(await submitError('Group=api', [...fleetOwners, group])).toBeUndefined();
    expect(await submitError('Group=api', fleetOwners)).toMatchObject({ message: 'unit web.service: unrecognized [X-Fleet] option Group' });
  });

  it('an option declared by no plugin is refused with a suggestion', async () => {
    const group = owner('zone-spread', { name: 'Group', description: 'spread the units of a group over zones' });
    expect(await submitError('Gruop=api', [...fleetOwners, group])).toMatchObject({
      code: ErrorCodes.UNIT_INVALID,
      plugin: 'validation',
      message: 'unit web.service: unrecognized [X-Fleet] option Gruop (did you mean Group?)',
    });
  });

  it('two plugins declaring one option fail assembly with UNIT_OPTION_CONFLICT', async () => {
    const another = owner('another-conflicts', { name: 'Clash', aliases: ['X-Conflicts'], description: 'a second owner of X-Conflicts' });
    await expect(clusterWith([...fleetOwners, another])).rejects.toMatchObject({ code: ErrorCodes.UNIT_OPTION_CONFLICT, plugin: 'another-conflicts' });
  });

  it("a third-party plugin's excludes are enforced, with its isSet", async () => {
    const group = owner('zone-spread', {
      name: 'Group',
      aliases: ['X-Group'],
      description: 'spread the units of a group over zones',
      excludes: ['Global', 'MachineID'],
      isSet: (values) => values.some((value) => value !== 'none'),
    });
    const plugins = [...fleetOwners, group];
    expect(await submitError('X-Group=api\nGlobal=on', plugins)).toMatchObject({
      plugin: 'validation',
      message: 'unit web.service: X-Group cannot be combined with Global',
    });
    // Global=off sets nothing, so Group's next exclusion speaks.
    expect(await submitError('Group=api\nGlobal=off\nX-ConditionMachineID=m1', plugins)).toMatchObject({
      message: 'unit web.service: Group cannot be combined with X-ConditionMachineID',
    });
    expect(await submitError('Group=none\nGlobal=on', plugins)).toBeUndefined();
  });

  it('an excluded option no plugin declares excludes nothing', async () => {
    const group = owner('zone-spread', { name: 'Group', description: 'spread the units of a group over zones', excludes: ['Pinned'] });
    expect(await submitError('Group=api\nPinned=yes', [group], { rejectUnknownOptions: false })).toBeUndefined();
  });

  it('extraOptions is gone, with a hint at meta.unitOptions', async () => {
    await expect(createTestCluster({ plugins: [[validation, { extraOptions: ['SpreadBy'] }]] })).rejects.toMatchObject({
      code: ErrorCodes.PLUGIN_OPTIONS_INVALID,
      issues: ['validation: options: extraOptions is gone: a plugin declares the [X-Fleet] options it reads in meta.unitOptions'],
    });
  });
});

describe('options', () => {
  it('default to rejecting unknown options', async () => {
    const cluster = await clusterWith([]);
    expect(cluster.host.plugins.find((plugin) => plugin.meta.name === 'validation')?.options).toEqual({ rejectUnknownOptions: true });
  });

  it('are reported as plugin: path: message', async () => {
    await expect(createTestCluster({ plugins: [[validation, { rejectUnknownOptions: 'yes' }]] })).rejects.toMatchObject({
      code: ErrorCodes.PLUGIN_OPTIONS_INVALID,
      issues: ['validation: rejectUnknownOptions: Invalid input: expected boolean, received string'],
    });
  });

  it('declare no [X-Fleet] option of its own', () => {
    expect(validation.meta.unitOptions).toBeUndefined();
  });
});

describe('helpers', () => {
  const fleetOptions = (entries: Record<string, string[]>) => ({ fleetOptions: new Map(Object.entries(entries)) });

  it.each([
    { name: 'a typo', key: 'MachineMetdata', suggestion: 'MachineMetadata' },
    { name: 'case only', key: 'MACHINEID', suggestion: 'MachineID' },
    { name: 'an alias', key: 'X-Conflict', suggestion: 'X-Conflicts' },
    { name: 'two edits', key: 'Globl1', suggestion: 'Global' },
    { name: 'too far', key: 'Zone', suggestion: undefined },
    { name: 'a one-letter key (nothing is closer than its length)', key: 'G', suggestion: undefined },
  ])('closestOption: $name', async ({ key, suggestion }) => {
    const cluster = await clusterWith();
    expect(closestOption(key, cluster.host.unitOptions)).toBe(suggestion);
  });

  it('unrecognizedOption and exclusionProblem read any table and unit view', async () => {
    const table = (await clusterWith()).host.unitOptions;
    expect(unrecognizedOption(fleetOptions({ MachineID: ['m1'], Zone: ['a'] }), table)).toBe('Zone');
    expect(unrecognizedOption(fleetOptions({ MachineID: ['m1'] }), table)).toBeUndefined();
    expect(exclusionProblem(fleetOptions({ 'X-ConditionMachineID': ['m1'], Global: ['t'] }), table)).toBe(
      'X-ConditionMachineID cannot be combined with Global',
    );
    expect(exclusionProblem(fleetOptions({ MachineID: ['m1'], Global: ['f'] }), table)).toBeUndefined();
  });

  it('reasons are one phrase each', () => {
    expect(validationReasons.unrecognized('Zone')).toBe('unrecognized [X-Fleet] option Zone');
    expect(validationReasons.unrecognized('Grop', 'Group')).toBe('unrecognized [X-Fleet] option Grop (did you mean Group?)');
    expect(validationReasons.cannotCombine('MachineID', 'Global')).toBe('MachineID cannot be combined with Global');
  });
});
