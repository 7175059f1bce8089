/**
 * fleet's `fleetctl restart` sets `loaded`, then waits for `launched`
 * before it sets `launched` (fleetctl/restart.go). FleetClientLag gives that
 * client fleet's lag: a unit it lowered from launched reads launched for 1 s,
 * or until it sets the desired state again. Pure, on a hand-driven clock.
 */
import { describe, expect, it } from 'vitest';
import { FLEET_STATE_LAG_MS, FLEET_STOP_WAIT_MS, FleetClientLag, isFleetGoClient, untilStopped } from '../../src/api/fleet-client-lag.js';
import type { WireUnit } from '../../src/api/wire.js';

const unit = (desiredState: string, currentState: string): WireUnit =>
  ({ name: 'a.service', options: [], desiredState, currentState, machineID: 'm1' }) as unknown as WireUnit;

function clocked() {
  const clock = { now: 1_000_000 };
  return { clock, lag: new FleetClientLag(FLEET_STATE_LAG_MS, () => clock.now) };
}

describe('FleetClientLag', () => {
  it("regression: a unit fleet's client lowered from launched reads launched until the lag has passed", () => {
    const { clock, lag } = clocked();
    lag.recordPut('a.service', 'loaded', unit('launched', 'launched'));
    // fleetd's agent stopped it at once; fleet's client polls 250 ms later.
    clock.now += 250;
    expect(lag.view(unit('loaded', 'loaded'))).toMatchObject({ desiredState: 'loaded', currentState: 'launched' });
    clock.now += FLEET_STATE_LAG_MS - 250;
    expect(lag.view(unit('loaded', 'loaded'))).toMatchObject({ currentState: 'loaded' });
    // Gone for good once it ran out.
    clock.now -= 500;
    expect(lag.view(unit('loaded', 'loaded'))).toMatchObject({ currentState: 'loaded' });
  });

  it.each([
    {
      name: "fleet's client sets the desired state again (restart's second step)",
      after: (lag: FleetClientLag) => lag.recordPut('a.service', 'launched', undefined),
      read: unit('launched', 'loaded'),
    },
    {
      name: "fleet's client replaces the unit",
      after: (lag: FleetClientLag) => lag.recordPut('a.service', undefined, undefined),
      read: unit('inactive', 'loaded'),
    },
    { name: 'another client changed the desired state', after: () => undefined, read: unit('launched', 'loaded') },
  ])('the hold ends when $name', ({ after, read }) => {
    const { clock, lag } = clocked();
    lag.recordPut('a.service', 'loaded', unit('launched', 'launched'));
    after(lag);
    clock.now += 100;
    expect(lag.view(read)).toEqual(read);
  });

  it.each([
    { name: 'a loaded unit set to loaded again', desired: 'loaded', before: unit('loaded', 'loaded') },
    { name: 'a unit that did not exist', desired: 'loaded', before: undefined },
    { name: 'a launched unit set to inactive (unload)', desired: 'inactive', before: unit('launched', 'launched') },
    { name: 'a loaded unit started', desired: 'launched', before: unit('loaded', 'loaded') },
  ])('holds nothing for $name', ({ desired, before }) => {
    const { clock, lag } = clocked();
    lag.recordPut('a.service', desired, before);
    clock.now += 100;
    const read = unit(desired, 'loaded');
    expect(lag.view(read)).toBe(read);
  });

  it.each([
    { name: 'fleetctl v1.0 (google-api-go-client/0.5)', agent: 'google-api-go-client/0.5', fleet: true },
    { name: 'a generated client with its own suffix', agent: 'google-api-go-client/0.5 mytool/1', fleet: true },
    { name: "Go's plain net/http", agent: 'Go-http-client/1.1', fleet: false },
    { name: 'curl', agent: 'curl/8.5.0', fleet: false },
    { name: "no User-Agent (fleetd's fleetctl)", agent: undefined, fleet: false },
  ])("recognises fleet's Go client by its User-Agent: $name → $fleet", ({ agent, fleet }) => {
    expect(isFleetGoClient(agent === undefined ? {} : { 'user-agent': agent })).toBe(fleet);
  });

  describe('untilStopped (the PUT lowering a running unit answers after the stop)', () => {
    it("regression: returns only once the unit no longer runs, so fleet's restart restarts it (it set launched again before the agent saw loaded)", async () => {
      const reads = [unit('loaded', 'launched'), unit('loaded', 'launched'), unit('loaded', 'loaded')];
      let count = 0;
      await untilStopped(async () => reads[count++]);
      expect(count).toBe(3);
    });

    it.each([
      { name: 'the unit was destroyed', read: undefined },
      { name: 'another client set it launched again', read: unit('launched', 'launched') },
      { name: 'it is inactive', read: unit('loaded', 'inactive') },
    ])('returns at once when $name', async ({ read }) => {
      let count = 0;
      await untilStopped(async () => (count++, read));
      expect(count).toBe(1);
    });

    it('answers anyway after FLEET_STOP_WAIT_MS when the unit keeps running (its agent away, say)', async () => {
      const clock = { now: 0 };
      let count = 0;
      await untilStopped(
        async () => {
          count++;
          clock.now += FLEET_STOP_WAIT_MS / 2;
          return unit('loaded', 'launched');
        },
        FLEET_STOP_WAIT_MS,
        () => clock.now,
      );
      expect(count).toBe(2);
    });
  });
});
