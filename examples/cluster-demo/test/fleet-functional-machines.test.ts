/**
 * fleet's functional machine scenarios (functional/machines_test.go,
 * node_test.go, connectivity-loss_test.go, shutdown_test.go, server_test.go,
 * cluster_test.go) on the real cluster: the machines API as fleet's client and
 * fleet's tests send it, then machines stopping, losing etcd, reloading,
 * joining and rebooting. Each machine reaches etcd through its own proxy, so
 * one can be cut off. The tests that change the set of machines come last.
 * docs/fleet-compatibility.md maps each fleet test to its test here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { startSystemdInstance } from '@fleetd/plugin-systemd/testing';
import { requestOverSocket } from 'fleetd/testing';
import type { LocalMachine } from '../src/index.js';
import { FLEET_FIXTURES } from './fleet-fixtures.js';
import { singleMachines, useFunctionalCluster, WAIT_MS } from './fleet-functional.js';
import type { FleetGoClient, GoAnswer } from './fleet-go-client.js';

const fleet = useFunctionalCluster({ etcdProxies: true });
const service = (xFleet: string): string => `[Service]\nExecStart=/bin/sleep infinity\n\n[X-Fleet]\n${xFleet}\n`;
const metadataOf = async (id: string): Promise<Readonly<Record<string, string>> | undefined> =>
  (await fleet.go().machines()).find((machine) => machine.id === id)?.metadata;

/** PATCH /machines with the body exactly as fleet's machines_test.go marshals machineMetadataOp: the value nested under "Value". */
function patchAsFleetTests(client: FleetGoClient, ops: readonly (readonly [op: string, path: string, value: string])[]): Promise<GoAnswer> {
  return client.send('PATCH', '/machines', JSON.stringify(ops.map(([op, path, value]) => ({ op, path, Value: { value } }))));
}

function expectJson(answer: GoAnswer, status: number): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers['content-type']).toMatch(/application\/json/);
}

describe("fleet's machines_test.go", () => {
  it('TestMachinesList: GET machines answers JSON with every machine, its IP and metadata (and the fleetd-only facts field, empty here)', async () => {
    const answer = await fleet.go().send('GET', '/machines');
    expectJson(answer, 200);
    expect(JSON.parse(answer.text)).toEqual({
      machines: [
        { id: 'alpha', primaryIP: '10.0.0.1', metadata: { zone: 'a', disk: 'ssd' }, facts: {} },
        { id: 'bravo', primaryIP: '10.0.0.2', metadata: { zone: 'b', disk: 'ssd' }, facts: {} },
        { id: 'charlie', primaryIP: '10.0.0.3', metadata: { zone: 'c', disk: 'hdd' }, facts: {} },
      ],
    });
  });

  it('TestMachinesListBadNextPageToken: a page token made for another page size is a 400 in JSON', async () => {
    const answer = await fleet.go().send('GET', '/machines', undefined, '&nextPageToken=EwBMLg==');
    expectJson(answer, 400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 400, message: 'token limit must be 100' } });
  });

  it('TestMachinesPatchAddModify: add and replace set operator metadata beside what machines announce', async () => {
    const patched = await patchAsFleetTests(fleet.go(), [
      ['add', '/alpha/metadata/foo', 'bar'],
      ['replace', '/bravo/metadata/ping', 'splat'],
    ]);
    expect(patched.status, patched.text).toBe(204);
    try {
      expect(await metadataOf('alpha')).toEqual({ zone: 'a', disk: 'ssd', foo: 'bar' });
      expect(await metadataOf('bravo')).toEqual({ zone: 'b', disk: 'ssd', ping: 'splat' });
    } finally {
      await patchAsFleetTests(fleet.go(), [
        ['remove', '/alpha/metadata/foo', ''],
        ['remove', '/bravo/metadata/ping', ''],
      ]);
    }
  });

  it('TestMachinesPatchDelete: remove takes metadata away, announced keys too, and units requiring it move', async () => {
    expect(
      (
        await patchAsFleetTests(fleet.go(), [
          ['remove', '/alpha/metadata/foo', ''],
          ['remove', '/bravo/metadata/ping', ''],
        ])
      ).status,
    ).toBe(204);
    expect(await metadataOf('alpha')).toEqual({ zone: 'a', disk: 'ssd' });
    fleet.writeUnit('needs-ssd.service', service('MachineMetadata=disk=ssd'));
    expect((await fleet.fleetctl(['start', 'needs-ssd.service'])).code).toBe(0);
    const first = singleMachines(await fleet.waitForActive(1)).get('needs-ssd.service') as string;
    const other = first === 'alpha' ? 'bravo' : 'alpha';
    expect((await patchAsFleetTests(fleet.go(), [['remove', `/${first}/metadata/disk`, '']])).status).toBe(204);
    try {
      expect(await metadataOf(first)).not.toHaveProperty('disk');
      await waitFor(
        async () => singleMachines(await fleet.waitForActive(1)).get('needs-ssd.service') === other,
        `needs-ssd.service moved to ${other}`,
        WAIT_MS,
        100,
      );
    } finally {
      await patchAsFleetTests(fleet.go(), [['add', `/${first}/metadata/disk`, 'ssd']]);
    }
  });

  it.each([
    { name: 'a bad operation', op: ['noop', '/alpha/metadata/foo', 'bar'], message: 'invalid op: expect add, remove, or replace' },
    { name: 'a bad path', op: ['add', '/alpha/foo', 'bar'], message: 'machine metadata path invalid' },
    { name: 'a bad path and no value', op: ['add', '/alpha/foo', ''], message: 'machine metadata path invalid' },
    { name: 'no value', op: ['add', '/alpha/metadata/foo', ''], message: 'invalid value: add and replace require a value' },
  ] as const)('TestMachinesPatchBad: $name is a 400 in JSON, and changes nothing', async ({ op, message }) => {
    const answer = await patchAsFleetTests(fleet.go(), [op]);
    expectJson(answer, 400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 400, message } });
    expect(await metadataOf('alpha')).toEqual({ zone: 'a', disk: 'ssd' });
  });
});

