import type { ResolvedUnit, UnitOptionTable } from '@fleetd/core';

/**
 * How far (in edits: insert, delete, replace, swap two neighbours; case
 * ignored) a declared spelling may be from an unknown key to be suggested.
 * Two, as cobra's "did you mean": enough for a typo, too little for another option.
 */
export const MAX_SUGGESTION_DISTANCE = 2;

/** The first key of the unit's `[X-Fleet]` section (in file order) that no assembled plugin declares. */
export function unrecognizedOption(unit: Pick<ResolvedUnit, 'fleetOptions'>, table: Pick<UnitOptionTable, 'get'>): string | undefined {
  for (const key of unit.fleetOptions.keys()) if (table.get(key) === undefined) return key;
  return undefined;
}

/**
 * The declared spelling (a name or an alias) closest to `key`, when it is at
 * most MAX_SUGGESTION_DISTANCE edits away, ignoring case, and closer than
 * `key` is long; the first in table order on a tie. Undefined otherwise.
 */
export function closestOption(key: string, table: Pick<UnitOptionTable, 'options'>): string | undefined {
  const wanted = key.toLowerCase();
  const limit = Math.min(MAX_SUGGESTION_DISTANCE, wanted.length - 1);
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const option of table.options) {
    for (const spelling of option.spellings) {
      const distance = editDistance(wanted, spelling.toLowerCase(), bestDistance);
      if (distance < bestDistance) {
        best = spelling;
        bestDistance = distance;
      }
    }
  }
  return best;
}

/**
 * Optimal string alignment distance (Levenshtein plus swaps of neighbouring
 * characters, each counted once), or `bound` as soon as it is known to be at
 * least that: most declared spellings are far from a typo and stop early.
 */
function editDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) >= bound) return bound;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, (beforePrevious[j - 2] as number) + 1);
      current.push(distance);
      rowMinimum = Math.min(rowMinimum, distance);
    }
    if (rowMinimum >= bound) return bound;
    beforePrevious = previous;
    previous = current;
  }
  return Math.min(previous[b.length] as number, bound);
}
