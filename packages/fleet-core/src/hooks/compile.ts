import type { CandidateNarrowing, ClusterView, MachineView, ResolvedUnit } from './views.js';
import type { CompiledTap } from './taps.js';

/**
 * The hot hooks' loops as straight-line functions, compiled once per host, one call site per tap, as
 * tapable compiles its hooks: a loop calling every plugin's tap through one
 * call site makes that site megamorphic, which costs the scheduler's inner
 * loop measurably; a site per tap stays monomorphic and may be inlined. The
 * generated code only sequences calls; everything else (timing, errors,
 * verdicts) is in the helpers it is given.
 */

/** Runs a plan's filters from tap `from`; the index of the one that rejected, or -1. */
export type FilterRun = (unit: ResolvedUnit, machine: MachineView, cluster: ClusterView, from: number, sink: unknown, owner: HotHelpers) => number;
/** Scores a machine into `points`; the weighted total, or NaN after a failing tap. */
export type ScoreRun = (unit: ResolvedUnit, machine: MachineView, cluster: ClusterView, points: Float64Array, sink: unknown, owner: HotHelpers) => number;
/** Runs every narrow tap. */
export type NarrowRun = (unit: ResolvedUnit, cluster: ClusterView, narrowing: unknown, facade: CandidateNarrowing, owner: HotHelpers) => void;

/**
 * What the compiled loops call off their fast path, passed in by the runner
 * calling them (the functions are compiled once per host, shared by every
 * runner, so each runner's failures go to its own sink).
 */
export interface HotHelpers {
  /** Calls a tap and times it for the statistics; a throw comes back as a Thrown. */
  timed(tap: CompiledTap, unit: unknown, second: unknown, third: unknown): unknown;
  /** Wraps what a tap threw, so it is told apart from what it answered. */
  thrown(error: unknown): unknown;
  filterRejected(tap: CompiledTap, machine: MachineView, verdict: unknown, sink: unknown): void;
  scoreFailed(tap: CompiledTap, machine: MachineView, value: unknown, sink: unknown): number;
  /** What a narrow tap answered: nothing, or a Thrown (its narrowing is then dropped and the error reported). */
  narrowAnswered(tap: CompiledTap, narrowing: unknown, answer: unknown): void;
}

// The bindings every generated function sees: its taps, their functions and statistics slots.
const prelude = (taps: readonly CompiledTap[]): string =>
  taps.map((_, i) => `const tap${i} = taps[${i}], fn${i} = tap${i}.fn, slot${i} = tap${i}.slot;`).join('\n');

// One tap's call: counted, one in SAMPLE_EVERY timed, a throw caught.
const call = (i: number, args: string): string => `
    slot${i}.calls++;
    if (--slot${i}.countdown === 0) answer = owner.timed(tap${i}, ${args});
    else {
      try { answer = fn${i}(${args}); } catch (error) { answer = owner.thrown(error); }
    }`;

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the type of the function the source compiles to
function generate<Fn>(taps: readonly CompiledTap[], name: string, params: string, body: string): Fn {
  const source = `${prelude(taps)}\nreturn function ${name}(${params}, owner) {\n${body}\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call -- compiling the hook's call loop from source is the point (tapable's technique)
  return new Function('taps', source)(taps) as Fn;
}

export function compileFilterRun(taps: readonly CompiledTap[]): FilterRun {
  const cases = taps
    .map(
      (_, i) => `  case ${i}:${call(i, 'unit, machine, cluster')}
    if (answer !== undefined) { owner.filterRejected(tap${i}, machine, answer, sink); return ${i}; }`,
    )
    .join('\n');
  const body = taps.length === 0 ? 'return -1;' : `let answer;\nswitch (from) {\n${cases}\n}\nreturn -1;`;
  return generate<FilterRun>(taps, 'runFilters', 'unit, machine, cluster, from, sink', body);
}

/**
 * `zeroed`: plugins whose taps a plan leaves out (they promised 0 points):
 * their points are set to 0 on every call, so a score vector reused across
 * machines and decisions never carries a stale value for them.
 */
export function compileScoreRun(taps: readonly CompiledTap[], firstOfPlugin: Uint8Array, zeroed: readonly number[] = []): ScoreRun {
  const zeroes = zeroed.map((pluginIndex) => `points[${pluginIndex}] = 0;`).join('\n');
  const steps = taps
    .map((tap, i) => {
      const into = `points[${tap.pluginIndex}]`;
      return `${call(i, 'unit, machine, cluster')}
    if (typeof answer !== 'number' || !Number.isFinite(answer)) return owner.scoreFailed(tap${i}, machine, answer, sink);
    ${firstOfPlugin[i] === 1 ? `${into} = answer;` : `${into} += answer;`}
    total += answer * tap${i}.weight;`;
    })
    .join('\n');
  return generate<ScoreRun>(taps, 'score', 'unit, machine, cluster, points, sink', `let answer, total = 0;\n${zeroes}\n${steps}\nreturn total;`);
}

export function compileNarrowRun(taps: readonly CompiledTap[]): NarrowRun {
  const steps = taps
    .map(
      (tap, i) => `
    narrowing.beginPlugin(${tap.pluginIndex});${call(i, 'unit, cluster, facade')}
    if (answer !== undefined) owner.narrowAnswered(tap${i}, narrowing, answer);`,
    )
    .join('\n');
  return generate<NarrowRun>(taps, 'narrow', 'unit, cluster, narrowing, facade', `let answer;\n${steps}`);
}
