import { describe, expect, it } from 'vitest';
import { runtimeUnitDirectory } from './runtime-directory.js';

// UnitPath as systemd 252 reports it (`systemctl show -p UnitPath`).
const SYSTEM = [
  '/etc/systemd/system.control',
  '/run/systemd/system.control',
  '/run/systemd/transient',
  '/run/systemd/generator.early',
  '/etc/systemd/system',
  '/etc/systemd/system.attached',
  '/run/systemd/system',
  '/run/systemd/system.attached',
  '/run/systemd/generator',
  '/usr/local/lib/systemd/system',
  '/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/run/systemd/generator.late',
];
const USER = [
  '/home/u/.config/systemd/user.control',
  '/run/user/1000/systemd/user.control',
  '/run/user/1000/systemd/transient',
  '/run/user/1000/systemd/generator.early',
  '/home/u/.config/systemd/user',
  '/etc/xdg/systemd/user',
  '/etc/systemd/user',
  '/run/user/1000/systemd/user',
  '/run/systemd/user',
  '/run/user/1000/systemd/generator',
  '/home/u/.local/share/systemd/user',
  '/usr/local/share/systemd/user',
  '/usr/share/systemd/user',
  '/usr/local/lib/systemd/user',
  '/usr/lib/systemd/user',
  '/run/user/1000/systemd/generator.late',
];

describe('runtimeUnitDirectory', () => {
  it.each([
    { name: 'the system manager', unitPath: SYSTEM, expected: '/run/systemd/system' },
    { name: 'a user manager', unitPath: USER, expected: '/run/user/1000/systemd/user' },
    { name: 'entries listed twice', unitPath: [...USER, ...USER], expected: '/run/user/1000/systemd/user' },
    { name: 'a custom SYSTEMD_UNIT_PATH (no control or transient directories)', unitPath: ['/srv/units', '/etc/systemd/system'], expected: undefined },
    { name: 'no transient directory beside it', unitPath: SYSTEM.filter((dir) => dir !== '/run/systemd/transient'), expected: undefined },
    { name: 'no control directory beside it', unitPath: SYSTEM.filter((dir) => dir !== '/run/systemd/system.control'), expected: undefined },
    { name: 'two candidates (not a layout systemd makes): no guess', unitPath: [...SYSTEM, ...USER], expected: undefined },
    { name: 'relative entries are never taken', unitPath: ['systemd/user.control', 'systemd/transient', 'systemd/user'], expected: undefined },
    { name: 'an empty path', unitPath: [], expected: undefined },
  ])('$name', ({ unitPath, expected }) => {
    expect(runtimeUnitDirectory(unitPath)).toBe(expected);
  });
});
