import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { createTestCluster } from '@fleetd/core/testing';
import validation from './index.js';

const unit = (xfleet: string) => `[Service]\nExecStart=/bin/true\n\n[X-Fleet]\n${xfleet}\n`;

async function submit(xfleet: string, options?: unknown) {
  const cluster = await createTestCluster({ plugins: [[validation, options]], machines: ['m1'] });
  return () => cluster.submit('web.service', unit(xfleet));
}

describe('invalid option combinations are refused at submit', () => {
  it.each([
    { name: 'MachineID with MachineOf', xfleet: 'MachineID=m1\nMachineOf=db.service', problem: 'MachineID cannot be combined with MachineOf' },
    { name: 'MachineID with Conflicts', xfleet: 'MachineID=m1\nConflicts=web*', problem: 'MachineID cannot be combined with Conflicts' },
    { name: 'MachineID with Global', xfleet: 'MachineID=m1\nGlobal=true', problem: 'MachineID cannot be combined with Global' },
    { name: 'MachineID with Replaces', xfleet: 'MachineID=m1\nReplaces=old.service', problem: 'MachineID cannot be combined with Replaces' },
    { name: 'legacy MachineID with legacy MachineOf', xfleet: 'X-ConditionMachineID=m1\nX-ConditionMachineOf=db.service', problem: 'X-ConditionMachineID cannot be combined with X-ConditionMachineOf' },
    { name: 'Global with MachineOf', xfleet: 'Global=yes\nMachineOf=db.service', problem: 'Global cannot be combined with MachineOf' },
    { name: 'Global with Replaces', xfleet: 'Global=true\nReplaces=old.service', problem: 'Global cannot be combined with Replaces' },
    { name: 'Conflicts with Replaces', xfleet: 'Conflicts=a*\nReplaces=old.service', problem: 'Conflicts cannot be combined with Replaces' },
    { name: 'legacy Conflicts with Replaces', xfleet: 'X-Conflicts=a*\nReplaces=old.service', problem: 'X-Conflicts cannot be combined with Replaces' },
    { name: 'a MachineOf peer matching its own Conflicts', xfleet: 'MachineOf=db.service\nConflicts=db*', problem: 'MachineOf peer db.service matches the unit\'s own Conflicts pattern db*' },
    { name: 'a MachineOf peer matching its own Replaces', xfleet: 'MachineOf=db.service\nReplaces=d?.service', problem: 'MachineOf peer db.service matches the unit\'s own Replaces pattern d?.service' },
    { name: 'an unknown option', xfleet: 'MachineMetdata=region=eu', problem: 'unrecognized [X-Fleet] option MachineMetdata' },
  ])('refuses $name', async ({ xfleet, problem }) => {
    expect(await submit(xfleet)).toThrow(
      expect.objectContaining({ code: ErrorCodes.UNIT_INVALID, unit: 'web.service', plugin: 'validation', message: `unit web.service: ${problem}` }),
    );
  });

  it.each([
    { name: 'MachineID alone', xfleet: 'MachineID=m1' },
    { name: 'MachineID with Global=false', xfleet: 'MachineID=m1\nGlobal=false' },
    { name: 'MachineID with metadata', xfleet: 'MachineID=m1\nMachineMetadata=region=eu' },
    { name: 'Global with Conflicts and metadata', xfleet: 'Global=true\nConflicts=other*\nMachineMetadata=role=edge' },
    { name: 'MachineOf with an unrelated Conflicts', xfleet: 'MachineOf=db.service\nConflicts=cache*' },
    { name: 'Replaces alone', xfleet: 'Replaces=old*.service' },
    { name: 'fleet\'s legacy boot ID condition', xfleet: 'X-ConditionMachineBootID=abc' },
  ])('accepts $name', async ({ xfleet }) => {
    expect(await submit(xfleet)).not.toThrow();
  });
});

describe('options', () => {
  it('accepts the [X-Fleet] keys of third-party plugins when listed', async () => {
    expect(await submit('SpreadBy=zone', { extraOptions: ['SpreadBy'] })).not.toThrow();
    expect(await submit('SpreadBy=zone')).toThrow('unit web.service: unrecognized [X-Fleet] option SpreadBy');
  });

  it('can let unknown keys through', async () => {
    expect(await submit('Anything=goes', { rejectUnknownOptions: false })).not.toThrow();
  });

  it('reports bad options as plugin: path: message', async () => {
    await expect(createTestCluster({ plugins: [[validation, { extraOptions: 'SpreadBy' }]] })).rejects.toMatchObject({
      code: ErrorCodes.PLUGIN_OPTIONS_INVALID,
      issues: ['validation: extraOptions: Invalid input: expected array, received string'],
    });
  });
});
