/** Where `fleetctl list-unit-files` says units are placed: unit → machine ID (its target column reads `m1/10.0.0.1`, as fleet's). */
export const LIST_PLACEMENTS = ['list-unit-files', '--no-legend', '--fields', 'unit,target', '-l'] as const;

export function parsePlacements(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [unit = '', target = ''] = line.split(/\s+/);
        return [unit, target.split('/')[0] ?? ''];
      }),
  );
}
