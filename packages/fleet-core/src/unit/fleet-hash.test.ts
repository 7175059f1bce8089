import { describe, expect, it } from 'vitest';
import { fleetUnitHash, goSystemdSerialize } from './fleet-hash.js';
import { UnitFile, type UnitOption } from './unit-file.js';

const opt = (section: string, name: string, value: string): UnitOption => ({ section, name, value });

// Every expected hash was computed outside fleetd, as the SHA-1 of the exact bytes
// go-systemd's unit.Serialize writes, e.g.
//   printf '[Service]\nExecStart=/bin/sleep 100\n' | sha1sum
describe("fleetUnitHash is fleet's SHA-1 of go-systemd's serialization", () => {
  it.each<{ name: string; options: UnitOption[]; serialized: string; sha1: string }>([
    {
      name: "fleet's own test unit (unit_test.go TestUnitHash)",
      options: [opt('Service', 'ExecStart', '/bin/sleep 100')],
      serialized: '[Service]\nExecStart=/bin/sleep 100\n',
      sha1: '1c6fb6f3684bafb0c173d8b8b957ceff031180c1',
    },
    {
      name: 'no options: nothing is written, the SHA-1 of no bytes',
      options: [],
      serialized: '',
      sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    },
    {
      name: 'two sections: one blank line between them, none at the end',
      options: [opt('Unit', 'Description', 'web'), opt('Service', 'ExecStart', '/bin/web')],
      serialized: '[Unit]\nDescription=web\n\n[Service]\nExecStart=/bin/web\n',
      sha1: 'cd141fb8c476eedf05d204d8c58a94ad94fad0a9',
    },
    {
      name: 'interleaved sections: grouped in order of first appearance, options in given order',
      options: [
        opt('Unit', 'Description', 'web'),
        opt('Service', 'ExecStart', '/bin/web'),
        opt('Unit', 'After', 'a.service'),
        opt('X-Fleet', 'Global', 'true'),
        opt('Service', 'Restart', 'always'),
      ],
      serialized: '[Unit]\nDescription=web\nAfter=a.service\n\n[Service]\nExecStart=/bin/web\nRestart=always\n\n[X-Fleet]\nGlobal=true\n',
      sha1: '958a055b6d2878a0a3b2047bddc3902441e68e38',
    },
    {
      name: 'a value with a backslash-newline continuation is written as it is',
      options: [opt('Service', 'ExecStart', "/bin/sh -c 'echo one; \\\n    echo two'")],
      serialized: "[Service]\nExecStart=/bin/sh -c 'echo one; \\\n    echo two'\n",
      sha1: '1b28cd9f881bd8c402a116699c0a92e7a37cee16',
    },
    {
      name: 'an empty value',
      options: [opt('Unit', 'Description', '')],
      serialized: '[Unit]\nDescription=\n',
      sha1: 'a25b1ffc6f9e39f22c38ad16b2cc500d16a4617e',
    },
    {
      name: 'a value ending in a backslash: raw, with no protecting space',
      options: [opt('Service', 'ExecStart', '/bin/x \\')],
      serialized: '[Service]\nExecStart=/bin/x \\\n',
      sha1: '62d61ac5ad913395207a8b131309ca62b1579304',
    },
    {
      name: 'non-ASCII values are hashed as UTF-8',
      options: [opt('Unit', 'Description', 'café ☕')],
      serialized: '[Unit]\nDescription=café ☕\n',
      sha1: 'f6e54ee7a22259b6ff6a34098f9dc16c1f0c88b7',
    },
  ])('$name', ({ options, serialized, sha1 }) => {
    expect(fleetUnitHash(options)).toBe(sha1);
    expect(goSystemdSerialize(options)).toBe(serialized);
  });

  it('a UnitFile hashes like its option list, in any order of sections', () => {
    const options = [opt('Unit', 'Description', 'web'), opt('Service', 'ExecStart', '/bin/web'), opt('Unit', 'After', 'a.service')];
    const unit = new UnitFile(options);
    expect(fleetUnitHash(unit)).toBe(fleetUnitHash(options));
    expect(fleetUnitHash(unit)).toBe(fleetUnitHash(unit));
  });
});
