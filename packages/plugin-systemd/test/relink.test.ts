/**
 * Issue 16, item 7: a machine's systemd was killed and started again with an
 * empty runtime directory, the units directory kept. The agent judged the unit
 * installed from its file, and every round failed to start it ("Unit
 * monitor.service not found"): its runtime link was gone with the runtime
 * directory. Real etcd, a real systemd user instance, the agent with the
 * systemd driver; the harness kills and restarts that systemd.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUnit } from '@fleetd/core';
import { waitFor } from '@fleetd/core/testing';
import type { AgentEvent } from '@fleetd/core/unstable';
import type { SystemdInstance } from '../src/testing/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { useEtcdAgents } from './etcd-agent.js';
import { isAlive } from './helpers.js';

const agentOn = useEtcdAgents('relink');
const machines = useSystemd(1);

/** A global service that leaves its PID in the instance's directory, so the test sees it really runs. */
const monitor = (instance: SystemdInstance): string =>
  `[Service]\nExecStart=/bin/sh -c 'echo $$$$ > ${instance.dir}/monitor.pid; exec sleep infinity'\n\n[X-Fleet]\nGlobal=true\n`;

const pidFile = (instance: SystemdInstance): string => join(instance.dir, 'monitor.pid');
const recordedPid = (instance: SystemdInstance): Promise<number> =>
  waitFor(
    () => (existsSync(pidFile(instance)) ? Number(readFileSync(pidFile(instance), 'utf8')) || undefined : undefined),
    'monitor.service to write its PID',
    10_000,
  );

describe('agent after its systemd restarted', () => {
  it.each([
    { name: 'regression: with an empty runtime directory (its links gone), the unit is linked again and runs', emptyRuntimeDir: true },
    { name: 'with the runtime directory kept, the unit runs again', emptyRuntimeDir: false },
  ])('$name', async ({ emptyRuntimeDir }) => {
    const [instance] = machines() as [SystemdInstance];
    const events: AgentEvent[] = [];
    const { store, state } = await agentOn(instance, events);
    await store.submitUnit(createUnit({ name: 'monitor.service', contents: monitor(instance), desiredState: 'launched' }));
    await waitFor(async () => (await state('monitor.service'))?.activeState === 'active', 'monitor.service active', 20_000);
    const before = await recordedPid(instance);
    rmSync(pidFile(instance));

    await instance.restart({ emptyRuntimeDir });
    expect(isAlive(before)).toBe(false);
    expect(existsSync(join(instance.unitsDirectory, 'monitor.service'))).toBe(true);

    const after = await recordedPid(instance);
    expect(after).not.toBe(before);
    expect(isAlive(after)).toBe(true);
    await waitFor(async () => (await state('monitor.service'))?.activeState === 'active', 'monitor.service active again in etcd', 20_000);
    const shown = await instance.systemctl(['show', '-p', 'LoadState,ActiveState', '--value', 'monitor.service']);
    expect(shown.stdout.trim().split('\n')).toEqual(['loaded', 'active']);
    const failedStarts = events.filter((event) => event.type === 'task' && event.task.type === 'start' && event.error !== undefined);
    expect(failedStarts.map((event) => (event.type === 'task' ? event.error?.message : ''))).toEqual([]);
    await instance.systemctl(['stop', 'monitor.service']);
  });
});
