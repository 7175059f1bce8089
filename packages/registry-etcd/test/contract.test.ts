/**
 * The registry contract from @fleetd/core, against one real etcd member:
 * one etcd for the file, a fresh registry client for every test.
 */
import { describeRegistryContract } from '@fleetd/core/vitest';
import { createEtcdRegistry } from '../src/index.js';
import { useEtcd } from '../src/vitest/index.js';

const etcd = useEtcd();

describeRegistryContract('etcd registry', async () => ({ registry: createEtcdRegistry(etcd().clientOptions) }), {
  // etcd 3.4's minimum lease TTL with default timings.
  leaseTtlSeconds: 2,
});
