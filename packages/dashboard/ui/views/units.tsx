/**
 * `#/units`: every unit in a virtualized table. Rows have a fixed height and only those in
 * view (plus an overscan) exist in the page, so 10,000 units cost what 40 do. The filter,
 * the state and the sort live in the address; the list is filtered and sorted once per
 * change batch of the units (not per keystroke: the filter input is debounced).
 */
import type { TargetedKeyboardEvent } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { DashUnit } from '../../src/feed.js';
import { shortHash } from '../format.js';
import { useDebounced, useTitle } from '../hooks.js';
import { selectUnits, STATE_FILTERS, unitMachine, type SortKey, type StateFilter, type UnitsQuery } from '../query.js';
import { machineHref, unitHref, unitsHref } from '../route.js';
import type { Store } from '../store.js';
import { scrollTopFor, virtualWindow } from '../virtual.js';
import { memo } from './common.js';

/** Must match `.grid-row { height }` in app.css. */
export const ROW_HEIGHT = 32;
const OVERSCAN = 10;
const FILTER_DEBOUNCE_MS = 150;
/** Before the first measurement (and in a page too small to say). */
const FALLBACK_VIEWPORT = 600;

const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Unit' },
  { key: 'desired', label: 'Desired' },
  { key: 'current', label: 'Current' },
  { key: 'machine', label: 'Machine' },
  { key: 'hash', label: 'Hash' },
];

export function UnitsView({ store, query }: { store: Store; query: UnitsQuery }) {
  useTitle('Units');
  const [text, setText] = useState(query.q);
  const q = useDebounced(text, FILTER_DEBOUNCE_MS);
  const written = useRef(query.q);
  useEffect(() => {
    // The address changed from outside (back, a link): the input follows it.
    if (query.q !== written.current) setText(query.q);
    written.current = query.q;
  }, [query.q]);
  useEffect(() => {
    if (q === query.q) return;
    written.current = q;
    navigate({ ...query, q });
  }, [q]);

  const units = store.unitArray();
  const rows = useMemo(() => selectUnits(units, query), [units, query.q, query.state, query.sort, query.descending]);
  const count = `${rows.length} ${rows.length === 1 ? 'unit' : 'units'}`;

  return (
    <>
      <h1>Units</h1>
      <div class="toolbar">
        <label>
          Filter units
          <input type="search" value={text} onInput={(event) => setText(event.currentTarget.value)} placeholder="name, machine or state" />
        </label>
        <label>
          State
          <select value={query.state} onChange={(event) => navigate({ ...query, state: event.currentTarget.value as StateFilter })}>
            {STATE_FILTERS.map((state) => (
              <option key={state} value={state}>
                {state}
              </option>
            ))}
          </select>
        </label>
        <p class="count-line">{count}</p>
      </div>
      <UnitsGrid rows={rows} query={query} />
      {rows.length === 0 && store.connection !== 'connecting' && <p class="empty">No units match.</p>}
    </>
  );
}

function navigate(query: UnitsQuery): void {
  // A new query is not a new page: replace the address instead of adding to the history.
  location.replace(unitsHref(query));
}

function sortBy(query: UnitsQuery, key: SortKey): void {
  navigate({ ...query, sort: key, descending: query.sort === key ? !query.descending : false });
}

