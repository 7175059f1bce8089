import { MAX_TXN_OPS } from '@fleetd/core';
import type { DesiredState } from '@fleetd/core';
import type { FleetStore } from '@fleetd/core/unstable';

/** Transactions in flight at once, as for creations (SubmitBatcher). */
const MAX_IN_FLIGHT = 2;

interface Waiting {
  readonly name: string;
  readonly state: DesiredState;
  resolve(set: boolean): void;
  reject(error: unknown): void;
}

/**
 * Group commit for desired-state changes of existing units (fleetctl's
 * load and start after creating, stop, unload): while MAX_IN_FLIGHT
 * transactions are in flight, changes arriving meanwhile wait and go
 * together in the next one (FleetStore.setDesiredStates: each guarded on
 * its unit's existence). A burst of N costs about
 * N / 128 transactions instead of N; a lone change goes at once.
 */
export class DesiredStateBatcher {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  /** Names in a transaction in flight: a later change of one waits until it is done, or the two could land in either order. */
  private readonly writing = new Set<string>();

  constructor(private readonly store: FleetStore) {}

  /** Sets the desired state of an existing unit: false (nothing written) when there is no unit of that name. */
  set(name: string, state: DesiredState): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ name, state, resolve, reject });
      this.startCommits();
    });
  }

  private startCommits(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      this.inFlight++;
      for (const { name } of batch) this.writing.add(name);
      void this.commit(batch).finally(() => {
        for (const { name } of batch) this.writing.delete(name);
        this.inFlight--;
        this.startCommits();
      });
    }
  }

  /** The oldest waiting changes, one per name and none of a name in flight (those wait for a later transaction). */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const later: Waiting[] = [];
    const seen = new Set(this.writing);
    for (const candidate of this.waiting) {
      if (batch.length < MAX_TXN_OPS && !seen.has(candidate.name)) batch.push(candidate);
      else later.push(candidate);
      seen.add(candidate.name);
    }
    this.waiting = later;
    return batch;
  }

  private async commit(batch: readonly Waiting[]): Promise<void> {
    try {
      if (batch.length > 1 && (await this.store.setDesiredStates(batch))) {
        for (const waiting of batch) waiting.resolve(true);
        return;
      }
      // A unit of the batch is gone (or it is alone): each on its own says which.
      await Promise.all(batch.map(async (waiting) => waiting.resolve(await this.store.setDesiredStates([waiting]))));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
