export { DEFAULT_KEY_PREFIX, KeyLayout, SCHEMA_VERSION } from './layout.js';
export type { KeyKind, ParsedKey } from './layout.js';
export * from './codec.js';
export { FleetStore } from './fleet-store.js';
export { MAX_UNITS_PER_SUBMIT } from './fleet-store.js';
export type { SubmitOutcome } from './fleet-store.js';
