import type { PluginHooks } from '../hooks/spec.js';
import { definePlugin } from '../plugin/define.js';
import type { FleetPlugin, PluginContext, PluginMeta } from '../plugin/define.js';

/** What a test plugin may declare besides its name: owned `[X-Fleet]` options, dependencies. */
export type TestPluginMeta = Partial<Pick<PluginMeta, 'unitOptions' | 'dependencies' | 'version'>>;

/** A throwaway plugin for tests: any core version, no options. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-arguments -- says the plugin takes no options
export function testPlugin(name: string, apply: (hooks: PluginHooks, context: PluginContext) => void, meta: TestPluginMeta = {}): FleetPlugin<undefined> {
  return definePlugin({
    meta: { name, version: '0.0.0', core: '*', ...meta },
    apply: (hooks, _options, context) => apply(hooks, context),
  });
}
