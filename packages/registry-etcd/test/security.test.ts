/**
 * TLS with client certificates, and etcd's user/password auth.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, type Registry } from '@fleetd/core';
import { createEtcdRegistry, type EtcdRegistryOptions } from '../src/index.js';
import type { EtcdCluster } from '../src/testing/index.js';
import { useEtcd } from '../src/vitest/index.js';
import { collect, expectFleetError, timed, waitFor } from './helpers.js';

/** put, get and a watch event through `registry`. */
async function roundTrip(registry: Registry): Promise<void> {
  const p = `/fleetd-security/${randomUUID()}/`;
  const watch = await collect(registry, p, (await registry.list(p)).revision + 1);
  const { revision } = await registry.put(`${p}a`, 'v');
  expect((await registry.get(`${p}a`))?.value).toBe('v');
  await waitFor(() => watch.revisions().includes(revision), 'the watch event');
  await watch.watcher.close();
  await registry.deletePrefix(p);
}

async function expectUnavailable(options: EtcdRegistryOptions, message: RegExp): Promise<void> {
  const registry = createEtcdRegistry({ requestTimeoutMs: 500, dialTimeoutMs: 500, ...options });
  try {
    const error = await expectFleetError(registry.get('/a'), ErrorCodes.REGISTRY_UNAVAILABLE);
    expect(error.message).toMatch(message);
    expect(error.cause).toBeDefined();
    const watch = await timed(registry.watch('/', { fromRevision: 1, onEvents: () => undefined, onError: () => undefined }));
    expect(watch.error).toMatchObject({ name: 'FleetError', code: ErrorCodes.REGISTRY_UNAVAILABLE });
  } finally {
    await registry.close();
  }
}

describe('TLS with client certificates', () => {
  const etcd = useEtcd({ tls: true });

  it.each<{ name: string; options: (c: EtcdCluster) => EtcdRegistryOptions }>([
    { name: 'PEM contents', options: (c) => c.clientOptions },
    { name: 'file paths', options: (c) => ({ endpoints: c.endpoints, tls: c.tlsFiles! }) },
  ])('connects with the client certificate given as $name', async ({ options }) => {
    const registry = createEtcdRegistry(options(etcd()));
    await roundTrip(registry);
    await registry.close();
  });

  it.each<{ name: string; options: (c: EtcdCluster) => EtcdRegistryOptions }>([
    { name: 'without a client certificate', options: (c) => ({ endpoints: c.endpoints, tls: { caFile: c.tlsFiles!.caFile } }) },
    { name: 'without the CA (the system’s roots do not know it)', options: (c) => ({ endpoints: c.endpoints }) },
    { name: 'over plain http', options: (c) => ({ endpoints: c.endpoints.map((e) => e.replace('https:', 'http:')) }) },
  ])('fails $name with REGISTRY_UNAVAILABLE', async ({ options }) => {
    await expectUnavailable(options(etcd()), /etcd is unavailable|no answer within/);
  });
});

describe('user and password auth', () => {
  const etcd = useEtcd({ auth: { username: 'root', password: 'fleetd-secret' } });

  it('works with the right password', async () => {
    const registry = createEtcdRegistry(etcd().clientOptions);
    await roundTrip(registry);
    await registry.close();
  });

  it('a watch and lease keep-alives carry on after a restart, which forgets every auth token', async () => {
    const registry = createEtcdRegistry(etcd().clientOptions);
    const p = `/fleetd-security/${randomUUID()}/`;
    const from = (await registry.list(p)).revision + 1;
    const watch = await collect(registry, p, from);
    const lease = await registry.grantLease(60);
    await registry.put(`${p}a`, '1', { lease });
    await etcd().members[0]!.stop();
    await etcd().members[0]!.start();
    await waitFor(async () => (await timed(registry.keepAlive(lease))).error === undefined, 'keepAlive to work again', 5000, 100);
    const { revision } = await registry.put(`${p}a`, '2', { lease });
    await waitFor(() => watch.revisions().includes(revision) || watch.errors.length > 0, 'the watch to resume', 5000);
    expect(watch.errors).toEqual([]);
    expect(watch.revisions()).toContain(revision);
    await watch.watcher.close();
    await registry.revokeLease(lease);
    await registry.close();
  });

  it.each<{ name: string; auth: EtcdRegistryOptions['auth']; message: RegExp }>([
    { name: 'a wrong password', auth: { username: 'root', password: 'wrong' }, message: /rejected the user name or password/ },
    { name: 'an unknown user', auth: { username: 'nobody', password: 'x' }, message: /rejected the user name or password/ },
    { name: 'no credentials', auth: undefined, message: /user name is empty|permission denied/ },
  ])('fails with $name with a REGISTRY_UNAVAILABLE that says why', async ({ auth, message }) => {
    const { auth: _ignored, ...rest } = etcd().clientOptions;
    await expectUnavailable(auth === undefined ? rest : { ...rest, auth }, message);
  });
});

describe('TLS and auth together', () => {
  const etcd = useEtcd({ tls: true, auth: { username: 'fleetd', password: 'both' } });

  it('works with client certificates and a non-root user', async () => {
    expect(etcd().clientOptions.auth).toEqual({ username: 'fleetd', password: 'both' });
    const registry = createEtcdRegistry(etcd().clientOptions);
    await roundTrip(registry);
    await registry.close();
  });
});
