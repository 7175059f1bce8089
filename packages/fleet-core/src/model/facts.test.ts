import { describe, expect, it } from 'vitest';
import { checkFacts, fact, factFromInput, formatBytes, formatFacts, parseByteSize, sameFacts } from './facts.js';
import { createMachine } from './machine.js';

describe('byte sizes, as systemd writes them', () => {
  it.each([
    { text: '512M', bytes: 512 * 2 ** 20 },
    { text: '1.5G', bytes: 1.5 * 2 ** 30 },
    { text: '2GiB', bytes: 2 * 2 ** 30 },
    { text: '2 GB', bytes: 2 * 2 ** 30 },
    { text: '1024', bytes: 1024 },
    { text: '100B', bytes: 100 },
    { text: '1T', bytes: 2 ** 40 },
    { text: 'lots', bytes: undefined },
    { text: '-1G', bytes: undefined },
    { text: 'infinity', bytes: undefined },
    { text: '50%', bytes: undefined },
    { text: '9999999E', bytes: undefined },
  ])('$text → $bytes', ({ text, bytes }) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each([
    { bytes: 0, text: '0 B' },
    { bytes: 1536, text: '1.5 KiB' },
    { bytes: 2 * 2 ** 30, text: '2 GiB' },
    { bytes: 1.5 * 2 ** 30, text: '1.5 GiB' },
    { bytes: 8 * 2 ** 30 - 1, text: '8 GiB' },
  ])('$bytes is shown as $text', ({ bytes, text }) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('facts written by people', () => {
  it.each([
    { name: 'a number', input: 4, expected: fact.number(4) },
    { name: 'a size', input: '8G', expected: fact.bytes(8 * 2 ** 30) },
    { name: 'text', input: 'ssd', expected: fact.string('ssd') },
    { name: 'text that starts like a size', input: '10Gbit', expected: fact.string('10Gbit') },
    { name: 'true', input: true, expected: fact.boolean(true) },
    { name: 'an explicit size', input: { type: 'bytes', value: '500G' }, expected: fact.bytes(500 * 2 ** 30) },
    { name: 'an explicit string that looks like a size', input: { type: 'string', value: '10G' }, expected: fact.string('10G') },
    { name: 'an explicit bad size', input: { type: 'bytes', value: 'huge' }, expected: '"huge" is not a byte size (512M, 8G, 1.5GiB)' },
    { name: 'a list', input: [1], expected: 'expected a number, true/false, a size (8G), text, or { type, value }' },
    { name: 'infinity', input: Number.POSITIVE_INFINITY, expected: 'Infinity is not a finite number' },
  ])('$name', ({ input, expected }) => {
    expect(factFromInput(input)).toEqual(expected);
  });

  it('shows facts as name=value in name order', () => {
    expect(formatFacts({ memory: fact.bytes(2 ** 33), cpu: fact.number(4), ssd: fact.boolean(true) })).toBe('cpu=4,memory=8GiB,ssd=true');
  });
});

describe('checked facts', () => {
  it('a machine keeps only { type, value } of each fact, frozen, in name order', () => {
    const machine = createMachine({ id: 'm1', metadata: {}, facts: { memory: { type: 'bytes', value: 1024, extra: 1 } as never, cpu: fact.number(2) } });
    expect(Object.keys(machine.facts ?? {})).toEqual(['cpu', 'memory']);
    expect(machine.facts?.['memory']).toEqual({ type: 'bytes', value: 1024 });
    expect(Object.isFrozen(machine.facts)).toBe(true);
  });

  it.each([
    {
      name: 'a fractional byte count',
      facts: { memory: { type: 'bytes', value: 1.5 } },
      message: 'm: fact "memory": bytes must be a whole number >= 0, not 1.5',
    },
    { name: 'NaN', facts: { cpu: { type: 'number', value: Number.NaN } }, message: 'm: fact "cpu": number must be finite, not NaN' },
    { name: 'a plain value', facts: { cpu: 4 }, message: 'm: fact "cpu": must be { type, value } with type bytes, number, string or boolean' },
    {
      name: '__proto__',
      facts: JSON.parse('{"__proto__": {"type":"number","value":1}}') as unknown,
      message: 'm: fact "__proto__": fact name "__proto__" is invalid: use 1-128 characters of [A-Za-z0-9_.-], starting with a letter or digit',
    },
    { name: 'too many', facts: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`f${i}`, fact.number(i)])), message: 'm: 257 facts, more than 256' },
  ])('refuses $name', ({ facts, message }) => {
    expect(() => checkFacts('m', facts)).toThrow(message);
  });

  it('compares facts by name, type and value', () => {
    expect(sameFacts({ a: fact.number(1) }, { a: fact.number(1) })).toBe(true);
    expect(sameFacts({ a: fact.number(1) }, { a: fact.string('1') })).toBe(false);
    expect(sameFacts({ a: fact.number(1) }, { a: fact.number(1), b: fact.number(2) })).toBe(false);
  });
});
