// Presence's contact reports: when renewing stops and starts again, and from when the machine's key is sure to live.
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryRegistry, ErrorCodes, FleetError } from '../index.js';
import type { Registry } from '../index.js';
import { waitFor } from '../testing/index.js';
import { MachinePresence } from './presence.js';
import type { PresenceContact } from './presence.js';

const presences: MachinePresence[] = [];
afterEach(async () => {
  for (const presence of presences.splice(0)) await presence.withdraw();
});

/**
 * Fails every keepAlive while `cut` (an unreachable etcd). The test's clock
 * moves one step after each keepalive, so `sent` records the time presence
 * read just before sending it.
 */
function flakyKeepAlive(registry: Registry) {
  const state = { cut: false, now: 0, sent: [] as { at: number; ok: boolean }[] };
  const keepAlive = registry.keepAlive.bind(registry);
  registry.keepAlive = async (lease) => {
    const entry = { at: state.now++, ok: !state.cut };
    state.sent.push(entry);
    if (!entry.ok) throw new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, 'unreachable (test)');
    return keepAlive(lease);
  };
  return state;
}

describe('MachinePresence contact', () => {
  it('reports when renewing fails and when it works again, with the send time of the last renewal that worked', async () => {
    const registry = createMemoryRegistry();
    const line = flakyKeepAlive(registry);
    const clock = () => line.now;
    const contacts: PresenceContact[] = [];
    const errors: FleetError[] = [];
    const presence = await MachinePresence.announce({
      registry,
      machine: { id: 'm1', metadata: {} },
      ttlSeconds: 3,
      keepAliveRetryMs: 20,
      now: clock,
      onContact: (contact) => contacts.push(contact),
      onError: (error) => errors.push(error),
    });
    presences.push(presence);
    expect(presence.contact.renewing).toBe(true);
    await waitFor(() => line.sent.some((entry) => entry.ok), 'a keepalive that worked');
    line.cut = true;
    await waitFor(() => contacts.length === 1, 'presence reporting it cannot renew');
    const lastGood = line.sent.filter((entry) => entry.ok).at(-1)?.at;
    expect(contacts[0]).toEqual({ renewing: false, renewedAt: lastGood });
    await waitFor(() => line.sent.filter((entry) => !entry.ok).length >= 5, 'retries while cut off');
    // Retried every 20 ms, but told once per usual interval (1 s): not once per retry.
    expect(errors.length).toBeLessThan(line.sent.filter((entry) => !entry.ok).length);
    expect(errors[0]).toMatchObject({ code: ErrorCodes.REGISTRY_UNAVAILABLE });
    line.cut = false;
    await waitFor(() => contacts.length === 2, 'presence renewed again');
    expect(contacts[1]?.renewing).toBe(true);
    expect(contacts[1]?.renewedAt).toBeGreaterThan(lastGood as number);
    expect(presence.contact).toEqual(contacts[1]);
  });
});

describe('MachinePresence after its lease is lost', () => {
  it('announces the machine again under a new lease and tells it, so the next process can resume that one', async () => {
    const registry = createMemoryRegistry();
    const announced: string[] = [];
    const presence = await MachinePresence.announce({
      registry,
      machine: { id: 'm1', metadata: {} },
      ttlSeconds: 3,
      retryDelayMs: 10,
      keepAliveRetryMs: 10,
      onAnnounced: (lease) => announced.push(lease),
    });
    presences.push(presence);
    const first = presence.lease as string;
    expect(announced).toEqual([]);
    await registry.revokeLease(first);
    await waitFor(() => announced.length === 1, 'the machine announced again', 5000);
    expect(announced[0]).not.toBe(first);
    expect(presence.lease).toBe(announced[0]);
    expect((await registry.get('/fleetd/machines/m1'))?.lease).toBe(announced[0]);
  });
});
