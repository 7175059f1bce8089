/**
 * SIGHUP: what can change while fleetd runs is applied (machine metadata, log
 * level, the facts plugins measure); everything else is reported as needing a restart, never half-applied.
 */
import { createMachine } from '@fleetd/core';
import type { Machine } from '@fleetd/core';
import type { Agent } from '@fleetd/core/unstable';
import { diffConfig } from '../config/index.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';

export interface ReloadReport {
  /** Option paths applied at run time. */
  readonly applied: readonly string[];
  /** Option paths that changed but only take effect at start-up. */
  readonly needsRestart: readonly string[];
  /** The machine as announced after the reload. */
  readonly machine: Machine;
}

export interface ReloadTargets {
  readonly logger: Logger;
  readonly agent: Agent | undefined;
  readonly machine: Machine;
}

export async function applyReload(previous: ResolvedConfig, next: ResolvedConfig, targets: ReloadTargets): Promise<ReloadReport> {
  const diff = diffConfig(previous, next);
  const applied: string[] = [];
  let machine = targets.machine;
  if (diff.metadata !== undefined) {
    machine = createMachine({ ...machine, metadata: diff.metadata });
    await targets.agent?.updateMachine(machine);
    applied.push('machine.metadata');
  } else {
    // What plugins measure (memory, disks) may have changed with nothing in the file: ask them again.
    await targets.agent?.refreshFacts();
  }
  if (diff.logLevel !== undefined) {
    targets.logger.level = diff.logLevel;
    applied.push('log.level');
  }
  const report = { applied, needsRestart: diff.needsRestart, machine };
  targets.logger.info(
    { applied, needsRestart: diff.needsRestart },
    diff.needsRestart.length === 0
      ? `configuration reloaded${applied.length === 0 ? ': nothing changed' : `: applied ${applied.join(', ')}`}`
      : `configuration reloaded; these options change only on restart: ${diff.needsRestart.join(', ')}`,
  );
  return report;
}