describe("fleet's node_test.go, shutdown_test.go and connectivity-loss_test.go", () => {
  it('TestNodeShutdown, TestShutdown: fleetd stops cleanly; unlike fleet it leaves its units running, and the machine leaves after its TTL', async () => {
    expect((await fleet.fleetctl(['start', 'pin@charlie.service'])).code).toBe(0);
    await fleet.waitForActive(1);
    const charlie = fleet.cluster.machine('charlie');
    const pid = await mainPid(charlie, 'pin@charlie.service');
    expect(await charlie.fleetd.stop()).toBe(0);
    try {
      expect(charlie.fleetd.output()).not.toMatch(/"level":"(error|fatal)"/);
      await fleet.waitForMachines(2);
      await fleet.waitForStates(0);
      // fleet stopped every unit of a stopped machine; fleetd's units belong to systemd and run on.
      expect(await mainPid(charlie, 'pin@charlie.service')).toBe(pid);
    } finally {
      await charlie.fleetd.restart();
    }
    // Back after its TTL, its placements were revoked meanwhile: the unit runs there again (see the
    // connectivity test for what that costs).
    expect(singleMachines(await fleet.waitForActive(1))).toEqual(new Map([['pin@charlie.service', 'charlie']]));
  });

  it('TestSingleNodeConnectivityLoss: a machine cut off from etcd changes nothing on it; back, it runs the same units', async () => {
    const charlie = fleet.cluster.machine('charlie');
    // fleet ran this on one machine: the single@ units are held to charlie so they cannot move away.
    fleet.writeUnit('single@.service', `${FLEET_FIXTURES['single@.service'] ?? ''}\n[X-Fleet]\nMachineID=charlie\n`);
    const commands = { inactive: ['submit'], loaded: ['load', '--no-block'], launched: ['start', '--no-block'] } as const;
    for (const [state, command] of Object.entries(commands)) {
      expect((await fleet.fleetctl([...command, `single@${state}.service`, `global@${state}.service`])).code).toBe(0);
    }
    const onCharlie = async () =>
      (await fleet.go().unitStates())
        .filter((state) => state.machineID === 'charlie')
        .map((state) => `${state.name} ${state.systemdActiveState}`)
        .sort();
    const expected = ['global@launched.service active', 'global@loaded.service inactive', 'single@launched.service active', 'single@loaded.service inactive'];
    await waitFor(async () => JSON.stringify(await onCharlie()) === JSON.stringify(expected), 'the units loaded and started on charlie', WAIT_MS, 100);
    const systemdView = () => systemdStates(charlie, ['single@*.service', 'global@*.service']);
    const before = await systemdView();
    const pids = await Promise.all(['single@launched.service', 'global@launched.service'].map((unit) => mainPid(charlie, unit)));

    const cutOff = async () => (await requestOverSocket(charlie.fleetd.socketPath, 'GET', '/health', undefined, 5000)).status === 503;

    // A cut shorter than the TTL: the machine never leaves, nothing moves, nothing restarts.
    fleet.cluster.cutFromEtcd(charlie, 'refuse');
    try {
      await waitFor(cutOff, 'charlie to find etcd unreachable', WAIT_MS, 100);
    } finally {
      fleet.cluster.reconnectToEtcd(charlie);
    }
    await waitFor(async () => !(await cutOff()), 'charlie to reach etcd again', WAIT_MS, 100);
    expect(await fleet.waitForMachines(3)).toContain('charlie');
    expect(await Promise.all(['single@launched.service', 'global@launched.service'].map((unit) => mainPid(charlie, unit)))).toEqual(pids);

    // fleet's test: cut off for longer than the TTL.
    fleet.cluster.cutFromEtcd(charlie, 'refuse');
    try {
      // The TTL has passed once the others no longer see charlie, nor its units' states.
      await fleet.waitForMachines(2);
      await waitFor(
        async () => (await fleet.go().unitStates()).every((state) => state.machineID !== 'charlie'),
        "charlie's states gone from the cluster",
        WAIT_MS,
        100,
      );
      await waitFor(cutOff, 'charlie to find etcd unreachable', WAIT_MS, 100);
      expect(await systemdView()).toEqual(before);
      expect(await Promise.all(['single@launched.service', 'global@launched.service'].map((unit) => mainPid(charlie, unit)))).toEqual(pids);
    } finally {
      fleet.cluster.reconnectToEtcd(charlie);
    }
    await fleet.waitForMachines(3);
    await waitFor(async () => JSON.stringify(await onCharlie()) === JSON.stringify(expected), 'the units reported on charlie again', WAIT_MS, 100);
    const unitFiles = (await fleet.fleetctl(['list-unit-files', '--no-legend', '--full', '--fields', 'unit,dstate'])).stdout.trim().split('\n');
    expect(unitFiles.map((line) => line.split(/\s+/).join(' '))).toEqual(
      ['global', 'single'].flatMap((prefix) => ['inactive', 'launched', 'loaded'].map((state) => `${prefix}@${state}.service ${state}`)),
    );
    // Unlike fleet's one machine, the others revoked charlie's placements when its TTL passed, so its
    // agent may stop a unit before the engine places it there again: the processes can be new ones.
    await waitFor(async () => JSON.stringify(await systemdView()) === JSON.stringify(before), 'the same units loaded and running on charlie', WAIT_MS, 100);
  });

  it('TestShutdownVsMonitor: a machine cut off from etcd still stops cleanly', async () => {
    const bravo = fleet.cluster.machine('bravo');
    fleet.cluster.cutFromEtcd(bravo, 'blackhole');
    try {
      await waitFor(
        async () => (await requestOverSocket(bravo.fleetd.socketPath, 'GET', '/health', undefined, 5000)).status === 503,
        'bravo to find etcd unreachable',
        WAIT_MS,
        100,
      );
      expect(await bravo.fleetd.stop()).toBe(0);
    } finally {
      fleet.cluster.reconnectToEtcd(bravo);
      if (bravo.fleetd.pid === undefined) await bravo.fleetd.restart();
    }
    await fleet.waitForMachines(3);
  });
});

