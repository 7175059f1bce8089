/**
 * Runs one registry call against etcd: a deadline for the whole call, retries
 * while that is safe and time is left, and every failure as a FleetError.
 */
import { FleetError } from '@fleetd/core';
import { canRetry, closedError, INVALID_TOKEN, messageOf, toFleetError, type RetryMode } from './errors.js';

/** gRPC call options: the call's deadline (ms since the epoch). */
export interface CallOptions {
  readonly deadline: number;
}

const FIRST_BACKOFF_MS = 10;
const MAX_BACKOFF_MS = 200;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `promise`, or a DEADLINE_EXCEEDED rejection at `deadline`: gRPC's deadline
 * does not cover everything etcd3 does before the call (e.g. fetching an auth
 * token), and a call must never take longer than its timeout.
 */
function withinDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded')), Math.max(0, deadline - Date.now()));
  });
  promise.catch(() => undefined); // it may still settle after the deadline; nobody listens then
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

export class Caller {
  constructor(
    private readonly timeoutMs: number,
    private readonly isClosed: () => boolean,
    /** Gets a new auth token; streams (keep-alive) do not trigger etcd3's own refresh. */
    private readonly refreshAuth: () => Promise<void>,
  ) {}

  /** Rejects with REGISTRY_CLOSED once the registry is closed. */
  checkOpen(): void {
    if (this.isClosed()) throw closedError();
  }

  async run<T>(what: string, mode: RetryMode, call: (options: CallOptions) => Promise<T>): Promise<T> {
    this.checkOpen();
    const deadline = Date.now() + this.timeoutMs;
    for (let backoff = FIRST_BACKOFF_MS; ; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      try {
        return await withinDeadline(call({ deadline }), deadline);
      } catch (error) {
        this.checkOpen();
        if (error instanceof FleetError) throw error;
        if (!canRetry(error, mode) || Date.now() + backoff >= deadline) {
          throw toFleetError(error, what, this.timeoutMs);
        }
        const pause = messageOf(error).includes(INVALID_TOKEN) ? this.refreshAuth() : sleep(backoff);
        await withinDeadline(pause, deadline).catch(() => undefined);
        this.checkOpen();
      }
    }
  }
}
