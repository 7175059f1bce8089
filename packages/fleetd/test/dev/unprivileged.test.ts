/**
 * `fleetd dev` as a user who is not root: without a cgroup of their own it
 * says what is missing; inside a delegated cgroup (what `systemd-run --user
 * --scope -p Delegate=yes` gives a desktop user; made here by hand, as root,
 * for uid 65534) it runs a cluster like root's, and Ctrl-C leaves nothing.
 */
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEETCTL_BIN, FLEETD_BIN } from '../../src/dev/index.js';
import { leftovers, startDevSession } from './dev-session.js';
import type { DevCommand, DevSession } from './dev-session.js';
import { expectUnitRuns, HELLO_UNIT } from './scenario.js';

const USER = 65534; // nobody
const AS_USER = ['setpriv', `--reuid=${USER}`, `--regid=${USER}`, '--clear-groups'];
const HIERARCHIES = existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? ['/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd'] : ['/sys/fs/cgroup'];

function userDir(prefix: string): string {
  const dir = mkdtempSync(`/tmp/${prefix}`);
  chownSync(dir, USER, USER);
  return dir;
}

function asUser(command: readonly string[], home: string): string[] {
  return [...AS_USER, 'env', `HOME=${home}`, ...command];
}

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('these tests set up a user and a delegated cgroup for it: run them as root (as CI does)');
  // What a host booted with systemd has; only root can make it (the first test's subject).
  mkdirSync('/run/systemd/system', { recursive: true });
});

describe('fleetd dev as uid 65534', () => {
  it('without a delegated cgroup says what is missing and how to get it', async () => {
    const home = userDir('fleetd-dev-user-');
    try {
      const [program, ...args] = asUser([process.execPath, FLEETD_BIN, 'dev', '--dir', join(home, 'cluster')], home) as [string, ...string[]];
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(program, args, { cwd: home, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(result).toEqual({
        code: 1,
        stderr:
          `fleetd dev: systemd user instances need a cgroup of their own, and cgroup ${HIERARCHIES[0]} is not delegated to uid ${USER}. ` +
          'Run as root, or inside a delegated scope of your own systemd: systemd-run --user --scope -p Delegate=yes <command>\n',
      });
      expect(existsSync(join(home, 'cluster'))).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  describe('inside a cgroup delegated to it', () => {
    const home = userDir('fleetd-dev-user-');
    const dir = join(home, 'cluster');
    const delegated = HIERARCHIES.map((hierarchy) => join(hierarchy, `fleetd-test-delegated-${process.pid}`));
    let session: DevSession | undefined;

    beforeAll(async () => {
      for (const cgroup of delegated) {
        mkdirSync(cgroup);
        for (const file of ['', 'cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads', 'tasks']) {
          if (existsSync(join(cgroup, file))) chownSync(join(cgroup, file), USER, USER);
        }
      }
      writeFileSync(join(home, 'hello.service'), HELLO_UNIT);
      // The shell joins the delegated cgroups as root, then becomes the user: what systemd-run does for a scope.
      const join_ = delegated.map((cgroup) => `echo $$ > ${cgroup}/cgroup.procs`).join(' && ');
      const command: DevCommand = {
        fleetctl: asUser([process.execPath, FLEETCTL_BIN], home),
        systemctl: asUser(['systemctl'], home),
        cwd: home,
      };
      const fleetdDev = [
        '/bin/sh',
        '-c',
        `${join_} && exec "$@"`,
        'sh',
        ...asUser([process.execPath, FLEETD_BIN, 'dev', '--machines', '2', '--dir', dir], home),
      ];
      session = await startDevSession(command, fleetdDev, dir);
    });

    afterAll(() => {
      session?.kill();
      rmSync(home, { recursive: true, force: true });
      for (const cgroup of delegated) {
        try {
          rmdirSync(cgroup);
        } catch {
          // still busy if the test failed half-way; the cluster's watchdogs empty it
        }
      }
    });

    it('runs a unit started by that user in that user’s instances, and Ctrl-C leaves nothing behind', async () => {
      await expectUnitRuns(session!, { FLEETCTL_ENDPOINT: session!.endpoint });
      const footprint = session!.footprint();
      expect(footprint.cgroups.length).toBeGreaterThanOrEqual(2);
      expect(footprint.cgroups.every((cgroup) => delegated.some((parent) => cgroup.startsWith(`${parent}/`)))).toBe(true);
      expect(await session!.interrupt()).toBe(0);
      expect(leftovers(footprint)).toEqual({ pids: [], cgroups: [], dir: false, mentioning: [] });
    });
  });
});
