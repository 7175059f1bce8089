import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryRegistry, createUnit, ErrorCodes } from '../index.js';
import { decodeMachine, decodePlacement, decodeUnit, encodeUnitFile, FleetStore, KeyLayout, MAX_UNITS_PER_SUBMIT } from '../unstable.js';

const registries: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.close();
});

describe('key layout', () => {
  const layout = new KeyLayout('/fleetd');
  it.each([
    { name: 'unit file', key: '/fleetd/units/web@1.service', parsed: { kind: 'unit', name: 'web@1.service' } },
    { name: 'desired state', key: '/fleetd/desired/a.service', parsed: { kind: 'desired', name: 'a.service' } },
    { name: 'placement', key: '/fleetd/placements/a.service', parsed: { kind: 'placement', name: 'a.service' } },
    { name: 'machine', key: '/fleetd/machines/abc123', parsed: { kind: 'machine', name: 'abc123' } },
    { name: 'unit state', key: '/fleetd/states/m1/a.service', parsed: { kind: 'state', name: 'a.service', machine: 'm1' } },
    { name: 'operator metadata', key: '/fleetd/metadata/m1/region', parsed: { kind: 'metadata', name: 'region', machine: 'm1' } },
    { name: 'metadata without key', key: '/fleetd/metadata/m1', parsed: undefined },
    { name: 'leader', key: '/fleetd/engine/leader', parsed: { kind: 'leader', name: '' } },
    { name: 'schema', key: '/fleetd/schema', parsed: { kind: 'schema', name: '' } },
    { name: 'another prefix', key: '/other/units/a.service', parsed: undefined },
    { name: 'unknown collection', key: '/fleetd/jobs/a.service', parsed: undefined },
    { name: 'nested unit key', key: '/fleetd/units/a/b.service', parsed: undefined },
    { name: 'state without unit', key: '/fleetd/states/m1', parsed: undefined },
    { name: 'empty name', key: '/fleetd/units/', parsed: undefined },
  ])('parses $name', ({ key, parsed }) => {
    expect(layout.parse(key)).toEqual(parsed);
  });

  it('builds the keys it parses', () => {
    expect(layout.prefix).toBe('/fleetd/');
    expect(layout.parse(layout.state('m1', 'a.service'))).toEqual({ kind: 'state', name: 'a.service', machine: 'm1' });
    expect(() => new KeyLayout('')).toThrow(expect.objectContaining({ code: ErrorCodes.REGISTRY_INVALID_ARGUMENT }));
  });
});

describe('codec', () => {
  it('keeps the text a unit was submitted as, comments and continuation lines included', () => {
    const text = '# ours\n[Service]\nExecStart=/bin/sh -c "echo \\\n  hi"\n';
    const unit = createUnit({ name: 'a.service', contents: text });
    const decoded = decodeUnit('k', 'a.service', encodeUnitFile(unit));
    expect(decoded.text).toBe(text);
    expect(decoded.hash).toBe(unit.hash);
    const fromOptions = createUnit({ name: 'a.service', contents: unit.file.options });
    expect(decodeUnit('k', 'a.service', encodeUnitFile(fromOptions)).text).toBeUndefined();
  });

  it('round-trips a unit file and checks its hash', () => {
    const unit = createUnit({ name: 'a.service', contents: '[Service]\nExecStart=/bin/true\n' });
    expect(decodeUnit('k', 'a.service', encodeUnitFile(unit))).toEqual(unit);
    const tampered = JSON.stringify({ ...JSON.parse(encodeUnitFile(unit)), hash: 'f00' });
    expect(() => decodeUnit('k', 'a.service', tampered)).toThrow('k: hash f00 does not match its options');
  });

  it.each([
    { name: 'not JSON', decode: () => decodePlacement('/p/a', 'm1'), message: '/p/a: is not JSON' },
    { name: 'placement without machine', decode: () => decodePlacement('/p/a', '{}'), message: '/p/a: names no machine' },
    { name: 'machine under another ID', decode: () => decodeMachine('/m/m1', 'm1', '{"id":"m2"}'), message: '/m/m1: holds machine "m2"' },
    { name: 'unit without options', decode: () => decodeUnit('/u/a', 'a.service', '{"hash":"x"}'), message: '/u/a: has no options list' },
  ])('refuses $name with STORE_DATA_INVALID', ({ decode, message }) => {
    expect(decode).toThrow(expect.objectContaining({ code: ErrorCodes.STORE_DATA_INVALID, message }));
  });
});

