/**
 * Numbers the registry's write calls in the order they are made and tracks how
 * far they are durable, so a read, or a watch event, can wait until every
 * write made before it is on disk: nothing is ever seen that a crash could
 * still take back.
 *
 * Write calls finish in the order they began (their records go through one
 * FIFO log writer), so "durable up to call n" is a single number.
 */
export class CallOrder {
  private issued = 0;
  private done = 0;
  private failure: unknown;
  private waiters: { ticket: number; resolve: () => void; reject: (error: unknown) => void }[] = [];

  /** A new write call's number. */
  begin(): number {
    this.issued += 1;
    return this.issued;
  }

  /** The number a reader waits for: every write call made so far. */
  ticket(): number {
    return this.issued;
  }

  finish(call: number): void {
    this.done = Math.max(this.done, call);
    const ready = this.waiters.filter((w) => w.ticket <= this.done);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.ticket > this.done);
    for (const waiter of ready) waiter.resolve();
  }

  isDone(ticket: number): boolean {
    return this.done >= ticket;
  }

  whenDone(ticket: number = this.issued): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the first failure, passed on as it was caught
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.done >= ticket) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ ticket, resolve, reject }));
  }

  /** The store can no longer make writes durable: everyone waiting is told. */
  fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
