/** fleetd's configuration: schema, defineConfig, loading, environment, flags, plugins, reload. */
export { defineConfig } from './define-config.js';
export { fleetdConfigSchema, validateConfig } from './schema.js';
export type { OriginLookup } from './schema.js';
export { DEFAULTS, LOG_LEVELS } from './types.js';
export type {
  AgentConfig,
  ApiConfig,
  EngineConfig,
  EtcdConfig,
  FleetdConfig,
  LogLevel,
  MachineConfig,
  PluginSpec,
  ResolvedConfig,
  ResolvedPlugin,
  ResolvedTcpApi,
  TcpApiConfig,
} from './types.js';
export { loadConfig, SEARCH_PLACES } from './load.js';
export type { LoadConfigOptions, LoadedConfig } from './load.js';
export { readEnvironment } from './env.js';
export type { EnvironmentLayer } from './env.js';
export { parseFleetdArgs } from './flags.js';
export type { FleetdArgs, ParseArgsOptions } from './flags.js';
export { CONFIG_PATH_ENV, OPTION_TABLE } from './options-table.js';
export type { ConfigOverride, OptionRow } from './options-table.js';
export { resolveConfig } from './resolve.js';
export type { ResolveInput, ResolveOptions } from './resolve.js';
export { assembleFromConfig, resolvePlugins } from './plugins.js';
export type { AssembleFromConfigOptions, ResolvePluginsOptions } from './plugins.js';
export { diffConfig } from './reload.js';
export type { ConfigDiff } from './reload.js';
export { parseMetadataString } from './metadata.js';
export type { ConfigPath, ValueOrigin } from './issues.js';
