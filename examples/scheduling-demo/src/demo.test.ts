import { describe, expect, it } from 'vitest';
import { createTestCluster, simulate } from '@fleetd/core/testing';
import { demoMachines, demoPlugins, demoUnits, roundLog, runDemo } from './index.js';

describe('scheduling demo', () => {
  it('places what fits and explains what does not', async () => {
    const { round, report } = await runDemo();
    expect(round.placements).toHaveLength(7);
    expect(round.unschedulable.map((u) => [u.unit, u.summary])).toEqual([
      ['analytics.service', '0/5 machines available: 5 metadata region=eu-central-1 not matched'],
      [
        'web@4.service',
        '0/5 machines available: 2 metadata region=us-west-2 not matched, 1 conflict with web@1.service, 1 conflict with web@2.service, 1 conflict with web@3.service',
      ],
    ]);
    expect(report).toContain('why is web@4.service not scheduled?');
  });

  it('reports the round the round log observed, through the logger the host gave it', async () => {
    const { log, report } = await runDemo();
    expect(log).toEqual(['[round-log] round 1: 7 placed, 2 unschedulable']);
    expect(report).toContain('PLUGIN LOG\n[round-log] round 1: 7 placed, 2 unschedulable');
  });

  it('the round log is told every round, including revocations', async () => {
    const cluster = await createTestCluster({ plugins: [...demoPlugins, roundLog], machines: demoMachines, units: demoUnits });
    await cluster.settle();
    const [ssd] = demoMachines;
    cluster.setMetadata(ssd!.id, { region: 'us-east-1', disk: 'hdd' });
    await cluster.schedule();
    expect(cluster.logs.map(({ plugin, level, message }) => `${plugin} ${level} ${message}`)).toEqual([
      'round-log info round 1: 7 placed, 2 unschedulable',
      'round-log info round 2: 0 placed, 2 unschedulable',
      'round-log info round 3: 0 placed, 3 unschedulable, 1 revoked',
    ]);
  });

  it.each([
    { spelling: 'MachineMetadata', plugin: 'demo-metadata' },
    { spelling: 'Conflicts', plugin: 'demo-conflicts' },
  ])('the plugin reading $spelling declares it', async ({ spelling, plugin }) => {
    const cluster = await createTestCluster({ plugins: [...demoPlugins] });
    expect(cluster.host.unitOptions.get(spelling)?.plugin).toBe(plugin);
  });

  it('puts the database on the SSD machine and keeps web servers apart', async () => {
    const cluster = await simulate({ plugins: [...demoPlugins], machines: demoMachines, units: demoUnits });
    expect(cluster.placementOf('db.service')).toBe(demoMachines[0]?.id);
    const webMachines = ['web@1.service', 'web@2.service', 'web@3.service'].map((unit) => cluster.placementOf(unit));
    expect(new Set(webMachines).size).toBe(3);
  });
});
