/**
 * kill -9 of a whole standalone daemon under load: the built `fleetd` on its
 * embedded store, 8 concurrent writers over the API (units created, desired
 * states changed, units destroyed), killed at several moments and restarted
 * on the same data dir. Every write answered 2xx must be there afterwards,
 * and no unit acknowledged as destroyed may come back. (test/store/kill.test.ts
 * does the same for the store alone; this goes through the API server, the
 * service and the daemon's own shutdown-free restart.)
 *
 * The agent is disabled: the store is what is tested, and thousands of units
 * need no systemd. A write without an answer (in flight at the kill) may or
 * may not have happened: either outcome is accepted, and its unit is read
 * back after the restart before anyone writes it again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { requestOverSocket, startFleetd } from '../../src/testing/index.js';
import type { FleetdProcess, SocketAnswer } from '../../src/testing/index.js';

const WRITERS = 8;
const DESIRED = ['inactive', 'loaded', 'launched'] as const;
type Desired = (typeof DESIRED)[number];

/** A unit as the daemon must hold it, or its absence. */
type UnitState = { readonly exists: true; readonly desired: Desired; readonly description: string } | { readonly exists: false };
const GONE: UnitState = { exists: false };

const send = (socketPath: string, method: string, path: string, body?: unknown): Promise<SocketAnswer> =>
  requestOverSocket(socketPath, method, path, body, 10_000);

/** Every unit the daemon lists, through fleet's paged API. */
async function listUnits(socketPath: string): Promise<Map<string, UnitState>> {
  const units = new Map<string, UnitState>();
  let token: string | undefined;
  do {
    const answer = await send(socketPath, 'GET', `/fleet/v1/units${token === undefined ? '' : `?nextPageToken=${encodeURIComponent(token)}`}`);
    if (answer.status !== 200) throw new Error(`GET /fleet/v1/units answered ${JSON.stringify(answer)}`);
    const page = JSON.parse(answer.body) as {
      units: { name: string; desiredState: Desired; options: { section: string; name: string; value: string }[] }[];
      nextPageToken?: string;
    };
    for (const unit of page.units) {
      const description = unit.options.find((option) => option.name === 'Description')?.value ?? '';
      units.set(unit.name, { exists: true, desired: unit.desiredState, description });
    }
    token = page.nextPageToken;
  } while (token !== undefined);
  return units;
}

/**
 * What was acknowledged, per unit: the last 2xx write, and the writes after
 * it that got no answer (each a possible state after the kill).
 */
class Ledger {
  readonly acked = new Map<string, UnitState>();
  private readonly unanswered = new Map<string, UnitState[]>();
  acknowledgedWrites = 0;
  acknowledgedDeletes = 0;
  unansweredWrites = 0;
  readonly refusals: string[] = [];

  settled(name: string): boolean {
    return !this.unanswered.has(name);
  }

  record(name: string, after: UnitState, answer: SocketAnswer): boolean {
    if (answer.status === 'no-answer' || answer.status >= 500) {
      this.unansweredWrites += 1;
      this.unanswered.set(name, [...(this.unanswered.get(name) ?? []), after]);
      return false;
    }
    if (answer.status >= 300) {
      this.refusals.push(`${name}: ${answer.status} ${answer.body}`);
      return false;
    }
    this.acknowledgedWrites += 1;
    if (!after.exists) this.acknowledgedDeletes += 1;
    this.acked.set(name, after);
    return true;
  }

  /** Compares what survived with what was acknowledged; then takes the survivors as the new truth. */
  reconcile(present: ReadonlyMap<string, UnitState>): { expectedPresent: number; present: number; lost: string[]; resurrected: string[]; unknown: string[] } {
    const lost: string[] = [];
    const resurrected: string[] = [];
    const same = (a: UnitState, b: UnitState): boolean => JSON.stringify(a) === JSON.stringify(b);
    for (const [name, acked] of this.acked) {
      const found = present.get(name) ?? GONE;
      if (same(found, acked) || (this.unanswered.get(name) ?? []).some((maybe) => same(found, maybe))) continue;
      (acked.exists ? lost : resurrected).push(`${name}: acknowledged ${JSON.stringify(acked)}, found ${JSON.stringify(found)}`);
    }
    const unknown = [...present.keys()].filter(
      (name) => !this.acked.has(name) && !(this.unanswered.get(name) ?? []).some((maybe) => same(present.get(name) ?? GONE, maybe)),
    );
    // The count: units whose last write was acknowledged as a create or change, none unanswered since.
    const expected = [...this.acked].filter(([name, state]) => state.exists && this.settled(name));
    const result = {
      expectedPresent: expected.length,
      present: expected.filter(([name, state]) => same(present.get(name) ?? GONE, state)).length,
      lost,
      resurrected,
      unknown,
    };
    for (const name of this.unanswered.keys()) this.acked.set(name, present.get(name) ?? GONE);
    this.unanswered.clear();
    return result;
  }
}

