/**
 * Runs a piece of work on request, never two at once: requests are debounced
 * (a burst of changes makes one run), a request during a run makes exactly
 * one more run after it. The engine's rounds and the agent's reconciles both
 * work this way.
 */
export class SerialRunner<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;
  private pending = false;

  /** `allowed` is asked before each run; a request while it says no is dropped. */
  constructor(
    private readonly work: () => Promise<T>,
    private readonly debounceMs: number,
    private readonly allowed: () => boolean,
  ) {}

  /** Asks for a run soon. */
  request(): void {
    if (!this.allowed() || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runQueued();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Runs now, after the run in progress if there is one; resolves with this run's result. */
  async runNow(): Promise<T> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
    return this.track(this.work());
  }

  /** Resolves once no run is in progress. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
  }

  /** Drops a requested run that has not started. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
  }

  private async runQueued(): Promise<void> {
    if (this.running !== undefined) {
      this.pending = true;
      return;
    }
    await this.track(this.work()).catch(() => undefined);
    if (this.pending) {
      this.pending = false;
      this.request();
    }
  }

  private async track(run: Promise<T>): Promise<T> {
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = undefined;
    }
  }
}
