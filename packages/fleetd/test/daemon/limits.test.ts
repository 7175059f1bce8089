/**
 * Issue 15, item 3: one limit on a unit's size and option count, the same in
 * both modes. A standalone daemon (embedded store) and an etcd-backed one,
 * both real processes, get the same units: over the limit refused with the
 * same 400, just under accepted (and etcd takes it: the limit is below its
 * request limit). Item 4's cap on PATCH /machines is checked the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UNIT_BYTES, MAX_UNIT_OPTIONS } from '@fleetd/core';
import type { UnitOption } from '@fleetd/core';
import { useEtcd } from '@fleetd/registry-etcd/vitest';
import { startFleetd } from '../../src/testing/index.js';
import type { FleetdProcess } from '../../src/testing/index.js';
import { send } from '../api/harness.js';

const etcd = useEtcd();
const daemons: { name: string; fleetd?: FleetdProcess }[] = [{ name: 'standalone' }, { name: 'etcd-backed' }];

beforeAll(async () => {
  for (const daemon of daemons) {
    const cluster = daemon.name === 'etcd-backed' ? { etcd: { endpoints: [...etcd().endpoints], keyPrefix: '/limits-test/' } } : {};
    daemon.fleetd = await startFleetd({ name: daemon.name, config: { ...cluster, machine: { id: `${daemon.name}-1` }, agent: { enabled: false } } });
  }
});
afterAll(async () => {
  for (const daemon of daemons) await daemon.fleetd?.remove();
});

const env = (count: number): UnitOption[] => Array.from({ length: count }, (_, i) => ({ section: 'Service', name: 'Environment', value: `V${i}=x` }));
/** One Description whose value makes the unit `bytes` long as stored: `{"options":[…],"hash":"<64 hex>"}`. */
function storedBytes(bytes: number): UnitOption[] {
  const framing = JSON.stringify({ options: [{ section: 'Service', name: 'Description', value: '' }], hash: 'h'.repeat(64) }).length;
  return [{ section: 'Service', name: 'Description', value: 'd'.repeat(bytes - framing) }];
}

const put = (fleetd: FleetdProcess, name: string, options: readonly UnitOption[]) =>
  send({ socketPath: fleetd.socketPath }, 'PUT', `/fleet/v1/units/${name}`, { body: { desiredState: 'inactive', options } });

describe.each(daemons)('the $name daemon', (daemon) => {
  const fleetd = (): FleetdProcess => daemon.fleetd as FleetdProcess;

  it.each([
    { name: `${MAX_UNIT_OPTIONS} options`, unit: 'most-options.service', options: () => env(MAX_UNIT_OPTIONS) },
    { name: `${MAX_UNIT_BYTES} bytes as stored`, unit: 'most-bytes.service', options: () => storedBytes(MAX_UNIT_BYTES) },
  ])('accepts a unit of exactly $name', async ({ unit, options }) => {
    const response = await put(fleetd(), unit, options());
    expect({ status: response.status, body: response.text }).toEqual({ status: 201, body: '' });
    const stored = await send({ socketPath: fleetd().socketPath }, 'GET', `/fleet/v1/units/${unit}`);
    expect((stored.json as { options: unknown[] }).options).toHaveLength(options().length);
  });

  it.each([
    {
      name: 'one option over',
      unit: 'over-options.service',
      options: () => env(MAX_UNIT_OPTIONS + 1),
      message: `unit over-options.service: ${MAX_UNIT_OPTIONS + 1} options, at most ${MAX_UNIT_OPTIONS}`,
    },
    {
      name: 'one byte over',
      unit: 'over-bytes.service',
      options: () => storedBytes(MAX_UNIT_BYTES + 1),
      message: `unit over-bytes.service: ${MAX_UNIT_BYTES + 1} bytes as stored (options and submitted text, as JSON), at most ${MAX_UNIT_BYTES}`,
    },
  ])('regression: refuses a unit $name the limit with the same 400 in both modes, and stores nothing', async ({ unit, options, message }) => {
    const response = await put(fleetd(), unit, options());
    expect(response.json).toEqual({ error: { code: 400, message, reason: 'UNIT_FILE_TOO_LARGE' } });
    expect(response.status).toBe(400);
    expect((await send({ socketPath: fleetd().socketPath }, 'GET', `/fleet/v1/units/${unit}`)).status).toBe(404);
  });

  // What the 128 operations did is checked on each registry in test/service/machines-patch.test.ts.
  it('regression: a PATCH /machines of 129 operations is refused with the cap, one of 128 is taken', async () => {
    const ops = (count: number) => Array.from({ length: count }, (_, i) => ({ op: 'add', path: `/${daemon.name}-1/metadata/k${i}`, value: `v${i}` }));
    const over = await send({ socketPath: fleetd().socketPath }, 'PATCH', '/fleet/v1/machines', { body: ops(129) });
    expect(over.json).toEqual({ error: { code: 400, message: '129 operations in one PATCH, at most 128', reason: 'MACHINE_PATCH_TOO_LARGE' } });
    expect(over.status).toBe(400);
    const applied = await send({ socketPath: fleetd().socketPath }, 'PATCH', '/fleet/v1/machines', { body: ops(128) });
    expect({ status: applied.status, body: applied.text }).toEqual({ status: 204, body: '' });
  });
});
