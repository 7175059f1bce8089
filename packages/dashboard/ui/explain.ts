/**
 * The explain table's rows: every machine × plugin with its verdict, score and reason,
 * the winning machine's rows marked. The winner is where the unit is placed, else where
 * the engine would place it now (`bestMachine`).
 */
import type { WireExplanation } from './wire.js';

export interface ExplainRow {
  readonly machine: string;
  readonly plugin: string;
  /** 'pass', 'rejected' (a filter said no), 'excluded' (an index lookup left it out), 'error' (the plugin threw), '' (scores only). */
  readonly verdict: string;
  /** The plugin's points, or the machine's weighted total on its `total` row; '' when none. */
  readonly score: string;
  readonly reason: string;
  readonly chosen: boolean;
  readonly placedHere: boolean;
  /** The first row of its machine (the table draws a line above it). */
  readonly first: boolean;
}

const VERDICT_TEXT = { pass: 'pass', filter: 'rejected', narrow: 'excluded', error: 'error' } as const;

export function winningMachine(explanation: WireExplanation): string | undefined {
  return explanation.placedOn ?? explanation.bestMachine;
}

export function formatScore(points: number | undefined): string {
  if (points === undefined) return '';
  return Number.isInteger(points) ? String(points) : points.toFixed(2);
}

export function explainRows(explanation: WireExplanation): ExplainRow[] {
  const winner = winningMachine(explanation);
  const rows: ExplainRow[] = [];
  for (const entry of explanation.machines) {
    const mark = { machine: entry.machine, chosen: entry.machine === winner, placedHere: entry.machine === explanation.placedOn };
    const start = rows.length;
    for (const verdict of entry.verdicts) {
      rows.push({
        ...mark,
        plugin: verdict.plugin,
        verdict: VERDICT_TEXT[verdict.verdict],
        score: formatScore(entry.scores[verdict.plugin]),
        reason: verdict.verdict === 'pass' ? '' : verdict.message,
        first: false,
      });
    }
    // Scoring plugins that filter nothing have points but no verdict.
    const judged = new Set(entry.verdicts.map((verdict) => verdict.plugin));
    for (const [plugin, points] of Object.entries(entry.scores)) {
      if (!judged.has(plugin)) rows.push({ ...mark, plugin, verdict: '', score: formatScore(points), reason: '', first: false });
    }
    if (entry.total !== undefined) rows.push({ ...mark, plugin: 'total', verdict: '', score: formatScore(entry.total), reason: '', first: false });
    if (rows.length === start) rows.push({ ...mark, plugin: '', verdict: entry.feasible ? 'pass' : '', score: '', reason: '', first: false });
    rows[start] = { ...rows[start]!, first: true };
  }
  return rows;
}
