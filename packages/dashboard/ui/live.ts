/**
 * The live feed: an EventSource on /fleetd/v1/events feeding the store. EventSource
 * reconnects by itself after a network error (the server sends `retry: 1000`); when the
 * server answers with an error status instead, the browser closes the source for good,
 * so a new one is opened. After a few failures in a row the page asks /health: a 401
 * means the session is gone, and the page goes back to sign-in.
 */
import type { DashChanges, DashSnapshot } from '../src/feed.js';
import { LOGIN_PAGE } from './api.js';
import type { Store } from './store.js';

export const EVENTS_URL = '/fleetd/v1/events';
const REOPEN_MS = 1000;
const PROBE_AFTER_FAILURES = 3;

export function connectLive(store: Store): () => void {
  let source: EventSource | undefined;
  let failures = 0;
  let reopenTimer: number | undefined;
  let stopped = false;

  const open = () => {
    source = new EventSource(EVENTS_URL);
    source.addEventListener('snapshot', (message) => {
      failures = 0;
      store.applySnapshot(JSON.parse((message as MessageEvent<string>).data) as DashSnapshot);
    });
    source.addEventListener('changes', (message) => {
      store.applyChanges(JSON.parse((message as MessageEvent<string>).data) as DashChanges);
    });
    source.addEventListener('error', () => {
      failures += 1;
      store.setConnection('lost');
      if (failures >= PROBE_AFTER_FAILURES) void probeSession();
      if (source?.readyState === EventSource.CLOSED && !stopped) {
        reopenTimer = window.setTimeout(open, REOPEN_MS);
      }
    });
  };
  open();
  return () => {
    stopped = true;
    window.clearTimeout(reopenTimer);
    source?.close();
  };
}

async function probeSession(): Promise<void> {
  try {
    const response = await fetch('/health', { credentials: 'same-origin', headers: { 'x-fleetd-ui': '1' } });
    if (response.status === 401) location.assign(LOGIN_PAGE);
  } catch {
    // fleetd is down: the feed keeps trying, and so does the next probe.
  }
}
