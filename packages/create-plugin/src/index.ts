export { createPlugin, CreatePluginError } from './create.js';
export type { CreatedPlugin, CreatePluginOptions } from './create.js';
