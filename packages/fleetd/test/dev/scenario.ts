/**
 * The quick start's second terminal, shared by the `fleetd dev` tests: start a
 * unit with fleetctl, see where it went, and ask that machine's systemd.
 */
import { expect } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import type { DevSession } from './dev-session.js';

/** What `examples/units/hello.service` does, written where a test needs it. */
export const HELLO_UNIT = ['[Unit]', 'Description=Hello from fleetd dev', '', '[Service]', 'ExecStart=/bin/sleep infinity', ''].join('\n');

/** `fleetctl start hello.service` (in the session's directory); resolves with the machine that runs it. */
export async function expectUnitRuns(session: DevSession, env: Readonly<Record<string, string>> = {}): Promise<string> {
  const started = await session.fleetctl(['start', 'hello.service'], env);
  expect(started, started.stderr).toMatchObject({ code: 0 });
  const listed = await session.fleetctl(['list-units', '--no-legend', '--fields', 'unit,machine,active,sub'], env);
  const [unit, where, active, sub] = listed.stdout.trim().split(/\s+/);
  expect({ unit, active, sub }).toEqual({ unit: 'hello.service', active: 'active', sub: 'running' });
  const machine = (where ?? '').split('/')[0] ?? '';
  expect(session.runtimeDirs.has(machine), `${machine} is one of ${[...session.runtimeDirs.keys()].join(', ')}`).toBe(true);
  // systemd itself, not fleetd's report of it.
  await waitFor(
    async () => (await session.systemctl(machine, ['is-active', 'hello.service'])).stdout.trim() === 'active',
    `hello.service active in ${machine}'s systemd`,
    10_000,
    100,
  );
  return machine;
}