describe("fleet's server_test.go", () => {
  it('TestReconfigureServer: SIGHUP reloads the configuration and the API keeps serving; new metadata applies at once, and so does the old again (regression)', async () => {
    const alpha = fleet.cluster.machine('alpha');
    expect((await fleet.fleetctl(['start', 'hello.service'])).code).toBe(0);
    await fleet.waitForActive(1);
    expect((await fleet.fleetctl(['unload', 'hello.service'])).code).toBe(0);
    fleet.writeUnit('zone-a.service', service('MachineMetadata=zone=a'));
    expect((await fleet.fleetctl(['start', 'zone-a.service'])).code).toBe(0);
    const original = readFileSync(alpha.fleetd.configFile, 'utf8');
    const config = JSON.parse(original) as { machine: { metadata: Record<string, string> }; log: { level: string } };
    writeFileSync(
      alpha.fleetd.configFile,
      JSON.stringify({ ...config, machine: { ...config.machine, metadata: { zone: 'z', disk: 'ssd' } }, log: { level: 'info' } }),
    );
    try {
      alpha.fleetd.reload();
      await alpha.fleetd.waitForOutput(/configuration reloaded: applied machine\.metadata, log\.level/, WAIT_MS);
      expect(await fleet.fleetctl(['list-units', '--no-legend'], alpha)).toMatchObject({ code: 0, stderr: '' });
      expect(await metadataOf('alpha')).toEqual({ zone: 'z', disk: 'ssd' });
      await waitFor(async () => (await fleet.go().unitStates()).every((state) => state.name !== 'zone-a.service'), 'zone-a.service off alpha', WAIT_MS, 100);
    } finally {
      writeFileSync(alpha.fleetd.configFile, original);
      alpha.fleetd.reload();
    }
    await waitFor(async () => (await metadataOf('alpha'))?.['zone'] === 'a', 'alpha back in zone a', WAIT_MS, 100);
    expect(singleMachines(await fleet.waitForActive(1))).toEqual(new Map([['zone-a.service', 'alpha']]));
    expect(alpha.fleetd.pid).toBeDefined();
    expect(alpha.fleetd.output()).not.toMatch(/"level":"(error|fatal)"/);
  });
});

