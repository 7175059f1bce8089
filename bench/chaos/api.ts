/**
 * Writes through a member's API socket. Only the status matters: a 2xx is an
 * acknowledgment; no answer (a killed or paused daemon, a timeout) leaves the
 * outcome unknown, which the caller must resolve before judging.
 */
import { requestOverSocket } from 'fleetd/testing';
import type { SocketAnswer } from 'fleetd/testing';
import type { UnitOption } from './workload.js';

export type Answer = SocketAnswer;

export const isAck = (answer: Answer): boolean => typeof answer.status === 'number' && answer.status >= 200 && answer.status < 300;

const unitPath = (name: string): string => `/fleet/v1/units/${encodeURIComponent(name)}`;

export const putUnit = (socketPath: string, name: string, options: readonly UnitOption[], desiredState: string, timeoutMs = 5000): Promise<Answer> =>
  requestOverSocket(socketPath, 'PUT', unitPath(name), { name, desiredState, options }, timeoutMs);

export const setDesiredState = (socketPath: string, name: string, desiredState: string, timeoutMs = 5000): Promise<Answer> =>
  requestOverSocket(socketPath, 'PUT', unitPath(name), { desiredState }, timeoutMs);

export const destroyUnit = (socketPath: string, name: string, timeoutMs = 5000): Promise<Answer> =>
  requestOverSocket(socketPath, 'DELETE', unitPath(name), undefined, timeoutMs);
