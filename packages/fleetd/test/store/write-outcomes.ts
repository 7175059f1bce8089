/**
 * What a store may hold after a writer was killed, from the writer's output.
 *
 * The writer prints `want put <key> <value>` / `want del <key>` before each
 * write and `put <key> <value>` / `del <key>` once it is acknowledged. A write
 * in flight at the kill may or may not have happened: its record can be in the
 * file already (written, not yet fsynced or answered) when the process dies.
 * So each key may hold the state its last acknowledged write left, or the
 * state of a write announced after it. Keys are written by one sequential
 * writer each and runs follow one another, so at most one write per key is
 * ever unsettled at a kill.
 */

/** A key's value, or null for absent. */
type Outcome = string | null;

export interface Mismatch {
  readonly key: string;
  readonly stored: Outcome;
  readonly allowed: readonly Outcome[];
}

export class WriteOutcomes {
  /** Key → every state the key may be in now (absent before its first write). */
  private readonly allowed = new Map<string, Set<Outcome>>();
  /** Acknowledged writes seen. */
  acknowledged = 0;

  /** Takes one line of the writer's output. */
  record(line: string): void {
    const [first, ...rest] = line.split(' ');
    const announced = first === 'want';
    const [kind, key, value] = announced ? rest : [first, ...rest];
    if (key === undefined || (kind !== 'put' && kind !== 'del')) return;
    const outcome = kind === 'put' ? (value ?? '') : null;
    if (announced) this.possible(key).add(outcome);
    else {
      this.allowed.set(key, new Set([outcome]));
      this.acknowledged += 1;
    }
  }

  /** Keys whose stored state no write can explain (`stored` maps key → value). */
  mismatches(stored: ReadonlyMap<string, string>): Mismatch[] {
    const out: Mismatch[] = [];
    for (const [key, allowed] of this.allowed) {
      const found = stored.get(key) ?? null;
      if (!allowed.has(found)) out.push({ key, stored: found, allowed: [...allowed] });
    }
    for (const [key, value] of stored) {
      if (!this.allowed.has(key)) out.push({ key, stored: value, allowed: [null] });
    }
    return out;
  }

  private possible(key: string): Set<Outcome> {
    let set = this.allowed.get(key);
    if (set === undefined) this.allowed.set(key, (set = new Set([null])));
    return set;
  }
}
