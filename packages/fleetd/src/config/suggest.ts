/** "did you mean" for unknown option names: the closest known key within two edits. */
import { z } from 'zod';
import type { ConfigPath } from './issues.js';

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? Infinity;
}

/** The keys a strict object in `schema` accepts at `path` (empty when the path is not an object). */
export function knownKeys(schema: z.ZodType, path: ConfigPath): string[] {
  let node: z.ZodType | undefined = schema;
  for (const segment of path) {
    while (node instanceof z.ZodOptional) node = node.unwrap() as z.ZodType;
    if (node instanceof z.ZodObject && typeof segment === 'string') node = (node.shape as Record<string, z.ZodType>)[segment];
    else return [];
  }
  while (node instanceof z.ZodOptional) node = node.unwrap() as z.ZodType;
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

export function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const score = distance(key, candidate);
    if (score < bestDistance) [best, bestDistance] = [candidate, score];
  }
  return best;
}
