import { ErrorCodes, FleetError } from '../errors.js';
import { parseUnitFile, UnitFile, unitHash, parseUnitName } from '../unit/index.js';
import type { UnitNameInfo } from '../unit/index.js';
import { parseUnitState } from './states.js';
import type { DesiredState } from './states.js';
import type { Unit, UnitInput } from './unit.js';

// Not re-exported by the package: what createUnit is without its size limits.

/** createUnit without the size limits: for units read back from the store, which were checked when submitted. */
export function buildUnit(input: UnitInput): Unit {
  const info = parseUnitName(input.name);
  const desiredState = parseUnitState(input.desiredState ?? 'inactive', `unit ${input.name}: desired state`);
  assertRunnable(info, desiredState);
  const file = toUnitFile(input.contents, input.name);
  const text = typeof input.contents === 'string' ? input.contents : input.text;
  return Object.freeze({ name: input.name, file, hash: unitHash(file), desiredState, ...(text === undefined ? {} : { text }) });
}

export function assertRunnable(info: UnitNameInfo, state: DesiredState): void {
  if (info.isTemplate && state !== 'inactive') {
    throw new FleetError(
      ErrorCodes.UNIT_TEMPLATE_NOT_RUNNABLE,
      `${info.name}: a template unit can only be submitted; load or start an instance such as ${info.prefix}@1.${info.type}`,
      { unit: info.name },
    );
  }
}

function toUnitFile(contents: UnitInput['contents'], name: string): UnitFile {
  if (typeof contents === 'string') return parseUnitFile(contents, { file: name });
  if (contents instanceof UnitFile) return contents;
  return new UnitFile(contents);
}
