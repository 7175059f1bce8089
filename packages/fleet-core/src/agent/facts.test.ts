// Machine facts and unit drop-ins through a real agent on the memory registry and driver.
import { afterEach, describe, expect, it } from 'vitest';
import { assemblePlugins, createMemoryRegistry, createUnit, ErrorCodes, fact } from '../index.js';
import type { MachineFacts, PluginEntry, Registry } from '../index.js';
import { memoryDriver, memoryDriverPlugin, testPlugin, waitFor } from '../testing/index.js';
import { Agent, decodeMachine, encodePlacement, FleetStore, KeyLayout } from '../unstable.js';
import type { AgentEvent } from '../unstable.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function startAgent(registry: Registry, plugins: readonly PluginEntry[]) {
  const events: AgentEvent[] = [];
  const agent = new Agent({
    registry,
    host: await assemblePlugins(plugins),
    machine: { id: 'm1', metadata: { zone: 'a' } },
    reconcileIntervalMs: 60_000,
    factsRefreshMs: 60_000,
    onEvent: (event) => events.push(event),
  });
  await agent.start();
  stops.push(() => agent.stop());
  return { agent, events };
}

async function announcedFacts(registry: Registry): Promise<MachineFacts | undefined> {
  const stored = await registry.get(new KeyLayout().machine('m1'));
  return stored === undefined ? undefined : decodeMachine('machines/m1', 'm1', stored.value).facts;
}

const pluginErrors = (events: readonly AgentEvent[]) => events.flatMap((event) => (event.type === 'plugin-error' ? [event.error] : []));

describe('agent: machine facts', () => {
  it('announces the facts every machineFacts tap adds, in plugin order, with the presence', async () => {
    const registry = createMemoryRegistry();
    const capacity = testPlugin('capacity', (hooks) => hooks.machineFacts.tap((facts) => ({ ...facts, cpu: fact.number(4), memory: fact.bytes(8 * 2 ** 30) })));
    const gpus = testPlugin('gpus', (hooks) =>
      hooks.machineFacts.tap((facts, { machine }) => ({ ...facts, gpu: fact.number(2), zone: fact.string(machine.metadata['zone'] ?? '') })),
    );
    await startAgent(registry, [capacity, gpus, memoryDriverPlugin(memoryDriver())]);
    expect(await announcedFacts(registry)).toEqual({
      cpu: { type: 'number', value: 4 },
      gpu: { type: 'number', value: 2 },
      memory: { type: 'bytes', value: 8589934592 },
      zone: { type: 'string', value: 'a' },
    });
  });

  it.each([
    {
      name: 'a tap that throws',
      answer: () => {
        throw new Error('no /proc here');
      },
      message: 'plugin "broken" failed in hook "machineFacts": no /proc here',
    },
    {
      name: 'a fact of an unknown type',
      answer: (facts: MachineFacts) => ({ ...facts, disk: { type: 'liters', value: 3 } }),
      message: 'plugin "broken" failed in hook "machineFacts": machineFacts answer: fact "disk": type "liters" is not one of bytes, number, string, boolean',
    },
    {
      name: 'negative bytes',
      answer: (facts: MachineFacts) => ({ ...facts, memory: { type: 'bytes', value: -1 } }),
      message: 'plugin "broken" failed in hook "machineFacts": machineFacts answer: fact "memory": bytes must be a whole number >= 0, not -1',
    },
    {
      name: 'a bad fact name',
      answer: (facts: MachineFacts) => ({ ...facts, 'has space': fact.number(1) }),
      message:
        'plugin "broken" failed in hook "machineFacts": machineFacts answer: fact "has space": fact name "has space" is invalid: use 1-128 characters of [A-Za-z0-9_.-], starting with a letter or digit',
    },
  ])('$name is reported and only that tap loses its facts', async ({ answer, message }) => {
    const registry = createMemoryRegistry();
    const capacity = testPlugin('capacity', (hooks) => hooks.machineFacts.tap((facts) => ({ ...facts, cpu: fact.number(4) })));
    const broken = testPlugin('broken', (hooks) => hooks.machineFacts.tap(answer as (facts: MachineFacts) => MachineFacts));
    const { events } = await startAgent(registry, [capacity, broken, memoryDriverPlugin(memoryDriver())]);
    expect(await announcedFacts(registry)).toEqual({ cpu: { type: 'number', value: 4 } });
    expect(pluginErrors(events)).toMatchObject([{ code: ErrorCodes.PLUGIN_ERROR, plugin: 'broken', hook: 'machineFacts', message }]);
  });

  it('announces changed facts at a refresh, and keeps them when metadata changes', async () => {
    const registry = createMemoryRegistry();
    let memory = 4 * 2 ** 30;
    const measured = testPlugin('measured', (hooks) => hooks.machineFacts.tap((facts) => ({ ...facts, memory: fact.bytes(memory) })));
    const { agent } = await startAgent(registry, [measured, memoryDriverPlugin(memoryDriver())]);
    memory = 6 * 2 ** 30;
    await agent.refreshFacts();
    expect(await announcedFacts(registry)).toEqual({ memory: { type: 'bytes', value: 6 * 2 ** 30 } });
    await agent.updateMachine({ id: 'm1', metadata: { zone: 'b' } });
    const stored = await registry.get(new KeyLayout().machine('m1'));
    expect(decodeMachine('machines/m1', 'm1', stored?.value ?? '')).toMatchObject({
      metadata: { zone: 'b' },
      facts: { memory: { type: 'bytes', value: 6 * 2 ** 30 } },
    });
  });

  it('regression: a stored machine with a fact this reader cannot check keeps its other facts and stays a machine', () => {
    const value = JSON.stringify({ id: 'm1', metadata: {}, facts: { cpu: { type: 'number', value: 2 }, quantum: { type: 'qubits', value: 5 } } });
    expect(decodeMachine('machines/m1', 'm1', value).facts).toEqual({ cpu: { type: 'number', value: 2 } });
  });
});

