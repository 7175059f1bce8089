import type { LogFields, PluginLogger, PluginLoggerFactory } from '../plugin/logger.js';

/** One line a plugin logged in a test. */
export interface LoggedLine {
  readonly plugin: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields | undefined;
}

/** A plugin logger factory that keeps every line, for tests that assert what plugins log. */
export function recordingLogger(): { readonly lines: LoggedLine[]; readonly logger: PluginLoggerFactory } {
  const lines: LoggedLine[] = [];
  const logger: PluginLoggerFactory = (plugin) => {
    const at =
      (level: LoggedLine['level']) =>
      (message: string, fields?: LogFields): void => {
        lines.push({ plugin, level, message, fields });
      };
    return Object.freeze({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }) satisfies PluginLogger;
  };
  return { lines, logger };
}
