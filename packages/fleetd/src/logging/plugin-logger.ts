/**
 * What plugins log (`context.logger`) goes into fleetd's own log: each plugin
 * gets a pino child that marks its lines with `component: "plugin"` and
 * `plugin: <name>`, so `jq 'select(.plugin == "zone")'` finds them.
 */
import type { LogFields, PluginLogger, PluginLoggerFactory } from '@fleetd/core';
import type { Logger } from 'pino';

export type PluginLogLevel = keyof PluginLogger;

/** Told about every warning and error a plugin logs, whatever the log level lets through (metrics count them). */
export type PluginLineCounter = (plugin: string, level: 'warn' | 'error') => void;

/**
 * Keys fleetd's own lines carry: a plugin's field of the same name would
 * print a second, contradicting key (a plugin could pass itself off as
 * another one), so such fields move under `fields`.
 */
const RESERVED = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'component', 'plugin']);

/** A logger factory for `assemblePlugins`: every plugin's lines in `logger`, its warnings and errors counted by `count`. */
export function pluginLoggers(logger: Logger, count: PluginLineCounter = () => {}): PluginLoggerFactory {
  return (plugin) => {
    const log = logger.child({ component: 'plugin', plugin });
    const at = (level: PluginLogLevel) => (message: string, fields?: LogFields) => {
      if (level === 'warn' || level === 'error') count(plugin, level);
      log[level](safeFields(fields), message);
    };
    return Object.freeze({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }) satisfies PluginLogger;
  };
}

function safeFields(fields: LogFields | undefined): Record<string, unknown> {
  if (fields === undefined) return {};
  const kept: Record<string, unknown> = {};
  const moved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) (RESERVED.has(key) ? moved : kept)[key] = value;
  return Object.keys(moved).length === 0 ? kept : { ...kept, fields: moved };
}
