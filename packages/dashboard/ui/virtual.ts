/**
 * The arithmetic of the virtualized units table: fixed-height rows, and only the rows in
 * view (plus an overscan above and below) exist in the page.
 */
export interface WindowInput {
  readonly scrollTop: number;
  readonly viewportHeight: number;
  readonly rowHeight: number;
  readonly count: number;
  readonly overscan: number;
}

export interface VirtualWindow {
  /** First row rendered (index into the rows). */
  readonly start: number;
  /** One past the last row rendered. */
  readonly end: number;
  /** Pixels above the first rendered row. */
  readonly offset: number;
  /** Pixels of all rows. */
  readonly height: number;
}

export function virtualWindow({ scrollTop, viewportHeight, rowHeight, count, overscan }: WindowInput): VirtualWindow {
  const height = count * rowHeight;
  // The scroll position can outlive a shorter list (the filter just narrowed it).
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, height - viewportHeight));
  const start = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((top + viewportHeight) / rowHeight) + overscan);
  return { start, end: Math.max(start, end), offset: start * rowHeight, height };
}

/** The scrollTop that brings row `index` fully into view, moving as little as possible. */
export function scrollTopFor(index: number, { scrollTop, viewportHeight, rowHeight }: Pick<WindowInput, 'scrollTop' | 'viewportHeight' | 'rowHeight'>): number {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}
