/**
 * The `fleetd` command: arguments, configuration, the daemon, and signals.
 * SIGTERM/SIGINT stop cleanly (units keep running; a second signal exits at
 * once), SIGHUP reloads the configuration from the same sources. Failures
 * print one clear message, never a stack trace.
 */
import { isFleetError } from '@fleetd/core';
import { loadConfig, parseFleetdArgs, resolveConfig } from '../config/index.js';
import type { ConfigOverride, ResolvedConfig } from '../config/index.js';
import { createLogger, errorFields } from '../logging/logger.js';
import type { Logger } from '../logging/logger.js';
import { startDaemon } from './daemon.js';
import type { Daemon } from './daemon.js';
import { FLEETD_VERSION } from './version.js';

interface Sources {
  readonly configPath: string | undefined;
  readonly overrides: readonly ConfigOverride[];
}

/** Runs fleetd until it is told to stop; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let sources: Sources;
  let config: ResolvedConfig;
  let warnings: readonly string[];
  try {
    const args = parseFleetdArgs(argv, { version: FLEETD_VERSION });
    if (args.help !== undefined || args.version !== undefined) {
      process.stdout.write(`${args.help ?? args.version ?? ''}\n`.replace(/\n\n$/, '\n'));
      return 0;
    }
    sources = { configPath: args.configPath, overrides: args.overrides };
    ({ config, warnings } = await readConfig(sources));
  } catch (error) {
    return fail(error);
  }
  const logger = createLogger(config.log.level);
  for (const warning of warnings) logger.warn(warning);
  exitOnUnexpectedErrors(logger);
  // Signals are handled from here on, so one that arrives during start-up is not lost.
  const signals = listenForSignals(logger);
  let daemon: Daemon;
  try {
    daemon = await startDaemon(config, { logger });
  } catch (error) {
    signals.close();
    logger.fatal(errorFields(error), 'fleetd could not start');
    return fail(error);
  }
  return runUntilStopped(daemon, sources, logger, signals);
}

async function readConfig(sources: Sources): Promise<{ config: ResolvedConfig; warnings: readonly string[] }> {
  const loaded = await loadConfig({
    ...(sources.configPath === undefined ? {} : { configPath: sources.configPath }),
    overrides: sources.overrides,
  });
  const config = await resolveConfig({ config: loaded.config, file: loaded.file, originOf: loaded.originOf });
  return { config, warnings: loaded.warnings };
}

interface SignalQueue {
  /** Calls `handle` for every signal so far and from now on. */
  drain(handle: (signal: NodeJS.Signals) => void): void;
  close(): void;
}

function listenForSignals(logger: Logger): SignalQueue {
  const pending: NodeJS.Signals[] = [];
  let handler: ((signal: NodeJS.Signals) => void) | undefined;
  const receive = (signal: NodeJS.Signals): void => {
    if (handler !== undefined) return handler(signal);
    logger.info(`${signal} received while starting: handled once fleetd is up`);
    pending.push(signal);
  };
  const names: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  for (const name of names) process.on(name, receive);
  return {
    drain(handle) {
      handler = handle;
      for (const signal of pending.splice(0)) handle(signal);
    },
    close() {
      for (const name of names) process.off(name, receive);
    },
  };
}

function runUntilStopped(daemon: Daemon, sources: Sources, logger: Logger, signals: SignalQueue): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn(`${signal} again: exiting now`);
        resolve(130);
        return;
      }
      stopping = true;
      logger.info(`${signal} received`);
      daemon.stop().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error(errorFields(error), 'stopping failed');
          resolve(1);
        },
      );
    };
    const reload = (): void => {
      logger.info('SIGHUP received: reloading the configuration');
      readConfig(sources)
        .then(({ config }) => daemon.reload(config))
        .catch((error: unknown) => logger.error(errorFields(error), 'configuration not reloaded; fleetd keeps running on the previous one'));
    };
    signals.drain((signal) => (signal === 'SIGHUP' ? reload() : stop(signal)));
  });
}

/** A bug must not leave a half-working daemon: log it, exit, and let the service manager restart fleetd. */
function exitOnUnexpectedErrors(logger: Logger): void {
  const die = (error: unknown): void => {
    logger.fatal({ ...errorFields(error), stack: error instanceof Error ? error.stack : undefined }, 'unexpected error: fleetd exits');
    process.exit(70);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}

function fail(error: unknown): number {
  const message = isFleetError(error) || error instanceof Error ? error.message : String(error);
  process.stderr.write(`fleetd: ${message}\n`);
  return 1;
}
