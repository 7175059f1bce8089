/**
 * Writes through a member's API socket. Only the status matters: a 2xx is an
 * acknowledgment; no answer (a killed or paused daemon, a timeout) leaves the
 * outcome unknown, which the caller must resolve before judging.
 */
import { request } from 'node:http';
import type { UnitOption } from './workload.js';

export type Answer = { readonly status: number; readonly body: string } | { readonly status: 'no-answer'; readonly error: string };

export function send(socketPath: string, method: string, path: string, body: unknown, timeoutMs: number): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      { socketPath, method, path, timeout: timeoutMs, headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', (error) => resolve({ status: 'no-answer', error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: 'no-answer', error: error.message }));
    req.end(payload);
  });
}

export const isAck = (answer: Answer): boolean => typeof answer.status === 'number' && answer.status >= 200 && answer.status < 300;

const unitPath = (name: string): string => `/fleet/v1/units/${encodeURIComponent(name)}`;

export const putUnit = (socketPath: string, name: string, options: readonly UnitOption[], desiredState: string, timeoutMs = 5000): Promise<Answer> =>
  send(socketPath, 'PUT', unitPath(name), { name, desiredState, options }, timeoutMs);

export const setDesiredState = (socketPath: string, name: string, desiredState: string, timeoutMs = 5000): Promise<Answer> =>
  send(socketPath, 'PUT', unitPath(name), { desiredState }, timeoutMs);

export const destroyUnit = (socketPath: string, name: string, timeoutMs = 5000): Promise<Answer> => send(socketPath, 'DELETE', unitPath(name), undefined, timeoutMs);
