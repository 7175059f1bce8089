import { describe, expect, it } from 'vitest';
import { createMachine, createUnit, currentStateOf, ErrorCodes, nextDesiredState, parseUnitState, withDesiredState } from '../index.js';
import type { DesiredState, UnitCommand } from '../index.js';

describe('desired state transitions', () => {
  it.each<{ name: string; from: DesiredState | undefined; command: UnitCommand; to: DesiredState }>([
    { name: 'submit creates an inactive unit', from: undefined, command: 'submit', to: 'inactive' },
    { name: 'submit leaves an existing unit alone', from: 'launched', command: 'submit', to: 'launched' },
    { name: 'load a new unit', from: undefined, command: 'load', to: 'loaded' },
    { name: 'load an inactive unit', from: 'inactive', command: 'load', to: 'loaded' },
    { name: 'load never downgrades a launched unit', from: 'launched', command: 'load', to: 'launched' },
    { name: 'start from nothing', from: undefined, command: 'start', to: 'launched' },
    { name: 'start a loaded unit', from: 'loaded', command: 'start', to: 'launched' },
    { name: 'stop a launched unit', from: 'launched', command: 'stop', to: 'loaded' },
    { name: 'stop a loaded unit', from: 'loaded', command: 'stop', to: 'loaded' },
    { name: 'unload a launched unit', from: 'launched', command: 'unload', to: 'inactive' },
  ])('$name', ({ from, command, to }) => {
    expect(nextDesiredState(from, command)).toBe(to);
  });

  it.each([
    { name: 'stop an inactive unit', from: 'inactive' as const, message: 'a.service: cannot stop a unit that is inactive; load or start it first' },
    { name: 'stop a unit that does not exist', from: undefined, message: 'a.service: cannot stop a unit that is not submitted; load or start it first' },
  ])('refuses to $name', ({ from, message }) => {
    expect(() => nextDesiredState(from, 'stop', 'a.service')).toThrow(
      expect.objectContaining({ code: ErrorCodes.UNIT_STATE_TRANSITION, message, unit: 'a.service' }),
    );
  });

  it('names the bad value of an unknown state', () => {
    expect(() => parseUnitState('running')).toThrow('desired state: "running" is not one of inactive, loaded, launched');
  });
});

describe('units', () => {
  it('parses contents and hashes them', () => {
    const unit = createUnit({ name: 'a.service', contents: '[Service]\nExecStart=/bin/true\n', desiredState: 'launched' });
    expect(unit.file.values('Service', 'ExecStart')).toEqual(['/bin/true']);
    expect(unit.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.isFrozen(unit)).toBe(true);
  });

  it('gives the same hash to the same options written differently', () => {
    const a = createUnit({ name: 'a.service', contents: '[Service]\nExecStart=/bin/true\n' });
    const b = createUnit({ name: 'a.service', contents: '# comment\n[Service]\n  ExecStart =  /bin/true\n' });
    expect(a.hash).toBe(b.hash);
  });

  it('names the unit, line and column of a syntax error', () => {
    expect(() => createUnit({ name: 'bad.service', contents: '[Service]\nExecStart\n' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.UNIT_FILE_SYNTAX, file: 'bad.service', line: 2, column: 1 }),
    );
  });

  it.each([
    { name: 'load a template', state: 'loaded' as const },
    { name: 'launch a template', state: 'launched' as const },
  ])('refuses to $name', ({ state }) => {
    expect(() => createUnit({ name: 'web@.service', contents: '', desiredState: state })).toThrow(
      expect.objectContaining({ code: ErrorCodes.UNIT_TEMPLATE_NOT_RUNNABLE, unit: 'web@.service' }),
    );
    const template = createUnit({ name: 'web@.service', contents: '' });
    expect(() => withDesiredState(template, state)).toThrow(expect.objectContaining({ code: ErrorCodes.UNIT_TEMPLATE_NOT_RUNNABLE }));
  });

  it.each([
    { name: 'no placement', placedOn: undefined, state: undefined, expected: 'inactive' },
    { name: 'placed, no report yet', placedOn: 'm1', state: undefined, expected: 'inactive' },
    { name: 'report from another machine', placedOn: 'm1', state: { machineId: 'm2', activeState: 'active' }, expected: 'inactive' },
    { name: 'reported loaded', placedOn: 'm1', state: { machineId: 'm1', activeState: 'inactive' }, expected: 'loaded' },
    { name: 'reported failed', placedOn: 'm1', state: { machineId: 'm1', activeState: 'failed' }, expected: 'loaded' },
    { name: 'reported running', placedOn: 'm1', state: { machineId: 'm1', activeState: 'active' }, expected: 'launched' },
    {
      name: 'regression: a unit whose file could not be loaded',
      placedOn: 'm1',
      state: { machineId: 'm1', activeState: 'inactive', loadState: 'error' },
      expected: 'inactive',
    },
  ])('current state with $name is $expected', ({ placedOn, state, expected }) => {
    const report = state && { name: 'a.service', hash: 'h', loadState: 'loaded', subState: 'x', ...state };
    expect(currentStateOf(placedOn, report)).toBe(expected);
  });
});

describe('machines', () => {
  it.each([
    { name: 'empty ID', machine: { id: '', metadata: {} } },
    { name: 'ID with a slash', machine: { id: 'a/b', metadata: {} } },
    { name: 'metadata key with a space', machine: { id: 'm1', metadata: { 'a b': 'x' } } },
    { name: 'metadata key __proto__', machine: { id: 'm1', metadata: JSON.parse('{"__proto__":"x"}') as Record<string, string> } },
    { name: 'metadata value not a string', machine: { id: 'm1', metadata: { a: 1 as unknown as string } } },
  ])('rejects $name', ({ machine }) => {
    expect(() => createMachine(machine)).toThrow(expect.objectContaining({ code: ErrorCodes.MACHINE_INVALID }));
  });

  it('freezes a valid machine', () => {
    const machine = createMachine({ id: '0123456789abcdef0123456789abcdef', metadata: { region: 'eu' }, publicIP: '10.0.0.1' });
    expect(Object.isFrozen(machine.metadata)).toBe(true);
  });
});
