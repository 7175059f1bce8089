/**
 * fleet's functional scheduling scenarios (functional/scheduling_test.go and
 * metadata_test.go) on the real three-machine cluster, through fleetd's
 * fleetctl, with fleet's fixture units. Where fleet's test needed one or two
 * machines, the comment says how the scenario keeps its meaning on three.
 * docs/fleet-compatibility.md maps each fleet test to its test here.
 */
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { FLEET_FIXTURES } from './fleet-fixtures.js';
import { singleMachines, useFunctionalCluster, WAIT_MS } from './fleet-functional.js';

// fleet's test machines announced hostname=smoke<machine ID> (FLEET_METADATA=hostname=%H).
const fleet = useFunctionalCluster({
  machines: [
    { id: 'alpha', metadata: { hostname: 'smokealpha', region: 'us' }, publicIP: '10.0.0.1' },
    { id: 'bravo', metadata: { hostname: 'smokebravo' }, publicIP: '10.0.0.2' },
    { id: 'charlie', metadata: { hostname: 'smokecharlie' }, publicIP: '10.0.0.3' },
  ],
});
const MACHINES = ['alpha', 'bravo', 'charlie'];
const unitFiles = async (): Promise<string[]> =>
  (await fleet.fleetctl(['list-unit-files', '--no-legend', '--fields', 'unit'])).stdout.trim().split('\n').filter(Boolean);
const service = (xFleet: string): string => `[Service]\nExecStart=/bin/sleep infinity\n\n[X-Fleet]\n${xFleet}\n`;

