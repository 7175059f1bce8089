/**
 * The demo's cluster: three machines with readable names and metadata that
 * the example units use, started by fleetd's own local-cluster harness (the
 * one `fleetd dev` runs), from the built package.
 */
import { startLocalCluster } from 'fleetd/dev';
import type { LocalCluster, LocalClusterOptions, MachineSpec } from 'fleetd/dev';

export const DEMO_MACHINES: readonly MachineSpec[] = [
  { id: 'alpha', metadata: { zone: 'a', disk: 'ssd' }, publicIP: '10.0.0.1' },
  { id: 'bravo', metadata: { zone: 'b', disk: 'ssd' }, publicIP: '10.0.0.2' },
  { id: 'charlie', metadata: { zone: 'c', disk: 'hdd' }, publicIP: '10.0.0.3' },
];

/** startLocalCluster with the demo's machines unless others are given, always on etcd. */
export function startDemoCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  return startLocalCluster({ machines: DEMO_MACHINES, store: 'etcd', ...options });
}
