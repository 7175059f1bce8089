/**
 * Requests Node's HTTP parser refuses before any route sees them (malformed,
 * headers too large, not received in time) still get fleet's error body, not
 * the web framework's: a client branches on one shape whatever went wrong.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { HTTP_REASONS, wireError } from './errors.js';
import type { ApiTimeouts, ClientErrorReason } from './limits.js';

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
