/**
 * Regression (chaos run): a fleetd restarted after kill -9 was refused with
 * "machine ID m1 is already announced" when the killed process had announced
 * its machine again under a new lease (its first one lost during a pause past
 * the TTL) while its data directory still named the first lease.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryDriver, memoryDriverPlugin, waitFor } from '@fleetd/core/testing';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { useEtcd } from '@fleetd/registry-etcd/vitest';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/index.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import type { Daemon } from '../../src/daemon/daemon.js';
import { readPresenceLease } from '../../src/daemon/presence-file.js';
import { createLogger } from '../../src/logging/logger.js';

const etcd = useEtcd();
const KEY_PREFIX = '/presence-restart-test/';
let dir: string;
const daemons: Daemon[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleetd-presence-restart-'));
});
afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.stop({ leave: true }).catch(() => undefined);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function startMember(): Promise<Daemon> {
  const config = await resolveConfig({
    config: {
      dataDir: join(dir, 'data'),
      etcd: { endpoints: [...etcd().endpoints], keyPrefix: KEY_PREFIX },
      machine: { id: 'm1' },
      agent: { ttlSeconds: 3 },
      engine: { enabled: false },
      api: { socket: join(dir, 'fleetd.sock') },
      plugins: [memoryDriverPlugin(memoryDriver())],
    },
  });
  const daemon = await startDaemon(config, { logger: createLogger('fatal') });
  daemons.push(daemon);
  return daemon;
}

it('regression: a fleetd restarted within the TTL takes its machine back after the presence was announced again under a new lease', async () => {
  const first = await startMember();
  const firstLease = first.agent?.presenceLease;
  expect(firstLease).toBeDefined();
  // What a pause past the TTL does: the lease is gone, and the agent announces the machine again.
  const admin = createEtcdRegistry(etcd().clientOptions);
  try {
    await admin.revokeLease(firstLease as string);
  } finally {
    await admin.close();
  }
  await waitFor(() => first.agent?.presenceLease !== undefined && first.agent.presenceLease !== firstLease, 'the machine announced under a new lease', 15_000);
  const secondLease = first.agent?.presenceLease as string;
  await waitFor(
    async () => (await readPresenceLease(join(dir, 'data'), 'm1', KEY_PREFIX)) === secondLease,
    'the new lease recorded in the data directory',
    5_000,
  );

  // A crash: the process goes without withdrawing, so the machine's key stays until the TTL.
  await first.stop({ leave: false });
  daemons.splice(daemons.indexOf(first), 1);
  const restarted = await startMember();
  expect(restarted.agent?.presenceLease).toBe(secondLease);
});
