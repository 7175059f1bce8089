/**
 * The testing kit's TCP proxy: a client talking to a real etcd through it is
 * cut off (blackholed or refused) and let back, while etcd and its other
 * clients carry on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, isFleetError } from '@fleetd/core';
import { createEtcdRegistry } from '../src/index.js';
import { startTcpProxy, type TcpProxy } from '../src/testing/index.js';
import { useEtcd } from '../src/vitest/index.js';
import { waitFor } from './helpers.js';

const etcd = useEtcd();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function throughProxy(): Promise<{ proxy: TcpProxy; registry: ReturnType<typeof createEtcdRegistry> }> {
  const proxy = await startTcpProxy(etcd().endpoints[0] as string);
  const registry = createEtcdRegistry({ endpoints: [proxy.endpoint], requestTimeoutMs: 500 });
  closers.push(
    () => proxy.close(),
    () => registry.close(),
  );
  return { proxy, registry };
}

describe('startTcpProxy', () => {
  it.each([{ mode: 'blackhole' as const }, { mode: 'refuse' as const }])(
    '$mode: calls through the proxy fail while etcd stays reachable directly, and work again after restore',
    async ({ mode }) => {
      const { proxy, registry } = await throughProxy();
      const direct = createEtcdRegistry({ endpoints: [...etcd().endpoints] });
      closers.push(() => direct.close());
      await registry.put(`/proxy-test/${mode}`, 'before');
      proxy.cut(mode);
      expect(proxy.isCut).toBe(true);
      const failure = await registry.get(`/proxy-test/${mode}`).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isFleetError(failure, ErrorCodes.REGISTRY_UNAVAILABLE)).toBe(true);
      await direct.put(`/proxy-test/${mode}`, 'during');
      proxy.restore();
      await waitFor(async () => (await registry.get(`/proxy-test/${mode}`))?.value === 'during', 'the proxied client reading again');
    },
  );

  it('refuses a target without a port, naming it', async () => {
    await expect(startTcpProxy('http://127.0.0.1')).rejects.toThrow(
      'startTcpProxy: "http://127.0.0.1" is not an endpoint with a port, like http://127.0.0.1:2379',
    );
  });
});
