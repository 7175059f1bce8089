import { parseUnitFile } from '@fleetd/core';
import { describe, expect, it } from 'vitest';
import { serviceTypeOf } from './judge.js';

describe('serviceTypeOf: the Type= systemd gives a service from its file', () => {
  it.each([
    { name: 'ExecStart without Type= is simple', service: 'ExecStart=/bin/sleep 1\n', type: 'simple' },
    { name: 'BusName= without Type= is dbus', service: 'BusName=org.example.A\nExecStart=/bin/a\n', type: 'dbus' },
    { name: 'neither ExecStart= nor Type= is oneshot', service: 'ExecStop=/bin/true\n', type: 'oneshot' },
    { name: 'the last Type= wins', service: 'Type=oneshot\nType=exec\nExecStart=/bin/a\n', type: 'exec' },
    { name: 'Type=idle', service: 'Type=idle\nExecStart=/bin/a\n', type: 'idle' },
    { name: 'an empty Type= falls back to the default', service: 'Type=\nExecStart=/bin/a\n', type: 'simple' },
  ])('$name', ({ service, type }) => {
    expect(serviceTypeOf(parseUnitFile(`[Service]\n${service}`))).toBe(type);
  });
});
