/**
 * Random faults from a seeded RNG, each an async task that injects, waits and
 * repairs: kill -9 of a fleetd (restarted on the same machine ID and data
 * dir), SIGSTOP/SIGCONT of a fleetd (some pauses longer than the agent TTL,
 * so the engine gives its units away while its systemd keeps them), and
 * kill -9 of the etcd leader (restarted on its data dir). At most two
 * machines and one etcd member are down at once, so etcd keeps its quorum
 * and some machine can always take units.
 */
import { killQuietly } from '@fleetd/core/processes';
import { AGENT_TTL_SECONDS, restartFleetd } from './cluster.js';
import type { ChaosCluster, ChaosMachine } from './cluster.js';
import type { Rng } from './rng.js';

export type FaultKind = 'kill-fleetd' | 'pause-fleetd' | 'kill-etcd-leader';

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly target: string;
  /** Seconds since the faults began. */
  readonly at: number;
  /** How long the target was down or paused, in ms. */
  readonly downMs: number;
  /** Restart attempts needed (a restart can be refused while the old presence lease lives). */
  restartAttempts?: number;
  /** Why the refused attempts failed: each one's last line of output. */
  restartRefusals?: string[];
}

export interface FaultCounts {
  readonly total: number;
  readonly 'kill-fleetd': number;
  readonly 'pause-fleetd': number;
  readonly 'pause-longer-than-ttl': number;
  readonly 'kill-etcd-leader': number;
}

const MAX_MACHINES_DOWN = 2;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class FaultInjector {
  readonly log: FaultRecord[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Set from the moment an etcd fault is chosen, so no second one starts meanwhile. */
  private etcdBusy = false;
  private readonly begin = Date.now();
  /** Errors while repairing a fault: the run cannot be judged after one. */
  readonly repairErrors: string[] = [];

  constructor(
    private readonly cluster: ChaosCluster,
    private readonly rng: Rng,
    private readonly say: (text: string) => void,
  ) {}

  /** Daemons that exited although no fault killed them (with their last lines): each a violation. */
  readonly crashes: string[] = [];

  /** Injects faults until `until` (epoch ms), then waits for every repair. */
  async run(until: number): Promise<void> {
    while (Date.now() < until) {
      await sleep(this.rng.between(500, 3000));
      // Before choosing: a daemon that died by itself must not be mistaken for one we can kill or pause.
      this.crashes.push(...(await this.cluster.reviveCrashed()));
      if (Date.now() >= until) break;
      this.injectOne();
    }
    await this.settle();
    this.crashes.push(...(await this.cluster.reviveCrashed()));
  }

  counts(): FaultCounts {
    const of = (kind: FaultKind): number => this.log.filter((fault) => fault.kind === kind).length;
    return {
      total: this.log.length,
      'kill-fleetd': of('kill-fleetd'),
      'pause-fleetd': of('pause-fleetd'),
      'pause-longer-than-ttl': this.log.filter((fault) => fault.kind === 'pause-fleetd' && fault.downMs > AGENT_TTL_SECONDS * 1000).length,
      'kill-etcd-leader': of('kill-etcd-leader'),
    };
  }

  /** Waits until every fault is repaired. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private injectOne(): void {
    // The RNG is drawn the same number of times whatever is possible, so a seed replays the same choices.
    const roll = this.rng.next();
    const downMs = this.rng.between(1000, 8000);
    const longPause = this.rng.chance(0.5);
    const pauseMs = longPause ? this.rng.between(AGENT_TTL_SECONDS * 1000 + 1000, 9000) : this.rng.between(500, 2500);
    const pickIndex = this.rng.next();
    const up = this.cluster.machines.filter((machine) => machine.condition === 'up');
    const down = this.cluster.machines.length - up.length;
    const target = up[Math.floor(pickIndex * up.length)];
    if (roll < 0.25) {
      if (!this.etcdBusy) {
        this.etcdBusy = true;
        this.track(this.killEtcdLeader(downMs).finally(() => (this.etcdBusy = false)));
      }
    } else if (target !== undefined && down < MAX_MACHINES_DOWN) {
      this.track(roll < 0.6 ? this.killFleetd(target, downMs) : this.pauseFleetd(target, pauseMs));
    }
  }

  private track(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => void this.repairErrors.push((error as Error).message)).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private record(kind: FaultKind, target: string, downMs: number): FaultRecord {
    const record: FaultRecord = { kind, target, at: Math.round((Date.now() - this.begin) / 100) / 10, downMs: Math.round(downMs) };
    this.log.push(record);
    this.say(`  ${record.at.toFixed(1)} s  ${kind} ${target} for ${(downMs / 1000).toFixed(1)} s`);
    return record;
  }

  private async killFleetd(machine: ChaosMachine, downMs: number): Promise<void> {
    machine.condition = 'killed';
    const record = this.record('kill-fleetd', machine.spec.id, downMs);
    await machine.fleetd.kill();
    await sleep(downMs);
    const { attempts, refusals } = await restartFleetd(machine);
    record.restartAttempts = attempts;
    if (refusals.length > 0) record.restartRefusals = refusals;
  }

  private async pauseFleetd(machine: ChaosMachine, pauseMs: number): Promise<void> {
    const pid = machine.fleetd.pid;
    if (pid === undefined) return;
    machine.condition = 'paused';
    this.record('pause-fleetd', machine.spec.id, pauseMs);
    killQuietly(pid, 'SIGSTOP');
    await sleep(pauseMs);
    killQuietly(pid, 'SIGCONT');
    machine.condition = 'up';
  }

  private async killEtcdLeader(downMs: number): Promise<void> {
    const leader = await this.cluster.etcd.leader(10_000);
    this.record('kill-etcd-leader', `etcd ${leader.name}`, downMs);
    await leader.kill();
    await sleep(downMs);
    await leader.start();
  }
}