describe('fleet store', () => {
  const setup = async () => {
    const registry = createMemoryRegistry();
    registries.push(registry);
    const store = new FleetStore(registry, '/t/');
    await store.ensureSchema();
    return { registry, store };
  };
  const unit = (contents = '[Service]\nExecStart=/bin/true\n') => createUnit({ name: 'a.service', contents, desiredState: 'loaded' });

  it('writes the schema version once and refuses a prefix of another version', async () => {
    const { registry, store } = await setup();
    await store.ensureSchema();
    await registry.put('/t/schema', '7');
    await expect(store.ensureSchema()).rejects.toMatchObject({ code: ErrorCodes.STORE_SCHEMA_MISMATCH });
  });

  it('submits a unit once, accepts the same contents again, refuses other contents', async () => {
    const { registry, store } = await setup();
    expect(await store.submitUnit(unit())).toBe('created');
    expect((await registry.get('/t/desired/a.service'))?.value).toBe('loaded');
    expect(await store.submitUnit(unit())).toBe('unchanged');
    await expect(store.submitUnit(unit('[Service]\nExecStart=/bin/false\n'))).rejects.toMatchObject({ code: ErrorCodes.UNIT_EXISTS, unit: 'a.service' });
  });

  it('creates a unit, or gives back the stored one and writes nothing (submitOrRead)', async () => {
    const { registry, store } = await setup();
    expect(await store.submitOrRead(unit())).toEqual({ created: true });
    const before = await registry.list('/t/');
    const other = await store.submitOrRead(unit('[Service]\nExecStart=/bin/false\n'));
    expect(other).toEqual({ created: false, stored: createUnit({ name: 'a.service', contents: '[Service]\nExecStart=/bin/true\n' }) });
    expect((await registry.list('/t/')).revision).toBe(before.revision);
  });

  it('creates units with free names in one transaction (submitAllOrRead)', async () => {
    const { registry, store } = await setup();
    const named = (name: string) => createUnit({ name, contents: '[Service]\nExecStart=/bin/true\n', desiredState: 'launched' });
    expect(await store.submitAllOrRead([named('a.service'), named('b.service'), named('c.service')])).toEqual([
      { created: true },
      { created: true },
      { created: true },
    ]);
    const { items } = await registry.list('/t/desired/');
    expect(items.map((kv) => [kv.key, kv.value])).toEqual([
      ['/t/desired/a.service', 'launched'],
      ['/t/desired/b.service', 'launched'],
      ['/t/desired/c.service', 'launched'],
    ]);
    expect(new Set(items.map((kv) => kv.modRevision)).size).toBe(1);
  });

  it('falls back to one unit at a time when a name is taken (submitAllOrRead)', async () => {
    const { registry, store } = await setup();
    const named = (name: string, contents = '[Service]\nExecStart=/bin/true\n') => createUnit({ name, contents, desiredState: 'launched' });
    await store.submitUnit(named('b.service', '[Service]\nExecStart=/bin/false\n'));
    const outcomes = await store.submitAllOrRead([named('a.service'), named('b.service'), named('c.service')]);
    // The stored file, inactive: its desired state lives under its own key.
    const stored = createUnit({ name: 'b.service', contents: '[Service]\nExecStart=/bin/false\n' });
    expect(outcomes).toEqual([{ created: true }, { created: false, stored }, { created: true }]);
    expect((await registry.list('/t/units/')).items.map((kv) => kv.key)).toEqual(['/t/units/a.service', '/t/units/b.service', '/t/units/c.service']);
  });

  it('refuses a submitAllOrRead with a name twice, or more units than a transaction holds', async () => {
    const { store } = await setup();
    await expect(store.submitAllOrRead([unit(), unit()])).rejects.toMatchObject({ code: ErrorCodes.REGISTRY_INVALID_ARGUMENT });
    const many = Array.from({ length: MAX_UNITS_PER_SUBMIT + 1 }, (_, i) =>
      createUnit({ name: `u${i}.service`, contents: '[Service]\nExecStart=/bin/true\n' }),
    );
    await expect(store.submitAllOrRead(many)).rejects.toMatchObject({ code: ErrorCodes.REGISTRY_TXN_TOO_LARGE });
    expect(await store.submitAllOrRead(many.slice(1))).toHaveLength(MAX_UNITS_PER_SUBMIT);
  });

  it('changes desired states of submitted units only, and destroys a unit with its placement', async () => {
    const { registry, store } = await setup();
    await expect(store.setDesiredState('a.service', 'launched')).rejects.toMatchObject({ code: ErrorCodes.UNIT_NOT_FOUND });
    await store.submitUnit(unit());
    await store.setDesiredState('a.service', 'launched');
    await registry.put('/t/placements/a.service', '{"machine":"m1"}');
    expect(await store.destroyUnit('a.service')).toBe(true);
    expect((await registry.list('/t/')).items.map((kv) => kv.key)).toEqual(['/t/schema']);
    expect(await store.destroyUnit('a.service')).toBe(false);
  });

  it('replaces a unit file, keeping its placement, and refuses to replace a unit that is not there', async () => {
    const { registry, store } = await setup();
    await expect(store.replaceUnit(unit())).rejects.toMatchObject({ code: ErrorCodes.UNIT_NOT_FOUND, message: 'unit a.service is not submitted' });
    await store.submitUnit(unit());
    await registry.put('/t/placements/a.service', '{"machine":"m1"}');
    const next = unit('[Service]\nExecStart=/bin/false\n');
    expect(await store.replaceUnit(next)).toBe('replaced');
    expect(decodeUnit('k', 'a.service', (await registry.get('/t/units/a.service'))?.value ?? '').hash).toBe(next.hash);
    expect((await registry.get('/t/desired/a.service'))?.value).toBe('loaded');
    expect((await registry.get('/t/placements/a.service'))?.value).toBe('{"machine":"m1"}');
    expect(await store.replaceUnit(next, 'launched')).toBe('unchanged');
    expect((await registry.get('/t/desired/a.service'))?.value).toBe('launched');
  });

  it('keeps operator metadata per machine and key, and refuses keys the machine model refuses', async () => {
    const { registry, store } = await setup();
    await store.setMachineMetadata('m1', 'region', 'us-east-1');
    expect((await registry.get('/t/metadata/m1/region'))?.value).toBe('us-east-1');
    expect(await store.deleteMachineMetadata('m1', 'region')).toBe(true);
    expect(await store.deleteMachineMetadata('m1', 'region')).toBe(false);
    await expect(store.setMachineMetadata('m1', 'bad/key', 'x')).rejects.toMatchObject({ code: ErrorCodes.MACHINE_INVALID });
    await expect(store.setMachineMetadata('../m1', 'region', 'x')).rejects.toMatchObject({ code: ErrorCodes.MACHINE_INVALID });
  });
});
