/**
 * Requests Node's HTTP parser or the router refuses before any route sees
 * them (malformed, headers too large, not received in time, a bad escape, an
 * over-long parameter) still get fleet's error body, not the web framework's:
 * a client branches on one shape whatever went wrong.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { HTTP_REASONS, wireError } from './errors.js';
import type { ApiConnectionObserver, ApiListener, ApiTimeouts, ClientErrorReason, RateLimitedWarning } from './limits.js';

/** Longer than any unit name (255) even percent-encoded; longer is refused before routing. */
export const MAX_PARAM_LENGTH = 1024;

/** The router's refusals (bad percent-encoding, an over-long path parameter). */
export function routerFailure(error: Error & { code?: string }): { status: number; message: string } {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return { status: 414, message: `a path parameter is longer than ${MAX_PARAM_LENGTH} characters` };
  if (error.code === 'FST_ERR_BAD_URL') {
    const path = (/'(.*)'/s.exec(error.message)?.[1] ?? '').slice(0, 256);
    return { status: 400, message: `invalid URL escape in ${JSON.stringify(path)}` };
  }
  return { status: 400, message: 'bad request' };
}

/** The server's `clientError` handler: counts, warns (timeouts, rate-limited) and answers in fleet's body. */
export function clientErrorHandler(listener: ApiListener, timeouts: ApiTimeouts, observe: ApiConnectionObserver, warnings: RateLimitedWarning) {
  return (error: ParserError, socket: Socket): void => {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = clientErrorAnswer(error, timeouts, maxHeaderSize);
    observe({ type: 'client-error', listener, reason: answer.reason });
    if (answer.reason === 'timeout') {
      const due = `headers within ${timeouts.headersTimeoutMs} ms, the whole request within ${timeouts.requestTimeoutMs} ms`;
      warnings.warn(
        `${listener}:timeout`,
        { listener, client: socket.remoteAddress },
        `api: closed a connection that did not send its request in time (${due})`,
      );
    }
    answerClientError(socket, answer);
  };
}

interface ParserError extends Error {
  readonly code?: string;
  /** llhttp's description, e.g. "Invalid method encountered". */
  readonly reason?: string;
}

export interface ClientErrorAnswer {
  readonly status: number;
  readonly message: string;
  readonly reason: ClientErrorReason;
}

/** The status and message for a parser error; `maxHeaderSize` is Node's (http.maxHeaderSize unless configured). */
export function clientErrorAnswer(error: ParserError, timeouts: ApiTimeouts, maxHeaderSize: number): ClientErrorAnswer {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      message: `request not received in time: headers are due within ${timeouts.headersTimeoutMs} ms, the whole request within ${timeouts.requestTimeoutMs} ms`,
      reason: 'timeout',
    };
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, message: `request headers are larger than ${maxHeaderSize} bytes`, reason: 'headers-too-large' };
  }
  const detail = error.reason ?? error.message;
  return { status: 400, message: `malformed HTTP request: ${detail.replace(/^Parse Error: /, '')}`, reason: 'bad-request' };
}

/** Whether a raw answer may be written: not when the socket is gone or a response is already under way on it. */
function canAnswer(socket: Socket): boolean {
  if (socket.destroyed || !socket.writable) return false;
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return inFlight === undefined || inFlight === null || inFlight.headersSent !== true;
}

/** Writes fleet's error body and closes the connection (the parser cannot go on after an error). */
export function answerClientError(socket: Socket, answer: ClientErrorAnswer): void {
  if (!canAnswer(socket)) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(wireError(answer.status, answer.message, HTTP_REASONS.requestInvalid));
  const head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  // Destroyed once written, whatever the client does next: end() alone would wait for its FIN.
  socket.end(head + body, () => socket.destroy());
}
