/**
 * Polls `probe` until it returns something truthy, or fails after
 * `timeoutMs`. A probe that throws is tried again (a registry may be down or
 * electing a leader); the timeout error names what was awaited and the last
 * error seen.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 5000, intervalMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
