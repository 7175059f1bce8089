/**
 * fleetctl's commands end to end: main() over the API socket of a real
 * stack (API server, embedded registry, Engine) with a real Agent running
 * units in a real systemd user instance.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fleetUnitHash, parseUnitFile } from '@fleetd/core';
import { waitFor } from '@fleetd/core/testing';
import { useSystemd } from '@fleetd/plugin-systemd/vitest';
import type { SystemdInstance } from '@fleetd/plugin-systemd/testing';
import { startCliCluster, type CliCluster } from './cluster.js';

const MACHINE = 'a1b2c3d4e5f60718';
const LEGEND = 'a1b2c3d4.../10.0.0.1';
const sleeper = (description: string) => `[Unit]\nDescription=${description}\n\n[Service]\nExecStart=/bin/sleep 1000\n`;

const systemd = useSystemd(1);
let cluster: CliCluster;

beforeAll(async () => {
  const [instance] = systemd() as [SystemdInstance];
  cluster = await startCliCluster([{ id: MACHINE, metadata: { role: 'web' }, publicIP: '10.0.0.1', systemd: instance }]);
});
afterAll(async () => cluster?.stop());
afterEach(async () => {
  // Every unit a test made goes, and the agent has unloaded it before the next test.
  const { items } = await cluster.registry.list(cluster.store.layout.units);
  for (const kv of items) await cluster.store.destroyUnit(kv.key.slice(cluster.store.layout.units.length));
  await waitFor(async () => (await cluster.registry.list(cluster.store.layout.states)).items.length === 0, 'agent to unload every unit', 20_000);
});

describe('fleetctl start / list / cat / status / stop / unload / destroy', () => {
  it('start submits a local file, waits, and says where the unit runs', async () => {
    cluster.writeUnit('hello.service', sleeper('hello'));
    const started = await cluster.fleetctl('start', 'hello.service');
    expect(started).toEqual({ code: 0, stdout: `Unit hello.service inactive\nUnit hello.service launched on ${LEGEND}\n`, stderr: '' });

    expect(await cluster.fleetctl('list-units')).toEqual({
      code: 0,
      stdout: `UNIT            MACHINE                 ACTIVE  SUB\nhello.service   ${LEGEND}    active  running\n`,
      stderr: '',
    });
    // fleet's hash (SHA-1 of go-systemd's serialization), as fleet's fleetctl shows it; list-unit-files agrees below.
    const hash = (await cluster.fleetctl('list-units', '--no-legend', '-l', '--fields=hash')).stdout.trim();
    expect(hash).toBe(fleetUnitHash(parseUnitFile(sleeper('hello')).options));
    expect((await cluster.fleetctl('list-units', '--no-legend', '--fields', 'unit,load,hash,machine')).stdout).toBe(
      `hello.service   loaded  ${hash.slice(0, 7)} ${LEGEND}\n`,
    );
    expect((await cluster.fleetctl('list-units', '--full', '--no-legend', '--fields=machine')).stdout).toBe(`${MACHINE}/10.0.0.1\n`);
    expect((await cluster.fleetctl('list-unit-files')).stdout).toBe(
      `UNIT            HASH    DSTATE          STATE           TARGET\nhello.service   ${hash.slice(0, 7)} launched        launched        ${LEGEND}\n`,
    );
    expect((await cluster.fleetctl('list-unit-files', '--no-legend', '--fields=unit,desc,global,dstate')).stdout).toBe(
      'hello.service   hello   false   launched\n',
    );
    expect((await cluster.fleetctl('list-machines')).stdout).toBe(`MACHINE         IP              METADATA\na1b2c3d4...     10.0.0.1        role=web\n`);
    expect((await cluster.fleetctl('cat', 'hello')).stdout).toBe('[Unit]\nDescription=hello\n\n[Service]\nExecStart=/bin/sleep 1000\n');

    const status = await cluster.fleetctl('status', 'hello.service');
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(
      [
        '● hello.service',
        '   Desired:        launched',
        '   Current:        launched',
        `   Machine:        ${MACHINE}/10.0.0.1`,
        '   Loaded:         loaded',
        '   Active:         active (running)',
        `   Hash:           ${hash}`,
        '',
      ].join('\n'),
    );

    expect(await cluster.fleetctl('stop', 'hello.service')).toEqual({
      code: 0,
      stdout: `Unit hello.service loaded on ${LEGEND}\n`,
      stderr: 'Successfully stopped units hello.service.\n',
    });
    expect((await cluster.fleetctl('list-units', '--no-legend', '--fields=unit,active')).stdout).toBe('hello.service   inactive\n');
    expect(await cluster.fleetctl('unload', 'hello.service')).toEqual({ code: 0, stdout: 'Unit hello.service inactive\n', stderr: '' });
    expect(await cluster.fleetctl('destroy', 'hello.service')).toEqual({ code: 0, stdout: 'Destroyed hello.service\n', stderr: '' });
    expect(await cluster.fleetctl('list-unit-files')).toEqual({ code: 0, stdout: 'UNIT    HASH    DSTATE  STATE   TARGET\n', stderr: '' });
  });

  it('--json prints the API objects of every listing and of status', async () => {
    cluster.writeUnit('json.service', sleeper('json'));
    expect((await cluster.fleetctl('start', 'json.service')).code).toBe(0);
    const states = JSON.parse((await cluster.fleetctl('--json', 'list-units')).stdout) as unknown[];
    expect(states).toEqual([expect.objectContaining({ name: 'json.service', machineID: MACHINE, systemdActiveState: 'active', systemdSubState: 'running' })]);
    const units = JSON.parse((await cluster.fleetctl('list-unit-files', '--json')).stdout) as unknown[];
    expect(units).toEqual([expect.objectContaining({ name: 'json.service', desiredState: 'launched', currentState: 'launched', machineID: MACHINE })]);
    const machines = JSON.parse((await cluster.fleetctl('--json', 'list-machines')).stdout) as unknown[];
    expect(machines).toEqual([{ id: MACHINE, primaryIP: '10.0.0.1', metadata: { role: 'web' }, facts: {} }]);
    const status = JSON.parse((await cluster.fleetctl('--json', 'status', 'json')).stdout) as unknown[];
    expect(status).toEqual([{ unit: expect.objectContaining({ name: 'json.service' }), states: [expect.objectContaining({ systemdActiveState: 'active' })] }]);
  });

  it('load of a new unit waits until it is loaded; stop, restart (from loaded and from launched); --no-block only triggers', async () => {
    cluster.writeUnit('loadme.service', sleeper('loadme'));
    expect(await cluster.fleetctl('load', 'loadme')).toEqual({
      code: 0,
      stdout: `Unit loadme.service inactive\nUnit loadme.service loaded on ${LEGEND}\n`,
      stderr: '',
    });
    cluster.writeUnit('loadlater.service', sleeper('loadlater'));
    expect(await cluster.fleetctl('load', '--no-block', 'loadlater')).toEqual({
      code: 0,
      stdout: 'Unit loadlater.service inactive\nTriggered unit loadlater.service load\n',
      stderr: '',
    });
    await waitFor(
      async () =>
        (await cluster.fleetctl('list-unit-files', '--no-legend', '--fields=unit,dstate,target')).stdout.includes(
          `loadlater.service       loaded  ${LEGEND}\n`,
        ),
      'loadlater.service placed',
      10_000,
    );

    cluster.writeUnit('svc.service', sleeper('svc'));
    expect((await cluster.fleetctl('start', 'svc')).code).toBe(0);
    expect((await cluster.fleetctl('stop', 'svc')).code).toBe(0);
    expect(await cluster.fleetctl('restart', 'svc.service')).toEqual({
      code: 0,
      stdout: `Unit svc.service launched on ${LEGEND}\nUnit svc.service restarted\n`,
      stderr: '',
    });
    expect(await cluster.fleetctl('restart', 'svc.service')).toEqual({
      code: 0,
      stdout: `Unit svc.service loaded on ${LEGEND}\nUnit svc.service launched on ${LEGEND}\nUnit svc.service restarted\n`,
      stderr: '',
    });
    // fleet's rule: load never takes a launched unit down.
    expect(await cluster.fleetctl('load', 'svc.service')).toEqual({ code: 0, stdout: `Unit svc.service launched on ${LEGEND}\n`, stderr: '' });
    expect(await cluster.fleetctl('stop', '--no-block', 'svc.service')).toEqual({ code: 0, stdout: 'Triggered unit svc.service stop\n', stderr: '' });
    cluster.writeUnit('quick.service', sleeper('quick'));
    expect(await cluster.fleetctl('start', '--no-block', 'quick.service')).toEqual({
      code: 0,
      stdout: 'Unit quick.service inactive\nTriggered unit quick.service start\n',
      stderr: '',
    });
    expect(await cluster.fleetctl('destroy', '--no-block', 'quick.service')).toEqual({ code: 0, stdout: 'Destroyed quick.service\n', stderr: '' });
  });

  it('a global unit is triggered, not waited for, and listed as global', async () => {
    cluster.writeUnit('everywhere.service', `${sleeper('everywhere')}\n[X-Fleet]\nGlobal=true\n`);
    expect(await cluster.fleetctl('start', 'everywhere.service')).toEqual({
      code: 0,
      stdout: 'Unit everywhere.service inactive\nTriggered global unit everywhere.service start\n',
      stderr: '',
    });
    expect((await cluster.fleetctl('list-unit-files', '--no-legend', '--fields=unit,global,state,target')).stdout).toBe(
      'everywhere.service      true    -       global\n',
    );
  });
});

describe('fleetctl submit --replace', () => {
  it('refuses changed contents without --replace, replaces with it, and says when nothing changed', async () => {
    cluster.writeUnit('app.service', sleeper('v1'));
    expect(await cluster.fleetctl('submit', 'app')).toEqual({ code: 0, stdout: 'Unit app.service inactive\n', stderr: '' });
    expect(await cluster.fleetctl('submit', 'app.service')).toEqual({ code: 0, stdout: '', stderr: '' });
    cluster.writeUnit('app.service', sleeper('v2'));
    expect(await cluster.fleetctl('submit', 'app.service')).toEqual({
      code: 1,
      stdout: '',
      stderr: `fleetctl: unit app.service in the cluster differs from local unit file ${join(cluster.unitDir, 'app.service')}; add --replace to replace it\n`,
    });
    expect(await cluster.fleetctl('submit', '--replace', 'app.service')).toEqual({ code: 0, stdout: 'Unit app.service replaced\n', stderr: '' });
    expect((await cluster.fleetctl('cat', 'app.service')).stdout).toContain('Description=v2');
    expect(await cluster.fleetctl('submit', '--replace', 'app.service')).toEqual({
      code: 0,
      stdout: 'Found same unit app.service in the cluster, nothing to replace\n',
      stderr: '',
    });
  });

  it('regression: start --replace keeps the unit launched while it moves to the new version (no inactive round trip), and submit refuses', async () => {
    cluster.writeUnit('live.service', sleeper('v1'));
    expect((await cluster.fleetctl('start', 'live.service')).code).toBe(0);
    cluster.writeUnit('live.service', sleeper('v2'));
    expect(await cluster.fleetctl('submit', '--replace', 'live.service')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'fleetctl: cannot replace unit live.service in state launched with submit; use start --replace\n',
    });
    // Every desired state and placement write while fleetctl replaces: the API resets a replacement
    // without a desired state to inactive (fleet's rule), so fleetd's fleetctl must send it.
    const writes: string[] = [];
    let seen = (await cluster.registry.list(cluster.store.layout.prefix)).revision;
    const watcher = await cluster.registry.watch(cluster.store.layout.prefix, {
      fromRevision: seen + 1,
      onEvents: (events, revision) => {
        seen = revision;
        for (const event of events) {
          const key = event.type === 'put' ? event.kv.key : event.key;
          if (key === cluster.store.layout.desired('live.service')) writes.push(`desired ${event.type === 'put' ? event.kv.value : 'deleted'}`);
          if (key === cluster.store.layout.placement('live.service')) writes.push(`placement ${event.type}`);
        }
      },
      onError: () => undefined,
    });
    try {
      expect(await cluster.fleetctl('start', '--replace', 'live.service')).toEqual({
        code: 0,
        stdout: `Unit live.service replaced\nUnit live.service launched on ${LEGEND}\n`,
        stderr: '',
      });
      const written = (await cluster.registry.list(cluster.store.layout.prefix)).revision;
      await waitFor(() => seen >= written, 'the watcher to see every write of the replace', 5000);
    } finally {
      await watcher.close();
    }
    expect(writes.filter((write) => write !== 'desired launched')).toEqual([]);
    const v2 = (await cluster.fleetctl('list-unit-files', '--no-legend', '-l', '--fields=hash')).stdout.trim();
    await waitFor(
      async () => {
        const [state] = JSON.parse((await cluster.fleetctl('--json', 'list-units')).stdout) as { hash: string; systemdActiveState: string }[];
        return state?.hash === v2 && state.systemdActiveState === 'active';
      },
      'the agent to run the new version',
      20_000,
    );
  });
});

describe('fleetctl templates and instances', () => {
  it('creates instances from a local template, then from the cluster template', async () => {
    cluster.writeUnit('web@.service', '[Unit]\nDescription=web %i\n\n[Service]\nExecStart=/bin/sleep 1000\n');
    expect(await cluster.fleetctl('start', 'web@1.service')).toEqual({
      code: 0,
      stdout: `Unit web@1.service inactive\nUnit web@1.service launched on ${LEGEND}\n`,
      stderr: '',
    });
    expect(await cluster.fleetctl('submit', 'web@.service')).toEqual({ code: 0, stdout: 'Unit web@.service inactive\n', stderr: '' });
    expect(await cluster.fleetctl('load', 'web@.service')).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^fleetctl: web@\.service: a template unit can only be submitted; load or start an instance such as web@1\.service\n$/),
    });
    const other = await startDirLess('web@2');
    expect(other).toEqual({ code: 0, stdout: `Unit web@2.service inactive\nUnit web@2.service launched on ${LEGEND}\n`, stderr: '' });
    expect((await cluster.fleetctl('list-unit-files', '--no-legend', '--fields=unit,dstate')).stdout).toBe(
      'web@.service    inactive\nweb@1.service   launched\nweb@2.service   launched\n',
    );
  });

  it('an instance with no template anywhere is an error naming both', async () => {
    expect(await cluster.fleetctl('start', 'ghost@1.service')).toEqual({
      code: 1,
      stdout: '',
      stderr: `fleetctl: unable to find unit ghost@1.service or its template ghost@.service in the cluster or on the filesystem (no file ${join(cluster.unitDir, 'ghost@.service')})\n`,
    });
  });

  /** Runs in a directory without the template file: the cluster's template must be used. */
  function startDirLess(unit: string) {
    return cluster.fleetctl('start', join('/nonexistent-dir', unit));
  }
});