function UnitsGrid({ rows, query }: { rows: readonly DashUnit[]; query: UnitsQuery }) {
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(FALLBACK_VIEWPORT);
  // The row keyboard focus is moving to (keys pressed faster than rows render count from it).
  const pendingFocus = useRef<number | undefined>(undefined);
  const [, setFocusRequest] = useState(0);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const element = body.current;
    if (element === null) return;
    const measure = () => setViewport(element.clientHeight > 0 ? element.clientHeight : FALLBACK_VIEWPORT);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    // One update per frame, however many scroll events the frame had.
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (body.current !== null) setScrollTop(body.current.scrollTop);
    });
  };
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const visible = virtualWindow({ scrollTop, viewportHeight: viewport, rowHeight: ROW_HEIGHT, count: rows.length, overscan: OVERSCAN });

  useEffect(() => {
    // Arrow keys moved to a row that was not rendered yet: focus its link once it is.
    if (pendingFocus.current === undefined) return;
    const link = body.current?.querySelector<HTMLAnchorElement>(`[aria-rowindex="${pendingFocus.current + 2}"] a`);
    if (link !== null && link !== undefined) {
      link.focus();
      pendingFocus.current = undefined;
    }
  });

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLDivElement>) => {
    const target = keyTarget(event, pendingFocus.current, rows.length, Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1));
    if (target === undefined || body.current === null) return;
    event.preventDefault();
    const top = scrollTopFor(target, { scrollTop: body.current.scrollTop, viewportHeight: viewport, rowHeight: ROW_HEIGHT });
    body.current.scrollTop = top;
    setScrollTop(top);
    pendingFocus.current = target;
    setFocusRequest((n) => n + 1);
  };

  return (
    <div role="table" aria-label="Units" aria-rowcount={rows.length + 1} class="grid">
      <div role="rowgroup" class="grid-head">
        <div role="row" aria-rowindex={1} class="grid-row">
          {COLUMNS.map((column) => {
            const sorted = query.sort === column.key;
            const direction = query.descending ? 'descending' : 'ascending';
            return (
              <div key={column.key} role="columnheader" aria-sort={sorted ? direction : 'none'} class="grid-cell">
                <button type="button" onClick={() => sortBy(query, column.key)}>
                  {column.label}
                  <span aria-hidden="true" class="sort-mark">
                    {sorted ? (query.descending ? '▼' : '▲') : ''}
                  </span>
                </button>
              </div>
            );
          })}
        </div>
      </div>
      <div role="rowgroup" class="grid-body" ref={body} onScroll={onScroll} onKeyDown={onKeyDown}>
        <div class="grid-spacer" style={{ height: `${visible.height}px` }}>
          <div class="grid-window" style={{ transform: `translateY(${visible.offset}px)` }}>
            {rows.slice(visible.start, visible.end).map((unit, offset) => (
              <UnitRow key={unit.name} unit={unit} index={visible.start + offset} />
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}

/** The row arrow keys and Page Up/Down move to from the focused row; undefined: not ours. */
function keyTarget(event: TargetedKeyboardEvent<HTMLDivElement>, pending: number | undefined, count: number, page: number): number | undefined {
  const row = (event.target as Element).closest('[aria-rowindex]');
  if (row === null || count === 0) return undefined;
  const index = pending ?? Number(row.getAttribute('aria-rowindex')) - 2;
  const step = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page }[event.key];
  if (event.key === 'Home' && event.ctrlKey) return 0;
  if (event.key === 'End' && event.ctrlKey) return count - 1;
  if (step === undefined) return undefined;
  return Math.min(count - 1, Math.max(0, index + step));
}

// A change batch brings new objects for the units it touched: only their rows render again.
const UnitRow = memo(function unitRow({ unit, index }: { unit: DashUnit; index: number }) {
  const machine = unitMachine(unit);
  return (
    <div role="row" aria-rowindex={index + 2} class="grid-row">
      <div role="cell" class="grid-cell">
        <a href={unitHref(unit.name)}>{unit.name}</a>
      </div>
      <div role="cell" class="grid-cell">
        {unit.desiredState}
      </div>
      <div role="cell" class={`grid-cell state-${unit.currentState}`}>
        {unit.currentState}
      </div>
      <div role="cell" class="grid-cell">
        {unit.machineID !== undefined ? (
          <a href={machineHref(unit.machineID)}>{unit.machineID}</a>
        ) : unit.unschedulable !== undefined ? (
          <span class="tag warn" title={unit.unschedulable}>
            unschedulable
          </span>
        ) : (
          machine
        )}
      </div>
      <div role="cell" class="grid-cell mono" title={unit.hash}>
        {shortHash(unit.hash)}
      </div>
    </div>
  );
});
