// Issue 15, item 3: what API reads cost. A real standalone `fleetd` (engine and agent
// off, so only the API reads) on a data directory filled beforehand through the
// embedded store with the core codec (so units over today's submit limits can be
// measured too), then 20 concurrent GET /fleet/v1/units: wall time and the daemon's
// peak RSS during the burst. (Standalone: the etcd client's 1 s deadline gives up on
// listing several MB on this shared 2-core machine.)
// Run: node --import tsx bench/profile/api-reads.mts   (after `npm run build`)
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { buildUnit } from '../../packages/fleet-core/dist/model/build-unit.js';
import { encodeUnitFile, KeyLayout } from '@fleetd/core/unstable';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startFleetd } from 'fleetd/testing';
import { openFileRegistry } from '../../packages/fleetd/dist/store/file-registry.js';

const PREFIX = '/fleetd/'; // the standalone store's prefix
const CONCURRENT = 20;
const scenarios = [
  { name: '9 units of 10,000 options', units: 9, options: 10_000 },
  { name: '9 units of 2,000 options (the limit)', units: 9, options: 2_000 },
  { name: '2,000 small units (10 options)', units: 2_000, options: 10 },
];

function rssMb(pid: number): number {
  try {
    return Math.round(Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

function get(socketPath: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (response) => {
      let bytes = 0;
      let body = '';
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (response.statusCode !== 200) body += chunk.toString();
      });
      response.on('end', () => (response.statusCode === 200 ? resolve(bytes) : reject(new Error(`${path}: ${String(response.statusCode)} ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const root = mkdtempSync('/tmp/api-reads-');
try {
  for (const scenario of scenarios) {
    const dataDir = join(root, `${scenario.units}x${scenario.options}`);
    const registry = await openFileRegistry({ dir: dataDir, fsync: false });
    const layout = new KeyLayout(PREFIX);
    for (let u = 0; u < scenario.units; u++) {
      const name = `u${u}.service`;
      const options = Array.from({ length: scenario.options }, (_, i) => ({ section: 'Service', name: 'Environment', value: `V${i}=value-${u}-${i}` }));
      await registry.put(layout.unit(name), encodeUnitFile(buildUnit({ name, contents: options })));
      await registry.put(layout.desired(name), 'loaded');
    }
    await registry.close();
    const fleetd = await startFleetd({
      name: 'api-reads',
      config: { dataDir, machine: { id: 'reader' }, agent: { enabled: false }, engine: { enabled: false } },
    });
    try {
      const pid = fleetd.pid as number;
      await get(fleetd.socketPath, '/fleet/v1/units'); // warm up (first decode, JIT)
      const idle = rssMb(pid);
      let peak = idle;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 10);
      const began = performance.now();
      const burst = Promise.all(Array.from({ length: CONCURRENT }, () => get(fleetd.socketPath, '/fleet/v1/units')));
      // /health asked right behind the burst: how long an operator waits meanwhile.
      const health = get(fleetd.socketPath, '/health').then(() => Math.round(performance.now() - began));
      const sizes = await burst;
      const ms = Math.round(performance.now() - began);
      clearInterval(sampler);
      peak = Math.max(peak, rssMb(pid));
      console.log(
        JSON.stringify({
          scenario: scenario.name,
          concurrent: CONCURRENT,
          ms,
          idleRssMb: idle,
          peakRssMb: peak,
          responseKb: Math.round((sizes[0] ?? 0) / 1024),
          healthDuringBurstMs: await health,
        }),
      );
    } catch (error) {
      console.error(fleetd.output().slice(-3000));
      throw error;
    } finally {
      await fleetd.remove();
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
