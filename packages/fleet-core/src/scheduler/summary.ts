import type { MachineRejection } from './decisions.js';

/**
 * Reasons that name a machine's own figures (`memory: requests 2 GiB, 1.5 GiB
 * free of 8 GiB`) differ on every machine: a line listing a thousand of them
 * answers nothing, so past this many groups the rest are counted.
 */
export const MAX_SUMMARY_GROUPS = 5;

/**
 * The one-line answer to "why is my unit not scheduled":
 * "0/5 machines available: 3 metadata region=us-east-1 not matched, 2 conflict with web@1.service".
 * Reasons are grouped by plugin and message, most frequent first.
 */
export function summarizeRejections(available: number, machineCount: number, rejections: Iterable<Pick<MachineRejection, 'plugin' | 'message'>>): string {
  const head = `${available}/${machineCount} machines available`;
  if (machineCount === 0) return `${head}: no machines in the cluster`;
  const groups = new Map<string, { message: string; count: number }>();
  for (const { plugin, message } of rejections) {
    const key = `${plugin}\u0000${message}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { message, count: 1 });
    else group.count++;
  }
  if (groups.size === 0) return head;
  const ordered = [...groups.values()].sort((a, b) => b.count - a.count);
  const shown = ordered.slice(0, MAX_SUMMARY_GROUPS).map((group) => `${group.count} ${group.message}`);
  const hidden = ordered.slice(MAX_SUMMARY_GROUPS).reduce((sum, group) => sum + group.count, 0);
  if (hidden > 0) shown.push(`${hidden} for ${ordered.length - MAX_SUMMARY_GROUPS} other reasons`);
  return `${head}: ${shown.join(', ')}`;
}