interface Round {
  readonly name: string;
  /** Kill once this many writes of the round were acknowledged. */
  readonly killAfter: number;
  /** Stop the writers and wait for their last answers before killing: nothing in flight. */
  readonly atRest?: boolean;
  /** Out of every 10 writes, how many are deletes (the rest: 2 desired-state changes, creates). */
  readonly deletesPer10?: number;
}

/**
 * One writer: works through its own units only (w<k>-<n>.service), never
 * touching one whose last write is unanswered, until told to stop or the
 * daemon stops answering.
 */
async function writer(
  id: number,
  socketPath: string,
  ledger: Ledger,
  round: Round,
  onAck: () => void,
  stopped: () => boolean,
  serial: { next: number },
): Promise<void> {
  for (let step = 0; !stopped(); step++) {
    const slot = step % 10;
    const mine = [...ledger.acked].filter(([name, state]) => name.startsWith(`w${id}-`) && state.exists && ledger.settled(name)).map(([name]) => name);
    const deletes = round.deletesPer10 ?? 2;
    let ok: boolean;
    if (slot < deletes && mine.length > 0) {
      const name = mine[step % mine.length] as string;
      ok = ledger.record(name, GONE, await send(socketPath, 'DELETE', `/fleet/v1/units/${name}`));
    } else if (slot < deletes + 2 && mine.length > 0) {
      const name = mine[(step * 7) % mine.length] as string;
      const desired = DESIRED[step % 3] as Desired;
      const current = ledger.acked.get(name) as UnitState & { exists: true };
      ok = ledger.record(name, { ...current, desired }, await send(socketPath, 'PUT', `/fleet/v1/units/${name}`, { desiredState: desired }));
    } else {
      const name = `w${id}-${serial.next++}.service`;
      const desired = DESIRED[step % 3] as Desired;
      const description = `durable ${name} written at step ${step}`;
      const options = [
        { section: 'Unit', name: 'Description', value: description },
        { section: 'Service', name: 'ExecStart', value: '/bin/true' },
      ];
      ok = ledger.record(
        name,
        { exists: true, desired, description },
        await send(socketPath, 'PUT', `/fleet/v1/units/${name}`, { desiredState: desired, options }),
      );
    }
    // No answer: the daemon is gone, this writer waits for the next round (a refusal fails the round anyway).
    if (!ok) return;
    onAck();
  }
}

const ROUNDS: readonly Round[] = [
  { name: 'early, during the first writes', killAfter: 10 },
  { name: 'during heavy writing', killAfter: 800 },
  { name: 'at rest, with no write in flight', killAfter: 300, atRest: true },
  { name: 'right after a restart, before any write', killAfter: 0 },
  { name: 'during heavy writing with many deletes', killAfter: 1500, deletesPer10: 5 },
  { name: 'during heavy writing once more', killAfter: 1000 },
  { name: 'after a long stretch of writing', killAfter: 3000 },
  { name: 'a third time during heavy writing', killAfter: 2000, deletesPer10: 3 },
];

describe('standalone fleetd under kill -9 with 8 writers on the API', () => {
  let fleetd: FleetdProcess;
  const ledger = new Ledger();
  const serials = Array.from({ length: WRITERS }, () => ({ next: 1 }));

  beforeAll(async () => {
    fleetd = await startFleetd({
      name: 'durable',
      config: { machine: { id: 'durable-1' }, agent: { enabled: false }, log: { level: 'warn' } },
    });
  });
  afterAll(async () => {
    await fleetd?.remove();
  });

  it.each(ROUNDS)('keeps every acknowledged write when killed $name', async (round) => {
    let acks = 0;
    let stop = false;
    let killing: Promise<void> | undefined;
    const kill = (): void => {
      killing ??= fleetd.kill();
    };
    const onAck = (): void => {
      acks += 1;
      if (acks >= round.killAfter && round.atRest !== true) kill();
      if (acks >= round.killAfter) stop = true;
    };
    if (round.killAfter === 0) kill();
    else await Promise.all(serials.map((serial, id) => writer(id, fleetd.socketPath, ledger, round, onAck, () => stop, serial)));
    kill();
    await killing;
    expect(ledger.refusals, 'writes the daemon refused (every write here is valid)').toEqual([]);

    await fleetd.restart();
    // Ready means /health answers, possibly 503 while the store loads: read once the list is served.
    const result = ledger.reconcile(await waitFor(() => listUnits(fleetd.socketPath), 'the unit list after the restart', 15_000, 100));
    console.log(
      `kill ${round.name}: ${acks} writes acknowledged in this round (${ledger.acknowledgedWrites} in all, ${ledger.acknowledgedDeletes} deletes, ` +
        `${ledger.unansweredWrites} unanswered); ${result.expectedPresent} units acknowledged present, ${result.present} present after restart; ${result.resurrected.length} acknowledged deletes came back`,
    );
    expect({ lost: result.lost, resurrected: result.resurrected, unknown: result.unknown }).toEqual({ lost: [], resurrected: [], unknown: [] });
    expect(result.present).toBe(result.expectedPresent);
    expect(acks).toBeGreaterThanOrEqual(round.killAfter);
  });
});
