import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const manifest = require('../package.json') as { version: string };

/** The version of @fleetd/core that is running; plugins declare the range they support. */
export const CORE_VERSION: string = manifest.version;
