import type { Machine } from '@fleetd/core';

/** Five machines in two regions, one of them with SSDs. */
export const demoMachines: readonly Machine[] = [
  { id: 'a1f3c6e2b7d84c0e9f1a2b3c4d5e6f70', metadata: { region: 'us-east-1', disk: 'ssd' } },
  { id: 'b2e4d7f3c8e95d1fa02b3c4d5e6f7081', metadata: { region: 'us-east-1', disk: 'hdd' } },
  { id: 'c3f5e8a4d9fa6e20b13c4d5e6f708192', metadata: { region: 'us-west-2', disk: 'hdd' } },
  { id: 'd4a6f9b5eaab7f31c24d5e6f708192a3', metadata: { region: 'us-west-2', disk: 'hdd' } },
  { id: 'e5b7a0c6fbbc8042d35e6f708192a3b4', metadata: { region: 'us-west-2', disk: 'hdd' } },
];

const service = (command: string, xfleet: readonly string[] = []): string =>
  [`[Unit]`, `Description=${command}`, ``, `[Service]`, `ExecStart=/usr/bin/${command}`, ...(xfleet.length ? ['', '[X-Fleet]', ...xfleet] : [])].join('\n') +
  '\n';

/** Web servers that avoid each other, a database that needs an SSD, and two units that cannot be placed. */
export const demoUnits: Readonly<Record<string, string>> = {
  'db.service': service('postgres', ['MachineMetadata=disk=ssd']),
  'cache.service': service('redis'),
  'web@1.service': service('nginx', ['MachineMetadata=region=us-west-2', 'Conflicts=web@2.service', 'Conflicts=web@3.service']),
  'web@2.service': service('nginx', ['MachineMetadata=region=us-west-2', 'Conflicts=web@3.service', 'Conflicts=web@4.service']),
  'web@3.service': service('nginx', ['MachineMetadata=region=us-west-2', 'Conflicts=web@4.service']),
  'web@4.service': service('nginx', ['MachineMetadata=region=us-west-2', 'Conflicts=web@1.service']),
  'worker@1.service': service('worker'),
  'worker@2.service': service('worker'),
  'analytics.service': service('spark', ['MachineMetadata=region=eu-central-1']),
};
