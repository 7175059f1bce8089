import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FeedMessage } from '../dashboard/feed.js';
import type { FleetService } from '../service/index.js';

/** How long EventSource waits before reconnecting (a restarted fleetd answers again within that). */
export const EVENT_STREAM_RETRY_MS = 1000;
/** A comment line this often keeps proxies and NATs from closing an idle stream. */
export const EVENT_STREAM_PING_MS = 15_000;
/** A client that stops reading is dropped once this much waits for it; it reconnects and gets a snapshot. */
export const EVENT_STREAM_MAX_BUFFER_BYTES = 16 * 1024 * 1024;

/** `GET /fleetd/v1/events`: the live feed as server-sent events; streams are ended when the server closes. */
export function eventStreamRoute(app: FastifyInstance, service: FleetService): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const open = new Set<EventStream>();
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });
  return async (request, reply) => {
    const stream = new EventStream(reply.raw);
    // The feed is subscribed first: a registry that cannot be read is an ordinary error answer.
    const unsubscribe = await service.watchCluster((message) => stream.send(message));
    reply.hijack();
    open.add(stream);
    request.raw.once('close', () => {
      unsubscribe();
      stream.end();
      open.delete(stream);
    });
    stream.open(reply.getHeaders());
  };
}

/** One client's stream: messages before the headers go out are held, then written in order. */
class EventStream {
  private held: string[] | undefined = [];
  private ping: NodeJS.Timeout | undefined;

  constructor(private readonly response: ServerResponse) {}

  open(headers: Record<string, unknown>): void {
    this.response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    this.response.write(`retry: ${EVENT_STREAM_RETRY_MS}\n\n`);
    for (const frame of this.held ?? []) this.write(frame);
    this.held = undefined;
    this.ping = setInterval(() => this.write(': ping\n\n'), EVENT_STREAM_PING_MS);
    this.ping.unref();
  }

  send(message: FeedMessage): void {
    const frame = `event: ${message.event}\ndata: ${message.data}\n\n`;
    if (this.held === undefined) this.write(frame);
    else this.held.push(frame);
  }

  end(): void {
    clearInterval(this.ping);
    if (!this.response.writableEnded) this.response.end();
  }

  private write(frame: string): void {
    if (this.response.writableEnded || this.response.destroyed) return;
    if (this.response.writableLength > EVENT_STREAM_MAX_BUFFER_BYTES) {
      this.response.destroy();
      return;
    }
    this.response.write(frame);
  }
}
