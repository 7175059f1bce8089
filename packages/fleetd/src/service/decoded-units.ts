import { decodeUnit } from '@fleetd/core/unstable';
import type { KeyValue, Unit } from '@fleetd/core';

interface Entry {
  readonly createRevision: number;
  readonly modRevision: number;
  /** A cheap guard beside the revisions (an etcd restored from a backup may reuse them). */
  readonly length: number;
  readonly unit: Unit;
}

/**
 * Unit files decoded by earlier API reads, by name, reused while their key is
 * the same version (create and mod revision). Every read lists the prefix;
 * decoding was its cost (JSON, option checks, the SHA-256 of the file), paid
 * again for every unit on every read: 20 concurrent GET /units of big units
 * took seconds and hundreds of MB. Now a read decodes only what changed.
 */
export class DecodedUnits {
  private readonly byName = new Map<string, Entry>();
  /** Decodes done (misses), for tests and measurements. */
  decodes = 0;

  /** The unit stored in `kv`, decoded now only when this version of the key was not decoded before. */
  decode(kv: KeyValue, name: string): Unit {
    const cached = this.byName.get(name);
    if (cached !== undefined && cached.modRevision === kv.modRevision && cached.createRevision === kv.createRevision && cached.length === kv.value.length) {
      return cached.unit;
    }
    const unit = decodeUnit(kv.key, name, kv.value);
    this.decodes++;
    this.byName.set(name, { createRevision: kv.createRevision, modRevision: kv.modRevision, length: kv.value.length, unit });
    return unit;
  }

  /** Forgets units absent from a complete listing (destroyed), so the cache never outgrows the store. */
  retainOnly(names: ReadonlyMap<string, unknown>): void {
    for (const name of this.byName.keys()) if (!names.has(name)) this.byName.delete(name);
  }

  get size(): number {
    return this.byName.size;
  }
}
