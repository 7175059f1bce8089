/**
 * fleetd in standalone mode as operators run it: the built `fleetd` binary
 * with a config file, a real systemd user instance for its agent, driven by
 * the built `fleetctl`. Restarts (clean and kill -9) keep units and their
 * processes.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { useSystemd } from '@fleetd/plugin-systemd/vitest';
import { runFleetctl, startFleetd } from '../../src/testing/index.js';
import type { FleetdProcess } from '../../src/testing/index.js';

const systemd = useSystemd(1);
const unitDir = mkdtempSync('/tmp/fleetd-units-');
const running: FleetdProcess[] = [];

const HELLO = '[Unit]\nDescription=hello\n\n[Service]\nExecStart=/bin/sleep 1000\n';

beforeAll(() => {
  writeFileSync(join(unitDir, 'hello.service'), HELLO);
  writeFileSync(join(unitDir, 'other.service'), '[Service]\nExecStart=/bin/sleep 1001\n');
});
afterEach(async () => {
  for (const fleetd of running.splice(0)) await fleetd.remove();
});
afterAll(() => rmSync(unitDir, { recursive: true, force: true }));

async function standalone(metadata: Record<string, string> = { role: 'test' }): Promise<FleetdProcess> {
  const [instance] = systemd();
  if (instance === undefined) throw new Error('no systemd instance');
  const fleetd = await startFleetd({
    name: 'standalone',
    config: {
      machine: { id: 'standalone-1', metadata },
      agent: { busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory },
      log: { level: 'debug' },
    },
  });
  running.push(fleetd);
  return fleetd;
}

const fleetctl = (fleetd: FleetdProcess, ...args: string[]) => runFleetctl(args, { endpoint: fleetd.socketPath, cwd: unitDir });

function get(socketPath: string, path: string): Promise<{ body: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ body, contentType: String(response.headers['content-type']) }));
    })
      .on('error', reject)
      .end();
  });
}

async function mainPid(unit: string): Promise<number> {
  const [instance] = systemd();
  const { code, stdout, stderr } = await (instance as NonNullable<typeof instance>).systemctl(['show', '--property=MainPID', '--value', unit]);
  // A failed systemctl prints nothing, which would read as pid 0: say what failed instead.
  if (code !== 0 || stdout.trim() === '') throw new Error(`systemctl show ${unit} failed (exit ${code}): ${stderr.trim()}`);
  return Number(stdout.trim());
}

describe('fleetd standalone', () => {
  it('says it is standalone in its first log line, and serves its socket with mode 0660', async () => {
    const fleetd = await standalone();
    const [first] = fleetd.output().split('\n');
    expect(JSON.parse(first ?? '{}')).toMatchObject({
      level: 'info',
      mode: 'standalone',
      msg: expect.stringMatching(/^fleetd \S+ starting in standalone mode: one machine, embedded store in \/tmp\/fleetd-\w+\/data$/),
    });
    expect(statSync(fleetd.socketPath).mode & 0o777).toBe(0o660);
  });

  it('starts a unit from a local file, reports it launched, and keeps it running across restarts and kill -9', async () => {
    const fleetd = await standalone();
    const started = await fleetctl(fleetd, 'start', 'hello.service');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    // Machine IDs are shortened to 8 characters, as fleet does without -l.
    expect(started.stdout).toMatch(/^Unit hello\.service launched on standalo\.\.\.$/m);
    const pid = await mainPid('hello.service');
    expect(pid).toBeGreaterThan(0);

    await fleetd.kill();
    await fleetd.restart();
    expect(await mainPid('hello.service'), fleetd.output()).toBe(pid);
    const afterCrash = await fleetctl(fleetd, 'list-unit-files', '--no-legend', '-l');
    expect(afterCrash.stdout).toMatch(/^hello\.service\s+\w+\s+launched\s+launched\s+standalone/m);

    expect(await fleetd.stop()).toBe(0);
    await fleetd.restart();
    expect(await mainPid('hello.service'), fleetd.output()).toBe(pid);
    await waitFor(
      async () => /hello\.service\s+standalone\S*\s+active\s+running/.test((await fleetctl(fleetd, 'list-units', '--no-legend', '-l')).stdout),
      'hello.service active again',
      10_000,
    );
    const cat = await fleetctl(fleetd, 'cat', 'hello.service');
    expect(cat.stdout).toBe(HELLO);
  });

  it('serves health and Prometheus metrics with rounds and time per plugin and hook', async () => {
    const fleetd = await standalone();
    expect((await fleetctl(fleetd, 'start', 'other.service')).code).toBe(0);
    const health = JSON.parse((await get(fleetd.socketPath, '/health')).body) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      mode: 'standalone',
      machineID: 'standalone-1',
      engine: { enabled: true, leader: true },
      agent: { enabled: true },
    });
    const metrics = await get(fleetd.socketPath, '/metrics');
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toMatch(/^fleetd_reconcile_rounds_total\{outcome="ok"\} [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^fleetd_placements_total [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^fleetd_hook_calls_total\{plugin="least-loaded",hook="score"\} [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^fleetd_hook_seconds_total\{plugin="systemd",hook="createDriver"\} \d/m);
    expect(metrics.body).toMatch(/^fleetd_agent_tasks_total\{type="start",outcome="ok"\} [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^fleetd_agent_round_duration_seconds_count [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^fleetd_engine_leader 1$/m);
    expect((await fleetctl(fleetd, 'destroy', 'other.service')).code).toBe(0);
  });

  it('regression: a restart never stops its units, because the agent announces the machine before the engine decides', async () => {
    const fleetd = await standalone();
    expect((await fleetctl(fleetd, 'start', 'other.service')).code).toBe(0);
    const pid = await mainPid('other.service');
    for (let restart = 0; restart < 4; restart++) {
      if (restart % 2 === 0) await fleetd.kill();
      else await fleetd.stop();
      await fleetd.restart();
      // Give a wrongly ordered engine the time to revoke and the agent to act on it.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await mainPid('other.service'), fleetd.output()).toBe(pid);
      // Even when the agent happened not to act on it, a revocation would show here.
      expect((await get(fleetd.socketPath, '/metrics')).body).toMatch(/^fleetd_revocations_total 0$/m);
    }
    expect((await fleetctl(fleetd, 'destroy', 'other.service')).code).toBe(0);
  });

  it('refuses a second fleetd on the same data directory, naming it', async () => {
    const fleetd = await standalone();
    const second = startFleetd({
      name: 'second',
      dir: join(fleetd.dir, 'second'),
      config: { dataDir: join(fleetd.dir, 'data'), machine: { id: 'standalone-2' }, agent: { enabled: false } },
    });
    await expect(second).rejects.toThrow(/exited with code 1 before it was ready[\s\S]*data directory \/tmp\/fleetd-\w+\/data is in use by fleetd pid \d+/);
  });

  it('reloads metadata on SIGHUP and says which changes need a restart', async () => {
    const fleetd = await standalone({ role: 'test' });
    const config = JSON.parse((await import('node:fs')).readFileSync(fleetd.configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      fleetd.configFile,
      JSON.stringify({ ...config, machine: { id: 'standalone-1', metadata: { role: 'changed', zone: 'a' } }, engine: { reconcileIntervalMs: 1000 } }),
    );
    fleetd.reload();
    await fleetd.waitForOutput(/configuration reloaded; these options change only on restart: engine\.reconcileIntervalMs/);
    await waitFor(async () => /role=changed/.test((await fleetctl(fleetd, 'list-machines', '--no-legend')).stdout), 'new metadata listed', 10_000);
    expect((await fleetctl(fleetd, 'list-machines', '--no-legend', '-l')).stdout).toMatch(/^standalone-1\s+-\s+role=changed,zone=a$/m);
  });

  it('regression: a second SIGHUP back to the start-up metadata applies it (each reload was compared with the start-up file)', async () => {
    const fleetd = await standalone({ role: 'test' });
    const original = (await import('node:fs')).readFileSync(fleetd.configFile, 'utf8');
    const config = JSON.parse(original) as { machine: Record<string, unknown> };
    writeFileSync(fleetd.configFile, JSON.stringify({ ...config, machine: { ...config.machine, metadata: { role: 'changed' } } }));
    fleetd.reload();
    await waitFor(async () => /role=changed/.test((await fleetctl(fleetd, 'list-machines', '--no-legend')).stdout), 'the changed metadata listed', 10_000);
    writeFileSync(fleetd.configFile, original);
    fleetd.reload();
    await waitFor(async () => /role=test/.test((await fleetctl(fleetd, 'list-machines', '--no-legend')).stdout), 'the start-up metadata listed again', 10_000);
  });

  it('exits with a clear message and no stack trace when the config is invalid', async () => {
    const dir = mkdtempSync('/tmp/fleetd-bad-');
    try {
      const bad = startFleetd({ name: 'bad', dir, config: { engine: { reconcileIntervalMs: -1 } } });
      const error = await bad.then(
        () => undefined,
        (failure: unknown) => failure as Error,
      );
      expect(error?.message).toMatch(/exited with code 1 before it was ready/);
      expect(error?.message).toMatch(/fleetd: invalid configuration in \/tmp\/fleetd-bad-\w+\/fleetd\.config\.json:\n\s+engine\.reconcileIntervalMs/);
      expect(error?.message).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
