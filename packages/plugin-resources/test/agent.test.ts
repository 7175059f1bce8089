// The agent side: the facts a machine announces, and the drop-ins that enforce requests.
import { availableParallelism, totalmem } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { assemblePlugins, createMachine, createMemoryRegistry, createUnit, fact } from '@fleetd/core';
import type { MachineFacts, PluginEntry } from '@fleetd/core';
import { memoryDriver, memoryDriverPlugin, testPlugin, waitFor } from '@fleetd/core/testing';
import { Agent, decodeMachine, FleetStore, KeyLayout, createHookRunner } from '@fleetd/core/unstable';
import { fleetPreset } from '@fleetd/preset-fleet';
import resources, { cpuQuota } from '../src/index.js';
import type { ResourcesOptionsInput } from '../src/index.js';
import { GiB, MiB, service, withDeclared } from './helpers.js';

const m1 = createMachine({ id: 'm1', metadata: {} });

/** What the machineFacts taps announce with these plugins. */
async function announced(entries: readonly PluginEntry[]): Promise<MachineFacts> {
  const host = await assemblePlugins(entries);
  return createHookRunner(host, (error) => {
    throw error;
  }).machineFacts({ machine: m1, previous: undefined });
}

describe('machineFacts', () => {
  it.each([
    {
      name: 'configured cpu and memory; a declared resource without capacity announces nothing',
      options: withDeclared({ capacity: { cpu: 8, memory: '16G' } }),
      facts: { cpu: fact.number(8), memory: fact.bytes(16 * GiB) },
    },
    {
      name: 'declared resources with a capacity, bytes and counts',
      options: withDeclared({ capacity: { cpu: 2, memory: 4 * GiB, gpu: 2, 'disk.ssd': '500G' } }),
      facts: { cpu: fact.number(2), memory: fact.bytes(4 * GiB), gpu: fact.number(2), 'disk.ssd': fact.bytes(500 * GiB) },
    },
    {
      name: 'every non-zero reservation as <name>.reserved',
      options: withDeclared({ capacity: { cpu: 4, memory: '8G', gpu: 4 }, reserved: { cpu: 0.5, memory: '1G', gpu: 0 } }),
      facts: {
        cpu: fact.number(4),
        'cpu.reserved': fact.number(0.5),
        memory: fact.bytes(8 * GiB),
        'memory.reserved': fact.bytes(GiB),
        gpu: fact.number(4),
      },
    },
    {
      name: 'fractional cores',
      options: { capacity: { cpu: '1.5', memory: '512M' } },
      facts: { cpu: fact.number(1.5), memory: fact.bytes(512 * MiB) },
    },
  ])('$name', async ({ options, facts }) => {
    expect(await announced([[resources, options]])).toEqual(facts);
  });

  it("measures the host's cores and memory when not configured", async () => {
    expect(await announced([[resources, { capacity: { memory: '1G' } }]])).toEqual({ cpu: fact.number(availableParallelism()), memory: fact.bytes(GiB) });
    expect(await announced([resources])).toEqual({ cpu: fact.number(availableParallelism()), memory: fact.bytes(totalmem()) });
  });

  it('keeps the facts earlier taps gave', async () => {
    const rack = testPlugin('rack', (hooks) => hooks.machineFacts.tap((facts) => ({ ...facts, rack: fact.string('r12') })));
    expect(await announced([rack, [resources, { capacity: { cpu: 1, memory: '1G' } }]])).toEqual({
      rack: fact.string('r12'),
      cpu: fact.number(1),
      memory: fact.bytes(GiB),
    });
  });
});

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** An agent for machine m1 on the memory registry, with fleet's plugins, the resources plugin and an in-memory driver. */
async function startAgent(options: ResourcesOptionsInput) {
  const registry = createMemoryRegistry();
  const driver = memoryDriver();
  const host = await assemblePlugins(fleetPreset({ add: [{ plugin: resources, options }, memoryDriverPlugin(driver)] }));
  const agent = new Agent({ registry, host, machine: m1, reconcileIntervalMs: 60_000 });
  await agent.start();
  stops.push(() => agent.stop());
  return { registry, driver, store: new FleetStore(registry) };
}

