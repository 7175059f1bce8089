/**
 * The test harness itself: an instance runs, answers on its own bus, and
 * leaves nothing behind (processes, cgroups, files) when stopped, when the
 * test process is interrupted, or when it is killed outright.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SystemdManager } from '../src/index.js';
import { startSystemdInstance, SYSTEMD_INSTALL_COMMAND } from '../src/testing/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { isAlive, waitFor } from './helpers.js';
import { cgroupLimitFiles, expectedLimitFiles } from './limits.js';

/** Every place an instance's cgroup may be: v2, hybrid (unified + name=systemd), and the v1 controllers its units' limits use. */
const cgroupDirs = (name: string): string[] =>
  ['unified', 'systemd', '', 'memory', 'cpu', 'cpuacct'].map((hierarchy) => join('/sys/fs/cgroup', hierarchy, `fleet-${name}`));

async function expectNothingLeft(dir: string, name: string, pids: readonly number[], within: number): Promise<void> {
  await waitFor(() => !existsSync(dir), `${dir} to be removed`, within);
  await waitFor(() => pids.every((pid) => !isAlive(pid)), `pids ${pids.join(' ')} to die`, within);
  await waitFor(() => cgroupDirs(name).every((cg) => !existsSync(cg)), `cgroups fleet-${name} to be removed`, within);
}

