// fleet's scheduling scenarios (its functional tests), on a simulated cluster
// running every first-party plugin.
import { describe, expect, it } from 'vitest';
import { createTestCluster, simulate } from '@fleetd/core/testing';
import type { TestClusterOptions } from '@fleetd/core/testing';
import { fleetPreset } from '../src/index.js';

const unit = (xfleet = '') => `[Unit]\nDescription=test\n\n[Service]\nExecStart=/bin/sleep infinity\n${xfleet ? `\n[X-Fleet]\n${xfleet}\n` : ''}`;
const fleet = (options: Omit<TestClusterOptions, 'plugins'>) => simulate({ plugins: fleetPreset(), ...options });
const three = ['m1', 'm2', 'm3'];

describe('fleet scheduling scenarios', () => {
  it('three MachineOf pairs land pairwise together', async () => {
    const cluster = await fleet({
      machines: three,
      units: {
        'ping.0.service': unit(),
        'ping.1.service': unit(),
        'ping.2.service': unit(),
        'pong.0.service': unit('MachineOf=ping.0.service'),
        'pong.1.service': unit('MachineOf=ping.1.service'),
        'pong.2.service': unit('MachineOf=ping.2.service'),
      },
    });
    for (const i of [0, 1, 2]) expect(cluster.placementOf(`pong.${i}.service`)).toBe(cluster.placementOf(`ping.${i}.service`));
    expect(new Set([0, 1, 2].map((i) => cluster.placementOf(`ping.${i}.service`))).size).toBe(3);
  });

  it('5 mutually conflicting units on 3 machines: 3 placed, 2 unschedulable with reasons', async () => {
    const units = Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`conflict.${i}.service`, unit('Conflicts=conflict*')]));
    const cluster = await fleet({ machines: three, units });
    expect(Object.keys(cluster.placements())).toEqual(['conflict.0.service', 'conflict.1.service', 'conflict.2.service']);
    expect(cluster.summary('conflict.3.service')).toBe(
      '0/3 machines available: 1 conflict with conflict.0.service, 1 conflict with conflict.1.service, 1 conflict with conflict.2.service',
    );
    expect(cluster.reasons('conflict.4.service').map((reason) => [reason.machine, reason.plugin])).toEqual([
      ['m1', 'conflicts'],
      ['m2', 'conflicts'],
      ['m3', 'conflicts'],
    ]);
  });

  it('one-way conflict: only one is placed, and destroying it lets the other in', async () => {
    const cluster = await fleet({ machines: ['m1'], units: { 'a.service': unit('Conflicts=b.service'), 'b.service': unit() } });
    expect(cluster.placements()).toEqual({ 'a.service': 'm1' });
    expect(cluster.summary('b.service')).toBe('0/1 machines available: 1 conflict with a.service');
    cluster.destroy('a.service');
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'b.service': 'm1' });
  });

  it('several conflict globs on one line', async () => {
    const cluster = await fleet({
      machines: ['m1', 'm2'],
      units: { 'db.service': unit(), 'cache.service': unit(), 'web.service': unit('Conflicts=db* cache.service') },
    });
    expect(cluster.placements()).toEqual({ 'cache.service': 'm1', 'db.service': 'm2' });
    expect(cluster.summary('web.service')).toBe('0/2 machines available: 1 conflict with cache.service, 1 conflict with db.service');
  });

  it('Replaces moves the replaced unit to another machine', async () => {
    const cluster = await fleet({ machines: ['m1', 'm2'], units: { 'old.service': unit() } });
    expect(cluster.placementOf('old.service')).toBe('m1');
    cluster.submit('new.service', unit('Replaces=old.service'));
    const round = await cluster.schedule();
    expect(cluster.placements()).toEqual({ 'new.service': 'm1', 'old.service': 'm2' });
    expect(round.revocations).toMatchObject([{ unit: 'old.service', machine: 'm1', plugin: 'replaces' }]);
  });

  it('circular Replaces: only one is placed', async () => {
    const cluster = await fleet({
      machines: three,
      units: { 'a.service': unit('Replaces=b.service'), 'b.service': unit('Replaces=c.service'), 'c.service': unit('Replaces=a.service') },
    });
    expect(Object.keys(cluster.placements())).toHaveLength(1);
  });

  it('mutual Replaces: only one runs', async () => {
    const cluster = await fleet({ machines: three, units: { 'a.service': unit('Replaces=b.service'), 'b.service': unit('Replaces=a.service') } });
    expect(Object.keys(cluster.placements())).toHaveLength(1);
  });

  it('MachineID pins a unit to its machine, by full or short ID', async () => {
    const machines = ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210', '1111111111111111aaaaaaaaaaaaaaaa'];
    const cluster = await fleet({
      machines,
      units: { 'full.service': unit(`MachineID=${machines[1]}`), 'short.service': unit('MachineID=11111111'), 'free.service': unit() },
    });
    expect(cluster.placementOf('full.service')).toBe(machines[1]);
    expect(cluster.placementOf('short.service')).toBe(machines[2]);
  });

  it('2 normal and 1 global unit on 3 machines: 5 running', async () => {
    const cluster = await fleet({ machines: three, units: { 'a.service': unit(), 'b.service': unit(), 'g.service': unit('Global=true') } });
    expect(cluster.globalMachines('g.service')).toEqual(three);
    expect(cluster.runningCount()).toBe(5);
  });

  it('two conflicting global units: only the first by name runs', async () => {
    const cluster = await fleet({ machines: three, units: { 'global-b.service': unit('Global=true\nConflicts=global-a.service'), 'global-a.service': unit('Global=true') } });
    expect(cluster.globalMachines('global-a.service')).toEqual(three);
    expect(cluster.globalMachines('global-b.service')).toEqual([]);
    const decision = cluster.rounds.at(-1)?.globals.find((g) => g.unit === 'global-b.service');
    expect(decision?.rejections.map((r) => r.message)).toEqual(Array(3).fill('conflict with global-a.service'));
  });

  it('a template with MachineMetadata=hostname=%i places each instance on its host', async () => {
    const cluster = await createTestCluster({
      plugins: fleetPreset(),
      machines: ['alpha', 'beta', 'gamma'].map((hostname) => ({ id: `m-${hostname}`, metadata: { hostname } })),
    });
    cluster.submit('hello@.service', unit('MachineMetadata=hostname=%i'), 'inactive');
    for (const host of ['alpha', 'beta', 'gamma', 'delta']) cluster.submitInstance(`hello@${host}.service`);
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'hello@alpha.service': 'm-alpha', 'hello@beta.service': 'm-beta', 'hello@gamma.service': 'm-gamma' });
    expect(cluster.unschedulable('hello@delta.service')?.rejections.map((r) => r.plugin)).toEqual(['metadata', 'metadata', 'metadata']);
  });
});
