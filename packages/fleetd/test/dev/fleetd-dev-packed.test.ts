/**
 * `fleetd dev --machines 3` from the packed tarballs installed in an empty
 * directory: what a person gets from npm, with no workspace to lean on.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftovers, startDevSession } from './dev-session.js';
import type { DevSession } from './dev-session.js';
import { installTarballs, packPublished } from './packed.js';
import { expectUnitRuns, HELLO_UNIT } from './scenario.js';

describe('fleetd dev --machines 3 (from the packed tarballs)', () => {
  const work = mkdtempSync('/tmp/fleetd-dev-packed-');
  const app = join(work, 'app');
  const dir = join(work, 'cluster');
  let session: DevSession | undefined;

  beforeAll(async () => {
    mkdirSync(join(work, 'tarballs'));
    mkdirSync(app);
    await installTarballs(app, await packPublished(join(work, 'tarballs')));
    writeFileSync(join(app, 'hello.service'), HELLO_UNIT);
    const bin = join(app, 'node_modules', '.bin');
    session = await startDevSession({ fleetctl: [join(bin, 'fleetctl')], cwd: app }, [join(bin, 'fleetd'), 'dev', '--machines', '3', '--dir', dir], dir);
  }, 300_000);

  afterAll(() => {
    session?.kill();
    rmSync(work, { recursive: true, force: true });
  });

  it('comes up with three machines, runs a unit in systemd, and Ctrl-C leaves nothing behind', async () => {
    const env = { FLEETCTL_ENDPOINT: session!.endpoint };
    const machines = await session!.fleetctl(['list-machines', '--no-legend', '--fields', 'machine'], env);
    expect(machines.stdout.trim().split('\n')).toEqual(['alpha', 'bravo', 'charlie']);
    await expectUnitRuns(session!, env);
    const footprint = session!.footprint();
    expect(await session!.interrupt()).toBe(0);
    expect(leftovers(footprint)).toEqual({ pids: [], cgroups: [], dir: false, mentioning: [] });
  });
});
