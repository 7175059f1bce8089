import { createRequire } from 'node:module';

/** The fleetd package's version (dist/daemon/ → package.json, which npm always ships). */
export const FLEETD_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
