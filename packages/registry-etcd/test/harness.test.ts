/**
 * The test harness itself: members that stop and start, the leader, the
 * missing-binary error, and that nothing (process or directory) is left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '@fleetd/core/processes';
import { ETCD_INSTALL_COMMAND, findEtcd, startEtcd, type EtcdCluster } from '../src/testing/index.js';
import { waitFor } from './helpers.js';

/** Live processes whose command line mentions `text` (e.g. a cluster's directory). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) && isAlive(pid);
      } catch {
        return false;
      }
    });
}

async function expectNothingLeft(dir: string, pids: readonly number[], timeoutMs: number): Promise<void> {
  await waitFor(() => !existsSync(dir) && pids.every((pid) => !isAlive(pid)) && processesMentioning(dir).length === 0, `nothing left of ${dir}`, timeoutMs);
}

describe('startEtcd', () => {
  const started: EtcdCluster[] = [];
  afterAll(async () => {
    for (const cluster of started) await cluster.stop();
  });

  it('stop() kills every member and removes the directory', async () => {
    const cluster = await startEtcd({ members: 3 });
    started.push(cluster);
    const pids = cluster.members.map((m) => m.pid!);
    expect(pids.every(isAlive)).toBe(true);
    expect(processesMentioning(cluster.dir).length).toBeGreaterThanOrEqual(3);
    await cluster.stop();
    await expectNothingLeft(cluster.dir, pids, 100);
    await cluster.stop(); // idempotent
  });

  it('members stop, start again on their data and get killed; leader() follows', async () => {
    const cluster = await startEtcd({ members: 3 });
    started.push(cluster);
    const leader = await cluster.leader();
    expect(leader.isRunning).toBe(true);
    await leader.stop();
    expect(leader.isRunning).toBe(false);
    const next = await cluster.leader();
    expect(next).not.toBe(leader);
    await leader.start();
    expect(leader.isRunning).toBe(true);
    const follower = cluster.members.find((m) => m !== next)!;
    await follower.kill();
    expect(follower.isRunning).toBe(false);
    expect(follower.pid).toBeUndefined();
    expect(cluster.members.filter((m) => m.isRunning)).toHaveLength(2);
    await cluster.stop();
  });

  it.each<{ name: string; run: () => Promise<unknown> }>([
    { name: 'a binary that does not exist', run: () => startEtcd({ binary: '/nonexistent/etcd' }) },
    {
      name: 'no etcd on PATH',
      run: async () => {
        const path = process.env['PATH'];
        process.env['PATH'] = '/nonexistent';
        try {
          return findEtcd();
        } finally {
          process.env['PATH'] = path;
        }
      },
    },
  ])('fails with the install command when given $name', async ({ run }) => {
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`Install it with: ${ETCD_INSTALL_COMMAND}`);
  });

  it('fails with etcd’s own last words when a member cannot start', async () => {
    // An etcd that rejects its flags: the error carries its stderr.
    const error = await startEtcd({ binary: '/bin/false' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/exited during start-up/);
  });
});

describe('cleanup when the test process dies', () => {
  const fixture = fileURLToPath(new URL('./fixtures/hold-etcd.ts', import.meta.url));

  it.each([
    { signal: 'SIGTERM' as const, within: 2000 },
    { signal: 'SIGINT' as const, within: 2000 },
    // No handler runs on SIGKILL: the watchdog cleans up within about a second.
    { signal: 'SIGKILL' as const, within: 5000 },
  ])('on $signal the members die and the directory goes', async ({ signal, within }) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`the fixture exited (${String(code)}) before starting etcd`)));
    });
    const { dir, pids } = JSON.parse(line) as { dir: string; pids: number[] };
    expect(existsSync(dir)).toBe(true);
    expect(pids.every(isAlive)).toBe(true);
    child.kill(signal);
    await new Promise((resolve) => child.once('exit', resolve));
    await expectNothingLeft(dir, pids, within);
    expect(existsSync(join(dir, 'm0.pid'))).toBe(false);
  });
});
