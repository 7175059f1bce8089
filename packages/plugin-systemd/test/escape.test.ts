/**
 * Object-path escaping: a table of systemd's own examples and edge cases, a
 * property against a literal transcription of bus_label_escape(), and real
 * systemd's answer for awkward unit names.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidUnitName, MAX_UNIT_NAME_LENGTH } from '@fleetd/core';
import { escapeBusLabel, SystemdManager, unescapeBusLabel, unitNameFromPath, unitObjectPath } from '../src/index.js';
import { useSystemd } from '../src/vitest/index.js';

/** A transcription of systemd's C (src/basic/bus-label.c), byte by byte, kept apart from the implementation. */
function referenceEscape(s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length === 0) return '_';
  const hexchar = (x: number): string => '0123456789abcdef'[x & 15] ?? '';
  let r = '';
  bytes.forEach((c, i) => {
    const alpha = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    const digit = c >= 0x30 && c <= 0x39;
    r += !alpha && !(i > 0 && digit) ? `_${hexchar(c >> 4)}${hexchar(c)}` : String.fromCharCode(c);
  });
  return r;
}

const TABLE: ReadonlyArray<readonly [string, string]> = [
  ['', '_'],
  ['foo.service', 'foo_2eservice'],
  ['foo-bar.service', 'foo_2dbar_2eservice'],
  ['dbus.socket', 'dbus_2esocket'],
  ['-.mount', '_2d_2emount'],
  ['-.slice', '_2d_2eslice'],
  ['1foo.service', '_31foo_2eservice'],
  ['9', '_39'],
  ['a1', 'a1'],
  ['foo@.service', 'foo_40_2eservice'],
  ['foo@1.service', 'foo_401_2eservice'],
  ['web@8080:x.service', 'web_408080_3ax_2eservice'],
  ['a_b.service', 'a_5fb_2eservice'],
  ['sys-dev\\x2dsda.device', 'sys_2ddev_5cx2dsda_2edevice'],
  ['Z', 'Z'],
  ['_', '_5f'],
  ['/', '_2f'],
  [' ', '_20'],
  ['é', '_c3_a9'],
  ['😀', '_f0_9f_98_80'],
  ['\u0000', '_00'],
  ['\u007f', '_7f'],
];

describe('escapeBusLabel', () => {
  it.each(TABLE)('%j → %j', (label, escaped) => {
    expect(escapeBusLabel(label)).toBe(escaped);
    expect(unescapeBusLabel(escaped)).toBe(label);
  });

  it('matches systemd’s algorithm for any string (UTF-8 bytes, full Unicode)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (label) => {
        const escaped = escapeBusLabel(label);
        expect(escaped).toBe(referenceEscape(label));
        expect(escaped).toMatch(/^[A-Za-z0-9_]+$/);
        expect(unescapeBusLabel(escaped)).toBe(label);
      }),
      { numRuns: 2000 },
    );
  });

  it('is injective on unit names built from every allowed character', () => {
    const char = fc.constantFrom(...'abzABZ019:_.@-\\'.split(''));
    const name = fc
      .tuple(fc.string({ unit: char, minLength: 1, maxLength: 20 }), fc.constantFrom('service', 'socket', 'timer', 'mount'))
      .map(([stem, type]) => `${stem}.${type}`)
      .filter(isValidUnitName);
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(unitObjectPath(a) === unitObjectPath(b)).toBe(a === b);
        expect(unitNameFromPath(unitObjectPath(a))).toBe(a);
      }),
      { numRuns: 1000 },
    );
  });

  it('unescape refuses what escaping never produces', () => {
    expect(unescapeBusLabel('_')).toBe('');
    // bad hex, a cut-off escape, a non-ASCII character, a byte that is not UTF-8
    for (const bad of ['_zz', '_4', 'a_', 'é', '_ff']) expect(unescapeBusLabel(bad)).toBeUndefined();
    expect(unitNameFromPath('/org/freedesktop/systemd1/job/12')).toBeUndefined();
    expect(unitNameFromPath('/org/freedesktop/systemd1/unit/a/b')).toBeUndefined();
  });
});

describe('escaping agrees with a real systemd', () => {
  const systemd = useSystemd(1);
  let manager: SystemdManager;
  beforeAll(async () => {
    manager = await SystemdManager.connect(systemd()[0]!.busAddress, 10_000);
  });
  afterAll(() => manager?.close());

  const awkward = [
    'plain.service',
    '1leading-digit.service',
    'web@8080:x.service',
    'a_b-c.d.service',
    'sys-dev\\x2dsda.device',
    'inst@a@b.service',
    // systemd's longest name is 255 characters (UNIT_NAME_MAX counts the NUL)
    `${'x'.repeat(MAX_UNIT_NAME_LENGTH - 9)}.service`,
  ];
  it.each(awkward)('LoadUnit(%j) answers the path we compute', async (name) => {
    expect(await manager.loadUnit(name)).toBe(unitObjectPath(name));
  });
});
