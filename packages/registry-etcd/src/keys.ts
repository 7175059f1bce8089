/**
 * Keys on the wire: strings travel as their UTF-8 bytes, and a prefix is the
 * byte range [prefix, rangeEnd(prefix)).
 */
import type { KeyValue } from '@fleetd/core';
import type { IKeyValue } from 'etcd3';

/** etcd's "from this key on" / "every key" marker. */
const ZERO_KEY = Buffer.from([0]);

export function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

export interface KeyRange {
  readonly key: Buffer;
  readonly range_end: Buffer;
}

/**
 * The range holding every key that starts with `prefix`: the range end is the
 * prefix's bytes with the last byte below 0xff incremented (and what follows it
 * dropped). `''` is every key: key '\0', range end '\0'.
 */
export function prefixRange(prefix: string): KeyRange {
  if (prefix === '') return { key: ZERO_KEY, range_end: ZERO_KEY };
  const key = utf8(prefix);
  for (let i = key.length - 1; i >= 0; i--) {
    const byte = key[i]!;
    if (byte < 0xff) {
      const end = Buffer.from(key.subarray(0, i + 1));
      end[i] = byte + 1;
      return { key, range_end: end };
    }
  }
  // Only 0xff bytes (impossible in UTF-8, kept for completeness): every key from here on.
  return { key, range_end: ZERO_KEY };
}

/** etcd's lease 0 means "no lease". */
export function leaseOf(lease: string | undefined): string | undefined {
  return lease === undefined || lease === '' || lease === '0' ? undefined : lease;
}

export function toKeyValue(kv: IKeyValue): KeyValue {
  return Object.freeze({
    key: kv.key.toString('utf8'),
    value: kv.value.toString('utf8'),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
    lease: leaseOf(kv.lease),
  });
}
