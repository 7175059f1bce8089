import { createHash } from 'node:crypto';
import { serializeUnitFile, toUnitFile } from './serialize.js';
import type { UnitFile, UnitOption } from './unit-file.js';

// Keyed by instance so the cache lives and dies with the (immutable) UnitFile.
const hashes = new WeakMap<UnitFile, string>();

/**
 * Hex SHA-256 of the canonical serialization: comments, blank lines, spacing and
 * continuation style do not change it; option values and their order within a
 * section do. fleet's own hash (SHA-1 of go-systemd's serialization), which
 * fleet's v1 API speaks, is fleetUnitHash() in fleet-hash.ts.
 */
export function unitHash(file: UnitFile | readonly UnitOption[]): string {
  const unit = toUnitFile(file);
  let hash = hashes.get(unit);
  if (hash === undefined) {
    hash = createHash('sha256').update(serializeUnitFile(unit), 'utf8').digest('hex');
    hashes.set(unit, hash);
  }
  return hash;
}