// These change the set of machines: alpha, bravo and charlie, then delta joins, then one is rebooted.
describe("fleet's node_test.go and cluster_test.go: machines joining and rebooting", () => {
  it('TestDetectMachineId: a second machine announcing a taken machine ID is refused; under its own ID it joins', async () => {
    const systemd = await startSystemdInstance();
    try {
      await expect(fleet.cluster.startMember({ id: 'alpha', metadata: {}, publicIP: '10.0.0.4' }, systemd, 'duplicate')).rejects.toThrow(
        /machine ID alpha is already announced by another fleetd/,
      );
    } finally {
      await systemd.stop();
    }
    expect((await fleet.fleetctl(['list-machines', '--no-legend'])).code).toBe(0);
    await fleet.cluster.addMachine({ id: 'delta', metadata: { zone: 'd', disk: 'hdd' }, publicIP: '10.0.0.4' });
    expect(await fleet.waitForMachines(4)).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
  });

  it('TestDynamicClusterNewMemberUnitMigration: a unit whose machine goes down moves to the free machine, and no other moves', async () => {
    expect((await fleet.fleetctl(['start', 'conflict.0.service', 'conflict.1.service', 'conflict.2.service'])).code).toBe(0);
    const before = singleMachines(await fleet.waitForActive(3));
    const down = fleet.cluster.machine(before.get('conflict.1.service') as string);
    expect(await down.fleetd.stop()).toBe(0);
    try {
      await fleet.waitForMachines(3);
      const after = await waitFor(
        async () => {
          const now = singleMachines(await fleet.waitForActive(3));
          return now.get('conflict.1.service') !== down.spec.id ? now : undefined;
        },
        'conflict.1.service on another machine',
        WAIT_MS,
        100,
      );
      const free = fleet.cluster.machines.map((machine) => machine.spec.id).find((id) => ![...before.values()].includes(id));
      expect(after).toEqual(new Map([...before, ['conflict.1.service', free]]));
    } finally {
      await down.fleetd.restart();
    }
    await fleet.waitForMachines(4);
  });

  it('TestDynamicClusterMemberReboot: a machine rebooted under a new machine ID: exactly one unit moves', async () => {
    expect((await fleet.fleetctl(['start', 'conflict.0.service', 'conflict.1.service', 'conflict.2.service'])).code).toBe(0);
    const before = singleMachines(await fleet.waitForActive(3));
    const rebooted = fleet.cluster.machine(before.get('conflict.1.service') as string);
    await fleet.cluster.crash(rebooted);
    await fleet.waitForMachines(3);
    await fleet.cluster.addMachine({ ...rebooted.spec, id: 'echo' });
    await fleet.waitForMachines(4);
    const after = singleMachines(await fleet.waitForActive(3));
    expect([...after].filter(([unit, machine]) => before.get(unit) !== machine).map(([unit]) => unit)).toEqual(['conflict.1.service']);
  });
});

async function mainPid(machine: LocalMachine, unit: string): Promise<string> {
  return (await machine.systemd.systemctl(['show', '--property=MainPID', '--value', unit])).stdout.trim();
}

/** `systemctl is-enabled` and `list-units` on the machine itself, as fleet's test read them. */
async function systemdStates(machine: LocalMachine, patterns: readonly string[]): Promise<string[]> {
  const listed = await machine.systemd.systemctl(['list-units', '--all', '--no-legend', '--plain', ...patterns]);
  const rows = listed.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.trim().split(/\s+/).slice(0, 4));
  const enabled = await Promise.all(rows.map(async ([unit]) => (await machine.systemd.systemctl(['is-enabled', unit as string])).stdout.trim()));
  return rows.map((row, index) => `${row.join(' ')} ${enabled[index] ?? ''}`).sort();
}
