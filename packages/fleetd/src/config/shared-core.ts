/**
 * One @fleetd/core per process. A plugin installed apart from fleetd (next to
 * the config file, or globally beside a global fleetd) declares the core as a
 * peer dependency, and npm then installs a copy of its own for it: the plugin
 * would run on that copy's stages, classes and module state instead of
 * fleetd's. A module resolve hook makes every import of `@fleetd/core` (and
 * its subpaths) resolve to fleetd's own copy, which is what a peer means; the
 * plugin's `meta.core` range is still checked against that copy.
 */
import * as nodeModule from 'node:module';

let shared = false;

/**
 * Registers the hook once, before the first plugin is imported from a file or
 * package. Node before 20.6 has no `module.register`: there a second copy
 * still runs, and start-up names it (plugin-reports.ts).
 */
export function shareCoreWithPlugins(): void {
  if (shared) return;
  shared = true;
  const register = (nodeModule as Partial<typeof nodeModule>).register;
  if (typeof register !== 'function') return;
  register(new URL('./shared-core-hooks.js', import.meta.url), { data: { hostURL: import.meta.url } });
}
