/**
 * Tap stages: the only numbers a tap's `stage` may take, so plugins order
 * themselves by intent instead of racing with magic numbers. Lower runs first.
 */
export const Stage = Object.freeze({
  /** Rewrites inputs every other plugin reads (specifier expansion). */
  PREPARE: -200,
  /** Cheap checks that reject most machines, so costly ones run less. */
  EARLY: -100,
  /** Where plugins go unless they have a reason not to. */
  DEFAULT: 0,
  /** Checks that rely on what earlier taps established. */
  LATE: 100,
  /** Commits effects (writing placements); runs after every veto. */
  COMMIT: 200,
  /** Observes what happened; must not change it. */
  OBSERVE: 300,
} as const);

export type StageValue = (typeof Stage)[keyof typeof Stage];

const STAGE_VALUES: ReadonlySet<number> = new Set(Object.values(Stage));

export function isStage(value: unknown): value is StageValue {
  return typeof value === 'number' && STAGE_VALUES.has(value);
}
