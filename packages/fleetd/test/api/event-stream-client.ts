import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Target } from './harness.js';

export interface StreamEvent {
  readonly event: string;
  readonly data: unknown;
}

/** A client of GET /fleetd/v1/events that keeps every event it has read, and waits for the one it wants. */
export class EventStreamClient {
  readonly events: StreamEvent[] = [];
  private buffer = '';
  private waiters: (() => void)[] = [];
  ended = false;

  private constructor(
    readonly response: IncomingMessage,
    private readonly close: () => void,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.read(chunk));
    response.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  static open(target: Target, headers: Record<string, string> = {}): Promise<EventStreamClient> {
    const url = target.url === undefined ? undefined : new URL('/fleetd/v1/events', target.url);
    const where = url === undefined ? { socketPath: target.socketPath } : { hostname: url.hostname, port: url.port };
    return new Promise((resolve, reject) => {
      const outgoing = request({ ...where, path: '/fleetd/v1/events', headers }, (response) =>
        resolve(new EventStreamClient(response, () => outgoing.destroy())),
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  /** The first event read (or to come) of that name whose data passes `accept`. */
  async next<T>(event: string, accept: (data: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((candidate) => candidate.event === event && accept(candidate.data as T));
      if (found !== undefined) return found.data as T;
      if (this.ended) throw new Error(`the stream ended without a matching ${event} event`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching ${event} event within ${timeoutMs} ms; read: ${JSON.stringify(this.events).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  stop(): void {
    this.close();
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const lines = frame.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
      const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
      if (event !== undefined && data !== undefined) this.events.push({ event, data: JSON.parse(data) as unknown });
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
