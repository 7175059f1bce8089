import { describe, expect, it } from 'vitest';
import { SerialRunner } from './serial-runner.js';
import { waitFor } from '../testing/index.js';

describe('serial runner', () => {
  const gate = () => {
    let open = (): void => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open: () => open() };
  };

  it('coalesces a burst of requests into one run, and never overlaps runs', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const first = gate();
    const runner = new SerialRunner(
      async () => {
        runs++;
        active++;
        maxActive = Math.max(maxActive, active);
        if (runs === 1) await first.opened;
        active--;
      },
      5,
      () => true,
    );
    for (let i = 0; i < 10; i++) runner.request();
    await waitFor(() => runs === 1, 'the first run');
    for (let i = 0; i < 10; i++) runner.request();
    first.open();
    await waitFor(() => runs === 2, 'exactly one more run for the requests made during the first');
    await runner.idle();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect({ runs, maxActive }).toEqual({ runs: 2, maxActive: 1 });
  });

  it('drops requests while not allowed, and runNow waits for the run in progress', async () => {
    let allowed = false;
    const order: string[] = [];
    const runner = new SerialRunner(
      async () => void order.push('run'),
      1,
      () => allowed,
    );
    runner.request();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual([]);
    allowed = true;
    await runner.runNow();
    expect(order).toEqual(['run']);
  });
});
