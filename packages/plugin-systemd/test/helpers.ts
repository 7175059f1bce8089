/**
 * Small helpers shared by the systemd driver tests.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUnitFile, unitHash, type AgentUnit } from '@fleetd/core';
import { waitFor } from '@fleetd/core/testing';
import type { SystemdInstance } from '../src/testing/index.js';

/** Running: not gone, not a zombie. */
export { isAlive } from '@fleetd/core/processes';

export { waitFor };
export { expectFleetError } from '@fleetd/core/vitest';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An AgentUnit from unit-file text. */
export function unit(name: string, text: string, desiredState: AgentUnit['desiredState'] = 'launched'): AgentUnit {
  const file = parseUnitFile(text);
  return { name, hash: unitHash(file), file, desiredState };
}

/**
 * A service running `script` under /bin/sh (written to a file, so neither
 * systemd's `$`/`%` expansion nor its quoting applies). `{{dir}}` in the
 * script is the instance's temp dir.
 */
export function scriptUnit(instance: SystemdInstance, name: string, script: string, extra = ''): AgentUnit {
  const file = join(instance.dir, `${name}.sh`);
  writeFileSync(file, script.replaceAll('{{dir}}', instance.dir));
  return unit(name, `[Unit]\nDescription=test ${name}\n\n[Service]\nExecStart=/bin/sh ${file}\n${extra}`);
}

/** A service that records its pid in <dir>/<name>.pid and then sleeps (exec: the pid is the sleeping process). */
export function sleeper(instance: SystemdInstance, name: string, extra = ''): AgentUnit {
  return scriptUnit(instance, name, `echo $$ > {{dir}}/${name}.pid\nexec sleep 1000\n`, extra);
}

/** The pid a sleeper recorded, once it did. */
export function pidOf(instance: SystemdInstance, name: string): Promise<number> {
  const file = join(instance.dir, `${name}.pid`);
  return waitFor(() => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0), `${name} to write its pid`);
}
