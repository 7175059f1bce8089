import { describeThrown, ErrorCodes, FleetError, isFleetError } from '../errors.js';

/**
 * Wraps anything a tap threw as PLUGIN_ERROR naming plugin and hook (Rollup's
 * PLUGIN_ERROR); a string `code` the plugin's error carried survives as
 * `pluginCode`. A timeout or an error already wrapped for this plugin and
 * hook is passed through.
 */
export function pluginError(plugin: string, hook: string, cause: unknown): FleetError {
  if (isFleetError(cause) && cause.plugin === plugin && cause.hook === hook) return cause;
  return new FleetError(ErrorCodes.PLUGIN_ERROR, `plugin "${plugin}" failed in hook "${hook}": ${describeThrown(cause)}`, {
    plugin,
    hook,
    pluginCode: codeOf(cause),
    cause,
  });
}

function codeOf(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

/** Rejects with PLUGIN_TIMEOUT naming the plugin when `work` outlives `timeoutMs`. */
export async function withPluginTimeout<T>(work: Promise<T>, timeoutMs: number, plugin: string, hook: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new FleetError(ErrorCodes.PLUGIN_TIMEOUT, `plugin "${plugin}" did not finish hook "${hook}" within ${timeoutMs} ms`, { plugin, hook }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