describe('an instance', () => {
  const systemd = useSystemd(1);

  it('is running, with a private runtime dir (0700), its own bus, and its own cgroup', async () => {
    const instance = systemd()[0]!;
    expect(statSync(instance.runtimeDir).mode & 0o777).toBe(0o700);
    expect(instance.busAddress).toBe(`unix:path=${instance.runtimeDir}/bus`);
    expect((await instance.systemctl(['is-system-running'])).stdout.trim()).toMatch(/^(running|degraded)$/);
    expect(readFileSync(`/proc/${instance.pid}/cgroup`, 'utf8')).toContain(`/fleet-${instance.name}`);
    expect(readFileSync(`/proc/${instance.pid}/cmdline`, 'utf8').split('\0')).toContain('--user');
    const manager = await SystemdManager.connect(instance.busAddress, 5000);
    try {
      expect(await manager.getUnit('init.scope')).toBe('/org/freedesktop/systemd1/unit/init_2escope');
    } finally {
      manager.close();
    }
  });

  it("regression: a unit's MemoryMax= and CPUQuota= reach its cgroup (instances on a hybrid host had no memory or cpu controller)", async () => {
    const instance = systemd()[0]!;
    const units = join(instance.home, '.config', 'systemd', 'user');
    mkdirSync(units, { recursive: true });
    writeFileSync(join(units, 'limited.service'), '[Service]\nExecStart=/bin/sleep infinity\nMemoryMax=32M\nCPUQuota=20%\n');
    expect((await instance.systemctl(['daemon-reload'])).code).toBe(0);
    expect((await instance.systemctl(['start', 'limited.service'])).code).toBe(0);
    const controlGroup = (await instance.systemctl(['show', '-p', 'ControlGroup', '--value', 'limited.service'])).stdout.trim();
    expect(controlGroup).toBe(`/fleet-${instance.name}/app.slice/limited.service`);
    expect(cgroupLimitFiles(controlGroup)).toEqual(expectedLimitFiles(32 * 1024 * 1024, 20));
    expect((await instance.systemctl(['stop', 'limited.service'])).code).toBe(0);
  });

  it('stop() ends the manager and its units, and removes its cgroups and directory', async () => {
    const instance = await startSystemdInstance({ name: `named-${process.pid}` });
    expect(instance.name).toBe(`named-${process.pid}`);
    expect((await instance.systemctl(['start', 'dbus.service'])).code).toBe(0);
    const pids = instance.pids();
    expect(pids.length).toBeGreaterThanOrEqual(2); // the manager and its dbus-daemon
    await instance.stop();
    await expectNothingLeft(instance.dir, instance.name, pids, 1000);
    await instance.stop(); // idempotent
  });

  it('refuses a name whose cgroup is in use by a running instance', async () => {
    const name = systemd()[0]!.name;
    await expect(startSystemdInstance({ name })).rejects.toThrow(/cgroup fleet-.* is in use/);
  });

  it('a missing systemd binary fails with the install command', async () => {
    const error = await startSystemdInstance({ binary: '/nonexistent/systemd' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('systemd is not installed');
    expect((error as Error).message).toContain(SYSTEMD_INSTALL_COMMAND);
    expect(SYSTEMD_INSTALL_COMMAND).toContain('apt-get install -y systemd');
  });

  it('a manager that dies at start-up fails with its last log lines', async () => {
    const error = await startSystemdInstance({ binary: '/bin/false' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/exited during start-up/);
  });
});

describe('restart(): a crash of the manager and a new start', () => {
  it.each([
    { name: 'the runtime directory kept: runtime links survive', emptyRuntimeDir: false },
    { name: 'an empty runtime directory: runtime links are gone, the units directory stays', emptyRuntimeDir: true },
  ])('$name', async ({ emptyRuntimeDir }) => {
    const instance = await startSystemdInstance();
    try {
      writeFileSync(join(instance.unitsDirectory, 'kept.service'), '[Service]\nExecStart=/bin/sleep 1000\n');
      expect((await instance.systemctl(['link', '--runtime', join(instance.unitsDirectory, 'kept.service')])).code).toBe(0);
      expect((await instance.systemctl(['start', 'kept.service'])).code).toBe(0);
      const before = instance.pids();
      const oldManager = instance.pid;

      await instance.restart({ emptyRuntimeDir });

      expect(instance.pid).not.toBe(oldManager);
      expect(before.some(isAlive)).toBe(false); // the old manager and its units were killed, not stopped
      expect((await instance.systemctl(['is-system-running'])).stdout.trim()).toMatch(/^(running|degraded)$/);
      expect(existsSync(join(instance.unitsDirectory, 'kept.service'))).toBe(true);
      const load = (await instance.systemctl(['show', '-p', 'LoadState', '--value', 'kept.service'])).stdout.trim();
      expect(load).toBe(emptyRuntimeDir ? 'not-found' : 'loaded');
      expect(existsSync(join(instance.runtimeDir, 'systemd', 'user', 'kept.service'))).toBe(!emptyRuntimeDir);
    } finally {
      await instance.stop();
    }
  });

  it('is refused once the instance was stopped', async () => {
    const instance = await startSystemdInstance();
    await instance.stop();
    await expect(instance.restart()).rejects.toThrow(/was stopped: it cannot be restarted/);
  });
});

describe('cleanup when the test process dies', () => {
  const fixture = fileURLToPath(new URL('./fixtures/hold-systemd.ts', import.meta.url));

  it.each([
    { signal: 'SIGTERM' as const, within: 3000 },
    { signal: 'SIGINT' as const, within: 3000 },
    // No handler runs on SIGKILL: the watchdog cleans up within a couple of seconds.
    { signal: 'SIGKILL' as const, within: 6000 },
  ])('on $signal the manager and its units die, the cgroups and the directory go', async ({ signal, within }) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await killAndCheck(child, signal, within);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

/** Waits for the fixture's report, kills it with `signal`, and checks nothing is left. */
async function killAndCheck(child: ChildProcessByStdio<null, Readable, null>, signal: NodeJS.Signals, within: number): Promise<void> {
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the fixture exited (${String(code)}) before starting systemd`)));
  });
  const { dir, name, pids } = JSON.parse(line) as { dir: string; name: string; pids: number[] };
  expect(pids.length).toBeGreaterThanOrEqual(2); // the manager and the unit (dbus-daemon only once a client used the bus)
  expect(pids.every(isAlive)).toBe(true);
  child.kill(signal);
  await new Promise((resolve) => child.once('exit', resolve));
  await expectNothingLeft(dir, name, pids, within);
}
