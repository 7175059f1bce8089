import { MAX_TXN_OPS } from '@fleetd/core';
import type { DesiredState, Registry } from '@fleetd/core';
import type { FleetStore } from '@fleetd/core/unstable';

/** Transactions in flight at once, as for creations (SubmitBatcher). */
const MAX_IN_FLIGHT = 2;

interface Waiting {
  readonly name: string;
  readonly desired: DesiredState;
  resolve(set: boolean): void;
  reject(error: unknown): void;
}

/**
 * Group commit for desired-state changes of existing units (fleetctl's
 * load and start after creating, stop, unload): while MAX_IN_FLIGHT
 * transactions are in flight, changes arriving meanwhile wait and go
 * together in the next one, each guarded on its unit's existence as
 * FleetStore.setDesiredState guards one. A burst of N costs about
 * N / 128 transactions instead of N; a lone change goes at once.
 */
export class DesiredStateBatcher {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  /** Names in a transaction in flight: a later change of one waits until it is done, or the two could land in either order. */
  private readonly writing = new Set<string>();

  constructor(
    private readonly registry: Registry,
    private readonly store: FleetStore,
  ) {}

  /** Sets the desired state of an existing unit: false (nothing written) when there is no unit of that name. */
  set(name: string, desired: DesiredState): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ name, desired, resolve, reject });
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
      if (batch.length > 1 && (await this.setAll(batch))) {
        for (const waiting of batch) waiting.resolve(true);
        return;
      }
      // A unit of the batch is gone (or it is alone): each on its own says which.
      await Promise.all(batch.map(async (waiting) => waiting.resolve(await this.setOne(waiting))));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  private async setAll(batch: readonly Waiting[]): Promise<boolean> {
    const { layout } = this.store;
    const result = await this.registry.txn({
      compare: batch.map(({ name }) => ({ key: layout.unit(name), target: 'createRevision' as const, op: '>' as const, value: 0 })),
      success: batch.map(({ name, desired }) => ({ type: 'put' as const, key: layout.desired(name), value: desired })),
    });
    return result.succeeded;
  }

  private async setOne({ name, desired }: Waiting): Promise<boolean> {
    const { layout } = this.store;
    const result = await this.registry.txn({
      compare: [{ key: layout.unit(name), target: 'createRevision', op: '>', value: 0 }],
      success: [{ type: 'put', key: layout.desired(name), value: desired }],
    });
    return result.succeeded;
  }
}
