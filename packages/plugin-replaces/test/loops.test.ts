// pushLoops: the units a unit would push whose move leads back to it.
import { describe, expect, it } from 'vitest';
import { createTestCluster } from '@fleetd/core/testing';
import { pushLoops } from '../src/index.js';
import { machineOfOwner, plugins, resolved, service, withFleet } from './helpers.js';

const MACHINE_OF = { name: 'MachineOf', aliases: ['X-ConditionMachineOf'] };

describe('pushLoops', () => {
  it.each([
    {
      name: 'a MachineOf chain to the unit it replaces',
      pattern: 'web-1.service',
      of: 'web-3.service',
      loops: { 'web-1.service': ['web-1.service', 'web-2.service', 'web-3.service'] },
    },
    {
      name: 'the same through a glob, which matches its own peer too',
      pattern: 'web-?.service',
      of: 'web-3.service',
      loops: { 'web-1.service': ['web-1.service', 'web-2.service', 'web-3.service'], 'web-2.service': ['web-2.service', 'web-3.service'] },
    },
    {
      name: 'a glob starting with a class',
      pattern: '[w]eb-1.service',
      of: 'web-3.service',
      loops: { 'web-1.service': ['web-1.service', 'web-2.service', 'web-3.service'] },
    },
    {
      name: 'a glob with an escape',
      pattern: 'w\\eb-1*',
      of: 'web-3.service',
      loops: { 'web-1.service': ['web-1.service', 'web-2.service', 'web-3.service'] },
    },
    { name: 'the unit followed, which pushes nothing', pattern: 'web-1.service', of: 'web-2.service', loops: {} },
  ])('$name', async ({ pattern, of, loops }) => {
    const cluster = await createTestCluster({
      plugins: [machineOfOwner, ...plugins],
      stored: {
        'web-1.service': service,
        'web-2.service': withFleet('MachineOf=web-1.service'),
        'web-3.service': withFleet(`Replaces=${pattern}`, 'MachineOf=web-2.service'),
      },
    });
    const found = pushLoops(resolved(cluster, of), cluster.state, MACHINE_OF, cluster.state.unitsWithRequirement('replaces'));
    expect(Object.fromEntries(found)).toEqual(loops);
  });

  it('a loop through another push: each pusher on it has the unit it pushes there', async () => {
    // u3 pushes v4; v0 follows v4 and pushes u3.
    const cluster = await createTestCluster({
      plugins: [machineOfOwner, ...plugins],
      units: { 'u3.service': withFleet('Replaces=v4.service'), 'v0.service': withFleet('Replaces=u*', 'MachineOf=v4.service'), 'v4.service': service },
    });
    const replacers = cluster.state.unitsWithRequirement('replaces');
    expect(Object.fromEntries(pushLoops(resolved(cluster, 'u3.service'), cluster.state, MACHINE_OF, replacers))).toEqual({
      'v4.service': ['v4.service', 'v0.service', 'u3.service'],
    });
    expect(Object.fromEntries(pushLoops(resolved(cluster, 'v0.service'), cluster.state, MACHINE_OF, replacers))).toEqual({
      'u3.service': ['u3.service', 'v4.service', 'v0.service'],
    });
  });

  it('without MachineOf declared, pushes alone never loop', async () => {
    const cluster = await createTestCluster({
      plugins,
      stored: {
        'web-1.service': service,
        'web-2.service': withFleet('MachineOf=web-1.service'),
        'web-3.service': withFleet('Replaces=web-1.service', 'MachineOf=web-2.service'),
      },
    });
    expect(pushLoops(resolved(cluster, 'web-3.service'), cluster.state, undefined, cluster.state.unitsWithRequirement('replaces')).size).toBe(0);
  });
});