describe('fleetctl waiting ends with a clear outcome', () => {
  it('a unit that fails on its machine ends waiting with exit 1 and why', async () => {
    // Regression (flaky): with ExecStart=/bin/false the unit is briefly active before it fails, and a poll
    // landing in that moment saw it launched. A failing ExecStartPre fails it before it is ever active.
    cluster.writeUnit('broken.service', '[Service]\nExecStartPre=/bin/false\nExecStart=/bin/sleep 1000\n');
    const result = await cluster.fleetctl('start', 'broken.service');
    expect(result).toEqual({ code: 1, stdout: 'Unit broken.service inactive\n', stderr: `fleetctl: unit broken.service failed (failed) on ${LEGEND}\n` });
  });

  it('an unschedulable unit ends waiting with the explanation summary', async () => {
    cluster.writeUnit('db.service', `${sleeper('db')}\n[X-Fleet]\nMachineMetadata=role=db\n`);
    const result = await cluster.fleetctl('start', 'db.service');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('Unit db.service inactive\n');
    expect(result.stderr).toMatch(
      /^fleetctl: unit db\.service cannot be scheduled: 0\/1 machines available: 1 .*role=db.* \(fleetctl explain db\.service says why per machine\)\n$/,
    );

    const explained = await cluster.fleetctl('explain', 'db.service');
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('Placed on:      - (not placed)\n');
    expect(explained.stdout).toContain('Best machine:   - (no machine can take it)\n');
    expect(explained.stdout).toContain('Summary:        0/1 machines available: 1 metadata role=db not matched\n');
    expect(explained.stdout).toContain(
      '\n        MACHINE         PLUGIN          VERDICT         SCORE   REASON\n        a1b2c3d4...     metadata        narrow          -       metadata role=db not matched\n',
    );
    expect(explained.stdout).toContain('\n                        total           rejected        -\n');
    const json = JSON.parse((await cluster.fleetctl('--json', 'explain', 'db.service')).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ unit: 'db.service', desiredState: 'launched', machines: [expect.objectContaining({ machine: MACHINE, feasible: false })] });
    expect(json['bestMachine']).toBeUndefined();
  });

  it('--block-attempts gives up after N polls', async () => {
    cluster.writeUnit('later.service', `${sleeper('later')}\n[X-Fleet]\nMachineMetadata=role=none\n`);
    expect(await cluster.fleetctl('load', '--block-attempts', '1', 'later.service')).toEqual({
      code: 1,
      stdout: 'Unit later.service inactive\n',
      stderr: 'fleetctl: timed out waiting for unit later.service to report state loaded\n',
    });
  });
});

