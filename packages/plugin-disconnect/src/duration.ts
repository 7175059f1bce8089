/** Milliseconds per unit of a time span, with systemd's spellings (systemd.time(7)). */
const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({
  ms: 1,
  msec: 1,
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
});

/** The words that turn the limit off: the unit keeps running however long its machine is cut off. A zero span does too. */
export const OFF_VALUES: readonly string[] = Object.freeze(['off', 'infinity']);

/** The longest grace accepted: 24 days (Node's timers cannot wait longer). */
export const MAX_GRACE_MS = 24 * 86_400_000;

/** A parsed `StopAfterDisconnect`: milliseconds, or `off`. */
export type StopAfter = number | 'off';

export type ParsedStopAfter = { readonly ok: true; readonly value: StopAfter } | { readonly ok: false; readonly problem: string };

const SPAN = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*/;

/**
 * A time span as systemd writes them (`90s`, `2min`, `1h 30min`, `1.5m`; a
 * bare number is seconds), or `off` / `infinity` / a zero span for no limit,
 * as systemd's time options read them. Case-insensitive.
 */
export function parseStopAfter(text: string): ParsedStopAfter {
  const value = text.trim().toLowerCase();
  if (OFF_VALUES.includes(value)) return { ok: true, value: 'off' };
  if (value === '') return { ok: false, problem: 'is empty: give a time span such as 90s, 2min or 1h30min, or off' };
  let rest = value;
  let total = 0;
  while (rest !== '') {
    const match = SPAN.exec(rest);
    const unit = match?.[2] === '' ? 's' : match?.[2];
    const perUnit = unit === undefined ? undefined : UNIT_MS[unit];
    if (match === null || perUnit === undefined) {
      return { ok: false, problem: `${JSON.stringify(text)} is not a time span: use one such as 90s, 2min or 1h30min (units ms, s, min, h, d), or off` };
    }
    total += Number(match[1]) * perUnit;
    rest = rest.slice(match[0].length);
  }
  // systemd reads a zero time span as "no limit" (TimeoutStopSec=0); so does this option.
  if (total === 0) return { ok: true, value: 'off' };
  if (total > MAX_GRACE_MS) return { ok: false, problem: `${JSON.stringify(text)} is longer than 24 days, the most a grace can be; use off for no limit` };
  return { ok: true, value: Math.round(total) };
}
