import type { FleetdConfig } from './types.js';

/**
 * Types a `fleetd.config.ts` (or `.js` with JSDoc): returns its argument
 * unchanged. Plugin objects may be listed inline.
 */
export function defineConfig(config: FleetdConfig): FleetdConfig {
  return config;
}
