import type { PlacementDecision, Revocation, UnschedulableUnit } from './decisions.js';

/**
 * What one round has decided so far. A round runs several cycles of
 * revalidate → place, so a unit can be placed and then moved again before
 * anything is committed: only the net change is kept.
 */
export class RoundWork {
  private readonly placed = new Map<string, PlacementDecision>();
  private readonly revoked = new Map<string, Revocation>();
  private readonly failed = new Map<string, UnschedulableUnit>();
  /** Where a unit revoked this round was placed before the round. */
  readonly previous = new Map<string, string>();
  queued = 0;
  kept = 0;
  evaluations = 0;
  revalidations = 0;
  /** Placements and revocations recorded, for telling whether a cycle changed anything. */
  changes = 0;
  /** Units put off once this round at a plugin's request (`decideAfter`): never again this round. */
  readonly putOff = new Set<string>();

  /** Takes a unit off its machine; an uncommitted placement of this round is simply dropped. */
  revoke(revocation: Revocation): void {
    this.changes++;
    if (this.placed.delete(revocation.unit)) return;
    this.revoked.set(revocation.unit, revocation);
    this.previous.set(revocation.unit, revocation.machine);
  }

  /** Records a placement; going back to the machine it was revoked from cancels both. */
  place(decision: PlacementDecision): void {
    this.changes++;
    this.failed.delete(decision.unit);
    if (this.revoked.get(decision.unit)?.machine === decision.machine) {
      this.revoked.delete(decision.unit);
      return;
    }
    this.placed.set(decision.unit, decision);
  }

  fail(unit: UnschedulableUnit): void {
    this.failed.set(unit.unit, unit);
  }

  placements(): PlacementDecision[] {
    return [...this.placed.values()];
  }

  revocations(): Revocation[] {
    return [...this.revoked.values()];
  }

  unschedulable(): UnschedulableUnit[] {
    return [...this.failed.values()].sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
  }
}
