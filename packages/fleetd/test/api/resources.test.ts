// Resource requests are checked at submit: a bad one is refused with the unit, the plugin and the option, and nothing is stored.
import { afterEach, describe, expect, it } from 'vitest';
import { fleetPreset } from '@fleetd/preset-fleet';
import resources from '@fleetd/plugin-resources';
import { Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const options = (xfleet: string) => [
  { section: 'Service', name: 'ExecStart', value: '/bin/true' },
  { section: 'X-Fleet', name: xfleet.split('=')[0] ?? '', value: xfleet.split('=').slice(1).join('=') },
];

describe('PUT /fleet/v1/units with @fleetd/plugin-resources', () => {
  it.each([
    {
      name: 'a memory size that is not one',
      xfleet: 'Memory=lots',
      problem: 'Memory=lots: not a byte size (use a number of bytes or a size with K, M, G or T: 512M, 1.5G)',
    },
    { name: 'negative cores', xfleet: 'CPU=-1', problem: 'CPU=-1: must be more than 0 cores (use a number of cores: 2, or a fraction such as 0.5)' },
    {
      name: 'a resource nobody declared',
      xfleet: 'Resource=tpu:1',
      problem:
        "Resource=tpu:1: unknown resource tpu (none declared); declare it in the resources plugin's options: resources: { tpu: count } or { tpu: bytes }",
    },
  ])('refuses $name, naming unit, plugin and option, and stores nothing', async ({ xfleet, problem }) => {
    harness = await Harness.start({ plugins: [...fleetPreset(), resources] });
    const response = await harness.request('PUT', '/fleet/v1/units/batch.service', { body: { desiredState: 'launched', options: options(xfleet) } });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: 400, reason: 'UNIT_INVALID', plugin: 'resources' } });
    expect((response.json as { error: { message: string } }).error.message).toBe(`unit batch.service: ${problem}`);
    expect((await harness.request('GET', '/fleet/v1/units')).json).toEqual({ units: [] });
  });
});
