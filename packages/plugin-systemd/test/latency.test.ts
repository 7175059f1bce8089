/**
 * Start latency over 100 units in one instance, printed (not asserted):
 * with the default settle window for Type=simple services, without it, and
 * for Type=exec services (whose start job itself waits for the exec), and
 * 100 starts at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemdDriver, DEFAULT_START_SETTLE_MS, type SystemdDriver } from '../src/index.js';
import type { SystemdInstance } from '../src/testing/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { unit } from './helpers.js';

const UNITS = 100;
const systemd = useSystemd(1);
let instance: SystemdInstance;
let driver: SystemdDriver;

beforeAll(async () => {
  instance = systemd()[0]!;
  driver = await createSystemdDriver({ busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory });
});
afterAll(async () => {
  await driver?.close();
});

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Loads `UNITS` units, reloads once, starts them (one after another, or all at
 * once); returns each start's duration and the whole run's, in ms.
 */
async function measure(using: SystemdDriver, prefix: string, service: string, concurrent = false): Promise<{ durations: number[]; totalMs: number }> {
  const names = Array.from({ length: UNITS }, (_, i) => `${prefix}-${i}.service`);
  for (const name of names) await using.load(unit(name, `[Service]\n${service}`));
  await using.reload();
  const durations: number[] = [];
  const timed = async (name: string): Promise<void> => {
    const started = performance.now();
    await using.start(name);
    durations.push(performance.now() - started);
  };
  const begun = performance.now();
  if (concurrent) await Promise.all(names.map(timed));
  else for (const name of names) await timed(name);
  const totalMs = performance.now() - begun;
  const states = await using.states(names);
  expect(states.every((s) => s.activeState === 'active')).toBe(true);
  return { durations, totalMs };
}

function report(label: string, { durations, totalMs }: { durations: readonly number[]; totalMs: number }): void {
  const sorted = [...durations].sort((a, b) => a - b);
  const f = (n: number): string => n.toFixed(1);
  console.log(
    `start latency, ${label}, ${UNITS} units: p50 ${f(percentile(sorted, 50))} ms, p99 ${f(percentile(sorted, 99))} ms, ` +
      `max ${f(sorted.at(-1) ?? 0)} ms; all ${UNITS} in ${f(totalMs)} ms`,
  );
}

describe('start latency (printed, not asserted)', () => {
  it(`Type=simple with the default settle window (${DEFAULT_START_SETTLE_MS} ms)`, async () => {
    report(`Type=simple, startSettleMs ${DEFAULT_START_SETTLE_MS}`, await measure(driver, 'simple', 'ExecStart=/bin/sleep 1000\n'));
  });

  it('Type=simple with startSettleMs 0 (the D-Bus and job round trip alone)', async () => {
    const fast = await createSystemdDriver({ busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory, startSettleMs: 0 });
    try {
      report('Type=simple, startSettleMs 0', await measure(fast, 'nosettle', 'ExecStart=/bin/sleep 1000\n'));
    } finally {
      await fast.close();
    }
  });

  it('Type=simple, all 100 started at once, default settle window', async () => {
    report(`Type=simple, concurrent, startSettleMs ${DEFAULT_START_SETTLE_MS}`, await measure(driver, 'parallel', 'ExecStart=/bin/sleep 1000\n', true));
  });

  it('Type=exec (no settle needed: the start job ends after the exec)', async () => {
    report('Type=exec', await measure(driver, 'exec', 'Type=exec\nExecStart=/bin/sleep 1000\n'));
  });
});
