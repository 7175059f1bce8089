import { describe, expect, it } from 'vitest';
import { simulate } from '@fleetd/core/testing';
import { demoMachines, demoPlugins, demoUnits, runDemo } from './index.js';

describe('scheduling demo', () => {
  it('places what fits and explains what does not', async () => {
    const { round, report } = await runDemo();
    expect(round.placements).toHaveLength(7);
    expect(round.unschedulable.map((u) => [u.unit, u.summary])).toEqual([
      ['analytics.service', '0/5 machines available: 5 metadata region=eu-central-1 not matched'],
      ['web@4.service', '0/5 machines available: 2 metadata region=us-west-2 not matched, 1 conflict with web@1.service, 1 conflict with web@2.service, 1 conflict with web@3.service'],
    ]);
    expect(report).toContain('why is web@4.service not scheduled?');
  });

  it('puts the database on the SSD machine and keeps web servers apart', async () => {
    const cluster = await simulate({ plugins: [...demoPlugins], machines: demoMachines, units: demoUnits });
    expect(cluster.placementOf('db.service')).toBe(demoMachines[0]?.id);
    const webMachines = ['web@1.service', 'web@2.service', 'web@3.service'].map((unit) => cluster.placementOf(unit));
    expect(new Set(webMachines).size).toBe(3);
  });
});
