/**
 * fleet's functional unit scenarios (functional/unit_action_test.go,
 * install_test.go, fleetctl_test.go, client_test.go) on the real three-machine
 * cluster: first through fleetd's fleetctl, then request for request as fleet's
 * own client sends them where that client behaves differently. fleet ran most of
 * these on one machine; three change none of their outcomes.
 * docs/fleet-compatibility.md maps each fleet test to its test here.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { runFleetctl, type FleetctlResult } from 'fleetd/testing';
import { FLEET_FIXTURES } from './fleet-fixtures.js';
import { useFunctionalCluster, WAIT_MS } from './fleet-functional.js';
import { FleetGoClient, fleetHash, fleetOptionsOf, fleetSerialize } from './fleet-go-client.js';

const fleet = useFunctionalCluster();
const instances = (count: number, template = 'hello'): string[] => Array.from({ length: count }, (_, index) => `${template}@${index + 1}.service`);
const sorted = (names: Iterable<string>): string[] => [...names].sort();

/** How fleet's unitStartCommon and replaceUnitCommon wait after each command. */
async function waitForCommand(command: 'submit' | 'load' | 'start', count: number): Promise<string[]> {
  if (command === 'submit') return (await fleet.waitForUnitFiles(count)).map((unit) => unit.name);
  if (command === 'load') return (await fleet.waitForStates(count)).map((state) => state.name);
  return [...(await fleet.waitForActive(count)).keys()];
}

