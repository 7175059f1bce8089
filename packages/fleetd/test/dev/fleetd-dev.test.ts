/**
 * `fleetd dev --machines 3` from this checkout's build, as a person uses it:
 * up in one terminal, fleetctl in another, a unit that really runs in
 * systemd, and Ctrl-C leaving no process, cgroup or file behind.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEETCTL_BIN, FLEETD_BIN } from '../../src/dev/index.js';
import { leftovers, startDevSession } from './dev-session.js';
import type { DevCommand, DevSession, Footprint } from './dev-session.js';
import { expectUnitRuns, HELLO_UNIT } from './scenario.js';

describe('fleetd dev --machines 3 (from the checkout)', () => {
  const work = mkdtempSync('/tmp/fleetd-dev-test-');
  const dir = join(work, 'cluster');
  const command: DevCommand = { fleetctl: [process.execPath, FLEETCTL_BIN], cwd: work };
  let session: DevSession | undefined;
  let footprint: Footprint | undefined;

  beforeAll(async () => {
    writeFileSync(join(work, 'hello.service'), HELLO_UNIT);
    const args = ['--machines', '3', '--metadata', 'zone=a', '--metadata', 'bravo:zone=b,disk=ssd', '--dir', dir];
    session = await startDevSession(command, [process.execPath, FLEETD_BIN, 'dev', ...args], dir);
  });

  afterAll(() => {
    session?.kill();
    rmSync(work, { recursive: true, force: true });
  });

  it('prints the endpoint to export, inside --dir', () => {
    expect(session?.endpoint).toBe(join(dir, 'fleetd.sock'));
    expect(session?.output()).toContain(`export FLEETCTL_ENDPOINT=${join(dir, 'fleetd.sock')}`);
  });

  it('fleetctl list-machines shows the three machines with their metadata', async () => {
    const listed = await session!.fleetctl(['list-machines', '--no-legend', '--fields', 'machine,metadata', '--full'], {
      FLEETCTL_ENDPOINT: session!.endpoint,
    });
    expect(listed.stderr).toBe('');
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/)),
    ).toEqual([
      ['alpha', 'zone=a'],
      ['bravo', 'disk=ssd,zone=b'],
      ['charlie', 'zone=a'],
    ]);
  });

  it('a unit started with fleetctl runs in the systemd of the machine it was placed on', async () => {
    await expectUnitRuns(session!, { FLEETCTL_ENDPOINT: session!.endpoint });
    footprint = session!.footprint();
    // etcd, three systemd managers (and their dbus), three fleetds, the unit.
    expect(footprint.pids.length).toBeGreaterThanOrEqual(8);
    expect(footprint.cgroups.length).toBeGreaterThanOrEqual(3);
  });

  it('Ctrl-C stops it and leaves no process, cgroup or file behind', async () => {
    expect(footprint).toBeDefined();
    expect(await session!.interrupt()).toBe(0);
    expect(session!.output()).toContain('Stopped; nothing is left behind.');
    expect(leftovers(footprint!)).toEqual({ pids: [], cgroups: [], dir: false, mentioning: [] });
  });
});
