/**
 * Continued values (issue 16, item 2): fleetd keeps `\` + newline in a value as
 * fleet's client does, and the driver writes it back as a continuation. Here a
 * real systemd reads those files: it must run the command the unit file meant.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUnitFile, unitHash, UnitFile, type AgentUnit, type UnitOption } from '@fleetd/core';
import { createSystemdDriver, SERVICE_INTERFACE, SystemdManager, unitObjectPath, type SystemdDriver } from '../src/index.js';
import type { SystemdInstance } from '../src/testing/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { waitFor } from './helpers.js';

const systemd = useSystemd(1);
let instance: SystemdInstance;
let driver: SystemdDriver;
let manager: SystemdManager;

beforeAll(async () => {
  instance = systemd()[0]!;
  driver = await createSystemdDriver({ busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory });
  manager = await SystemdManager.connect(instance.busAddress, 10_000);
});
afterAll(async () => {
  await driver?.close();
  manager?.close();
});

const agentUnit = (name: string, file: UnitFile): AgentUnit => ({ name, hash: unitHash(file), file, desiredState: 'launched' });

/** What a oneshot wrote to its output file, once it exited. */
async function runOnce(unit: AgentUnit, out: string): Promise<string> {
  await driver.load(unit);
  await driver.start(unit.name);
  return waitFor(() => (existsSync(out) ? readFileSync(out, 'utf8') : undefined), `${unit.name} to write ${out}`);
}

/** argv of each ExecStart= systemd loaded (org.freedesktop.systemd1.Service.ExecStart, a(sasbttttuii)). */
async function execStartArgv(name: string): Promise<string[][]> {
  const commands = (await manager.getProperty(unitObjectPath(name), SERVICE_INTERFACE, 'ExecStart')) as unknown[][];
  return commands.map((command) => command[1] as string[]);
}

describe('continued values on a real systemd', () => {
  it('a continued ExecStart from a unit file runs as one command, as the file says', async () => {
    const out = join(instance.dir, 'continued.out');
    const file = parseUnitFile(`[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo one > ${out}; \\\n    echo two >> ${out}'\n`);
    // Kept as fleet's client keeps it, not joined:
    expect(file.values('Service', 'ExecStart')).toEqual([`/bin/sh -c 'echo one > ${out}; \\\n    echo two >> ${out}'`]);
    expect(await runOnce(agentUnit('continued.service', file), out)).toBe('one\ntwo\n');
    // systemd joined the lines: the backslash became a space, the indentation stayed.
    expect(await execStartArgv('continued.service')).toEqual([['/bin/sh', '-c', `echo one > ${out};      echo two >> ${out}`]]);
  });

  it("a value ending in a comment line does not swallow the next option (fleet's client sends such values)", async () => {
    const out = join(instance.dir, 'comment.out');
    const options: UnitOption[] = [
      { section: 'Service', name: 'Type', value: 'oneshot' },
      { section: 'Service', name: 'ExecStart', value: `/bin/sh -c 'echo a >> ${out}' \\\n# a note` },
      { section: 'Service', name: 'ExecStart', value: `/bin/sh -c 'echo b >> ${out}'` },
    ];
    expect(await runOnce(agentUnit('comment.service', new UnitFile(options)), out)).toBe('a\nb\n');
    expect(await execStartArgv('comment.service')).toEqual([
      ['/bin/sh', '-c', `echo a >> ${out}`],
      ['/bin/sh', '-c', `echo b >> ${out}`],
    ]);
  });

  it('a value ending in backslash-newline ends there; the next option stays its own', async () => {
    const out = join(instance.dir, 'blank.out');
    const options: UnitOption[] = [
      { section: 'Service', name: 'Type', value: 'oneshot' },
      { section: 'Service', name: 'ExecStart', value: `/bin/sh -c 'echo x >> ${out}' \\\n` },
      { section: 'Service', name: 'ExecStart', value: `/bin/sh -c 'echo y >> ${out}'` },
    ];
    expect(await runOnce(agentUnit('blank.service', new UnitFile(options)), out)).toBe('x\ny\n');
  });
});