describe("fleet's unit_action_test.go through fleetd's fleetctl", () => {
  it('TestUnitRunnable: a started unit becomes the sole active unit', async () => {
    expect(await fleet.fleetctl(['start', 'hello.service'])).toMatchObject({ code: 0, stderr: '' });
    expect([...(await fleet.waitForActive(1)).keys()]).toEqual(['hello.service']);
  });

  it.each([
    { name: 'TestUnitSubmit', command: 'submit', clean: 'destroy', count: 9 },
    { name: 'TestUnitLoad', command: 'load', clean: 'unload', count: 3 },
    { name: 'TestUnitStart', command: 'start', clean: 'stop', count: 3 },
  ] as const)('$name: $command $count units, $clean them, and again', async ({ command, clean, count }) => {
    const units = instances(count);
    for (const round of [1, 2]) {
      const launched = await fleet.fleetctl([command, ...units]);
      expect(launched, `round ${round}`).toMatchObject({ code: 0, stderr: '' });
      expect(sorted(await waitForCommand(command, count))).toEqual(sorted(units));
      expect((await fleet.fleetctl([clean, ...units])).code).toBe(0);
      expect(await waitForCommand(command, 0)).toEqual([]);
    }
  });

  it.each([
    { name: 'TestUnitSubmitReplace', command: 'submit', count: 3 },
    { name: 'TestUnitLoadReplace', command: 'load', count: 3 },
    { name: 'TestUnitStartReplace', command: 'start', count: 3 },
  ] as const)('$name: $command --replace puts the new file in place of each of $count units', async ({ command, count }) => {
    const units = instances(count);
    expect((await fleet.fleetctl([command, ...units])).code).toBe(0);
    await waitForCommand(command, count);
    mkdirSync(join(fleet.scratch, 'replaced'), { recursive: true });
    const replacement = FLEET_FIXTURES['hello.service']?.replace('Hello', 'Hello again') ?? '';
    for (const unit of units) fleet.writeUnit(join('replaced', unit), replacement);
    const replaced = await fleet.fleetctl([command, '--replace', ...units.map((unit) => join('replaced', unit))]);
    expect(replaced).toMatchObject({ code: 0, stderr: '' });
    expect(sorted(await waitForCommand(command, count))).toEqual(sorted(units));
    expect((await fleet.fleetctl(['cat', 'hello@1.service'])).stdout).toBe(replacement);
    for (const unit of await fleet.go().units()) expect(fleetSerialize(unit.options), unit.name).toBe(replacement);
  });

  it('TestUnitRestart: restart keeps running units running (each restarted), and starts stopped ones', async () => {
    const units = instances(3);
    expect((await fleet.fleetctl(['start', ...units])).code).toBe(0);
    const before = singleMachine(await fleet.waitForActive(3), 'hello@1.service');
    const pidBefore = await mainPid(before, 'hello@1.service');
    for (const round of ['running', 'stopped']) {
      const restarted = await fleet.fleetctl(['restart', ...units]);
      expect(restarted, `restart of ${round} units`).toMatchObject({ code: 0, stderr: '' });
      expect(restarted.stdout).toContain('Unit hello@3.service restarted');
      expect(sorted((await fleet.waitForActive(3)).keys())).toEqual(units);
      if (round === 'stopped') break;
      expect(await mainPid(before, 'hello@1.service')).not.toBe(pidBefore);
      expect((await fleet.fleetctl(['stop', ...units])).code).toBe(0);
      await fleet.waitForActive(0);
    }
  });

  it('TestUnitSSHActions: status shows the unit active (ssh and journal are not provided)', async () => {
    expect((await fleet.fleetctl(['start', '--no-block', 'hello.service'])).code).toBe(0);
    await fleet.waitForActive(1);
    const status = await fleet.fleetctl(['status', 'hello.service']);
    expect(status).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ {3}Active:\s+active \(running\)$/m) });
    for (const command of ['ssh', 'journal']) {
      expect(await fleet.fleetctl([command, 'hello.service'])).toMatchObject({ code: 2, stderr: `fleetctl: unknown command '${command}'\n` });
    }
  });

  it('TestUnitCat: cat prints the submitted body', async () => {
    expect((await fleet.fleetctl(['submit', 'hello.service'])).code).toBe(0);
    await fleet.waitForUnitFiles(1);
    const cat = await fleet.fleetctl(['cat', 'hello.service']);
    expect(cat.stdout.trim()).toBe(readFileSync(join(fleet.scratch, 'hello.service'), 'utf8').trim());
  });

  it('TestUnitStatus: status of a loaded unit says loaded', async () => {
    expect((await fleet.fleetctl(['load', 'hello.service'])).code).toBe(0);
    await fleet.waitForStates(1);
    expect((await fleet.fleetctl(['status', 'hello.service'])).stdout).toMatch(/^ {3}Loaded:\s+loaded$/m);
  });

  it('TestListUnitFilesOrder: list-unit-files lists units by name, whatever the order they came in', async () => {
    const units = Array.from({ length: 20 }, (_, index) => `hello@${String(index + 1).padStart(2, '0')}.service`);
    const shuffled = units.map((unit, index) => ({ unit, key: (index * 7) % 20 })).sort((a, b) => a.key - b.key);
    expect((await fleet.fleetctl(['submit', ...shuffled.map(({ unit }) => unit)])).code).toBe(0);
    await fleet.waitForUnitFiles(20);
    const listed = await fleet.fleetctl(['list-unit-files', '--no-legend', '--fields', 'unit']);
    expect(listed.stdout.trim().split('\n')).toEqual(units);
  });
});

describe("fleet's install_test.go", () => {
  it('TestInstallUnit: a loaded unit WantedBy another starts and stops with it', async () => {
    expect((await fleet.fleetctl(['load', 'hello.service', 'discovery.service'])).code).toBe(0);
    const states = await fleet.waitForStates(2);
    const machines = new Set(states.map((state) => state.machineID));
    expect(machines.size).toBe(1);
    const systemd = fleet.cluster.machine([...machines][0] as string).systemd;
    const property = async (name: string) => (await systemd.systemctl(['show', `--property=${name}`, '--value', 'discovery.service'])).stdout.trim();
    const activeState = async () => `ActiveState=${await property('ActiveState')}`;
    await waitFor(async () => (await activeState()) === 'ActiveState=inactive', 'discovery.service loaded, inactive', WAIT_MS, 100);
    expect(await property('ActiveEnterTimestampMonotonic')).toBe('0');
    expect((await fleet.fleetctl(['start', 'hello.service'])).code).toBe(0);
    await waitFor(async () => (await property('ActiveEnterTimestampMonotonic')) !== '0', 'discovery.service started with hello.service', WAIT_MS, 100);
    // It stays started though its desired state is loaded: fleet's agent stops only what it started itself.
    // A unit started on the same machine afterwards proves that agent has had a round since.
    fleet.writeUnit('marker.service', '[Service]\nExecStart=/bin/sleep infinity\n\n[X-Fleet]\nMachineOf=hello.service\n');
    expect((await fleet.fleetctl(['start', 'marker.service'])).code).toBe(0);
    expect(await activeState(), 'discovery.service still running after an agent round on its machine').toBe('ActiveState=active');
    expect((await fleet.fleetctl(['stop', 'hello.service'])).code).toBe(0);
    await waitFor(async () => (await activeState()) === 'ActiveState=inactive', 'discovery.service stopped with hello.service', WAIT_MS, 100);
  });
});

