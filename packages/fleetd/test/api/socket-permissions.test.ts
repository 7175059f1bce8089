/**
 * Issue 15, item 7: under a permissive umask the socket's directory was
 * created 0777 and the socket was 0777 for a moment before its chmod. The
 * directory fleetd creates is now 0700 (0750 with a group) whatever the
 * umask, and the socket is born 0600 (bound under umask 0177) before it is
 * opened up to its configured mode. Run with umask 000, the worst case.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assemblePlugins, createMemoryRegistry } from '@fleetd/core';
import { fleetPreset } from '@fleetd/preset-fleet';
import { startApiServer } from '../../src/api/index.js';
import type { ApiServer, ApiSocketOptions } from '../../src/api/index.js';
import { listenRestricted } from '../../src/api/socket.js';
import { createFleetService } from '../../src/service/index.js';
import { send } from './harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
let umask: number;
beforeEach(() => {
  umask = process.umask(0o000);
});
afterEach(async () => {
  process.umask(umask);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetd-socket-mode-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(socket: ApiSocketOptions): Promise<ApiServer> {
  const registry = createMemoryRegistry();
  cleanups.push(() => registry.close());
  const service = createFleetService({
    registry,
    host: await assemblePlugins(fleetPreset()),
    mode: 'standalone',
    machineId: 'm1',
    version: 't',
    agentEnabled: false,
  });
  const server = await startApiServer({ service, pageSize: 100, bodyLimitBytes: 1024, socket });
  cleanups.push(() => server.close());
  return server;
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('the socket under umask 000', () => {
  it('regression: the directories fleetd creates are 0700, the socket ends at its configured mode', async () => {
    const root = await tempDir();
    const path = join(root, 'run', 'fleetd', 'fleetd.sock');
    await serve({ path, mode: 0o660 });
    expect(await modeOf(join(root, 'run'))).toBe(0o700);
    expect(await modeOf(join(root, 'run', 'fleetd'))).toBe(0o700);
    expect(await modeOf(path)).toBe(0o660);
    expect((await send({ socketPath: path }, 'GET', '/health')).status).toBe(200);
  });

  it('regression: with a group, the directory is 0750 and owned by that group, so its members can reach the socket', async () => {
    const path = join(await tempDir(), 'run', 'fleetd.sock');
    await serve({ path, mode: 0o660, group: 1 });
    const dir = await stat(join(path, '..'));
    expect(dir.mode & 0o777).toBe(0o750);
    expect(dir.gid).toBe(1);
    expect((await stat(path)).gid).toBe(1);
  });

  it('leaves a directory that already exists as it is (it may be shared, like /run)', async () => {
    const dir = join(await tempDir(), 'shared');
    await mkdir(dir, { mode: 0o755 });
    const path = join(dir, 'fleetd.sock');
    await serve({ path, mode: 0o600 });
    expect(await modeOf(dir)).toBe(0o755);
    expect(await modeOf(path)).toBe(0o600);
  });

  it('regression: the socket is 0600 the moment it is bound, before any chmod', async () => {
    const path = join(await tempDir(), 'bound.sock');
    const server = createServer();
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const bornWith = await listenRestricted(server, async () => {
      server.listen(path);
      // listen binds synchronously: the file exists now, with the mode it was born with.
      return statSync(path).mode & 0o777;
    });
    expect(bornWith).toBe(0o600);
    // The process umask is back to what it was.
    expect(process.umask(0o000)).toBe(0o000);
  });

  it('the same bind without the restricted umask would be 0777 (what the regression test guards against)', async () => {
    const path = join(await tempDir(), 'open.sock');
    const server = createServer();
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    server.listen(path);
    expect(statSync(path).mode & 0o777).toBe(0o777);
  });
});
