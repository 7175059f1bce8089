// Go's path.Match, written out plainly for the reference model (fleet matched
// Conflicts and Replaces globs with it: agent/state.go globMatches). Kept apart
// from @fleetd/glob on purpose: the model must not share code with what it checks.
//
// Only well-formed patterns are handled (the generated clusters hold no others:
// fleetd refuses malformed globs at submit, and fleet let them match nothing).

/**
 * Whether `name` matches `pattern`: `*` any run of characters except `/`, `?`
 * one character except `/`, `[...]` one character of a class (`^` negates,
 * `a-z` ranges), `\x` the character x itself; anything else itself.
 */
export function pathMatch(pattern: string, name: string): boolean {
  return matchFrom([...pattern], 0, [...name], 0);
}

function matchFrom(pattern: readonly string[], p: number, name: readonly string[], n: number): boolean {
  if (p === pattern.length) return n === name.length;
  const token = pattern[p] as string;
  if (token === '*') {
    // Try every length for the star, never across a '/'.
    for (let end = n; end <= name.length; end++) {
      if (matchFrom(pattern, p + 1, name, end)) return true;
      if (end < name.length && name[end] === '/') return false;
    }
    return false;
  }
  if (n === name.length) return false;
  const char = name[n] as string;
  if (token === '?') return char !== '/' && matchFrom(pattern, p + 1, name, n + 1);
  if (token === '[') {
    const klass = readClass(pattern, p);
    return klass.matches(char) && matchFrom(pattern, klass.end, name, n + 1);
  }
  if (token === '\\') return pattern[p + 1] === char && matchFrom(pattern, p + 2, name, n + 1);
  return token === char && matchFrom(pattern, p + 1, name, n + 1);
}

/** A `[...]` class starting at `start`: what it matches, and the index just past its `]`. */
function readClass(pattern: readonly string[], start: number): { matches: (char: string) => boolean; end: number } {
  let i = start + 1;
  const negated = pattern[i] === '^';
  if (negated) i++;
  const ranges: [string, string][] = [];
  // Go's class ends at the first unescaped ']' after at least one range (so '[]a]' holds ']' and 'a').
  while (pattern[i] !== ']' || ranges.length === 0) {
    const low = readClassChar(pattern, i);
    i = low.next;
    let high = low.char;
    if (pattern[i] === '-') {
      const upper = readClassChar(pattern, i + 1);
      high = upper.char;
      i = upper.next;
    }
    ranges.push([low.char, high]);
  }
  const inClass = (char: string) => ranges.some(([lo, hi]) => lo <= char && char <= hi);
  return { matches: (char) => inClass(char) !== negated, end: i + 1 };
}

function readClassChar(pattern: readonly string[], i: number): { char: string; next: number } {
  if (pattern[i] === '\\') return { char: pattern[i + 1] as string, next: i + 2 };
  return { char: pattern[i] as string, next: i + 1 };
}
