/**
 * Requests fleetctl keeps in flight at once for the unit-by-unit calls of
 * fleet's API: enough to keep the daemon's group commit fed (it puts
 * concurrent creations in one transaction), few enough not to flood it.
 */
export const REQUESTS_IN_FLIGHT = 64;

/**
 * Runs `task` for every item, at most `limit` at once, and returns the
 * results in item order. After the first failure no further task starts
 * (those already running finish); the outcome of each started task is kept,
 * and `firstFailure` is the failing item with the lowest index.
 */
export async function inOrder<T, R>(items: readonly T[], task: (item: T) => Promise<R>, limit = REQUESTS_IN_FLIGHT): Promise<BoundedOutcome<R>> {
  const done: R[] = [];
  const failures: { index: number; error: Error }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failures.length === 0 && next < items.length) {
      const index = next++;
      try {
        done[index] = await task(items[index] as T);
      } catch (error) {
        failures.push({ index, error: error instanceof Error ? error : new Error(String(error)) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  // Only the results before the first failure count: the caller reports those, then the failure.
  const first = failures.reduce<{ index: number; error: Error } | undefined>(
    (low, failure) => (low === undefined || failure.index < low.index ? failure : low),
    undefined,
  );
  return { results: done.slice(0, first?.index ?? items.length), ...(first === undefined ? {} : { firstFailure: first.error }) };
}

export interface BoundedOutcome<R> {
  /** Results of the items before the first failure (all of them without one), in item order. */
  readonly results: readonly R[];
  readonly firstFailure?: Error;
}
