/**
 * How the daemon reports on its plugins: their failures (with code, plugin,
 * hook and the plugin's own code) and a second copy of @fleetd/core that a
 * plugin brought along. Counting is the metrics' business; these write the lines.
 */
import { loadedCoreCopies } from '@fleetd/core';
import type { CoreCopy, FleetError } from '@fleetd/core';
import { THIS_CORE_COPY } from '@fleetd/core/unstable';
import { errorFields } from '../logging/logger.js';
import type { Logger } from '../logging/logger.js';
import type { FleetdMetrics } from '../metrics/metrics.js';

/** One line for a plugin's failure; the error's fields name plugin, hook and codes. */
export function logPluginError(log: Logger, error: FleetError, extra: Record<string, unknown> = {}): void {
  log.warn({ ...extra, ...errorFields(error) }, `plugin ${error.plugin ?? '(unknown)'} failed in ${error.hook ?? '(unknown hook)'}`);
}

/** The sink for plugin errors of the API's explanations and dry runs: logged and counted, as the engine's are. */
export function pluginErrorReporter(log: Logger, metrics: FleetdMetrics): (error: FleetError) => void {
  return (error) => {
    metrics.pluginError(error);
    logPluginError(log, error);
  };
}

/**
 * Logs the plugin errors of each engine round, but an error that the round
 * before also had only once: a plugin that fails for a unit fails again every
 * round (the safety-net round comes every few seconds), and the counter keeps
 * the count. It is logged again once it went away and came back.
 */
export class RoundErrorLog {
  private previous = new Set<string>();

  constructor(private readonly log: Logger) {}

  report(round: number, errors: readonly FleetError[]): void {
    const current = new Map<string, { error: FleetError; count: number }>();
    for (const error of errors) {
      const key = `${error.plugin ?? ''}\0${error.hook ?? ''}\0${error.message}`;
      const seen = current.get(key);
      if (seen === undefined) current.set(key, { error, count: 1 });
      else seen.count++;
    }
    for (const [key, { error, count }] of current) {
      if (!this.previous.has(key)) logPluginError(this.log, error, { round, count });
    }
    this.previous = new Set(current.keys());
  }
}

/**
 * Plugins that install their own @fleetd/core instead of sharing fleetd's
 * still run, but on hooks, stages and module state of another copy: say
 * which copies are loaded and how to end up with one.
 */
export function warnAboutCoreCopies(logger: Logger, copies: readonly CoreCopy[] = loadedCoreCopies()): void {
  if (copies.length <= 1) return;
  const listed = copies.map((copy) => `${copy.version} in ${copy.directory}`).join(', ');
  logger.warn(
    { coreCopies: copies.map(({ version, directory }) => ({ version, directory })), fleetdCore: THIS_CORE_COPY.directory },
    `${copies.length} copies of @fleetd/core are loaded: ${listed}; fleetd runs on ${THIS_CORE_COPY.version} in ${THIS_CORE_COPY.directory}. ` +
      "A plugin that installs its own copy does not share fleetd's: make @fleetd/core a peerDependency of each plugin " +
      '(not a dependency) and reinstall, so one copy is shared (`npm ls @fleetd/core` shows which package brings another)',
  );
}
