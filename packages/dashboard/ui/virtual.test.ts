import { describe, expect, it } from 'vitest';
import { scrollTopFor, virtualWindow } from './virtual.js';

describe('virtualWindow', () => {
  it.each([
    {
      name: 'the top of a long list',
      input: { scrollTop: 0, viewportHeight: 320, count: 10_000 },
      expected: { start: 0, end: 15, offset: 0, height: 320_000 },
    },
    {
      name: 'the middle: overscan on both sides',
      input: { scrollTop: 3200, viewportHeight: 320, count: 10_000 },
      expected: { start: 95, end: 115, offset: 3040, height: 320_000 },
    },
    {
      name: 'a row cut at the top is rendered',
      input: { scrollTop: 3210, viewportHeight: 320, count: 10_000 },
      expected: { start: 95, end: 116, offset: 3040, height: 320_000 },
    },
    {
      name: 'the bottom',
      input: { scrollTop: 319_680, viewportHeight: 320, count: 10_000 },
      expected: { start: 9985, end: 10_000, offset: 319_520, height: 320_000 },
    },
    // The browser clamps too: the last viewport's rows, as if scrolled to the end.
    {
      name: 'a scroll position beyond a list the filter just shortened',
      input: { scrollTop: 50_000, viewportHeight: 320, count: 20 },
      expected: { start: 5, end: 20, offset: 160, height: 640 },
    },
    { name: 'a list shorter than the viewport', input: { scrollTop: 0, viewportHeight: 320, count: 3 }, expected: { start: 0, end: 3, offset: 0, height: 96 } },
    { name: 'no rows', input: { scrollTop: 0, viewportHeight: 320, count: 0 }, expected: { start: 0, end: 0, offset: 0, height: 0 } },
    {
      name: 'a negative scroll (overscroll bounce)',
      input: { scrollTop: -40, viewportHeight: 320, count: 100 },
      expected: { start: 0, end: 15, offset: 0, height: 3200 },
    },
  ])('$name', ({ input, expected }) => {
    expect(virtualWindow({ ...input, rowHeight: 32, overscan: 5 })).toEqual(expected);
  });

  it('renders only the window, whatever the list length', () => {
    const { start, end } = virtualWindow({ scrollTop: 160_000, viewportHeight: 640, rowHeight: 32, count: 10_000, overscan: 10 });
    expect(end - start).toBe(40);
  });
});

describe('scrollTopFor', () => {
  it.each([
    { name: 'a row in view: no scroll', index: 12, scrollTop: 320, expected: 320 },
    { name: 'a row above: it becomes the top row', index: 3, scrollTop: 320, expected: 96 },
    { name: 'a row below: it becomes the bottom row', index: 30, scrollTop: 320, expected: 672 },
    { name: 'the row just under the view', index: 20, scrollTop: 320, expected: 352 },
    { name: 'the first row', index: 0, scrollTop: 10_000, expected: 0 },
  ])('$name', ({ index, scrollTop, expected }) => {
    expect(scrollTopFor(index, { scrollTop, viewportHeight: 320, rowHeight: 32 })).toBe(expected);
  });
});