describe('fleetctl errors', () => {
  it.each([
    { name: 'stop', args: ['stop', 'nope.service'] },
    { name: 'unload', args: ['unload', 'nope'] },
    { name: 'destroy', args: ['destroy', 'nope.service'] },
    { name: 'restart', args: ['restart', 'nope.service'] },
    { name: 'cat', args: ['cat', 'nope.service'] },
    { name: 'status', args: ['status', 'nope.service'] },
    { name: 'explain', args: ['explain', 'nope.service'] },
  ])('$name of an unknown unit', async ({ args }) => {
    expect(await cluster.fleetctl(...args)).toEqual({ code: 1, stdout: '', stderr: 'fleetctl: unable to find unit nope.service in the cluster\n' });
  });

  it('start of a unit that is nowhere names the file it looked for', async () => {
    expect(await cluster.fleetctl('start', 'nope.service')).toEqual({
      code: 1,
      stdout: '',
      stderr: `fleetctl: unable to find unit nope.service in the cluster or on the filesystem (no file ${join(cluster.unitDir, 'nope.service')})\n`,
    });
  });

  it('a unit file with a syntax error names file and line, and nothing is submitted', async () => {
    cluster.writeUnit('bad.service', '[Service]\nExecStart=/bin/true\nnot an assignment\n');
    expect(await cluster.fleetctl('submit', 'bad.service')).toEqual({
      code: 1,
      stdout: '',
      stderr: `fleetctl: ${join(cluster.unitDir, 'bad.service')}:3:1: expected 'Key=Value', a [Section] header or a comment\n`,
    });
    expect((await cluster.fleetctl('list-unit-files', '--no-legend')).stdout).toBe('');
  });

  it('stop of a unit that was never loaded is refused', async () => {
    cluster.writeUnit('idle.service', sleeper('idle'));
    await cluster.fleetctl('submit', 'idle.service');
    expect(await cluster.fleetctl('stop', 'idle.service')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'fleetctl: idle.service: cannot stop a unit that is inactive; load or start it first\n',
    });
  });

  it.each([
    { name: 'an unknown command', args: ['frobnicate'], code: 2, stderr: "fleetctl: unknown command 'frobnicate'\n" },
    { name: 'an unknown option', args: ['list-units', '--colour'], code: 2, stderr: "fleetctl: unknown option '--colour'\n" },
    { name: 'a missing unit argument', args: ['start'], code: 2, stderr: "fleetctl: missing required argument 'units'\n" },
    {
      name: 'a bad --block-attempts',
      args: ['start', '--block-attempts', 'many', 'x'],
      code: 2,
      stderr: "fleetctl: option '--block-attempts <n>' argument 'many' is invalid. must be a whole number (0 = no limit)\n",
    },
    {
      name: 'an unknown field',
      args: ['list-machines', '--fields=machine,rack'],
      code: 2,
      stderr: 'fleetctl: --fields: invalid key in output format: "rack" (valid: facts,ip,machine,metadata)\n',
    },
  ])('$name is a usage error', async ({ args, code, stderr }) => {
    expect(await cluster.fleetctl(...args)).toEqual({ code, stdout: '', stderr });
  });
});
