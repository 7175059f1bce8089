import { createHash } from 'node:crypto';
import { UnitFile, type UnitOption } from './unit-file.js';

// Keyed by instance so the cache lives and dies with the (immutable) UnitFile.
const hashes = new WeakMap<UnitFile, string>();

/**
 * The hash fleet gives a unit: hex SHA-1 of go-systemd's `unit.Serialize(options)`
 * (fleet's unit/unit.go `Hash()`). This is what fleet's v1 API and its client
 * (`list-unit-files`, `list-units`, the "differs" check) speak; fleetd's own,
 * stronger content hash is {@link unitHash}.
 *
 * Options are hashed as given, not validated: the bytes are fleet's, whatever
 * they contain.
 */
export function fleetUnitHash(options: UnitFile | readonly UnitOption[]): string {
  if (!(options instanceof UnitFile)) return sha1(goSystemdSerialize(options));
  let hash = hashes.get(options);
  if (hash === undefined) {
    hash = sha1(goSystemdSerialize(options.options));
    hashes.set(options, hash);
  }
  return hash;
}

/**
 * go-systemd's unit.Serialize: sections in order of first appearance, each
 * section's options in their given order, `[Section]\n` then `Name=Value\n`
 * lines, one blank line between sections, nothing at all for no options.
 * Values are written raw (a value ending in a backslash is not protected, as
 * fleetd's own serializer does), because the hash must be fleet's bytes.
 */
export function goSystemdSerialize(options: readonly UnitOption[]): string {
  const bySection = new Map<string, string[]>();
  for (const { section, name, value } of options) {
    const lines = bySection.get(section);
    if (lines === undefined) bySection.set(section, [`${name}=${value}\n`]);
    else lines.push(`${name}=${value}\n`);
  }
  const sections: string[] = [];
  for (const [section, lines] of bySection) sections.push(`[${section}]\n${lines.join('')}`);
  return sections.join('\n');
}

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}
