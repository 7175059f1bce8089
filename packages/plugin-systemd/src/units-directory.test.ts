import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes } from '@fleetd/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSystemdDriver } from './driver.js';
import { unsafeDirectoryProblem } from './units-directory.js';

const directory = (mode: number, uid = 0, isDirectory = true) => ({ mode: (isDirectory ? 0o040000 : 0o100000) | mode, uid, isDirectory: () => isDirectory });
const CONSEQUENCE = 'whoever can write it can replace the unit files fleetd runs';

describe('unsafeDirectoryProblem', () => {
  it.each([
    { name: 'the default 0755 of its owner', info: directory(0o755), uid: 0, problem: undefined },
    { name: 'a private 0700', info: directory(0o700, 1000), uid: 1000, problem: undefined },
    { name: 'no uids on this platform', info: directory(0o755, 1000), uid: undefined, problem: undefined },
    { name: 'a file', info: directory(0o644, 0, false), uid: 0, problem: 'is not a directory' },
    { name: 'writable by others', info: directory(0o777), uid: 0, problem: `is writable by others (mode 0777): ${CONSEQUENCE}; chmod go-w it` },
    { name: 'writable by its group', info: directory(0o775), uid: 0, problem: `is writable by its group (mode 0775): ${CONSEQUENCE}; chmod go-w it` },
    { name: "another user's", info: directory(0o755, 1000), uid: 0, problem: `belongs to uid 1000, not to fleetd's uid 0: ${CONSEQUENCE}; chown it` },
  ])('$name', ({ info, uid, problem }) => {
    expect(unsafeDirectoryProblem(info, uid)).toBe(problem);
  });
});

describe('regression: a units directory others can write is refused before systemd is asked anything', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a 0777 directory naming it, its mode and the fix', async () => {
    const base = mkdtempSync(join(tmpdir(), 'fleetd-units-dir-'));
    made.push(base);
    const units = join(base, 'units');
    mkdirSync(units);
    chmodSync(units, 0o777);
    // No bus at this address: the refusal must come first.
    const driver = createSystemdDriver({ unitsDirectory: units, busAddress: `unix:path=${join(base, 'no-bus')}` });
    await expect(driver).rejects.toMatchObject({
      code: ErrorCodes.PLUGIN_ERROR,
      plugin: 'systemd',
      message: `systemd: unitsDirectory ${units} is writable by others (mode 0777): ${CONSEQUENCE}; chmod go-w it`,
    });
    expect(statSync(units).mode & 0o777).toBe(0o777);
  });

  it('creates a missing directory 0755 whatever the umask', async () => {
    const base = mkdtempSync(join(tmpdir(), 'fleetd-units-dir-'));
    made.push(base);
    const units = join(base, 'units');
    const previous = process.umask(0);
    try {
      await createSystemdDriver({ unitsDirectory: units, busAddress: `unix:path=${join(base, 'no-bus')}` }).catch(() => undefined);
    } finally {
      process.umask(previous);
    }
    expect(statSync(units).mode & 0o777).toBe(0o755);
  });
});
