import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { FleetError } from '@fleetd/core';

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'config');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Searches stop at this directory instead of /etc/fleetd, so the host's config never leaks in. */
export const NO_SYSTEM_DIR = join(FIXTURES, 'does-not-exist');

/** The FleetError `run` throws; fails the test when it throws nothing or something else. */
export async function fleetError(run: () => unknown): Promise<FleetError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error('expected a FleetError, but nothing was thrown');
}

/** A copy of a fixture in a temp dir, with `_node_modules` renamed (git ignores node_modules/). */
export async function fixtureCopy(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `fleetd-config-${name}-`));
  tempDirs.push(dir);
  await cp(fixture(name), dir, { recursive: true });
  await rename(join(dir, '_node_modules'), join(dir, 'node_modules')).catch(() => undefined);
  return dir;
}

export async function emptyDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetd-config-empty-'));
  tempDirs.push(dir);
  return dir;
}
