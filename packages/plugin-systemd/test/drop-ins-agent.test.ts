/**
 * The agent, the systemd driver and a plugin that gives units drop-ins
 * (through the core's unitDropIns hook), on real etcd and a real systemd user
 * instance: a new unit runs with its limits without a daemon-reload, and a
 * replaced one gets its new limits after the reload the agent plans for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnit, fleetOptionValues } from '@fleetd/core';
import { testPlugin, waitFor } from '@fleetd/core/testing';
import type { AgentEvent } from '@fleetd/core/unstable';
import { SystemdManager } from '../src/index.js';
import type { SystemdInstance } from '../src/testing/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { useEtcdAgents } from './etcd-agent.js';
import { cgroupLimitFiles, expectedLimitFiles, serviceLimits } from './limits.js';

/** `[X-Fleet] TestLimits=<MemoryMax>,<CPUQuota>` becomes the unit's resources.conf, as a resources plugin's would. */
const limitsPlugin = testPlugin('test-limits', (hooks) => {
  hooks.unitDropIns.tap((dropIns, unit) => {
    const [memory, cpu] = fleetOptionValues(unit, 'TestLimits').at(-1)?.split(',') ?? [];
    if (memory === undefined || cpu === undefined) return dropIns;
    return [...dropIns, { name: 'resources.conf', text: `[Service]\nMemoryMax=${memory}\nCPUQuota=${cpu}\n` }];
  });
});

const agentOn = useEtcdAgents('drop-ins', [limitsPlugin]);
const machines = useSystemd(1);
let manager: SystemdManager;
beforeAll(async () => {
  manager = await SystemdManager.connect(machines()[0]!.busAddress, 10_000);
});
afterAll(() => manager?.close());

const NAME = 'limited.service';
const contents = (version: string, limits: string): string =>
  `[Service]\nExecStart=/bin/sleep infinity\nEnvironment=VERSION=${version}\n\n[X-Fleet]\nGlobal=true\nTestLimits=${limits}\n`;
/** The agent's tasks (the machine runs this one unit), in the order they ended. */
const tasks = (events: readonly AgentEvent[]): string[] => events.flatMap((event) => (event.type === 'task' ? [event.task.type] : []));

describe('agent with drop-ins from a plugin', () => {
  it('a new unit runs with its limits without a daemon-reload; a replaced one gets the new limits after the reload', async () => {
    const [instance] = machines() as [SystemdInstance];
    const events: AgentEvent[] = [];
    const { store, state } = await agentOn(instance, events);
    const v1 = createUnit({ name: NAME, contents: contents('v1', '64M,50%'), desiredState: 'launched' });
    await store.submitUnit(v1);
    await waitFor(async () => (await state(NAME))?.activeState === 'active', `${NAME} active`, 20_000);
    await waitFor(() => tasks(events).includes('start'), 'the start task to end', 20_000);
    expect(events.filter((event) => event.type === 'task' && event.error !== undefined)).toEqual([]);
    expect(tasks(events)).toEqual(['load', 'start']);
    let applied = await serviceLimits(manager, NAME);
    expect([applied.memoryMax, applied.cpuQuotaPerSecUSec]).toEqual([64n * 1024n * 1024n, 500_000n]);
    expect(cgroupLimitFiles(applied.controlGroup)).toEqual(expectedLimitFiles(64 * 1024 * 1024, 50));

    events.length = 0;
    const v2 = createUnit({ name: NAME, contents: contents('v2', '128M,25%'), desiredState: 'launched' });
    await store.replaceUnit(v2);
    await waitFor(() => tasks(events).includes('start'), 'the start of v2 to end', 20_000);
    expect(events.filter((event) => event.type === 'task' && event.error !== undefined)).toEqual([]);
    expect(tasks(events)).toEqual(['unload', 'load', 'reload', 'start']);
    applied = await serviceLimits(manager, NAME);
    expect([applied.memoryMax, applied.cpuQuotaPerSecUSec]).toEqual([128n * 1024n * 1024n, 250_000n]);
    expect(cgroupLimitFiles(applied.controlGroup)).toEqual(expectedLimitFiles(128 * 1024 * 1024, 25));
    await waitFor(async () => (await state(NAME))?.hash === v2.hash, 'the state of v2 published', 20_000);
    await instance.systemctl(['stop', NAME]);
  });
});