describe('agent: unit drop-ins', () => {
  const limits = testPlugin('limits', (hooks) =>
    hooks.unitDropIns.tap((dropIns, unit) =>
      unit.fleetOptions.has('Memory')
        ? [...dropIns, { name: 'limits.conf', text: `[Service]\nMemoryMax=${unit.fleetOptions.get('Memory')?.[0] ?? ''}\n` }]
        : dropIns,
    ),
  );
  const memoryOption = testPlugin('memory-option', () => undefined, { unitOptions: [{ name: 'Memory', description: 'memory limit' }] });

  it('gives the driver the drop-ins of the unit it loads, and none to a unit without', async () => {
    const registry = createMemoryRegistry();
    const driver = memoryDriver();
    await startAgent(registry, [memoryOption, limits, memoryDriverPlugin(driver)]);
    const store = new FleetStore(registry);
    for (const [name, xfleet] of [
      ['big.service', '\n[X-Fleet]\nMemory=512M\n'],
      ['plain.service', ''],
    ] as const) {
      await store.submitUnit(createUnit({ name, contents: `[Service]\nExecStart=/bin/true\n${xfleet}`, desiredState: 'launched' }));
      await registry.put(new KeyLayout().placement(name), encodePlacement('m1'));
    }
    await waitFor(() => (driver.running.size === 2 ? true : undefined), 'both units running');
    expect(Object.fromEntries(driver.dropIns)).toEqual({ 'big.service': [{ name: 'limits.conf', text: '[Service]\nMemoryMax=512M\n' }] });
  });

  it.each([
    { name: 'not an array', answer: () => 'MemoryMax=1G', message: 'unitDropIns returned string, expected an array of { name, text }' },
    {
      name: 'a name outside the drop-in directory',
      answer: () => [{ name: '../../evil.conf', text: '' }],
      message: 'drop-in [0]: name "../../evil.conf" must be 1-105 characters of [A-Za-z0-9_.@-] ending in .conf',
    },
    {
      name: 'a name given twice',
      answer: () => [
        { name: 'a.conf', text: '' },
        { name: 'a.conf', text: '' },
      ],
      message: 'drop-in a.conf is given twice',
    },
  ])("$name is reported and the unit loads without that tap's drop-ins", async ({ answer, message }) => {
    const registry = createMemoryRegistry();
    const driver = memoryDriver();
    const broken = testPlugin('broken', (hooks) => hooks.unitDropIns.tap(answer as never));
    const { events } = await startAgent(registry, [broken, memoryDriverPlugin(driver)]);
    const store = new FleetStore(registry);
    await store.submitUnit(createUnit({ name: 'web.service', contents: '[Service]\nExecStart=/bin/true\n', desiredState: 'launched' }));
    await registry.put(new KeyLayout().placement('web.service'), encodePlacement('m1'));
    await waitFor(() => (driver.running.has('web.service') ? true : undefined), 'web.service running');
    expect(driver.dropIns.get('web.service')).toBeUndefined();
    expect(pluginErrors(events)).toMatchObject([
      { plugin: 'broken', hook: 'unitDropIns', message: `plugin "broken" failed in hook "unitDropIns": ${message}` },
    ]);
  });
});
