import { ErrorCodes, FleetError } from '@fleetd/core';
import type { WireUnit } from '../api/wire.js';
import type { Session } from './session.js';

/** Every unit, or UNIT_NOT_FOUND for the first unknown one before anything changes. */
export async function findUnits(session: Session, names: readonly string[]): Promise<WireUnit[]> {
  const units: WireUnit[] = [];
  for (const name of names) {
    const unit = await session.client().unit(name);
    if (unit === undefined) throw unitNotFound(name);
    units.push(unit);
  }
  return units;
}

export function unitNotFound(name: string): FleetError {
  return new FleetError(ErrorCodes.UNIT_NOT_FOUND, `unable to find unit ${name} in the cluster`, { unit: name });
}
