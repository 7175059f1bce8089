/**
 * The gRPC streams a registry has open (watches, lease keep-alives), so that
 * close() can end them all before it closes the client.
 */

export interface ClosableStream {
  end(): void;
  cancel(): void;
}

/**
 * Ends a stream from our side. end() first: etcd3 then does not count the
 * CANCELLED error that cancel() raises as a failure of the endpoint.
 */
export function endStream(stream: ClosableStream): void {
  try {
    stream.end();
  } catch {
    // already ended
  }
  try {
    stream.cancel();
  } catch {
    // already cancelled
  }
}

export class StreamSet {
  private readonly open = new Set<ClosableStream>();

  add(stream: ClosableStream): void {
    this.open.add(stream);
  }

  /** Ends and forgets one stream. */
  end(stream: ClosableStream): void {
    if (this.open.delete(stream)) endStream(stream);
  }

  endAll(): void {
    for (const stream of this.open) endStream(stream);
    this.open.clear();
  }
}
