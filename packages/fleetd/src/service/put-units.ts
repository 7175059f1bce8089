import { applyUnitPut, checkUnitPut } from './put-unit.js';
import type { CheckedUnitPut, PutContext, PutUnitOutcome, PutUnitRequest } from './put-unit.js';

/** Units one `POST /fleetd/v1/units` may carry: its checks and writes stay well inside a request's time. */
export const MAX_UNITS_PER_PUT = 1_000;

/** What one unit of a many-unit PUT did: a PUT's outcome, or the error the PUT would have answered with. */
export type PutUnitsOutcome = PutUnitOutcome | { readonly kind: 'failed'; readonly error: unknown };

/**
 * A unit of a many-unit PUT that a lone PUT would have refused before
 * writing (name, desired state, unit file, a plugin's validateUnit): the
 * request writes nothing and says which unit, by position and name.
 */
export class UnitPutRefused extends Error {
  override readonly name = 'UnitPutRefused';

  constructor(
    readonly index: number,
    readonly unit: string,
    override readonly cause: unknown,
  ) {
    super(`units[${index}] (${unit}): ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * Many PUTs of fleet's `/units/{name}` in one: every unit is checked first
 * (the first bad one refuses the whole request, nothing written); then all
 * are written at once, so the daemon's group commits put many in one
 * transaction. Writes of one name keep their order. Each outcome is what
 * the lone PUT would have done, refusals that depend on what is stored
 * (409) included.
 */
export async function putUnits(context: PutContext, requests: readonly PutUnitRequest[]): Promise<PutUnitsOutcome[]> {
  const checked = requests.map((request, index) => checkedAt(context, request, index));
  const previous = new Map<string, Promise<unknown>>();
  const outcomes = checked.map((put) => {
    const outcome = (previous.get(put.name) ?? Promise.resolve()).then(() => applied(context, put));
    previous.set(put.name, outcome);
    return outcome;
  });
  return Promise.all(outcomes);
}

function checkedAt(context: PutContext, request: PutUnitRequest, index: number): CheckedUnitPut {
  try {
    return checkUnitPut(context.host, request);
  } catch (error) {
    throw new UnitPutRefused(index, request.name, error);
  }
}

async function applied(context: PutContext, put: CheckedUnitPut): Promise<PutUnitsOutcome> {
  try {
    return await applyUnitPut(context, put);
  } catch (error) {
    return { kind: 'failed', error };
  }
}
