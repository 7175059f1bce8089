/** Small hooks shared by the views. */
import { useEffect, useReducer, useState } from 'preact/hooks';
import { parseRoute, type Route } from './route.js';
import type { Store } from './store.js';

/** Re-renders on every message the store applies. */
export function useStore(store: Store): void {
  const [, bump] = useReducer((n: number, _: undefined) => n + 1, 0);
  const renderedAt = store.version;
  useEffect(() => {
    const unsubscribe = store.subscribe(() => bump(undefined));
    // Effects run after the paint: a message applied in between (the snapshot, after a reload with
    // cached assets) told no one, and the page showed "reconnecting…" until the next change.
    if (store.version !== renderedAt) bump(undefined);
    return unsubscribe;
  }, [store]);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** `value`, once it has stayed the same for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · fleetd`;
  }, [title]);
}
