/**
 * fleetctl's scheduling commands (explain, plan, simulate), paging, TCP with
 * a token, and an unreachable daemon. Machines here only announce
 * themselves (no agent): the engine places units on them, which is all
 * these commands look at.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assemblePlugins, createMemoryRegistry } from '@fleetd/core';
import { FleetStore } from '@fleetd/core/unstable';
import { waitFor } from '@fleetd/core/testing';
import { fleetPreset } from '@fleetd/preset-fleet';
import { startApiServer } from '../../src/api/index.js';
import { createFleetService } from '../../src/service/index.js';
import { FLEETCTL_BIN } from '../../src/testing/index.js';
import { startCliCluster, type CliCluster } from './cluster.js';
import { FIXTURES } from './helpers.js';
import { runMain } from './run-main.js';

const service = (metadata: string) => `[Service]\nExecStart=/bin/sleep 1000\n\n[X-Fleet]\nMachineMetadata=${metadata}\n`;
let cluster: CliCluster;

beforeAll(async () => {
  cluster = await startCliCluster(
    [
      { id: 'east-one-0001', metadata: { region: 'east' }, publicIP: '10.0.0.1' },
      { id: 'east-two-0002', metadata: { region: 'east' } },
      { id: 'west-one-0003', metadata: { region: 'west' }, publicIP: '10.0.0.3' },
    ],
    { pageSize: 2 },
  );
});
afterAll(async () => cluster?.stop());
afterEach(async () => {
  const { items } = await cluster.registry.list(cluster.store.layout.units);
  for (const kv of items) await cluster.store.destroyUnit(kv.key.slice(cluster.store.layout.units.length));
});

describe('listings follow page tokens', () => {
  it('list-machines shows every machine over pages of 2, with --fields and -l', async () => {
    expect(await cluster.fleetctl('list-machines')).toEqual({
      code: 0,
      stdout:
        'MACHINE         IP              METADATA\neast-one...     10.0.0.1        region=east\neast-two...     -               region=east\nwest-one...     10.0.0.3        region=west\n',
      stderr: '',
    });
    expect((await cluster.fleetctl('list-machines', '-l', '--no-legend', '--fields=ip,machine')).stdout).toBe(
      '10.0.0.1        east-one-0001\n-               east-two-0002\n10.0.0.3        west-one-0003\n',
    );
  });
});

describe('fleetctl explain', () => {
  it('marks the machine a unit is placed on, with every plugin verdict and score', async () => {
    cluster.writeUnit('first.service', service('region=east'));
    cluster.writeUnit('api.service', service('region=east'));
    const target = async (unit: string) =>
      (await cluster.fleetctl('list-unit-files', '--no-legend', '-l', '--fields=unit,target')).stdout.split('\n').find((line) => line.startsWith(unit)) ?? '';
    expect((await cluster.fleetctl('load', '--no-block', 'first.service')).code).toBe(0);
    await waitFor(async () => (await target('first.service')).includes('east-one-0001'), 'first.service on east-one', 10_000);
    expect((await cluster.fleetctl('load', '--no-block', 'api.service')).code).toBe(0);
    await waitFor(async () => (await target('api.service')).includes('east-two-0002'), 'api.service on the less loaded east-two', 10_000);

    const { code, stdout } = await cluster.fleetctl('explain', 'api');
    expect(code).toBe(0);
    expect(stdout).toContain('Placed on:      east-two...\n');
    expect(stdout).toContain('Summary:        2/3 machines available: 1 metadata region=east not matched\n');
    expect(stdout).toContain('* the machine the unit is placed on\n');
    // east-two is explained as if api.service were not there: load 0 scores nothing, east-one's load 1 scores -1.
    expect(stdout).toMatch(/\n\* {7}east-two\.\.\. {5}machine-id +pass +- +-\n/);
    expect(stdout).toMatch(/\n {8}east-one\.\.\. +machine-id +pass +- +-\n(.*\n)*? {24}least-loaded +pass +-1 +-\n {24}total +feasible +-1\n/);
    expect(stdout).toMatch(/\n {8}west-one\.\.\. +metadata +narrow +- +metadata region=east not matched\n/);
    const json = JSON.parse((await cluster.fleetctl('--json', 'explain', 'api.service')).stdout) as {
      placedOn: string;
      bestMachine: string;
      machines: { machine: string; feasible: boolean; total?: number }[];
    };
    expect(json).toMatchObject({ placedOn: 'east-two-0002', bestMachine: 'east-two-0002' });
    expect(json.machines.map((machine) => [machine.machine, machine.feasible, machine.total])).toEqual([
      ['east-two-0002', true, 0],
      ['east-one-0001', true, -1],
      ['west-one-0003', false, undefined],
    ]);
    expect((await cluster.fleetctl('explain', '-l', 'api.service')).stdout).toContain('Placed on:      east-two-0002\n');
  });
});

describe('fleetctl plan', () => {
  it('shows where units would go and writes nothing', async () => {
    cluster.writeUnit('west.service', service('region=west'));
    cluster.writeUnit('north.service', service('region=north'));
    expect(await cluster.fleetctl('plan', 'west.service')).toEqual({
      code: 0,
      stdout: 'UNIT            MACHINE                 NOTE\nwest.service    west-one.../10.0.0.3\n',
      stderr: '',
    });
    const unschedulable = await cluster.fleetctl('plan', 'west.service', 'north');
    expect(unschedulable.code).toBe(1);
    expect(unschedulable.stdout).toBe(
      [
        'UNIT            MACHINE                 NOTE',
        'west.service    west-one.../10.0.0.3',
        'north.service   -                       0/3 machines available: 3 metadata region=north not matched',
        '',
        'north.service cannot be placed: 0/3 machines available: 3 metadata region=north not matched',
        '  east-one.../10.0.0.1  metadata        narrow  metadata region=north not matched',
        '  east-two...           metadata        narrow  metadata region=north not matched',
        '  west-one.../10.0.0.3  metadata        narrow  metadata region=north not matched',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await cluster.fleetctl('--json', 'plan', 'west.service')).stdout) as unknown;
    expect(json).toEqual({ units: [{ unit: 'west.service', machine: 'west-one-0003' }], moved: [] });
    expect((await cluster.fleetctl('list-unit-files', '--no-legend', '--fields=unit')).stdout).not.toMatch(/west|north/);
  });
});

describe('fleetctl simulate (offline)', () => {
  const dir = join(FIXTURES, 'simulate');
  // No daemon at this endpoint: simulate must not need one.
  const simulate = (...args: string[]) => runMain(['--endpoint', '/nonexistent/fleetd.sock', 'simulate', ...args], { cwd: dir });

  it('places units on the machines of a cluster file with the first-party plugins', async () => {
    const result = await simulate('--cluster', '../clusters/three.yaml', 'east.service', 'eu', 'ssd.service');
    expect(result).toEqual({
      code: 1,
      stdout: [
        'UNIT            MACHINE NOTE',
        'east.service    web-1',
        'eu.service      -       0/3 machines available: 3 metadata region=eu-west-1 not matched',
        'ssd.service     web-1',
        '',
        'eu.service cannot be placed: 0/3 machines available: 3 metadata region=eu-west-1 not matched',
        '  web-1 metadata        narrow  metadata region=eu-west-1 not matched',
        '  web-2 metadata        narrow  metadata region=eu-west-1 not matched',
        '  web-3 metadata        narrow  metadata region=eu-west-1 not matched',
        '',
      ].join('\n'),
      stderr: '',
    });
    const json = JSON.parse(
      (await runMain(['--json', 'simulate', '--cluster', join(FIXTURES, 'clusters/three.json'), 'east.service', '-l'], { cwd: dir })).stdout,
    ) as unknown;
    expect(json).toEqual({ units: [{ unit: 'east.service', machine: 'web-1' }], moved: [] });
  });

  it('schedules with the plugins of --config', async () => {
    const result = await simulate('--cluster', '../clusters/three.yaml', '--config', 'least-loaded-only.config.json', 'eu.service');
    expect(result).toEqual({ code: 0, stdout: 'UNIT            MACHINE NOTE\neu.service      web-1\n', stderr: '' });
  });

  it('schedules by the capacities of the cluster file with @fleetd/plugin-resources, and explains a unit too big for all', async () => {
    const result = await simulate(
      '--cluster',
      '../clusters/capacity.yaml',
      '--config',
      'resources.config.yaml',
      'batch.service',
      'cache.service',
      'huge.service',
    );
    // binpack: batch fills small (3 of 4 GiB); cache no longer fits there and goes to big; bare announces nothing. The reasons count what the others took.
    expect(result).toEqual({
      code: 1,
      stdout: [
        'UNIT            MACHINE NOTE',
        'batch.service   small',
        'cache.service   big',
        'huge.service    -       0/3 machines available: 1 memory: requests 128 GiB, the machine announces no capacity (@fleetd/plugin-resources does not run on it), 1 memory: requests 128 GiB, 62 GiB free of 64 GiB, 1 memory: requests 128 GiB, 1 GiB free of 4 GiB',
        '',
        'huge.service cannot be placed: 0/3 machines available: 1 memory: requests 128 GiB, the machine announces no capacity (@fleetd/plugin-resources does not run on it), 1 memory: requests 128 GiB, 62 GiB free of 64 GiB, 1 memory: requests 128 GiB, 1 GiB free of 4 GiB',
        '  bare  resources       filter  memory: requests 128 GiB, the machine announces no capacity (@fleetd/plugin-resources does not run on it)',
        '  big   resources       filter  memory: requests 128 GiB, 62 GiB free of 64 GiB',
        '  small resources       filter  memory: requests 128 GiB, 1 GiB free of 4 GiB',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('fails, saying so, when the plan does not settle (plugins that keep moving units)', async () => {
    const result = await simulate('--cluster', '../clusters/three.yaml', '--config', 'restless.config.json', 'east.service');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^UNIT {12}MACHINE NOTE\neast\.service {4}web-\d/);
    expect(result.stderr).toBe(
      'fleetctl: the plan did not settle: placements still changed after 100 rounds (plugins that keep moving units?); units are shown where the last round left them\n',
    );
  });

  it.each([
    {
      name: 'a missing cluster file',
      args: ['--cluster', 'nope.yaml', 'east.service'],
      stderr: `fleetctl: --cluster ${join(dir, 'nope.yaml')}: cannot read it (ENOENT)\n`,
    },
    {
      name: 'a bad cluster file',
      args: ['--cluster', '../clusters/typo.yaml', 'east.service'],
      stderr: `fleetctl: ${join(FIXTURES, 'clusters/typo.yaml')}:3: machines[0].metdata: unknown key (only "id", "metadata" and "facts" are allowed)\n`,
    },
    {
      name: 'a missing unit file',
      args: ['--cluster', '../clusters/three.yaml', 'absent.service'],
      stderr: `fleetctl: unable to find unit absent.service on the filesystem (no file ${join(dir, 'absent.service')})\n`,
    },
    { name: 'no --cluster', args: ['east.service'], stderr: "fleetctl: required option '--cluster <file>' not specified\n", code: 2 },
  ])('$name is an error', async ({ args, stderr, code }) => {
    expect(await simulate(...args)).toEqual({ code: code ?? 1, stdout: '', stderr });
  });
});

describe('reaching the daemon', () => {
  const missing = '/tmp/fleetctl-no-such-dir/fleetd.sock';
  const unreachable = `fleetctl: cannot reach fleetd at ${missing}: connect ENOENT (is fleetd running? --endpoint or FLEETCTL_ENDPOINT says where to look)\n`;

  it.each([
    { name: '--endpoint', args: ['--endpoint', missing, 'list-units'], env: {} },
    { name: 'FLEETCTL_ENDPOINT', args: ['list-machines'], env: { FLEETCTL_ENDPOINT: missing } },
    { name: 'unix:// URL', args: ['--endpoint', `unix://${missing}`, 'status', 'x.service'], env: {} },
  ])('an unreachable daemon named by $name: one line, exit 1', async ({ args, env }) => {
    expect(await runMain(args, { env })).toEqual({ code: 1, stdout: '', stderr: unreachable });
  });

  it('a bad --endpoint is a usage error: one line, exit 2', async () => {
    expect(await runMain(['--endpoint', 'etcd://10.0.0.1:2379', 'list-units'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fleetctl: --endpoint "etcd://10.0.0.1:2379": unsupported scheme "etcd" (use unix, http or https)\n',
    });
  });

  it('the built bin exits 1 with the same line and no stack trace', () => {
    const result = spawnSync(process.execPath, [FLEETCTL_BIN, '--endpoint', missing, 'list-units'], { encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 1, stdout: '', stderr: unreachable });
    const usage = spawnSync(process.execPath, [FLEETCTL_BIN, 'no-such-command'], { encoding: 'utf8' });
    expect({ status: usage.status, stderr: usage.stderr }).toEqual({ status: 2, stderr: "fleetctl: unknown command 'no-such-command'\n" });
  });

  it('over TCP with a bearer token; without it the 401 says how to pass one', async () => {
    const registry = createMemoryRegistry();
    await new FleetStore(registry, '/fleetd/').ensureSchema();
    const host = await assemblePlugins(fleetPreset());
    const fleetService = createFleetService({
      registry,
      keyPrefix: '/fleetd/',
      host,
      mode: 'standalone',
      machineId: 'm1',
      version: '0.1.0-test',
      agentEnabled: false,
    });
    const server = await startApiServer({
      service: fleetService,
      tcp: { host: '127.0.0.1', port: 0, token: 's3cret' },
      pageSize: 100,
      bodyLimitBytes: 1 << 20,
    });
    try {
      const url = server.tcpUrl ?? '';
      expect(await runMain(['--endpoint', url, '--token', 's3cret', 'list-unit-files'])).toEqual({
        code: 0,
        stdout: 'UNIT    HASH    DSTATE  STATE   TARGET\n',
        stderr: '',
      });
      expect(await runMain(['--endpoint', url, 'list-unit-files'], { env: { FLEETCTL_TOKEN: 's3cret' } })).toMatchObject({ code: 0 });
      const refused = await runMain(['--endpoint', url, 'list-unit-files']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^fleetctl: .+ \(pass the API token with --token or FLEETCTL_TOKEN\)\n$/);
    } finally {
      await server.close();
      await registry.close();
    }
  });
});
