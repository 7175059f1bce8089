/**
 * One request to a fleetd's API socket that never throws: a daemon killed,
 * paused or slow gives `no-answer`, which a fault test must count as neither
 * acknowledged nor refused.
 */
import { request } from 'node:http';

export type SocketAnswer = { readonly status: number; readonly body: string } | { readonly status: 'no-answer'; readonly error: string };

/** `body`, when given, is sent as JSON. */
export function requestOverSocket(socketPath: string, method: string, path: string, body: unknown, timeoutMs: number): Promise<SocketAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const headers = payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
    const req = request({ socketPath, method, path, headers, timeout: timeoutMs }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      response.on('error', (error) => resolve({ status: 'no-answer', error: error.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: 'no-answer', error: error.message }));
    req.end(payload);
  });
}
