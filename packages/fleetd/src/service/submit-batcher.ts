import { ErrorCodes, isFleetError } from '@fleetd/core';
import { MAX_UNITS_PER_SUBMIT } from '@fleetd/core/unstable';
import type { Unit } from '@fleetd/core';
import type { FleetStore, SubmitOutcome } from '@fleetd/core/unstable';

/** Keeps a transaction of several units well below etcd's default request limit (1.5 MiB). */
const MAX_BATCH_BYTES = 256 * 1024;

/** Transactions in flight at once: two lone PUTs go without waiting, and one slow transaction does not hold every PUT up. */
const MAX_IN_FLIGHT = 2;

interface Waiting {
  readonly unit: Unit;
  readonly bytes: number;
  resolve(outcome: SubmitOutcome): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the API's unit creations: while MAX_IN_FLIGHT
 * transactions are in flight, units submitted meanwhile wait and then go
 * together in the next one. A lone PUT goes at once (no timer, no added
 * latency); a burst of N concurrent PUTs costs about N / 64 transactions
 * instead of N. Each etcd call costs tens of kilobytes of gRPC objects, and
 * those of the calls in flight during a burst outlived the young generation:
 * that was most of what filled fleetd's heap while units were submitted.
 */
export class SubmitBatcher {
  private waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly store: FleetStore) {}

  /** store.submitOrRead(unit), possibly in one transaction with other units. */
  submit(unit: Unit): Promise<SubmitOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ unit, bytes: approximateBytes(unit), resolve, reject });
      this.startCommits();
    });
  }

  private startCommits(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      this.inFlight++;
      void this.commit(this.takeBatch()).finally(() => {
        this.inFlight--;
        this.startCommits();
      });
    }
  }

  /** The oldest waiting units that fit one transaction; a name already in it waits for a later one. */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const later: Waiting[] = [];
    const seen = new Set<string>();
    let bytes = 0;
    for (const candidate of this.waiting) {
      const fits = batch.length === 0 || (batch.length < MAX_UNITS_PER_SUBMIT && bytes + candidate.bytes <= MAX_BATCH_BYTES);
      if (fits && !seen.has(candidate.unit.name)) {
        batch.push(candidate);
        bytes += candidate.bytes;
      } else later.push(candidate);
      seen.add(candidate.unit.name);
    }
    this.waiting = later;
    return batch;
  }

  private async commit(batch: readonly Waiting[]): Promise<void> {
    try {
      const outcomes = await this.submitAll(batch.map((waiting) => waiting.unit));
      batch.forEach((waiting, i) => waiting.resolve(outcomes[i] as SubmitOutcome));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  /** A batch the registry refuses as too large (a lower --max-txn-ops or --max-request-bytes) goes unit by unit. */
  private async submitAll(units: readonly Unit[]): Promise<SubmitOutcome[]> {
    try {
      return await this.store.submitAllOrRead(units);
    } catch (error) {
      const tooLarge = isFleetError(error, ErrorCodes.REGISTRY_TXN_TOO_LARGE) || isFleetError(error, ErrorCodes.REGISTRY_INVALID_ARGUMENT);
      if (units.length === 1 || !tooLarge) throw error;
      return Promise.all(units.map((unit) => this.store.submitOrRead(unit)));
    }
  }
}

/** About the size of the unit's stored JSON, without encoding it. */
function approximateBytes(unit: Unit): number {
  let bytes = 2 * (unit.text?.length ?? 0) + unit.hash.length + 64;
  for (const option of unit.file.options) bytes += option.section.length + option.name.length + option.value.length + 40;
  return bytes;
}
