import type { FleetHooks } from '../hooks/hooks.js';
import { definePlugin } from '../plugin/define.js';
import type { FleetPlugin, PluginContext } from '../plugin/define.js';

/** A throwaway plugin for tests: any core version, no options. */
export function testPlugin(name: string, apply: (hooks: FleetHooks, context: PluginContext) => void): FleetPlugin<undefined> {
  return definePlugin({
    meta: { name, version: '0.0.0', core: '*' },
    apply: (hooks, _options, context) => apply(hooks, context),
  });
}
