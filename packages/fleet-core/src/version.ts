import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const manifest = require('../package.json') as { version: string };

/** The version of @fleetd/core that is running; plugins declare the range they support. */
export const CORE_VERSION: string = manifest.version;

/** One copy of @fleetd/core loaded in this process. */
export interface CoreCopy {
  readonly version: string;
  /** The package's directory. */
  readonly directory: string;
}

/** This module's copy: hooks, stages and brands of two copies are distinct, so a host tells them apart. */
export const THIS_CORE_COPY: CoreCopy = Object.freeze({ version: CORE_VERSION, directory: fileURLToPath(new URL('..', import.meta.url)) });

const COPIES = Symbol.for('@fleetd/core.copies');
const registry = ((globalThis as Record<symbol, CoreCopy[] | undefined>)[COPIES] ??= []);
if (!registry.some((copy) => copy.directory === THIS_CORE_COPY.directory)) registry.push(THIS_CORE_COPY);

/**
 * Every copy of @fleetd/core loaded in this process, in load order. More than
 * one means some plugin or host installed its own copy instead of sharing
 * the host's (a peer dependency): fleetd warns about it at start-up.
 */
export function loadedCoreCopies(): readonly CoreCopy[] {
  return [...registry];
}
