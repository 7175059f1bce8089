export { DEFAULT_KEY_PREFIX, KeyLayout, SCHEMA_VERSION } from './layout.js';
export type { KeyKind, ParsedKey } from './layout.js';
export * from './codec.js';
export { FleetStore } from './fleet-store.js';
export { MAX_METADATA_CHANGES, MAX_UNITS_PER_SUBMIT } from './fleet-store.js';
export type { MachineMetadataChange, SubmitOutcome } from './fleet-store.js';
