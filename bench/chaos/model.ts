/**
 * What the cluster must hold, from acknowledged writes only. A write that got
 * no answer (daemon killed or paused, etcd electing) may or may not have
 * happened: its unit is left alone for the rest of the run and the write is
 * repeated once everything is repaired, so the expected state is known again
 * before judging.
 */
import { destroyUnit, isAck, putUnit, setDesiredState } from './api.js';
import type { Answer } from './api.js';
import type { Expected } from './check.js';
import { unitOptions } from './workload.js';
import type { DesiredState, UnitOption, UnitSpec } from './workload.js';

export type Write =
  | { readonly op: 'create'; readonly spec: UnitSpec }
  | { readonly op: 'destroy'; readonly name: string }
  | { readonly op: 'desired'; readonly name: string; readonly desired: DesiredState };

const nameOf = (write: Write): string => (write.op === 'create' ? write.spec.name : write.name);

export class ExpectedCluster implements Expected {
  readonly units = new Map<string, { spec: UnitSpec; options: readonly UnitOption[] }>();
  readonly destroyed = new Set<string>();
  /** The last write of each unit whose outcome is unknown. */
  private readonly uncertain = new Map<string, Write>();
  readonly counts = { acknowledged: 0, refused: 0, unanswered: 0 };

  isSettled(name: string): boolean {
    return !this.uncertain.has(name);
  }

  /** Sends a write and records its outcome. */
  async write(socketPath: string, write: Write, timeoutMs = 3000): Promise<Answer> {
    const answer = await send(socketPath, write, timeoutMs);
    if (isAck(answer) || (write.op === 'destroy' && answer.status === 404 && this.uncertain.has(write.name))) {
      this.counts.acknowledged += 1;
      this.apply(write);
      this.uncertain.delete(nameOf(write));
    } else if (answer.status === 'no-answer' || answer.status >= 500) {
      // A 5xx can come after etcd committed (a request timeout during an election): unknown too.
      this.counts.unanswered += 1;
      this.uncertain.set(nameOf(write), write);
    } else {
      this.counts.refused += 1;
    }
    return answer;
  }

  /** Repeats every write of unknown outcome until it is acknowledged. */
  async resolveUncertain(socketPath: () => string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.uncertain.size > 0) {
      if (Date.now() > deadline) throw new Error(`writes still unanswered after ${timeoutMs} ms: ${[...this.uncertain.keys()].join(', ')}`);
      for (const write of [...this.uncertain.values()]) await this.write(socketPath(), write);
      if (this.uncertain.size > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  private apply(write: Write): void {
    if (write.op === 'create') {
      this.units.set(write.spec.name, { spec: write.spec, options: unitOptions(write.spec) });
      this.destroyed.delete(write.spec.name);
    } else if (write.op === 'destroy') {
      this.units.delete(write.name);
      this.destroyed.add(write.name);
    } else {
      const known = this.units.get(write.name);
      if (known !== undefined) this.units.set(write.name, { ...known, spec: { ...known.spec, desired: write.desired } });
    }
  }
}

function send(socketPath: string, write: Write, timeoutMs: number): Promise<Answer> {
  if (write.op === 'create') return putUnit(socketPath, write.spec.name, unitOptions(write.spec), write.spec.desired, timeoutMs);
  if (write.op === 'destroy') return destroyUnit(socketPath, write.name, timeoutMs);
  return setDesiredState(socketPath, write.name, write.desired, timeoutMs);
}
