import { describe, expect, it } from 'vitest';
import { createUnit } from '../index.js';
import { baseResolvedUnit } from './resolve.js';

describe('base resolved unit', () => {
  it.each([
    { name: 'plain values, one per line', xfleet: 'MachineMetadata=region=us-east-1\nMachineMetadata=disk=ssd', expected: ['region=us-east-1', 'disk=ssd'] },
    { name: 'quoted multi-value line', xfleet: 'MachineMetadata="region=us-east-1" "disk=ssd"', expected: ['region=us-east-1', 'disk=ssd'] },
    { name: 'unquoted value with spaces stays one value', xfleet: 'MachineMetadata=a b', expected: ['a b'] },
  ])('reads [X-Fleet] $name', ({ xfleet, expected }) => {
    const unit = createUnit({ name: 'a.service', contents: `[X-Fleet]\n${xfleet}\n` });
    expect(baseResolvedUnit(unit).fleetOptions.get('MachineMetadata')).toEqual(expected);
  });

  it('describes the unit name and starts with no requirements', () => {
    const resolved = baseResolvedUnit(createUnit({ name: 'web@1.service', contents: '' }));
    expect(resolved).toMatchObject({
      name: 'web@1.service',
      global: false,
      requirements: {},
      nameInfo: { prefix: 'web', instance: '1', template: 'web@.service' },
    });
  });
});
