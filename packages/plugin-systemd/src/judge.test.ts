import { parseUnitFile } from '@fleetd/core';
import { describe, expect, it } from 'vitest';
import { asSystemdReads, serviceTypeOf } from './judge.js';

describe('serviceTypeOf: the Type= systemd gives a service from its file', () => {
  it.each([
    { name: 'ExecStart without Type= is simple', service: 'ExecStart=/bin/sleep 1\n', type: 'simple' },
    { name: 'BusName= without Type= is dbus', service: 'BusName=org.example.A\nExecStart=/bin/a\n', type: 'dbus' },
    { name: 'neither ExecStart= nor Type= is oneshot', service: 'ExecStop=/bin/true\n', type: 'oneshot' },
    { name: 'the last Type= wins', service: 'Type=oneshot\nType=exec\nExecStart=/bin/a\n', type: 'exec' },
    { name: 'Type=idle', service: 'Type=idle\nExecStart=/bin/a\n', type: 'idle' },
    { name: 'an empty Type= falls back to the default', service: 'Type=\nExecStart=/bin/a\n', type: 'simple' },
    { name: 'a continued Type= is read as systemd joins it', service: 'Type=\\\n  oneshot\nExecStart=/bin/a\n', type: 'oneshot' },
  ])('$name', ({ service, type }) => {
    expect(serviceTypeOf(parseUnitFile(`[Service]\n${service}`))).toBe(type);
  });
});

describe('asSystemdReads: a value as systemd reads it from the written file', () => {
  it.each([
    { name: 'a one-line value is itself', value: '/bin/a b', read: '/bin/a b' },
    { name: 'each continuing backslash becomes a space', value: "/bin/sh -c 'echo one; \\\n    echo two'", read: "/bin/sh -c 'echo one;      echo two'" },
    { name: 'comment lines inside are left out', value: '/bin/a \\\n# note \\\n; more\n  b', read: '/bin/a    b' },
    { name: 'an empty last line (a blank line ended it)', value: 'words here \\\n', read: 'words here' },
    { name: 'a backslash on the last line is kept', value: 'a \\\nb \\', read: 'a  b \\' },
  ])('$name', ({ value, read }) => {
    expect(asSystemdReads(value)).toBe(read);
  });
});
