/** Fields logged with a message (unit, machine, counts...). */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * What a plugin logs through (`context.logger`). fleetd hands each plugin a
 * pino child named after it, so its lines carry `plugin`, and counts its
 * warnings and errors in metrics.
 */
export interface PluginLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Gives each plugin its logger; a host passes one to `assemblePlugins`. */
export type PluginLoggerFactory = (plugin: string) => PluginLogger;

/**
 * The logger plugins get when the host gives none: warnings and errors go to
 * stderr (a library should not hide them), debug and info nowhere.
 */
export const stderrPluginLogger: PluginLoggerFactory = (plugin) => {
  const write = (level: string, message: string, fields?: LogFields): void => {
    const suffix = fields === undefined || Object.keys(fields).length === 0 ? '' : ` ${JSON.stringify(fields)}`;
    process.stderr.write(`[fleetd plugin ${plugin}] ${level}: ${message}${suffix}\n`);
  };
  return Object.freeze({
    debug: () => {},
    info: () => {},
    warn: (message: string, fields?: LogFields) => write('warn', message, fields),
    error: (message: string, fields?: LogFields) => write('error', message, fields),
  });
};
