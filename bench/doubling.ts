// "Report how each figure grows when units or machines double" (issue 8), for
// the cases that run real processes: the base run, then one with units doubled
// and one with machines doubled.

/** One doubled run: its size, its figure, and that figure over the base run's. */
export interface Doubled {
  readonly units: number;
  readonly machines: number;
  readonly value: number;
  readonly factor: number;
}

export interface Growth {
  readonly unitsDoubled: Doubled;
  readonly machinesDoubled: Doubled;
}

/** Runs `measure` at (units, machines), (2 × units, machines) and (units, 2 × machines); `figure` picks the number compared. */
export async function measureDoubling<T>(
  units: number,
  machines: number,
  measure: (units: number, machines: number) => Promise<T>,
  figure: (result: T) => number,
): Promise<{ readonly base: T; readonly growth: Growth }> {
  const base = await measure(units, machines);
  const doubled = async (u: number, m: number): Promise<Doubled> => {
    const value = figure(await measure(u, m));
    return { units: u, machines: m, value, factor: Math.round((value / figure(base)) * 100) / 100 };
  };
  return { base, growth: { unitsDoubled: await doubled(units * 2, machines), machinesDoubled: await doubled(units, machines * 2) } };
}
