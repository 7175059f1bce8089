// The floor under placement → active: what systemd alone takes to start the
// same units at the same moments, driven by the thinnest client there is (one
// D-Bus connection: write the file, LinkUnitFiles, StartUnit, wait for the
// ActiveState=active signal). No etcd, no engine, no agent: whatever fleetd
// measures above this floor is fleetd's own cost.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemdManager } from '@fleetd/plugin-systemd';
import { startSystemdInstance } from '@fleetd/plugin-systemd/testing';

export interface Latencies {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

/** p50, p99 and max of `values` (ms), rounded. */
export function latencies(values: readonly number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)), maxMs: Math.round(sorted.at(-1) ?? 0) };
}

/**
 * Starts one unit per entry of `offsetsMs` (ms from the first, ascending) on a
 * fresh systemd user instance, each at its offset, and returns each one's time
 * from its offset to its first "active" signal.
 */
export async function measureSystemdFloor(offsetsMs: readonly number[]): Promise<Latencies> {
  const instance = await startSystemdInstance();
  try {
    const manager = await SystemdManager.connect(instance.busAddress, 30_000);
    try {
      await manager.addSignalMatches();
      await manager.subscribe();
      const directory = join(instance.unitsDirectory, '..', 'floor-units');
      mkdirSync(directory, { recursive: true });
      const startedAt = new Map<string, number>();
      const took: number[] = [];
      const allActive = new Promise<void>((resolve) => {
        manager.onUnitPropertiesChanged((signal) => {
          const began = signal.name === undefined ? undefined : startedAt.get(signal.name);
          if (began === undefined || signal.changed.activeState !== 'active') return;
          took.push(performance.now() - began);
          startedAt.delete(signal.name as string);
          if (took.length === offsetsMs.length) resolve();
        });
      });
      const startOne = async (name: string): Promise<void> => {
        const file = join(directory, name);
        writeFileSync(file, '[Service]\nExecStart=/bin/sleep infinity\n');
        startedAt.set(name, performance.now());
        await manager.linkUnitFiles([file], true, true);
        await manager.startUnit(name, 'replace');
      };
      const begun = performance.now();
      const starts: Promise<void>[] = [];
      for (const [i, offset] of offsetsMs.entries()) {
        await sleep(begun + offset - performance.now());
        starts.push(startOne(`floor@${i}.service`));
      }
      await Promise.all(starts);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`systemd floor: only ${took.length} of ${offsetsMs.length} units became active`)), 120_000);
      });
      await Promise.race([allActive, deadline]).finally(() => clearTimeout(timer));
      return latencies(took);
    } finally {
      manager.close();
    }
  } finally {
    await instance.stop();
  }
}
