// The plugin and test from the repository README, kept here so the README shows code that runs.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin } from '../index.js';
import { simulate } from './index.js';

const zoneSpread = definePlugin({
  meta: { name: 'zone-spread', version: '1.0.0', core: '^0.1.0' },
  options: z.object({ key: z.string().default('zone') }),
  apply(hooks, options) {
    hooks.filter.tap((_unit, machine) => (machine.metadata[options.key] === undefined ? `no ${options.key} metadata` : undefined));
    hooks.score.tap((_unit, machine) => -machine.load);
  },
});

it('README plugin example places and explains as the README says', async () => {
  const cluster = await simulate({
    plugins: [[zoneSpread, { key: 'zone' }]],
    machines: [{ id: 'm1', metadata: { zone: 'a' } }, 'm2'],
    units: { 'web.service': '[Service]\nExecStart=/usr/bin/nginx\n' },
  });
  expect(cluster.placementOf('web.service')).toBe('m1');
  expect(cluster.explain('web.service').summary).toBe('1/2 machines available: 1 no zone metadata');
});

it("submits an instance with its template's contents", async () => {
  const cluster = await simulate({ plugins: [zoneSpread], machines: [{ id: 'm1', metadata: { zone: 'a' } }] });
  cluster.submit('web@.service', '[Service]\nExecStart=/usr/bin/nginx -g %i\n', 'inactive').submitInstance('web@1.service');
  expect(cluster.state.unit('web@1.service')?.file).toBe(cluster.state.unit('web@.service')?.file);
  expect(() => cluster.submitInstance('api@1.service')).toThrow('api@1.service: its template api@.service is not submitted');
  await cluster.settle();
  expect(cluster.placements()).toEqual({ 'web@1.service': 'm1' });
});