describe('the agent', () => {
  it('announces the facts with its presence', async () => {
    const { registry } = await startAgent(withDeclared({ capacity: { cpu: 4, memory: '8G', gpu: 1 }, reserved: { memory: '1G' } }));
    const key = new KeyLayout().machine('m1');
    const stored = await registry.get(key);
    expect(decodeMachine(key, 'm1', stored?.value ?? '').facts).toEqual({
      cpu: fact.number(4),
      gpu: fact.number(1),
      memory: fact.bytes(8 * GiB),
      'memory.reserved': fact.bytes(GiB),
    });
  });

  it('with enforce, installs each unit with its resources.conf drop-in', async () => {
    const { driver, store } = await startAgent(withDeclared({ enforce: true, capacity: { cpu: 4, memory: '8G' } }));
    const global = (name: string, xFleet: readonly string[], serviceLines: readonly string[] = []) =>
      store.submitUnit(createUnit({ name, contents: service(['Global=true', ...xFleet], serviceLines), desiredState: 'launched' }));
    await global('limited.service', ['Memory=512M', 'CPU=0.5']);
    await global('plain.service', []);
    await waitFor(() => driver.running.has('limited.service') && driver.running.has('plain.service'), 'both units running');
    expect(driver.dropIns.get('limited.service')).toEqual([{ name: 'resources.conf', text: '[Service]\nMemoryMax=536870912\nCPUQuota=50%\n' }]);
    expect(driver.dropIns.has('plain.service')).toBe(false);
  });
});

describe('drop-ins', () => {
  /** The drop-ins the agent's unitDropIns taps give `name` with `contents`. */
  async function dropInsOf(name: string, contents: string, enforce = true) {
    const host = await assemblePlugins([[resources, withDeclared({ enforce })]]);
    const runner = createHookRunner(host, (error) => {
      throw error;
    });
    return runner.unitDropIns(host.resolveUnit(createUnit({ name, contents })), m1);
  }

  it.each([
    {
      name: 'memory and cpu',
      unit: 'web.service',
      contents: service(['Memory=512M', 'CPU=0.5']),
      dropIns: [['resources.conf', '[Service]\nMemoryMax=536870912\nCPUQuota=50%\n']],
    },
    { name: 'memory only', unit: 'web.service', contents: service(['Memory=1G']), dropIns: [['resources.conf', '[Service]\nMemoryMax=1073741824\n']] },
    { name: 'cpu only, whole percent', unit: 'web.service', contents: service(['CPU=1.25']), dropIns: [['resources.conf', '[Service]\nCPUQuota=125%\n']] },
    {
      name: 'a socket gets [Socket]',
      unit: 'web.socket',
      contents: '[Socket]\nListenStream=80\n\n[X-Fleet]\nMemory=64M\n',
      dropIns: [['resources.conf', '[Socket]\nMemoryMax=67108864\n']],
    },
    {
      name: "memory from the unit's own MemoryMax needs no drop-in; cpu from [X-Fleet] does",
      unit: 'web.service',
      contents: service(['CPU=2'], ['MemoryMax=1G']),
      dropIns: [['resources.conf', '[Service]\nCPUQuota=200%\n']],
    },
    { name: "requests from the unit's own directives only: none", unit: 'web.service', contents: service([], ['MemoryMax=1G', 'CPUQuota=50%']), dropIns: [] },
    { name: 'declared resources are not systemd limits: none', unit: 'web.service', contents: service(['Resource=gpu:1']), dropIns: [] },
    { name: 'a timer has no resource control: none', unit: 'tick.timer', contents: '[Timer]\nOnCalendar=daily\n\n[X-Fleet]\nMemory=1G\n', dropIns: [] },
    { name: 'no requests: none', unit: 'web.service', contents: service([]), dropIns: [] },
  ])('$name', async ({ unit, contents, dropIns }) => {
    expect((await dropInsOf(unit, contents)).map((dropIn) => [dropIn.name, dropIn.text])).toEqual(dropIns);
  });

  it('without enforce, no unit gets one', async () => {
    expect(await dropInsOf('web.service', service(['Memory=512M', 'CPU=0.5']), false)).toEqual([]);
  });

  it.each([
    { cores: 0.5, quota: '50%' },
    { cores: 2, quota: '200%' },
    { cores: 0.333, quota: '33%' },
    { cores: 0.001, quota: '1%' },
  ])('CPU=$cores is CPUQuota=$quota', ({ cores, quota }) => {
    expect(cpuQuota(cores)).toBe(quota);
  });
});
