/**
 * Hash routing inside /ui/ (the server only ever serves index.html): `#/` overview,
 * `#/units?q=&state=&sort=`, `#/units/<name>`, `#/machines/<id>`, `#/plan`, `#/events`.
 */
import { DEFAULT_QUERY, SORT_KEYS, STATE_FILTERS, type SortKey, type StateFilter, type UnitsQuery } from './query.js';

export type Route =
  | { readonly view: 'overview' }
  | { readonly view: 'units'; readonly query: UnitsQuery }
  | { readonly view: 'unit'; readonly name: string }
  | { readonly view: 'machine'; readonly id: string }
  | { readonly view: 'plan' }
  | { readonly view: 'events' }
  | { readonly view: 'missing'; readonly path: string };

export function parseRoute(hash: string): Route {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  // Not a route (an in-page anchor such as #content): stay on the overview.
  if (!text.startsWith('/')) return { view: 'overview' };
  const queryAt = text.indexOf('?');
  const path = queryAt === -1 ? text : text.slice(0, queryAt);
  const search = new URLSearchParams(queryAt === -1 ? '' : text.slice(queryAt + 1));
  const segments = path.split('/').filter((segment) => segment !== '');
  const [first, second, ...rest] = segments;
  if (rest.length > 0) return { view: 'missing', path };
  if (first === undefined) return { view: 'overview' };
  if (second === undefined) {
    if (first === 'units') return { view: 'units', query: parseQuery(search) };
    if (first === 'plan') return { view: 'plan' };
    if (first === 'events') return { view: 'events' };
    return { view: 'missing', path };
  }
  const key = decode(second);
  if (key === undefined) return { view: 'missing', path };
  if (first === 'units') return { view: 'unit', name: key };
  if (first === 'machines') return { view: 'machine', id: key };
  return { view: 'missing', path };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Unknown values fall back to the defaults: an old or hand-written address still opens. */
export function parseQuery(search: URLSearchParams): UnitsQuery {
  const state = search.get('state') ?? '';
  const sortParam = search.get('sort') ?? '';
  const descending = sortParam.startsWith('-');
  const sort = descending ? sortParam.slice(1) : sortParam;
  const known = (SORT_KEYS as readonly string[]).includes(sort);
  return {
    q: search.get('q') ?? '',
    state: (STATE_FILTERS as readonly string[]).includes(state) ? (state as StateFilter) : DEFAULT_QUERY.state,
    sort: known ? (sort as SortKey) : DEFAULT_QUERY.sort,
    descending: known && descending,
  };
}

/** The address of the units table with `query`, defaults left out. */
export function unitsHref(query: UnitsQuery): string {
  const search = new URLSearchParams();
  if (query.q !== '') search.set('q', query.q);
  if (query.state !== DEFAULT_QUERY.state) search.set('state', query.state);
  if (query.sort !== DEFAULT_QUERY.sort || query.descending) search.set('sort', `${query.descending ? '-' : ''}${query.sort}`);
  const text = search.toString();
  return text === '' ? '#/units' : `#/units?${text}`;
}

export function unitHref(name: string): string {
  return `#/units/${encodeURIComponent(name)}`;
}

export function machineHref(id: string): string {
  return `#/machines/${encodeURIComponent(id)}`;
}

/** Two routes show the same page (a units query change is not a new page: focus stays put). */
export function samePage(a: Route, b: Route): boolean {
  if (a.view !== b.view) return false;
  if (a.view === 'unit' && b.view === 'unit') return a.name === b.name;
  if (a.view === 'machine' && b.view === 'machine') return a.id === b.id;
  return true;
}
