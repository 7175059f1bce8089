// The TypeScript config of README.md, kept here so it keeps compiling.
import { expectType } from 'tsd';
import { defineConfig } from 'fleetd';
import type { FleetdConfig } from 'fleetd';
import { fleetPreset } from '@fleetd/preset-fleet';
import systemd from '@fleetd/plugin-systemd';

const config = defineConfig({
  etcd: { endpoints: ['http://127.0.0.1:2379'] },
  machine: { metadata: { zone: 'a' } },
  // fleet's plugins, one of your own with options and a score weight, and the systemd driver
  plugins: [...fleetPreset(), { plugin: './zone-spread.js', options: { key: 'zone' }, weight: 2 }, systemd],
});
expectType<FleetdConfig>(config);
