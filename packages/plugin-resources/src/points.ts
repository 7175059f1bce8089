/** How the score ranks machines a unit fits on: `spread` prefers the emptiest, `binpack` the fullest. */
export type Strategy = 'spread' | 'binpack';

/** The most points a machine gets; the least is 0. */
export const MAX_POINTS = 10;

/**
 * Points from the sum, over `count` requested resources, of the fraction of
 * each the machine would have in use once the unit is placed: `spread` gives
 * 10 × the mean fraction left free, `binpack` 10 × the mean fraction used,
 * to two decimals (what explanations show; finer differences rank nothing).
 */
export function pointsOf(usedFractions: number, count: number, strategy: Strategy): number {
  if (count === 0) return 0;
  const mean = usedFractions / count;
  return roundPoints(MAX_POINTS * (strategy === 'spread' ? 1 - mean : mean));
}

/** Points to two decimals. */
export function roundPoints(points: number): number {
  return Math.round(points * 100) / 100;
}
