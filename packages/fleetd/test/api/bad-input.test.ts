/**
 * The API bad-input corpus (issue 15): every input in bad-input-cases.ts
 * against one daemon API holding units (launched, inactive, a template),
 * machines with metadata, a placement and a reported state. For each: the
 * status, fleet's error body `{"error":{"code","message"}}` with fleetd's
 * `reason` and nothing else, no stack, the daemon healthy afterwards, and
 * every stored key and value exactly as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { BAD_INPUTS } from './bad-input-cases.js';
import { Harness } from './harness.js';

let harness: Harness;
let stored: Record<string, string>;

beforeAll(async () => {
  harness = await Harness.start();
  await harness.machine('m1', { role: 'web', region: 'eu' });
  await harness.machine('m2', { role: 'db' });
  await harness.submit('a.service', 'launched');
  await harness.submit('b.service', 'inactive');
  await harness.submit('web@.service', 'inactive');
  await harness.placeWithEngine('a.service');
  await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
  stored = await harness.dump();
});
afterAll(() => harness.stop());

const REASONS = new Set<string>(Object.values(ErrorCodes));

describe('the bad-input corpus', () => {
  it('holds enough cases to mean something, each named once', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(BAD_INPUTS.map((input) => input.name)).size).toBe(BAD_INPUTS.length);
  });

  it.each(BAD_INPUTS)('$name: $status $reason', async ({ method, path, body, raw, headers, status, reason, message, plugin }) => {
    const response = await harness.request(method, path, { ...(raw === undefined ? { body } : { raw }), ...(headers === undefined ? {} : { headers }) });
    expect({ status: response.status, reason: (response.json as { error?: { reason?: unknown } } | undefined)?.error?.reason }).toEqual({ status, reason });
    expect(REASONS.has(reason)).toBe(true);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    // fleet's body: exactly {error: {code, message, reason}} (and the plugin that refused), code = the status, no stack.
    expect(response.json).toEqual({ error: { code: status, message: expect.any(String), reason, ...(plugin === undefined ? {} : { plugin }) } });
    const text = (response.json as { error: { message: string } }).error.message;
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
    expect(response.text).not.toMatch(/\n\s+at /);
    expect(await harness.dump()).toEqual(stored);
    expect((await harness.request('GET', '/health')).status).toBe(200);
  });
});