describe("fleet's own client, request for request", () => {
  const go = () => fleet.go();
  const hello = fleetOptionsOf(FLEET_FIXTURES['hello.service'] ?? '');

  it('TestUnitRunnable and TestUnitCat: create, launch, cat and destroy; the listings agree on the hash', async () => {
    expect(await go().createUnit('hello.service', hello)).toBe(201);
    expect(await go().unit('hello.service')).toMatchObject({ desiredState: 'inactive', currentState: 'inactive' });
    expect(await go().setUnitTargetState('hello.service', 'launched')).toBe(204);
    await waitFor(async () => (await go().unit('hello.service'))?.currentState === 'launched', 'hello.service launched', WAIT_MS, 100);
    // fleet's cat prints the options serialized; fleet's list-units shows the state's hash, list-unit-files the options'.
    const unit = await go().unit('hello.service');
    expect(fleetSerialize(unit?.options ?? []).trim()).toBe((FLEET_FIXTURES['hello.service'] ?? '').trim());
    const [state] = await go().unitStates();
    expect(state).toMatchObject({ name: 'hello.service', hash: fleetHash(unit?.options ?? []), systemdActiveState: 'active' });
    expect(await go().destroyUnit('hello.service')).toBe(204);
    expect(await go().unit('hello.service')).toBeUndefined();
  });

  it.each([
    { name: 'TestUnitLoadReplace', command: 'load', state: 'loaded' },
    { name: 'TestUnitStartReplace', command: 'start', state: 'launched' },
  ] as const)('$name: $command --replace: the replacing PUT resets the unit to inactive, then the client sets $state again', async ({ state }) => {
    await go().createUnit('hello.service', hello);
    await go().setUnitTargetState('hello.service', state);
    await waitFor(async () => (await go().unit('hello.service'))?.currentState === state, `hello.service ${state}`, WAIT_MS, 100);
    const replacement = fleetOptionsOf((FLEET_FIXTURES['hello.service'] ?? '').replace('Hello', 'Hello again'));
    // lazyCreateUnits: the unit differs, so CreateUnit again, then wait for inactive...
    expect(await go().createUnit('hello.service', replacement)).toBe(201);
    expect(await go().unit('hello.service')).toMatchObject({ desiredState: 'inactive' });
    await waitFor(async () => (await go().unit('hello.service'))?.currentState === 'inactive', 'hello.service inactive', WAIT_MS, 100);
    // ...then lazyLoadUnits / lazyStartUnits set the state the command asked for.
    expect(await go().setUnitTargetState('hello.service', state)).toBe(204);
    await waitFor(async () => (await go().unit('hello.service'))?.currentState === state, `the new hello.service ${state}`, WAIT_MS, 100);
    // The unit's state is the engine's view; the agent reports the new version's hash on its own.
    await waitFor(async () => (await go().unitStates())[0]?.hash === fleetHash(replacement), 'the agent to report the new hello.service', WAIT_MS, 100);
    const [reported] = await go().unitStates();
    expect(reported?.hash).toBe(fleetHash(replacement));
  });

  it("TestUnitRestart: fleet's restart (set loaded, wait for launched, set launched, wait for launched) returns, and the unit restarted", async () => {
    await go().createUnit('hello.service', hello);
    await go().setUnitTargetState('hello.service', 'launched');
    await waitFor(async () => (await go().unit('hello.service'))?.currentState === 'launched', 'hello.service launched', WAIT_MS, 100);
    const machine = (await go().unit('hello.service'))?.machineID as string;
    const before = await mainPid(machine, 'hello.service');
    // fleetctl/restart.go waits for launched after both steps: against fleet it passed only because fleet's
    // state lagged a second; fleetd shows fleet's client the same lag (docs/http-api.md).
    for (const step of ['loaded', 'launched']) {
      expect(await go().setUnitTargetState('hello.service', step)).toBe(204);
      await waitFor(async () => (await go().unit('hello.service'))?.currentState === 'launched', `launched after setting ${step}`, WAIT_MS, 250);
    }
    await waitFor(async () => !['0', before].includes(await mainPid(machine, 'hello.service')), 'hello.service running in a new process', WAIT_MS, 100);
  });

  it('the API under /v1-alpha too, and a missing state says "unit state does not exist"', async () => {
    await go().createUnit('hello.service', hello);
    const alpha = new FleetGoClient(fleet.go().socketPath, '/v1-alpha');
    expect((await alpha.units()).map((unit) => unit.name)).toEqual(['hello.service']);
    const missing = await go().send('GET', '/state/hello.service');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ error: { code: 404, message: 'unit state does not exist' } });
  });

  it('regression: a continuation line goes in as fleet sends it, runs, and does not differ from its file afterwards', async () => {
    const file = `[Service]\nExecStart=/bin/sh -c 'echo one; \\\n  exec sleep infinity'\n`;
    const options = fleetOptionsOf(file);
    expect(options).toEqual([{ section: 'Service', name: 'ExecStart', value: "/bin/sh -c 'echo one; \\\n  exec sleep infinity'" }]);
    expect(await go().createUnit('continued.service', options)).toBe(201);
    expect(await go().setUnitTargetState('continued.service', 'launched')).toBe(204);
    await waitFor(async () => (await go().unit('continued.service'))?.currentState === 'launched', 'continued.service launched', WAIT_MS, 100);
    expect((await fleet.fleetctl(['cat', 'continued.service'])).stdout).toBe(file);
    // Submitted by fleetd's fleetctl, fleet's client finds it the same as the file (no "differs" warning).
    fleet.writeUnit('continued2.service', file);
    expect((await fleet.fleetctl(['submit', 'continued2.service'])).code).toBe(0);
    expect(fleetHash((await go().unit('continued2.service'))?.options ?? [])).toBe(fleetHash(options));
  });
});

