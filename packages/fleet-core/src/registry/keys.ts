/**
 * Key ordering and a sorted key index for the memory registry.
 *
 * etcd orders keys (and compares values) by their bytes (`bytes.Compare`), and
 * keys are UTF-8, so the order is Unicode code point order. JavaScript's `<`
 * compares UTF-16 code units, which differs for characters above U+FFFF
 * (surrogate pairs, 0xD800–0xDFFF) versus U+E000–U+FFFF: in UTF-16 the pair
 * sorts first, in UTF-8 it sorts last.
 */

/**
 * Compares two well-formed strings by their UTF-8 bytes. Negative, zero or
 * positive like `Array.prototype.sort` expects.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca !== cb) {
      // Move surrogates (code points ≥ U+10000) above U+E000–U+FFFF; the first
      // differing code unit decides, as both strings are well formed.
      if (ca >= 0xd800) ca += ca >= 0xe000 ? -0x800 : 0x2000;
      if (cb >= 0xd800) cb += cb >= 0xe000 ? -0x800 : 0x2000;
      return ca - cb;
    }
  }
  return a.length - b.length;
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/** True when `s` has a UTF-8 form (no lone surrogates). */
export function isWellFormed(s: string): boolean {
  // In a `u` regexp a surrogate pair is one code point, so only lone halves match.
  return !LONE_SURROGATE.test(s);
}

/** First index in sorted `arr` whose element is >= `key`. */
function lowerBound(arr: readonly string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUtf8(arr[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A set of keys kept in UTF-8 order as a list of sorted blocks, so insert and
 * delete cost O(log n + block size) and a prefix scan O(log n + matches),
 * also at hundreds of thousands of keys.
 */
export class SortedKeySet {
  private blocks: string[][] = [];
  private count = 0;

  constructor(private readonly blockSize = 512) {}

  get size(): number {
    return this.count;
  }

  /** Index of the first block whose last key is >= `key`; blocks.length if none. */
  private findBlock(key: string): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.blocks[mid]!;
      if (compareUtf8(block[block.length - 1]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `key`; false if it was already there. */
  add(key: string): boolean {
    if (this.blocks.length === 0) {
      this.blocks.push([key]);
      this.count = 1;
      return true;
    }
    let b = this.findBlock(key);
    if (b === this.blocks.length) b -= 1;
    const block = this.blocks[b]!;
    const i = lowerBound(block, key);
    if (block[i] === key) return false;
    block.splice(i, 0, key);
    this.count += 1;
    if (block.length > 2 * this.blockSize) {
      this.blocks.splice(b + 1, 0, block.splice(this.blockSize));
    }
    return true;
  }

  /** Removes `key`; false if it was not there. */
  delete(key: string): boolean {
    const b = this.findBlock(key);
    const block = this.blocks[b];
    if (block === undefined) return false;
    const i = lowerBound(block, key);
    if (block[i] !== key) return false;
    block.splice(i, 1);
    this.count -= 1;
    if (block.length === 0) this.blocks.splice(b, 1);
    return true;
  }

  /** The keys starting with `prefix`, in order. */
  withPrefix(prefix: string): string[] {
    const out: string[] = [];
    let b = this.findBlock(prefix);
    if (b === this.blocks.length) return out;
    let i = lowerBound(this.blocks[b]!, prefix);
    // Keys with a given prefix are contiguous and start at the prefix's lower bound.
    for (; b < this.blocks.length; b++, i = 0) {
      const block = this.blocks[b]!;
      for (; i < block.length; i++) {
        const key = block[i]!;
        if (!key.startsWith(prefix)) return out;
        out.push(key);
      }
    }
    return out;
  }

  clear(): void {
    this.blocks = [];
    this.count = 0;
  }
}