describe("fleet's scheduling_test.go", () => {
  it('TestScheduleMachineOf: each pong runs with its ping, and a pair moves together when its machine goes down', async () => {
    for (const index of [0, 1, 2]) {
      expect((await fleet.fleetctl(['start', '--no-block', `ping.${index}.service`, `pong.${index}.service`])).code).toBe(0);
    }
    expect(await unitFiles()).toHaveLength(6);
    const placed = singleMachines(await fleet.waitForActive(6));
    for (const index of [0, 1, 2]) expect(placed.get(`pong.${index}.service`), `pong.${index}`).toBe(placed.get(`ping.${index}.service`));

    // fleet stopped fleet.service there (systemctl stop fleet); fleetd's SIGTERM leaves units running and
    // the machine announced until its TTL passes, then the pair moves.
    const down = fleet.cluster.machine(placed.get('ping.1.service') as string);
    expect(await down.fleetd.stop()).toBe(0);
    try {
      await fleet.waitForMachines(2);
      const moved = await waitFor(
        async () => {
          const now = singleMachines(await fleet.waitForActive(6));
          return now.get('ping.1.service') !== down.spec.id ? now : undefined;
        },
        'ping.1.service on another machine',
        WAIT_MS,
        100,
      );
      expect(moved.get('pong.1.service')).toBe(moved.get('ping.1.service'));
    } finally {
      await down.fleetd.restart();
    }
    await fleet.waitForMachines(3);
  });

  it('TestScheduleConflicts: of five units conflicting by glob, three run, one per machine', async () => {
    const units = [0, 1, 2, 3, 4].map((index) => `conflict.${index}.service`);
    expect((await fleet.fleetctl(['start', '--no-block', ...units])).code).toBe(0);
    expect(await unitFiles()).toEqual(units);
    const placed = singleMachines(await fleet.waitForActive(3));
    expect(new Set(placed.values()).size).toBe(3);
  });

  it('TestScheduleOneWayConflict: a unit naming another in Conflicts keeps it off its machine until destroyed', async () => {
    // fleet ran this on a one-machine cluster; holding both units to alpha leaves each exactly one machine
    // (by metadata: MachineID cannot be combined with Conflicts, in fleet as in fleetd).
    const pinned = (name: string) => `${FLEET_FIXTURES[name] ?? ''}${name === 'hello.service' ? '\n[X-Fleet]\n' : ''}MachineMetadata=hostname=smokealpha\n`;
    mkdirSync(`${fleet.scratch}/one-machine`, { recursive: true });
    for (const name of ['conflicts-with-hello.service', 'hello.service']) fleet.writeUnit(`one-machine/${name}`, pinned(name));
    expect(await fleet.fleetctl(['start', '--no-block', 'one-machine/conflicts-with-hello.service'])).toMatchObject({ code: 0, stderr: '' });
    expect([...(await fleet.waitForActive(1)).keys()]).toEqual(['conflicts-with-hello.service']);
    expect((await fleet.fleetctl(['start', '--no-block', 'one-machine/hello.service'])).code).toBe(0);
    expect(await unitFiles()).toEqual(['conflicts-with-hello.service', 'hello.service']);
    // The engine has decided about hello.service once explain gives the conflict as the reason.
    await waitFor(
      async () =>
        /^Summary:\s+0\/3 machines available: .*conflict with conflicts-with-hello\.service/m.test((await fleet.fleetctl(['explain', 'hello.service'])).stdout),
      'hello.service refused alpha for the conflict',
      WAIT_MS,
      100,
    );
    expect([...(await fleet.waitForActive(1)).keys()]).toEqual(['conflicts-with-hello.service']);
    expect((await fleet.fleetctl(['destroy', 'conflicts-with-hello.service'])).code).toBe(0);
    await waitFor(
      async () => (await fleet.go().unitStates()).every((state) => state.name !== 'conflicts-with-hello.service'),
      'conflicts-with-hello.service gone',
      WAIT_MS,
      100,
    );
    expect(singleMachines(await fleet.waitForActive(1))).toEqual(new Map([['hello.service', 'alpha']]));
  });

  it('TestScheduleMultipleConflicts: Conflicts with several names, on one line or several, all hold', async () => {
    const units = [0, 1, 2].map((index) => `conflict.multiple.${index}.service`);
    expect((await fleet.fleetctl(['start', '--no-block', ...units])).code).toBe(0);
    expect(await unitFiles()).toEqual(units);
    expect(new Set(singleMachines(await fleet.waitForActive(3)).values()).size).toBe(3);
  });

  it('TestScheduleReplace: a replacer runs away from the unit it replaces; one that needs its machine pushes it to another', async () => {
    for (const name of ['replace.0.service', 'replace.1.service', 'replace.2.service'])
      expect((await fleet.fleetctl(['start', '--no-block', name])).code).toBe(0);
    const before = singleMachines(await fleet.waitForActive(3));
    const oldMachine = before.get('replace.0.service') as string;
    expect(before.get('replace.2.service')).toBe(before.get('replace.1.service'));
    // fleet ran this on two machines, so the least loaded one for replace-kick0 was replace.0's. Two
    // units pinned to the third machine make it so here.
    const third = MACHINES.find((machine) => ![...before.values()].includes(machine)) as string;
    for (const index of [0, 1]) fleet.writeUnit(`ballast.${index}.service`, service(`MachineID=${third}`));
    expect((await fleet.fleetctl(['start', 'ballast.0.service', 'ballast.1.service'])).code).toBe(0);
    // fleet put replace-kick0 there and moved replace.0 away; fleetd moves nothing that need not move.
    expect((await fleet.fleetctl(['start', '--no-block', 'replace-kick0.service'])).code).toBe(0);
    const apart = singleMachines(await fleet.waitForActive(6));
    expect(apart.get('replace.0.service')).toBe(oldMachine);
    expect(apart.get('replace-kick0.service')).not.toBe(oldMachine);
    // A replacer that can only run on replace.0's machine takes it, and replace.0 moves, as in fleet.
    fleet.writeUnit('replace-kick0-here.service', service(`Replaces=replace.0.service\nMachineMetadata=hostname=smoke${oldMachine}`));
    expect((await fleet.fleetctl(['start', '--no-block', 'replace-kick0-here.service'])).code).toBe(0);
    let now = new Map<string, string>();
    await waitFor(
      async () => {
        now = singleMachines(await fleet.waitForActive(7));
        return now.get('replace-kick0-here.service') === oldMachine && now.get('replace.0.service') !== oldMachine;
      },
      `replace-kick0-here.service on ${oldMachine}, replace.0.service elsewhere`,
      WAIT_MS,
      100,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; placed: ${[...now].map(([unit, machine]) => `${unit} on ${machine}`).join(', ')}`);
    });
  });

  it('TestScheduleCircularReplace: two units replacing each other both run, apart (fleet ignores a mutual pair)', async () => {
    mkdirSync(`${fleet.scratch}/circular`, { recursive: true });
    fleet.writeUnit(
      'circular/replace.0.service',
      (FLEET_FIXTURES['replace-kick0.service'] ?? '').replace('Replaces=replace.0.service', 'Replaces=replace-kick0.service'),
    );
    expect((await fleet.fleetctl(['start', '--no-block', 'circular/replace.0.service'])).code).toBe(0);
    expect(await unitFiles()).toEqual(['replace.0.service']);
    await fleet.waitForActive(1);
    expect((await fleet.fleetctl(['start', '--no-block', 'replace-kick0.service'])).code).toBe(0);
    expect(await unitFiles()).toEqual(['replace-kick0.service', 'replace.0.service']);
    const placed = singleMachines(await fleet.waitForActive(2));
    expect(placed.get('replace.0.service')).not.toBe(placed.get('replace-kick0.service'));
  });

  it('TestScheduleConditionMachineID: MachineID puts each unit on its machine', async () => {
    for (const machine of MACHINES) fleet.writeUnit(`on-${machine}.service`, service(`MachineID=${machine}`));
    expect((await fleet.fleetctl(['start', ...MACHINES.map((machine) => `on-${machine}.service`)])).code).toBe(0);
    expect(singleMachines(await fleet.waitForActive(3))).toEqual(new Map(MACHINES.map((machine) => [`on-${machine}.service`, machine])));
  });

  it('TestScheduleGlobalUnits: a global unit runs on every machine beside the others, and restarts everywhere', async () => {
    expect((await fleet.fleetctl(['start', '--no-block', 'hello.service', 'goodbye.service'])).code).toBe(0);
    await fleet.waitForActive(2);
    expect((await fleet.fleetctl(['start', '--no-block', 'global.service'])).code).toBe(0);
    expect(sortedCopy((await fleet.waitForActive(5)).get('global.service'))).toEqual(MACHINES);
    expect(await fleet.fleetctl(['status', 'global.service'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^● global\.service \(global\)$/m) });
    const pids = await Promise.all(MACHINES.map((machine) => mainPid(machine, 'global.service')));
    expect((await fleet.fleetctl(['restart', 'global.service'])).code).toBe(0);
    await waitFor(
      async () =>
        (await Promise.all(MACHINES.map((machine, index) => mainPid(machine, 'global.service').then((pid) => pid !== '0' && pid !== pids[index])))).every(
          Boolean,
        ),
      'global.service restarted on every machine',
      WAIT_MS,
      100,
    );
    expect(sortedCopy((await fleet.waitForActive(5)).get('global.service'))).toEqual(MACHINES);
  });

  it('TestScheduleGlobalConflicts: of two conflicting global units, only the first runs, on every machine', async () => {
    expect((await fleet.fleetctl(['start', '--no-block', 'conflict-global.0.service'])).code).toBe(0);
    await fleet.waitForActive(3);
    expect((await fleet.fleetctl(['start', '--no-block', 'conflict-global.1.service'])).code).toBe(0);
    // The engine has decided about the second once explain gives the conflict on each machine.
    await waitFor(
      async () => /3 conflict with conflict-global\.0\.service/.test((await fleet.fleetctl(['explain', 'conflict-global.1.service'])).stdout),
      'conflict-global.1.service refused everywhere for the conflict',
      WAIT_MS,
      100,
    );
    const active = await fleet.waitForActive(3);
    expect([...active.keys()]).toEqual(['conflict-global.0.service']);
    expect(sortedCopy(active.get('conflict-global.0.service'))).toEqual(MACHINES);
  });

  it("regression: a replacer that cannot run on the replaced unit's machine runs where it can (issue 16, item 9)", async () => {
    fleet.writeUnit('a-old.service', service('MachineID=bravo'));
    fleet.writeUnit('b-new.service', service('Replaces=a-old.service\nMachineMetadata=region=us'));
    expect((await fleet.fleetctl(['start', 'a-old.service', 'b-new.service'])).code).toBe(0);
    expect(singleMachines(await fleet.waitForActive(2))).toEqual(
      new Map([
        ['a-old.service', 'bravo'],
        ['b-new.service', 'alpha'],
      ]),
    );
  });

  it('regression: a pinned unit replaced by an unconstrained one: both run, apart (issue 16, item 10)', async () => {
    fleet.writeUnit('pinned-old.service', service('MachineID=bravo'));
    fleet.writeUnit('free-new.service', service('Replaces=pinned-old.service'));
    expect((await fleet.fleetctl(['start', 'pinned-old.service'])).code).toBe(0);
    expect((await fleet.fleetctl(['start', 'free-new.service'])).code).toBe(0);
    const placed = singleMachines(await fleet.waitForActive(2));
    expect(placed.get('pinned-old.service')).toBe('bravo');
    expect(placed.get('free-new.service')).not.toBe('bravo');
  });

  it('regression: three units replacing each other in a cycle all run, one per machine (issue 16, item 11)', async () => {
    const cycle = ['cycle-a.service', 'cycle-b.service', 'cycle-c.service'];
    cycle.forEach((name, index) => fleet.writeUnit(name, service(`Replaces=${cycle[(index + 1) % 3] as string}`)));
    expect((await fleet.fleetctl(['start', '--no-block', ...cycle])).code).toBe(0);
    expect(new Set(singleMachines(await fleet.waitForActive(3)).values()).size).toBe(3);
  });
});

describe("fleet's metadata_test.go", () => {
  it('TestTemplatesWithSpecifiersInMetadata: MachineMetadata=hostname=%i puts each instance on its machine; no machine, no start', async () => {
    expect((await fleet.fleetctl(['submit', 'metadata@.service'])).code).toBe(0);
    for (const machine of [...MACHINES].reverse()) expect((await fleet.fleetctl(['start', `metadata@smoke${machine}.service`])).code).toBe(0);
    await fleet.waitForActive(3);
    const listed = await fleet.fleetctl(['list-units', '--no-legend', '--full', '--fields', 'unit,active,machine']);
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/));
    expect(rows.map(([unit, active, machine]) => [unit, active, machine?.split('/')[0]])).toEqual(
      MACHINES.map((machine) => [`metadata@smoke${machine}.service`, 'active', machine]),
    );
    // fleet's start gave up after 20 attempts; fleetd's says at once why it cannot be placed.
    const invalid = await fleet.fleetctl(['start', '--block-attempts=20', 'metadata@invalid.service']);
    expect(invalid).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^fleetctl: unit metadata@invalid\.service cannot be scheduled: 0\/3 machines available: 3 metadata hostname=invalid not matched/,
      ),
    });
  });
});

function sortedCopy(values: readonly string[] | undefined): string[] {
  return [...(values ?? [])].sort();
}

async function mainPid(machine: string, unit: string): Promise<string> {
  return (await fleet.cluster.machine(machine).systemd.systemctl(['show', '--property=MainPID', '--value', unit])).stdout.trim();
}