describe("fleet's fleetctl_test.go and client_test.go", () => {
  it('TestClientVersionFlag, TestClientVersionHelpOutput, TestClientHelpFlag: --version prints the version; help, --help and -h the same help', async () => {
    const version = JSON.parse(readFileSync(new URL('../../../packages/fleetd/package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await bareFleetctl(['--version'])).toMatchObject({ code: 0, stdout: `${version.version}\n` });
    const help = await bareFleetctl(['help']);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: fleetctl \[options\] \[command\]\n/) });
    for (const flag of ['--help', '-h']) expect(await bareFleetctl([flag])).toEqual(help);
    // No command at all is a usage error (exit 2), with the same help on stderr.
    expect(await bareFleetctl([])).toEqual({ code: 2, stdout: '', stderr: help.stdout });
  });

  it('TestFleetctlWithEnv: FLEETCTL_ENDPOINT instead of --endpoint', async () => {
    const listed = await bareFleetctl(['list-machines', '--no-legend', '--fields', 'machine'], { FLEETCTL_ENDPOINT: fleet.go().socketPath });
    expect(listed).toEqual({ code: 0, stdout: 'alpha\nbravo\ncharlie\n', stderr: '' });
  });
});

function singleMachine(active: ReadonlyMap<string, readonly string[]>, unit: string): string {
  const machines = active.get(unit) ?? [];
  expect(machines, `${unit} runs on one machine`).toHaveLength(1);
  return machines[0] as string;
}

async function mainPid(machine: string, unit: string): Promise<string> {
  return (await fleet.cluster.machine(machine).systemd.systemctl(['show', '--property=MainPID', unit])).stdout.trim();
}

/** The built fleetctl without the harness's --endpoint, as a user types it. */
function bareFleetctl(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<FleetctlResult> {
  return runFleetctl(args, { env: { FLEETCTL_ENDPOINT: '/nonexistent/fleetd.sock', ...env } });
}
