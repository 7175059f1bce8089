/**
 * One @fleetd/core per process. A plugin installed apart from fleetd (next to
 * the config file, or globally beside a global fleetd) declares the core as a
 * peer dependency, and npm then installs a copy of its own for it: the plugin
 * would run on that copy's stages, classes and module state instead of
 * fleetd's. A module resolve hook makes every import of `@fleetd/core` (and
 * its subpaths) resolve as if fleetd made it, which is what a peer means; the
 * plugin's `meta.core` range is still checked against that copy.
 */
import * as nodeModule from 'node:module';

/**
 * The hooks module, run by Node in its hooks thread. It is a data: URL rather
 * than a file so that it loads the same from dist/ and from src/ under vitest.
 */
const RESOLVE_CORE_FROM_FLEETD = `
let hostURL;
export function initialize(data) { hostURL = data.hostURL; }
export function resolve(specifier, context, nextResolve) {
  const isCore = specifier === '@fleetd/core' || specifier.startsWith('@fleetd/core/');
  return nextResolve(specifier, isCore ? { ...context, parentURL: hostURL } : context);
}
`;

let shared = false;

/**
 * Registers the hook once, before the first plugin is imported from a file or
 * package. Node before 20.6 has no `module.register`: there a second copy
 * still runs, and start-up names it (daemon/plugin-reports.ts).
 */
export function shareCoreWithPlugins(): void {
  if (shared) return;
  shared = true;
  const register = (nodeModule as Partial<typeof nodeModule>).register;
  if (typeof register !== 'function') return;
  register(`data:text/javascript,${encodeURIComponent(RESOLVE_CORE_FROM_FLEETD)}`, { data: { hostURL: import.meta.url } });
}
