/**
 * agent.stopAfterDisconnect in a running daemon: a machine default that is
 * not below the agent TTL (which lets a cut-off machine's units run twice)
 * starts, but says so (config tests show the option reaching the plugin). In-process
 * daemons on the embedded store with an in-memory driver; the stopping
 * itself is tested on etcd and systemd in disconnect.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryDriver, memoryDriverPlugin } from '@fleetd/core/testing';
import disconnect from '@fleetd/plugin-disconnect';
import { startInProcessDaemon, stopInProcessDaemons } from './in-process.js';

afterEach(stopInProcessDaemons);

const WARNING = /^agent\.stopAfterDisconnect \(.+\) is not below agent\.ttlSeconds \(10\): a cut-off machine's units may run twice until their grace runs out$/;

describe('agent.stopAfterDisconnect', () => {
  it.each([
    { name: 'equal to the TTL', stopAfter: '10s', warned: true },
    { name: 'longer than the TTL', stopAfter: '1min', warned: true },
    { name: 'below the TTL', stopAfter: '9s', warned: false },
    { name: 'off', stopAfter: 'off', warned: false },
  ])('$name ($stopAfter): the daemon starts; warned: $warned', async ({ stopAfter, warned }) => {
    const fleetd = await startInProcessDaemon({
      machine: { id: 'm1' },
      agent: { ttlSeconds: 10, stopAfterDisconnect: stopAfter },
      plugins: [disconnect, memoryDriverPlugin(memoryDriver())],
    });
    expect(fleetd.daemon.agent).toBeDefined();
    const warnings = fleetd.lines.filter((line) => typeof line['msg'] === 'string' && WARNING.test(line['msg']));
    expect(warnings).toHaveLength(warned ? 1 : 0);
    if (warned) expect(warnings[0]).toMatchObject({ component: 'agent', stopAfterDisconnect: stopAfter, ttlSeconds: 10 });
  });
});
