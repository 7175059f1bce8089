/**
 * systemd's object-path labels (src/basic/bus-label.c): a unit `foo-bar.service`
 * lives at `/org/freedesktop/systemd1/unit/foo_2dbar_2eservice`.
 *
 * The escaping works on UTF-8 bytes, not on characters: every byte outside
 * [A-Za-z0-9], and a digit in first position, becomes `_` plus two lowercase
 * hex digits; the empty label is `_`. Computing paths locally saves a
 * `GetUnit`/`LoadUnit` round trip per unit when matching signals.
 */

export const SYSTEMD_PATH = '/org/freedesktop/systemd1';
export const UNIT_PATH_PREFIX = `${SYSTEMD_PATH}/unit/`;

const HEX = '0123456789abcdef';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function isAlpha(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** systemd's bus_label_escape(): the object-path element for any string. */
export function escapeBusLabel(label: string): string {
  if (label.length === 0) return '_';
  const bytes = encoder.encode(label);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    if (isAlpha(byte) || (i > 0 && isDigit(byte))) out += String.fromCharCode(byte);
    else out += `_${HEX[byte >> 4] ?? ''}${HEX[byte & 15] ?? ''}`;
  }
  return out;
}

/** 0-15 for a hex digit (either case), -1 otherwise. */
function hexValue(char: string | undefined): number {
  return char === undefined || char === '' ? -1 : HEX.indexOf(char.toLowerCase());
}

/**
 * systemd's bus_label_unescape(): the inverse of escapeBusLabel for labels it
 * produced; `_` alone is the empty string. Returns undefined for a label that
 * is not a valid escape (bad hex, or bytes that are not UTF-8).
 */
export function unescapeBusLabel(label: string): string | undefined {
  if (label === '_') return '';
  const bytes: number[] = [];
  for (let i = 0; i < label.length; i++) {
    const char = label[i] ?? '';
    if (char !== '_') {
      const code = char.charCodeAt(0);
      if (code > 0x7f) return undefined;
      bytes.push(code);
      continue;
    }
    const high = hexValue(label[i + 1]);
    const low = hexValue(label[i + 2]);
    if (high < 0 || low < 0) return undefined;
    bytes.push(high * 16 + low);
    i += 2;
  }
  try {
    return decoder.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/** The object path of a unit, as systemd's unit_dbus_path_from_name() builds it. */
export function unitObjectPath(unitName: string): string {
  return UNIT_PATH_PREFIX + escapeBusLabel(unitName);
}

/** The unit name behind a unit object path, or undefined when `path` is not one. */
export function unitNameFromPath(path: string): string | undefined {
  if (!path.startsWith(UNIT_PATH_PREFIX)) return undefined;
  const label = path.slice(UNIT_PATH_PREFIX.length);
  return label.includes('/') ? undefined : unescapeBusLabel(label);
}
