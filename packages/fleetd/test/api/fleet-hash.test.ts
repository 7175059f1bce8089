/**
 * The unit hash on fleet's v1 API is fleet's: hex SHA-1 of go-systemd's
 * unit.Serialize(options) (fleet's unit/unit.go Hash). fleet's client shows
 * the /state hash in list-units and computes the same hash from a unit's
 * options in list-unit-files, so the two must agree; fleetd's SHA-256 stays
 * internal (agents, store).
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUnit } from '@fleetd/core';
import { goClientCall } from './go-client.js';
import { Harness } from './harness.js';

let harness: Harness;
beforeEach(async () => {
  harness = await Harness.start();
});
afterEach(async () => {
  await harness.stop();
});

interface Option {
  readonly section: string;
  readonly name: string;
  readonly value: string;
}

/**
 * fleet's client, written out from go-systemd's serialize.go: sections in
 * order of first appearance, `[Section]` then `Name=Value` lines, a blank
 * line between sections; SHA-1 of those bytes.
 */
function hashAsFleetComputes(options: readonly Option[]): string {
  const sections = new Map<string, Option[]>();
  for (const option of options) sections.set(option.section, [...(sections.get(option.section) ?? []), option]);
  const text = [...sections].map(([section, list]) => `[${section}]\n${list.map((option) => `${option.name}=${option.value}\n`).join('')}`).join('\n');
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

const MULTI =
  '[Unit]\nDescription=web\nAfter=network.target\n\n[Service]\nExecStart=/bin/sleep 1000\nEnvironment=A=1\n\n[X-Fleet]\nMachineMetadata=region=us\n';

describe("regression: /state gives fleet's unit hash, not fleetd's SHA-256", () => {
  it("fleet's own test vector: [Service] ExecStart=/bin/sleep 100 is 1c6fb6f3… (fleet unit/unit_test.go)", async () => {
    await harness.submit('a.service', 'launched', '[Service]\nExecStart=/bin/sleep 100\n');
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
    const state = await harness.request('GET', '/fleet/v1/state/a.service');
    expect(state.json).toMatchObject({ name: 'a.service', hash: '1c6fb6f3684bafb0c173d8b8b957ceff031180c1' });
  });

  it.each([
    { name: 'one section', contents: '[Service]\nExecStart=/bin/sleep 1000\n' },
    { name: 'three sections, repeated options, a value with =', contents: MULTI },
    {
      name: 'a section repeated in the file (fleet groups by section)',
      contents: '[Service]\nExecStart=/bin/a\n[Unit]\nDescription=x\n[Service]\nRestart=always\n',
    },
    { name: 'an empty value', contents: '[Service]\nExecStart=/bin/a\nEnvironment=\n' },
  ])("fleet's client computes the /state hash from GET /units/{name}: $name", async ({ contents }) => {
    await harness.submit('a.service', 'launched', contents);
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
    const socket = harness.server.socketPath as string;
    const unit = (await goClientCall(socket, 'GET', '/fleet/v1/units/a.service')).json as { options: Option[] };
    const expected = hashAsFleetComputes(unit.options);
    expect((await goClientCall(socket, 'GET', '/fleet/v1/state/a.service')).json).toMatchObject({ hash: expected });
    expect((await goClientCall(socket, 'GET', '/fleet/v1/state')).json).toEqual({ states: [expect.objectContaining({ name: 'a.service', hash: expected })] });
    // Not the internal hash the agent reported.
    expect(expected).not.toBe(createUnit({ name: 'a.service', contents }).hash);
  });

  it('a state of a version no longer stored has no fleet hash: "" (fleet\'s client prints "-")', async () => {
    await harness.submit('a.service', 'launched', '[Service]\nExecStart=/bin/sleep 100\n');
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
    // Replaced; the agent still reports the old version.
    expect(
      (
        await harness.request('PUT', '/fleet/v1/units/a.service', {
          body: { desiredState: 'launched', options: [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep 200' }] },
        })
      ).status,
    ).toBe(201);
    expect((await harness.request('GET', '/fleet/v1/state/a.service')).json).toMatchObject({ name: 'a.service', hash: '' });
    // Once it reports the stored version, its fleet hash shows.
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
    expect((await harness.request('GET', '/fleet/v1/state/a.service')).json).toMatchObject({
      hash: hashAsFleetComputes([{ section: 'Service', name: 'ExecStart', value: '/bin/sleep 200' }]),
    });
  });
});
