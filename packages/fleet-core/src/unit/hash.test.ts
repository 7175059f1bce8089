import { describe, expect, it } from 'vitest';
import { parseUnitFile } from './parse.js';
import { unitHash } from './hash.js';
import { serializeUnitFile } from './serialize.js';
import { createHash } from 'node:crypto';
import { decodeUnit } from '../store/codec.js';

const BASE = '[Unit]\nDescription=web\nAfter=a.service\n\n[Service]\nExecStart=/bin/web\n';
const hashOf = (text: string): string => unitHash(parseUnitFile(text));

describe('unitHash ignores presentation', () => {
  it.each<{ name: string; text: string }>([
    { name: 'comments', text: '# top\n[Unit]\n; why\nDescription=web\nAfter=a.service\n[Service]\n  # indented\nExecStart=/bin/web\n' },
    { name: 'whitespace around keys, values and lines', text: '  [Unit]\t\nDescription =  web \n After\t=a.service\n\n\n\n[Service]\nExecStart= /bin/web  \n' },
    { name: 'CRLF and BOM', text: '\uFEFF[Unit]\r\nDescription=web\r\nAfter=a.service\r\n[Service]\r\nExecStart=/bin/web\r\n' },
    { name: 'no blank line or final newline', text: '[Unit]\nDescription=web\nAfter=a.service\n[Service]\nExecStart=/bin/web' },
    { name: 'split and repeated section', text: '[Unit]\nDescription=web\n[Service]\nExecStart=/bin/web\n[Unit]\nAfter=a.service\n' },
  ])('$name', ({ text }) => {
    expect(hashOf(text)).toBe(hashOf(BASE));
  });
});

describe('unitHash follows content', () => {
  it.each<{ name: string; text: string }>([
    { name: 'a value changes', text: BASE.replace('/bin/web', '/bin/web2') },
    { name: 'a value changes only in inner spacing', text: BASE.replace('/bin/web', '/bin/ web') },
    { name: 'options reordered within a section', text: '[Unit]\nAfter=a.service\nDescription=web\n\n[Service]\nExecStart=/bin/web\n' },
    { name: 'sections reordered', text: '[Service]\nExecStart=/bin/web\n[Unit]\nDescription=web\nAfter=a.service\n' },
    { name: 'an option added', text: `${BASE}Restart=always\n` },
    { name: 'an option repeated', text: `${BASE}ExecStart=/bin/web\n` },
    { name: 'an option moved to another section', text: '[Unit]\nDescription=web\n\n[Service]\nAfter=a.service\nExecStart=/bin/web\n' },
    { name: 'a key changes case', text: BASE.replace('After', 'after') },
    // fleet's client keeps the backslash-newline in the value, and fleet hashes it: so does fleetd.
    { name: 'a value is continued on the next line', text: '[Unit]\nDescription=\\\nweb\nAfter=a.service\n[Service]\nExecStart=/bin/web\n' },
  ])('$name', ({ text }) => {
    expect(hashOf(text)).not.toBe(hashOf(BASE));
  });
});

describe('unitHash', () => {
  it('is the hex SHA-256 of the canonical text', () => {
    const expected = createHash('sha256')
      .update(serializeUnitFile(parseUnitFile(BASE)))
      .digest('hex');
    expect(hashOf(BASE)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts an option list and agrees with the UnitFile', () => {
    const unit = parseUnitFile(BASE);
    expect(unitHash([...unit.options])).toBe(unitHash(unit));
  });

  it('hashes the empty unit', () => {
    expect(unitHash([])).toBe(createHash('sha256').update('').digest('hex'));
  });

  it('returns the same hash on repeated calls (cached per instance)', () => {
    const unit = parseUnitFile(BASE);
    expect(unitHash(unit)).toBe(unitHash(unit));
  });

  // Stored units are decoded from their options, and their hash is checked against them
  // (store/codec.ts): the canonical text of a value without line breaks must never change.
  it('regression: a unit stored before continued values were kept keeps its hash', () => {
    // What the parser made of '[Service]\nExecStart=/bin/echo \\\n  hello\n' until then;
    // printf '[Service]\nExecStart=/bin/echo    hello\n' | sha256sum
    const stored = [{ section: 'Service', name: 'ExecStart', value: '/bin/echo    hello' }];
    expect(unitHash(stored)).toBe('4212c52b05f9ac3e90c1fc4f5a1bfc78f6fe5e0cfaecfde3b23abdbca4b36620');
    const decoded = decodeUnit(
      'units/old.service',
      'old.service',
      JSON.stringify({ options: stored, hash: unitHash(stored), text: '[Service]\nExecStart=/bin/echo \\\n  hello\n' }),
    );
    expect(decoded.file.options).toEqual(stored);
    expect(decoded.hash).toBe('4212c52b05f9ac3e90c1fc4f5a1bfc78f6fe5e0cfaecfde3b23abdbca4b36620');
  });
});
