export { UnitFile, type UnitOption } from './unit-file.js';
export { parseUnitFile, MAX_UNIT_FILE_BYTES, type ParseUnitFileOptions } from './parse.js';
export { MAX_UNIT_BYTES, MAX_UNIT_OPTIONS } from './limits.js';
export { serializeUnitFile } from './serialize.js';
export { unitHash } from './hash.js';
export { fleetUnitHash } from './fleet-hash.js';
export { splitMultiValue } from './multi-value.js';
export { UNIT_TYPES, TEMPLATE_UNIT_TYPES, MAX_UNIT_NAME_LENGTH, parseUnitName, isValidUnitName, templateOf, type UnitType, type UnitNameInfo } from './name.js';
