import { describe, expect, it } from 'vitest';
import { splitMultiValue } from './multi-value.js';

// The first block is fleet's own table (coreos/fleet unit/unit_test.go,
// TestParseMultivalueLine), including the two cases its authors marked TODO.
describe('splitMultiValue', () => {
  it.each<{ name: string; value: string; expected: string[] }>([
    { name: 'fleet: three quoted values', value: '"bar" "ping" "pong"', expected: ['bar', 'ping', 'pong'] },
    { name: 'fleet: one quoted value', value: '"bar"', expected: ['bar'] },
    { name: 'fleet: empty value', value: '', expected: [''] },
    { name: 'fleet: empty quotes', value: '""', expected: [''] },
    { name: 'fleet: unterminated leading quote is verbatim', value: '"bar', expected: ['"bar'] },
    { name: 'fleet: trailing quote only is verbatim', value: 'bar"', expected: ['bar"'] },
    { name: 'fleet: escaped quote unquoted is verbatim', value: 'foo\\"bar', expected: ['foo\\"bar'] },
    { name: 'fleet: dangling quote gives an empty value', value: '"bar" "', expected: ['bar', ''] },
    { name: 'fleet: no escapes inside quotes', value: '"foo\\"bar"', expected: ['foo\\bar'] },
    { name: 'metadata pair', value: '"region=us-east-1" "diskType=SSD"', expected: ['region=us-east-1', 'diskType=SSD'] },
    { name: 'unquoted value is not split on spaces', value: 'region=us-east-1 diskType=SSD', expected: ['region=us-east-1 diskType=SSD'] },
    { name: 'unquoted then quoted is verbatim', value: 'baz "foo=bar"', expected: ['baz "foo=bar"'] },
    { name: 'quoted then unquoted is verbatim', value: '"foo=bar" baz', expected: ['"foo=bar" baz'] },
    { name: 'space inside quotes is kept', value: '"a b" "c"', expected: ['a b', 'c'] },
    { name: 'two spaces give an empty value', value: '"a"  "b"', expected: ['a', '', 'b'] },
    { name: 'tab does not separate', value: '"a"\t"b"', expected: ['a\tb'] },
    { name: 'adjacent quoted parts join', value: '"a""b"', expected: ['ab'] },
    { name: 'unquoted text between quotes joins', value: '"a"x"b"', expected: ['axb'] },
    { name: 'lone quote', value: '"', expected: [''] },
    { name: 'unicode', value: '"zone=東京" "tier=🚀"', expected: ['zone=東京', 'tier=🚀'] },
    { name: 'glob values', value: '"web@*.service" "db.service"', expected: ['web@*.service', 'db.service'] },
  ])('$name', ({ value, expected }) => {
    expect(splitMultiValue(value)).toEqual(expected);
  });
});
