/** The kill -9 tests' bookkeeping: which stored states a writer's output allows. */
import { describe, expect, it } from 'vitest';
import { WriteOutcomes } from './write-outcomes.js';

function outcomesOf(lines: readonly string[]): WriteOutcomes {
  const outcomes = new WriteOutcomes();
  for (const line of lines) outcomes.record(line);
  return outcomes;
}

const A_PUT = ['want put /a v1', 'put /a v1'];

describe('write outcomes of a killed writer', () => {
  it.each([
    { name: 'an acknowledged put is there', lines: A_PUT, stored: { '/a': 'v1' } },
    { name: 'an acknowledged delete is gone', lines: [...A_PUT, 'want del /a', 'del /a'], stored: {} },
    { name: 'a put in flight may have landed', lines: [...A_PUT, 'want put /a v2'], stored: { '/a': 'v2' } },
    { name: 'a put in flight may not have landed', lines: [...A_PUT, 'want put /a v2'], stored: { '/a': 'v1' } },
    { name: 'a first put in flight may not have landed', lines: ['want put /a v1'], stored: {} },
    { name: 'a delete in flight may not have landed', lines: [...A_PUT, 'want del /a'], stored: { '/a': 'v1' } },
    { name: 'a later run settles an earlier run’s write in flight', lines: [...A_PUT, 'want del /a', 'ready', ...A_PUT], stored: { '/a': 'v1' } },
    { name: 'lines that are no write are ignored', lines: ['ready', ...A_PUT, 'hello'], stored: { '/a': 'v1' } },
  ])('accepts: $name', ({ lines, stored }) => {
    expect(outcomesOf(lines).mismatches(new Map(Object.entries(stored)))).toEqual([]);
  });

  it.each([
    { name: 'an acknowledged put lost', lines: A_PUT, stored: {}, key: '/a', found: null, allowed: ['v1'] },
    { name: 'an acknowledged put with another value', lines: A_PUT, stored: { '/a': 'v0' }, key: '/a', found: 'v0', allowed: ['v1'] },
    { name: 'an acknowledged delete undone', lines: [...A_PUT, 'want del /a', 'del /a'], stored: { '/a': 'v1' }, key: '/a', found: 'v1', allowed: [null] },
    { name: 'a key never written', lines: A_PUT, stored: { '/a': 'v1', '/b': 'x' }, key: '/b', found: 'x', allowed: [null] },
    {
      name: 'a write in flight in an earlier run, undone after a later run acknowledged one',
      lines: [...A_PUT, 'want del /a', ...A_PUT],
      stored: {},
      key: '/a',
      found: null,
      allowed: ['v1'],
    },
  ])('refuses: $name', ({ lines, stored, key, found, allowed }) => {
    expect(outcomesOf(lines).mismatches(new Map(Object.entries(stored)))).toEqual([{ key, stored: found, allowed }]);
  });

  it('counts acknowledged writes only', () => {
    expect(outcomesOf(['ready', ...A_PUT, 'want del /a', 'del /a', 'want put /b v']).acknowledged).toBe(2);
  });

  it('regression: a delete in flight at the kill may land without its acknowledgment (it was reported as a lost put)', () => {
    // The CI failure: /w0/62's delete was in the WAL, written before the kill, but never acknowledged.
    const lines = ['want put /w0/62 v62-x', 'put /w0/62 v62-x', 'want put /w0/64 v64-x', 'put /w0/64 v64-x', 'want del /w0/62'];
    const stored = new Map([['/w0/64', 'v64-x']]);
    expect(outcomesOf(lines).mismatches(stored)).toEqual([]);
  });
});
