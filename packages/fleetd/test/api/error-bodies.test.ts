/**
 * fleet's error body, byte for byte, with what fleetd adds: `reason` (the
 * error code to branch on) on every error, and the plugin behind an error
 * with its own code. fleet's clients read `code` and `message` and ignore the rest.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testPlugin } from '@fleetd/core/testing';
import { fleetPreset } from '@fleetd/preset-fleet';
import { Harness, SERVICE } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A plugin whose validateUnit tap fails (its license server is down), with its own error code. */
const licensing = testPlugin('licensing', (hooks) =>
  hooks.validateUnit.tap(() => {
    throw Object.assign(new Error('license server unreachable'), { code: 'ELICENSE' });
  }),
);

/** The options of the harness's SERVICE: a PUT of them changes nothing on a unit submitted with it. */
const options = [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep infinity' }];

describe('error bodies', () => {
  it.each([
    {
      name: '409 UNIT_EXISTS: an existing unit with nothing to change',
      existing: 'a.service',
      body: { options },
      status: 409,
      text: '{"error":{"code":409,"message":"must provide DesiredState to update existing unit","reason":"UNIT_EXISTS"}}',
    },
    {
      name: '409 UNIT_NOT_FOUND: a desired state for a unit that does not exist',
      body: { desiredState: 'launched' },
      status: 409,
      text: '{"error":{"code":409,"message":"unit does not exist and options field empty","reason":"UNIT_NOT_FOUND"}}',
    },
    {
      name: '400 UNIT_INVALID naming the plugin that refused the unit',
      body: { contents: `${SERVICE}[X-Fleet]\nMachineID=m1\nGlobal=true\n` },
      status: 400,
      text: '{"error":{"code":400,"message":"unit a.service: MachineID cannot be combined with Global","reason":"UNIT_INVALID","plugin":"validation"}}',
    },
    {
      name: '500 PLUGIN_ERROR with the plugin and its own code',
      plugins: [licensing],
      body: { options },
      status: 500,
      text: '{"error":{"code":500,"message":"plugin \\"licensing\\" failed in hook \\"validateUnit\\": license server unreachable","reason":"PLUGIN_ERROR","plugin":"licensing","pluginCode":"ELICENSE"}}',
    },
    {
      name: '415 from the HTTP layer, with the generic reason until the core has one for it',
      raw: '{}',
      status: 415,
      text: '{"error":{"code":415,"message":"expected 1 Content-Type, got 0","reason":"API_REQUEST_INVALID"}}',
    },
  ])('$name', async ({ existing, plugins, body, raw, status, text }) => {
    harness = await Harness.start({ plugins: plugins ?? fleetPreset() });
    if (existing !== undefined) await harness.submit(existing, 'inactive');
    const response = await harness.request('PUT', '/fleet/v1/units/a.service', raw === undefined ? { body } : { raw });
    expect(response.status).toBe(status);
    expect(response.text).toBe(text);
  });

  it('answers an unknown route with fleet\'s body and a reason', async () => {
    harness = await Harness.start();
    const response = await harness.request('GET', '/fleet/v2/units');
    expect(response.text).toBe('{"error":{"code":404,"message":"no resource at /fleet/v2/units","reason":"API_ROUTE_NOT_FOUND"}}');
  });
});
