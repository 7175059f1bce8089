/**
 * useEtcd(): one etcd cluster per test file (or describe block), started in
 * beforeAll and stopped in afterAll, whatever the tests did.
 */
import { afterAll, beforeAll } from 'vitest';
import { startEtcd, type EtcdCluster, type StartEtcdOptions } from '../local/harness.js';

/**
 * Registers beforeAll/afterAll hooks and returns a getter for the running
 * cluster. If etcd cannot start (or is not installed) every test of the
 * block fails with the reason.
 */
export function useEtcd(options: StartEtcdOptions = {}): () => EtcdCluster {
  let cluster: EtcdCluster | undefined;
  beforeAll(async () => {
    cluster = await startEtcd(options);
  });
  afterAll(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  return () => {
    if (cluster === undefined) throw new Error('useEtcd: etcd is not running (its beforeAll failed or has not run yet)');
    return cluster;
  };
}
