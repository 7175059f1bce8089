/**
 * useSystemd(n): n systemd user instances per test file (or describe block),
 * started in beforeAll and stopped in afterAll, whatever the tests did.
 */
import { afterAll, beforeAll } from 'vitest';
import { startSystemdInstance, type StartSystemdOptions, type SystemdInstance } from '../local/instance.js';

/**
 * Registers beforeAll/afterAll hooks and returns a getter for the running
 * instances (in start order). If systemd cannot start (or is not installed)
 * every test of the block fails with the reason; none is skipped.
 */
export function useSystemd(count = 1, options: Omit<StartSystemdOptions, 'name'> = {}): () => readonly SystemdInstance[] {
  let instances: SystemdInstance[] = [];
  beforeAll(async () => {
    const started = await Promise.allSettled(Array.from({ length: count }, () => startSystemdInstance(options)));
    instances = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    instances = [];
  });
  return () => {
    if (instances.length !== count) throw new Error('useSystemd: the instances are not running (their beforeAll failed or has not run yet)');
    return instances;
  };
}
