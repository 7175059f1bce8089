/** The core's registry contract against the persisted store: one fresh data directory per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRegistryContract } from '@fleetd/core/vitest';
import { openFileRegistry } from '../../src/store/index.js';

describeRegistryContract('file registry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetd-store-contract-'));
  return {
    registry: await openFileRegistry({ dir }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
