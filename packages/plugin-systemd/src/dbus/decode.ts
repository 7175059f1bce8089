/**
 * Checked reads of D-Bus message bodies. dbus-next hands bodies over as `any[]`;
 * everything passes through these functions first, so a reply of an
 * unexpected shape fails loudly here instead of leaking `undefined` into
 * unit states.
 */
import dbus from 'dbus-next';

/** A reply or signal whose body does not have the signature the caller expected. */
export class DBusProtocolError extends Error {
  override readonly name = 'DBusProtocolError';
}

function fail(what: string, expected: string, value: unknown): never {
  const shown = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  throw new DBusProtocolError(`${what}: expected ${expected}, got ${shown.slice(0, 200)}`);
}

export function asString(value: unknown, what: string): string {
  return typeof value === 'string' ? value : fail(what, 'a string', value);
}

export function asBoolean(value: unknown, what: string): boolean {
  return typeof value === 'boolean' ? value : fail(what, 'a boolean', value);
}

/** D-Bus `u`/`i`/`y`/`n`/`q` values are numbers; 64-bit ones arrive as BigInt and are narrowed when exact. */
export function asNumber(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(value);
  }
  return fail(what, 'a number', value);
}

export function asArray(value: unknown, what: string): readonly unknown[] {
  return Array.isArray(value) ? (value as readonly unknown[]) : fail(what, 'an array', value);
}

/** A struct (`(...)`) of exactly `length` fields. */
export function asStruct(value: unknown, length: number, what: string): readonly unknown[] {
  const fields = asArray(value, what);
  return fields.length === length ? fields : fail(what, `a struct of ${length} fields`, value);
}

export function asStringArray(value: unknown, what: string): readonly string[] {
  return asArray(value, what).map((item, i) => asString(item, `${what}[${i}]`));
}

/** The value inside a `v` (dbus-next wraps it in a Variant; `Properties.Get` returns one). */
export function variantValue(value: unknown, what: string): unknown {
  return value instanceof dbus.Variant ? (value as { readonly value: unknown }).value : fail(what, 'a variant', value);
}

/** An `a{sv}` dictionary, its variants unwrapped. */
export function asVariantDict(value: unknown, what: string): ReadonlyMap<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(what, 'a dictionary', value);
  const entries = Object.entries(value as Record<string, unknown>);
  return new Map(entries.map(([key, item]) => [key, variantValue(item, `${what}.${key}`)]));
}
