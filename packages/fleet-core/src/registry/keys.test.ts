import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareUtf8, isWellFormed, SortedKeySet } from './keys.js';

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('compareUtf8', () => {
  it('orders like the UTF-8 bytes (etcd bytes.Compare)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(byBytes(a, b)));
      }),
      { numRuns: 2000 },
    );
  });

  it('puts astral characters after U+E000–U+FFFF, unlike UTF-16', () => {
    expect(compareUtf8('\u{1F600}', '\uFF5E')).toBeGreaterThan(0);
    expect('\u{1F600}' < '\uFF5E').toBe(true);
    expect(compareUtf8('\u{10000}', '\uD7FF')).toBeGreaterThan(0);
    expect(compareUtf8('ab', 'abc')).toBeLessThan(0);
    expect(compareUtf8('', '')).toBe(0);
  });
});

describe('isWellFormed', () => {
  it('rejects lone surrogates only', () => {
    expect(isWellFormed('plain 😀 text')).toBe(true);
    expect(isWellFormed('\uD83D')).toBe(false);
    expect(isWellFormed('x\uDE00')).toBe(false);
    expect(isWellFormed('\uDE00\uD83D')).toBe(false);
  });
});

describe('SortedKeySet', () => {
  it('behaves like a sorted Set under random adds and deletes (small blocks)', () => {
    const key = fc.stringMatching(/^[ab\u00e9\uff5e\u{1F600}/]{0,5}$/u);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), key), { maxLength: 300 }), key, (ops, prefix) => {
        const set = new SortedKeySet(2);
        const model = new Set<string>();
        for (const [add, k] of ops) {
          if (add) expect(set.add(k)).toBe(!model.has(k));
          else expect(set.delete(k)).toBe(model.has(k));
          if (add) model.add(k);
          else model.delete(k);
        }
        expect(set.size).toBe(model.size);
        const sorted = [...model].sort(byBytes);
        expect(set.withPrefix('')).toEqual(sorted);
        expect(set.withPrefix(prefix)).toEqual(sorted.filter((k) => k.startsWith(prefix)));
      }),
      { numRuns: 300 },
    );
  });
});
