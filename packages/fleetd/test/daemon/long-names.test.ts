/**
 * Issue 15, item 5: names of 236–255 characters were accepted but never
 * loaded (the driver's temporary file name overflowed NAME_MAX). Every name
 * the API accepts must run: a standalone fleetd on a real systemd starts one
 * of 255 characters, and refuses one of 256 at submit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UNIT_NAME_LENGTH } from '@fleetd/core';
import { waitFor } from '@fleetd/core/testing';
import { useSystemd } from '@fleetd/plugin-systemd/vitest';
import { startFleetd } from '../../src/testing/index.js';
import type { FleetdProcess } from '../../src/testing/index.js';
import { send } from '../api/harness.js';

const systemd = useSystemd(1);
let fleetd: FleetdProcess;

beforeAll(async () => {
  const [instance] = systemd();
  fleetd = await startFleetd({
    name: 'long-names',
    config: { machine: { id: 'long-1' }, agent: { busAddress: instance!.busAddress, unitsDirectory: instance!.unitsDirectory } },
  });
});
afterAll(async () => {
  await fleetd?.remove();
});

const nameOf = (length: number): string => `${'l'.repeat(length - '.service'.length)}.service`;
const launch = (name: string) =>
  send({ socketPath: fleetd.socketPath }, 'PUT', `/fleet/v1/units/${name}`, {
    body: { desiredState: 'launched', options: [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep 1000' }] },
  });

describe('unit names as long as systemd allows', () => {
  it(`regression: a unit named with ${MAX_UNIT_NAME_LENGTH} characters is accepted, loaded and started`, async () => {
    const name = nameOf(MAX_UNIT_NAME_LENGTH);
    expect((await launch(name)).status).toBe(201);
    const state = await waitFor(async () => {
      const response = await send({ socketPath: fleetd.socketPath }, 'GET', `/fleet/v1/state/${name}`);
      const body = response.json as { systemdActiveState?: string } | undefined;
      return body?.systemdActiveState === 'active' ? body : undefined;
    }, `${name} to run`);
    expect(state).toMatchObject({ name, machineID: 'long-1', systemdLoadState: 'loaded', systemdActiveState: 'active', systemdSubState: 'running' });
  });

  it(`a name of ${MAX_UNIT_NAME_LENGTH + 1} characters is refused at submit`, async () => {
    const name = nameOf(MAX_UNIT_NAME_LENGTH + 1);
    const response = await launch(name);
    expect(response.json).toEqual({
      error: { code: 400, message: `invalid unit name "${name.slice(0, 77)}...": it is 256 characters long, the most is 255`, reason: 'UNIT_NAME_INVALID' },
    });
  });
});
