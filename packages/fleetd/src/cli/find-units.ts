import { ErrorCodes, FleetError } from '@fleetd/core';
import type { WireUnit } from '../api/wire.js';
import { inOrder } from './bounded.js';
import type { Session } from './session.js';

/**
 * From this many names on, fleetctl reads the cluster's unit list (a page
 * per 100 units) instead of one GET per name: one read of the daemon's
 * snapshot serves a page, where a GET costs one for one unit.
 */
export const LIST_FROM_NAMES = 50;

/**
 * The cluster's units as one command sees them: the whole list read once
 * for many names, or one GET per name (kept) for few. What the command
 * itself writes is recorded, so a later argument sees it as fleet's
 * sequential fleetctl saw it (a template submitted by an earlier argument).
 */
export class ClusterUnits {
  private constructor(
    private readonly session: Session,
    private readonly known: Map<string, WireUnit | undefined>,
    private readonly complete: boolean,
  ) {}

  static async for(session: Session, names: readonly string[]): Promise<ClusterUnits> {
    if (names.length < LIST_FROM_NAMES) return new ClusterUnits(session, new Map(), false);
    const units = await session.client().units();
    return new ClusterUnits(session, new Map(units.map((unit) => [unit.name, unit])), true);
  }

  async get(name: string): Promise<WireUnit | undefined> {
    if (this.complete || this.known.has(name)) return this.known.get(name);
    const unit = await this.session.client().unit(name);
    this.known.set(name, unit);
    return unit;
  }

  /** Fetches what is not known yet, many at once. */
  async prefetch(names: readonly string[]): Promise<void> {
    if (this.complete) return;
    const { firstFailure } = await inOrder([...new Set(names)], (name) => this.get(name));
    if (firstFailure !== undefined) throw firstFailure;
  }

  record(unit: WireUnit): void {
    this.known.set(unit.name, unit);
  }
}

/** Every unit, or UNIT_NOT_FOUND for the first unknown one before anything changes. */
export async function findUnits(session: Session, names: readonly string[]): Promise<WireUnit[]> {
  const cluster = await ClusterUnits.for(session, names);
  await cluster.prefetch(names);
  const units: WireUnit[] = [];
  for (const name of names) {
    const unit = await cluster.get(name);
    if (unit === undefined) throw unitNotFound(name);
    units.push(unit);
  }
  return units;
}

export function unitNotFound(name: string): FleetError {
  return new FleetError(ErrorCodes.UNIT_NOT_FOUND, `unable to find unit ${name} in the cluster`, { unit: name });
}
