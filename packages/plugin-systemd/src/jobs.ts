/**
 * Waiting for systemd jobs to finish. StartUnit/StopUnit answer with a job
 * path as soon as the job is queued; the outcome comes later as a JobRemoved
 * signal carrying that path. A very short job can end before its call's reply
 * is read, so removals seen while a call is in flight are kept until the
 * caller learns its job path.
 */
import type { JobRemovedSignal, JobResult } from './dbus/index.js';

/** A job did not end in time; it may still be running in systemd. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
}

/** Bound on removals remembered while calls are in flight (other clients' jobs count too). */
const MAX_EARLY = 10_000;

export class JobTracker {
  private readonly waiting = new Map<string, (result: JobResult) => void>();
  private readonly early = new Map<string, JobResult>();
  private inFlight = 0;
  private readonly failures = new Set<(error: Error) => void>();

  /** Feed every JobRemoved signal here. */
  removed(signal: JobRemovedSignal): void {
    const waiter = this.waiting.get(signal.job);
    if (waiter !== undefined) {
      waiter(signal.result);
      return;
    }
    if (this.inFlight === 0) return;
    this.early.set(signal.job, signal.result);
    if (this.early.size > MAX_EARLY) {
      const oldest = this.early.keys().next();
      if (oldest.done !== true) this.early.delete(oldest.value);
    }
  }

  /**
   * Runs `enqueue` (which queues a job and resolves to its path) and resolves
   * to the job's result once systemd removed it, or rejects after `timeoutMs`.
   */
  async run(enqueue: () => Promise<string>, timeoutMs: number, describe: () => string): Promise<JobResult> {
    this.inFlight++;
    let job: string;
    try {
      job = await enqueue();
    } finally {
      this.inFlight--;
    }
    const known = this.early.get(job);
    this.early.delete(job);
    if (this.inFlight === 0) this.early.clear();
    if (known !== undefined) return known;
    return this.wait(job, timeoutMs, describe);
  }

  /** Rejects every pending wait (the connection is gone). */
  failAll(error: Error): void {
    for (const fail of [...this.failures]) fail(error);
  }

  private wait(job: string, timeoutMs: number, describe: () => string): Promise<JobResult> {
    return new Promise<JobResult>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiting.delete(job);
        this.failures.delete(fail);
      };
      const fail = (error: Error): void => {
        done();
        reject(error);
      };
      const timer = setTimeout(() => fail(new JobTimeoutError(`${describe()} did not finish within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(job, (result) => {
        done();
        resolve(result);
      });
      this.failures.add(fail);
    });
  }
}
