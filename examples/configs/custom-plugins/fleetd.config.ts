// fleet's plugins, a third-party scheduling plugin with options and a score
// weight, and the systemd driver. Plugins load from this file's directory,
// so `npm i fleetd-plugin-zone-spread` next to it.
import { defineConfig } from 'fleetd';
import { fleetPreset } from '@fleetd/preset-fleet';
import systemd from '@fleetd/plugin-systemd';
import type { ZoneSpreadOptionsInput } from 'fleetd-plugin-zone-spread';

export default defineConfig({
  etcd: { endpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379', 'http://10.0.0.3:2379'] },
  machine: { metadata: { zone: 'a', disk: 'ssd' } },
  plugins: [
    // fleet's plugins. zone-spread declares the `[X-Fleet] Group=` it reads (meta.unitOptions),
    // so the validation plugin knows the option once zone-spread is assembled.
    ...fleetPreset(),
    {
      // By package name, as fleetd resolves it; the weight makes spreading outvote least-loaded.
      plugin: 'fleetd-plugin-zone-spread',
      options: { key: 'zone', maxPerZone: 2 } satisfies ZoneSpreadOptionsInput,
      weight: 3,
    },
    // Listing plugins replaces the default list, so the driver is named too; it
    // takes agent.unitsDirectory / agent.busAddress as its option defaults.
    systemd,
  ],
});
