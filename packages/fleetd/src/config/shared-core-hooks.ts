/**
 * Module hooks (run by Node off the main thread, see shared-core.ts): an
 * import of `@fleetd/core` or a subpath of it resolves as if fleetd made it.
 */
import type { InitializeHook, ResolveHook } from 'node:module';

interface HostData {
  /** A module of fleetd, from which its own @fleetd/core resolves. */
  readonly hostURL: string;
}

let hostURL: string | undefined;

export const initialize: InitializeHook<HostData> = (data) => {
  hostURL = data.hostURL;
};

const isCoreSpecifier = (specifier: string): boolean => specifier === '@fleetd/core' || specifier.startsWith('@fleetd/core/');

export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  if (hostURL === undefined || !isCoreSpecifier(specifier)) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, parentURL: hostURL });
};
