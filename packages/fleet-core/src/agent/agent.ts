import { asRegistryError, ErrorCodes, FleetError } from '../errors.js';
import type { AgentUnit, DriverUnitState, UnitDriver } from '../hooks/views.js';
import type { Machine } from '../model/machine.js';
import { createMachine } from '../model/machine.js';
import { EMPTY_FACTS, sameFacts } from '../model/facts.js';
import type { UnitState } from '../model/unit.js';
import type { HookRunner } from '../hooks/runner.js';
import { createHookRunner } from '../plugin/host.js';
import type { PluginHost } from '../plugin/host.js';
import { pluginDriver } from './plugin-driver.js';
import type { LeaseId, Registry } from '../registry/types.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { encodeUnitState } from '../store/codec.js';
import { FleetStore } from '../store/fleet-store.js';
import { KeyLayout } from '../store/layout.js';
import { ClusterMirror } from '../engine/cluster-mirror.js';
import { LeaseKeeper } from '../engine/lease-keeper.js';
import { RegistryMirror } from '../engine/mirror.js';
import { SerialRunner } from '../engine/serial-runner.js';
import { DisconnectStops } from './disconnect.js';
import type { HeldUnit } from './disconnect.js';
import { LoadBackoff, loadFailureMessage } from './load-backoff.js';
import { MachinePresence } from './presence.js';
import type { PresenceContact } from './presence.js';
import { planAgentTasks, reviewLaunched } from './tasks.js';
import { agentWatchScope } from './watch-scope.js';
import type { AgentTask } from './tasks.js';

export type AgentEvent =
  | { readonly type: 'task'; readonly task: AgentTask; readonly error?: FleetError }
  | { readonly type: 'vetoed'; readonly unit: string; readonly reason: string }
  /** A reconcile round ended: the tasks it ran (its starts go on in the background) and how long it took. */
  | { readonly type: 'round'; readonly tasks: number; readonly durationMs: number }
  | { readonly type: 'error'; readonly error: FleetError }
  /** A plugin failed while the agent judged global units or shaped a state; the agent went on. */
  | { readonly type: 'plugin-error'; readonly error: FleetError }
  /** The presence could not be renewed for the unit's grace (disconnectGrace): the unit is stopped, kept loaded, until the agent is back. */
  | { readonly type: 'disconnect-stop'; readonly unit: string; readonly graceMs: number; readonly cutOffMs: number }
  /** The presence was renewed again: units stopped while cut off run again if still placed here (or are unloaded). */
  | { readonly type: 'reconnected'; readonly units: readonly string[] }
  /** The machine was announced again under a new presence lease (the old one was lost): persist it as `presenceLease` for the next process. */
  | { readonly type: 'announced'; readonly lease: LeaseId };

export interface AgentOptions {
  readonly registry: Registry;
  readonly host: PluginHost;
  readonly machine: Machine;
  readonly keyPrefix?: string;
  /** Presence and unit-state lease TTL (fleet's agent TTL). Default 30 s. */
  readonly ttlSeconds?: number;
  /** Safety-net reconcile interval; reconciling also follows every registry change. Default 5 s. */
  readonly reconcileIntervalMs?: number;
  /** Delay from a change to the round it asks for, in ms. Default 0: changes during a round make one more round anyway. */
  readonly debounceMs?: number;
  readonly onEvent?: (event: AgentEvent) => void;
  /** The presence lease of this machine's previous fleetd, to take its place back after a restart. */
  readonly presenceLease?: LeaseId | undefined;
  /** Monotonic clock in ms (load back-off, disconnect graces). Default `performance.now`; tests pass their own. */
  readonly clock?: () => number;
  /** How often the machineFacts taps are asked again; changed facts are announced. Default 60 s. */
  readonly factsRefreshMs?: number;
  /**
   * What the agent mirrors. `cluster` (default): the whole key prefix, one
   * watch. `agent`: only what it reads (agentWatchScope), so other machines'
   * unit states never reach it, through one watch per prefix. Not the
   * default yet: in a chaos run with etcd leader kills, an agent on five
   * watches kept running units whose desired state had become `loaded`, and
   * the cause is not found (see docs/architecture.md#what-an-agent-watches).
   */
  readonly mirrorScope?: 'cluster' | 'agent';
}

/**
 * Runs on every machine: announces it, mirrors the registry, and makes the
 * driver (systemd) run the units placed here plus the global units this
 * machine is eligible for. States come from the driver's signals and are
 * published under a leased key per unit. While the registry is unreachable
 * the mirror keeps its last view, so nothing that runs is stopped.
 */
export class Agent {
  private readonly layout: KeyLayout;
  private readonly scheduler: Scheduler;
  private readonly runner: HookRunner;
  private readonly cluster: ClusterMirror;
  private readonly mirror: RegistryMirror;
  private machine: Machine;
  private driver: UnitDriver | undefined;
  private presence: MachinePresence | undefined;
  private stateLease: LeaseKeeper | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private installed = new Map<string, string>();
  private readonly vetoes = new Map<string, string>();
  /** Units this agent started successfully (or adopted, see reviewLaunched), with the hash: a clean exit is not restarted. */
  private readonly startedHashes = new Map<string, string>();
  /**
   * Units whose current run this agent launched (started, or adopted: found
   * running while desired launched): the only ones it stops when their desired
   * state becomes loaded. Unlike startedHashes it is kept when the service
   * manager is lost: a desired state changed to loaded while the agent was
   * reconnecting must still stop what it launched (a bus restart leaves the
   * units running); a run that ended meanwhile is forgotten by the next review.
   */
  private readonly launched = new Set<string>();
  private readonly desired = new Map<string, AgentUnit>();
  private readonly pendingStates = new Map<string, DriverUnitState>();
  private readonly publishing = new Map<string, Promise<void>>();
  /**
   * Units whose last state write failed (etcd unreachable, a leader change):
   * a unit in a steady state sends no new signal, so its state is written
   * again, read afresh from the driver, every round until a write succeeds.
   */
  private readonly unwritten = new Set<string>();
  /** Units whose state could not be deleted when they were unloaded: deleted again every round. */
  private readonly undeleted = new Set<string>();
  /** What was last written for each unit (before reportState taps): a full read that finds otherwise writes again. */
  private readonly published = new Map<string, DriverUnitState>();
  /** Start tasks still running (their job, then the driver's settle window), by unit. */
  private readonly starting = new Map<string, Promise<void>>();
  private readonly startSlots = new Slots(TASK_CONCURRENCY);
  /**
   * The last state of each unit, from the driver's reads and its signals: a
   * round triggered by a change reads only the units it has none for (new
   * ones, just loaded ones); the safety-net round reads all of them again.
   */
  private readonly known = new Map<string, DriverUnitState>();
  /** Units signalled while a read is in flight: its older answer must not replace their newer state. */
  private readonly signalled = new Set<string>();
  private fullReadDue = true;
  private readonly reconciles: SerialRunner<void>;
  private interval: NodeJS.Timeout | undefined;
  private factsInterval: NodeJS.Timeout | undefined;
  /** The facts refresh in progress: refreshes never overlap, so an older answer never overwrites a newer one. */
  private factsRefresh: Promise<void> = Promise.resolve();
  private started = false;
  /** Loads that failed, retried with back-off; their reason is the unit's published state. */
  private readonly loadBackoff = new LoadBackoff();
  /** Units held stopped while the presence cannot be renewed. */
  private readonly disconnects: DisconnectStops;

  constructor(private readonly options: AgentOptions) {
    this.machine = createMachine(options.machine);
    this.layout = new KeyLayout(options.keyPrefix);
    const onPluginError = (error: FleetError): void => this.emit({ type: 'plugin-error', error });
    this.scheduler = new Scheduler(options.host, { onPluginError });
    this.runner = createHookRunner(options.host, onPluginError);
    this.cluster = new ClusterMirror(
      this.layout,
      () => this.scheduler.createState(),
      () => this.changed(),
      (error) => this.emit({ type: 'error', error }),
    );
    const scope = options.mirrorScope === 'agent' ? agentWatchScope(this.layout) : this.layout.prefix;
    this.mirror = new RegistryMirror(options.registry, scope, this.cluster, { onError: (error) => this.emit({ type: 'error', error }) });
    // No debounce by default: a burst of placements gathers while the round in progress runs anyway.
    this.reconciles = new SerialRunner(
      () => this.reconcile(),
      options.debounceMs ?? 0,
      () => this.started,
    );
    this.disconnects = new DisconnectStops({
      now: () => this.now(),
      graces: () => this.disconnectGraces(),
      onHeld: (units, cutOffMs) => this.held(units, cutOffMs),
      onReleased: (units) => {
        this.emit({ type: 'reconnected', units });
        this.changed();
      },
    });
  }

  get machineId(): string {
    return this.machine.id;
  }

  async start(): Promise<void> {
    const { registry } = this.options;
    await new FleetStore(registry, this.layout.prefix).ensureSchema();
    await this.attachDriver(await this.createDriver());
    this.machine = createMachine({ ...this.machine, facts: await this.runner.machineFacts({ machine: this.machine, previous: undefined }) });
    this.presence = await MachinePresence.announce({
      registry,
      machine: this.machine,
      keyPrefix: this.layout.prefix,
      ttlSeconds: this.ttl,
      resumeLease: this.options.presenceLease,
      onError: (error) => this.emit({ type: 'error', error }),
      onContact: (contact) => void this.contactChanged(contact),
      onAnnounced: (lease) => this.emit({ type: 'announced', lease }),
      now: () => this.now(),
    });
    await this.grantStateLease();
    // Units that kept running while no agent was here send no signal: report them now.
    await this.republishAll();
    await this.mirror.start();
    this.started = true;
    this.interval = setInterval(() => {
      this.fullReadDue = true;
      this.changed();
    }, this.options.reconcileIntervalMs ?? 5000);
    this.interval.unref();
    this.factsInterval = setInterval(() => void this.refreshFacts(), this.options.factsRefreshMs ?? 60_000);
    this.factsInterval.unref();
    this.changed();
  }

  /**
   * Stops reconciling; the units keep running (fleet stopped them; users
   * suffered from it). `leave` (default) withdraws the machine at once, so the
   * engine moves its units; `leave: false` only stops renewing, so a fleetd
   * restarted within the TTL (with `presenceLease`) takes the machine back
   * and nothing moves.
   */
  async stop(options: { readonly leave?: boolean } = {}): Promise<void> {
    this.started = false;
    clearInterval(this.interval);
    clearInterval(this.factsInterval);
    await this.factsRefresh;
    this.disconnects.stop();
    this.reconciles.cancel();
    await this.reconciles.idle();
    await this.startsDone();
    await this.mirror.stop();
    await this.unsubscribe?.();
    const leave = options.leave ?? true;
    await this.stateLease?.stop(leave);
    await (leave ? this.presence?.withdraw() : this.presence?.abandon());
    // Forgotten first: closing it must not look like a lost service manager to replaceDriver.
    const driver = this.driver;
    this.driver = undefined;
    await driver?.close();
  }

  /** The presence lease; a restarted fleetd given it as `presenceLease` resumes the machine's place. */
  get presenceLease(): LeaseId | undefined {
    return this.presence?.lease;
  }

  /** Publishes changed metadata or address (SIGHUP), then asks for the facts again; global units are re-evaluated against it. */
  async updateMachine(machine: Machine): Promise<void> {
    const next = createMachine({ ...machine, facts: this.machine.facts });
    await this.presence?.update(next);
    this.machine = next;
    this.changed();
    await this.refreshFacts();
  }

  /**
   * Asks the machineFacts taps again and announces the facts if they changed
   * (every `factsRefreshMs`, and after updateMachine). A failed announcement
   * is reported and tried again at the next refresh.
   */
  refreshFacts(): Promise<void> {
    this.factsRefresh = this.factsRefresh.then(async () => {
      const previous = this.machine.facts ?? EMPTY_FACTS;
      const facts = await this.runner.machineFacts({ machine: this.machine, previous });
      if (sameFacts(facts, previous) || !this.started) return;
      const next = createMachine({ ...this.machine, facts });
      try {
        await this.presence?.update(next);
      } catch (error) {
        this.emit({ type: 'error', error: asRegistryError(error) });
        return;
      }
      this.machine = next;
      this.changed();
    });
    return this.factsRefresh;
  }

  /** The unit with the drop-ins the unitDropIns taps give it on this machine. */
  private withDropIns(unit: AgentUnit): AgentUnit {
    const resolved = this.cluster.cluster.unit(unit.name);
    if (resolved?.hash !== unit.hash) return unit;
    const dropIns = this.runner.unitDropIns(resolved, this.machine);
    return dropIns.length === 0 ? unit : { ...unit, dropIns };
  }

  /** Runs one reconcile now (tests); resolves when it is done, its starts included. */
  async reconcileNow(): Promise<void> {
    await this.reconciles.runNow();
    await this.startsDone();
  }

  private async startsDone(): Promise<void> {
    while (this.starting.size > 0) await Promise.all(this.starting.values());
  }

  private get ttl(): number {
    return this.options.ttlSeconds ?? 30;
  }

  private now(): number {
    return (this.options.clock ?? performance.now.bind(performance))();
  }

  /**
   * The presence could not be renewed (units with a grace are held stopped
   * as their graces run out), or it was renewed again. Held units are
   * released only after the mirror has re-read the registry: the engine may
   * have moved them meanwhile, and a stale view would start them here again.
   */
  private async contactChanged(contact: PresenceContact): Promise<void> {
    if (!contact.renewing) {
      this.disconnects.cutOff(contact.renewedAt);
      return;
    }
    if (this.disconnects.heldCount > 0) await this.mirror.resync().catch((error: unknown) => this.emit({ type: 'error', error: asRegistryError(error) }));
    if (this.presence?.contact.renewing ?? true) this.disconnects.renewed();
    // Back in touch: a round now writes the states that failed meanwhile.
    this.changed();
  }

  /** Each launched unit's grace while cut off, from the disconnectGrace taps; units without one keep running. */
  private disconnectGraces(): Map<string, number> {
    const graces = new Map<string, number>();
    for (const [name, unit] of this.desired) {
      if (unit.desiredState !== 'launched') continue;
      const resolved = this.cluster.cluster.unit(name);
      const grace = resolved === undefined ? undefined : this.runner.disconnectGrace(resolved, this.machine);
      if (grace !== undefined) graces.set(name, grace);
    }
    return graces;
  }

  private held(units: readonly HeldUnit[], cutOffMs: number): void {
    for (const { unit, graceMs } of units) this.emit({ type: 'disconnect-stop', unit, graceMs, cutOffMs });
    this.changed();
  }

  private async createDriver(): Promise<UnitDriver> {
    const created = await this.runner.createDriver({ machine: this.machine });
    if (created === undefined) {
      throw new FleetError(ErrorCodes.PLUGIN_INVALID, 'no plugin provides a unit driver: add @fleetd/plugin-systemd (or another driver plugin) to the plugins');
    }
    return pluginDriver(created.driver, created.plugin);
  }

  /** Takes a (new) driver into use: what it has installed, and its state signals. */
  private async attachDriver(driver: UnitDriver): Promise<void> {
    this.driver = driver;
    this.installed = new Map(await driver.installed());
    this.known.clear();
    this.fullReadDue = true;
    this.unsubscribe = await driver.subscribe((state) => {
      this.known.set(state.name, state);
      this.signalled.add(state.name);
      void this.publish(state.name, state);
    });
    driver.onLost((error) => void this.replaceDriver(driver, error));
  }

  /** The service manager went away (D-Bus restarted): connect again, retrying until it is back. */
  private async replaceDriver(lost: UnitDriver, error: FleetError): Promise<void> {
    if (this.driver !== lost) return;
    this.emit({ type: 'error', error });
    this.driver = undefined;
    await lost.close().catch(() => undefined);
    await this.retryWhileStarted(async () => {
      await this.attachDriver(await this.createDriver());
      // The service manager may have restarted (a user instance's bus goes with it), killing
      // what it ran: an inactive unit no longer means one this agent started finished cleanly.
      // What it launched is kept (see launched): a run that ended is forgotten by the next round.
      this.startedHashes.clear();
      await this.republishAll();
      this.changed();
    });
  }

  private async grantStateLease(): Promise<void> {
    const lease = await this.options.registry.grantLease(this.ttl);
    this.stateLease = new LeaseKeeper(this.options.registry, lease, this.ttl, {
      // States expired with the lease: publish them again under a new one.
      onLost: () => void this.replaceStateLease(),
      onError: (error) => this.emit({ type: 'error', error }),
    });
  }

  /**
   * A new state lease, retried until the registry grants one: the lease is
   * lost after an outage longer than the TTL, when etcd may still be
   * failing, and every state write until then fails (and is written again).
   */
  private async replaceStateLease(): Promise<void> {
    await this.retryWhileStarted(async () => {
      await this.grantStateLease();
      // Stopped while the grant was in flight: stop() has already let go of the old lease.
      if (!this.started) {
        await this.stateLease?.stop(false);
        return;
      }
      await this.republishAll();
    });
  }

  /** Runs `attempt` until it succeeds or the agent stops, telling each failure and pausing RETRY_MS between tries. */
  private async retryWhileStarted(attempt: () => Promise<void>): Promise<void> {
    while (this.started) {
      try {
        await attempt();
        return;
      } catch (error) {
        this.emit({ type: 'error', error: asRegistryError(error) });
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }

  private changed(): void {
    this.reconciles.request();
  }

  /** What this machine should run, from the mirror: its placements and the global units it is eligible for. */
  private desiredUnits(): Map<string, AgentUnit> {
    const state = this.cluster.cluster;
    const desired = new Map<string, AgentUnit>();
    const add = (name: string): void => {
      const unit = state.rawUnit(name);
      if (unit === undefined || unit.desiredState === 'inactive') return;
      desired.set(name, { name, hash: unit.hash, file: unit.file, desiredState: unit.desiredState });
    };
    for (const [unit, machine] of state.placements()) if (machine === this.machine.id) add(unit);
    for (const decision of this.scheduler.placeGlobals(state)) if (decision.machines.includes(this.machine.id)) add(decision.unit);
    return desired;
  }

  private async reconcile(): Promise<void> {
    const driver = this.driver;
    if (driver === undefined) return;
    const began = performance.now();
    try {
      const desired = this.desiredUnits();
      this.desired.clear();
      for (const [name, unit] of desired) this.desired.set(name, unit);
      this.disconnects.check();
      for (const name of this.loadBackoff.prune(desired)) if (!this.installed.has(name)) void this.unpublish(name);
      const names = [...new Set([...desired.keys(), ...this.installed.keys()])];
      const states = await this.readStates(driver, names);
      this.rewriteStates(states);
      this.reviewLaunched(desired, states);
      // fleet's order holds between phases (unload, load, reload, stop, start); within a
      // phase the tasks run side by side: systemd runs jobs in parallel, and one slow
      // unit must not hold up the others.
      const planned = planAgentTasks(this.toRunNow(desired), this.installed, states, this.startedHashes, this.launched);
      // Anything else done to a unit whose start (an earlier round's) still runs waits for that
      // start: fleet's order holds per unit across rounds too. Others still starting are not started twice.
      await Promise.all(
        planned.flatMap((task) =>
          task.type === 'reload' || task.type === 'start' ? [] : (this.starting.get(typeof task.unit === 'string' ? task.unit : task.unit.name) ?? []),
        ),
      );
      const tasks = planned.filter((task) => task.type !== 'start' || !this.starting.has(task.unit.name));
      for (const phase of PHASES) {
        await inParallel(
          tasks.filter((task) => task.type === phase),
          TASK_CONCURRENCY,
          (task) => this.execute(driver, task),
        );
      }
      await this.publishLoaded(driver, tasks);
      // Starts are not waited for: a start's job and the driver's settle window would hold up the
      // units placed meanwhile. Their states come from signals; the next round skips them until done.
      // A unit whose load failed is not started: its state says why, and the load is retried later.
      for (const task of tasks) if (task.type === 'start' && this.installed.get(task.unit.name) === task.unit.hash) this.startInBackground(driver, task);
      this.emit({ type: 'round', tasks: tasks.length, durationMs: performance.now() - began });
    } catch (error) {
      this.emit({ type: 'error', error: asRegistryError(error) });
    }
  }

  /**
   * The safety net for states: a full read that finds an installed unit in
   * another state than the one last written (a signal lost or overtaken, a
   * write lost) writes the state read. Units signalled meanwhile are left to
   * their signal's write.
   */
  private correctPublished(read: readonly DriverUnitState[]): void {
    for (const state of read) {
      if (!this.installed.has(state.name) || this.signalled.has(state.name) || this.publishing.has(state.name)) continue;
      const written = this.published.get(state.name);
      if (written === undefined || written.loadState !== state.loadState || written.activeState !== state.activeState || written.subState !== state.subState) {
        void this.publish(state.name, state);
      }
    }
  }

  /**
   * Writes again the states whose last write failed, and deletes again those
   * whose delete failed, unless the unit came back meanwhile (not waited
   * for: publish() keeps each unit's writes in order). `states`: this
   * round's, which hold every installed unit.
   */
  private rewriteStates(states: ReadonlyMap<string, DriverUnitState>): void {
    for (const name of this.undeleted) {
      if (this.installed.has(name) || this.loadBackoff.get(name) !== undefined) this.undeleted.delete(name);
      else void this.unpublish(name);
    }
    for (const name of this.unwritten) {
      if (this.publishing.has(name)) continue;
      // Not installed: the load-failure state if there is one; otherwise writeState drops the name.
      const state = this.installed.has(name) ? states.get(name) : notLoaded(name);
      if (state !== undefined) void this.publish(name, state);
    }
  }

  /**
   * Adopts the runs this agent owns and forgets those that ended (see
   * reviewLaunched), judged by the registry's desired states: a unit held
   * stopped for a disconnect is still desired launched, so it stays this
   * agent's to stop. An adopted unit also counts as started: like one this
   * agent started, it is not started again after it finished cleanly.
   */
  private reviewLaunched(desired: ReadonlyMap<string, AgentUnit>, states: ReadonlyMap<string, DriverUnitState>): void {
    const { adopted, ended } = reviewLaunched(desired, this.installed, states, this.launched);
    for (const unit of adopted) {
      this.launched.add(unit.name);
      this.startedHashes.set(unit.name, unit.hash);
    }
    for (const name of ended) this.launched.delete(name);
  }

  /**
   * What the planner works towards this round: the desired units, less those
   * whose last load failed and whose back-off has not run out (not planning
   * them also spares the daemon reload their load would need), and with the
   * units held for a disconnect kept loaded but stopped.
   */
  private toRunNow(desired: ReadonlyMap<string, AgentUnit>): Map<string, AgentUnit> {
    const now = this.now();
    const plan = new Map<string, AgentUnit>();
    for (const [name, unit] of desired) {
      if (this.installed.get(name) !== unit.hash && !this.loadBackoff.due(name, unit.hash, now)) continue;
      plan.set(name, unit.desiredState === 'launched' && this.disconnects.isHeld(name) ? { ...unit, desiredState: 'loaded' } : unit);
    }
    return plan;
  }

  /** The states of `names`: known ones from signals, the others (or all, when a full read is due) read. */
  private async readStates(driver: UnitDriver, names: readonly string[]): Promise<Map<string, DriverUnitState>> {
    const full = this.fullReadDue;
    this.fullReadDue = false;
    const unknown = full ? names : names.filter((name) => !this.known.has(name) || !this.installed.has(name));
    this.signalled.clear();
    let read: readonly DriverUnitState[];
    try {
      read = unknown.length === 0 ? [] : await driver.states(unknown);
    } catch (error) {
      this.fullReadDue ||= full;
      throw error;
    }
    for (const state of read) if (!this.signalled.has(state.name)) this.known.set(state.name, state);
    if (full) this.correctPublished(read);
    const states = new Map<string, DriverUnitState>();
    for (const name of names) {
      const state = this.known.get(name);
      if (state !== undefined) states.set(name, state);
    }
    for (const state of read) if (!states.has(state.name)) states.set(state.name, state);
    return states;
  }

  private startInBackground(driver: UnitDriver, task: AgentTask & { readonly type: 'start' }): void {
    const name = task.unit.name;
    const done = this.startSlots
      .run(() => this.execute(driver, task))
      .finally(() => {
        if (this.starting.get(name) === done) this.starting.delete(name);
        // A round that ran meanwhile left this unit alone; if it is no longer to run as started, look again.
        const now = this.desired.get(name);
        if (now === undefined || now.hash !== task.unit.hash || now.desiredState !== 'launched') this.changed();
      });
    this.starting.set(name, done);
  }

  /**
   * A unit that was loaded but not started sends no systemd signal, yet fleet
   * reports it (loaded/inactive/dead) and `fleetctl load` waits for that. Read
   * before any start of this round, so a start's signals are queued after it;
   * the writes are not waited for (publish() keeps each unit's in order).
   * Units this round starts are left out: their start's signals report them.
   */
  private async publishLoaded(driver: UnitDriver, tasks: readonly AgentTask[]): Promise<void> {
    const starting = new Set(tasks.flatMap((task) => (task.type === 'start' ? [task.unit.name] : [])));
    const loaded = tasks.flatMap((task) =>
      task.type === 'load' && !starting.has(task.unit.name) && this.installed.get(task.unit.name) === task.unit.hash ? [task.unit.name] : [],
    );
    if (loaded.length === 0) return;
    for (const state of await driver.states(loaded)) void this.publish(state.name, state);
  }

  private async execute(driver: UnitDriver, task: AgentTask): Promise<void> {
    try {
      switch (task.type) {
        case 'unload':
          await driver.unload(task.unit);
          this.installed.delete(task.unit);
          this.known.delete(task.unit);
          this.startedHashes.delete(task.unit);
          this.launched.delete(task.unit);
          await this.unpublish(task.unit);
          break;
        case 'load':
          await driver.load(this.withDropIns(task.unit));
          this.installed.set(task.unit.name, task.unit.hash);
          this.known.delete(task.unit.name);
          // Loaded again after systemd lost it: what this agent started went with it.
          this.startedHashes.delete(task.unit.name);
          this.launched.delete(task.unit.name);
          this.loadBackoff.succeeded(task.unit.name);
          break;
        case 'reload':
          await driver.reload();
          // Load states may have changed (the signals do not carry them): read everything next round.
          this.fullReadDue = true;
          break;
        case 'stop':
          await driver.stop(task.unit);
          this.startedHashes.delete(task.unit);
          this.launched.delete(task.unit);
          break;
        case 'start':
          await this.startUnit(driver, task.unit);
          break;
      }
      this.emit({ type: 'task', task });
    } catch (error) {
      const failure = asRegistryError(error);
      if (task.type === 'load') this.loadFailed(task.unit, failure);
      this.emit({ type: 'task', task, error: failure });
    }
  }

  /**
   * Remembers a failed load for its back-off and publishes why the unit does
   * not run. A unit loaded again because systemd lost it is no longer
   * installed either (the driver undoes a failed load): it waits for its back-off.
   */
  private loadFailed(unit: AgentUnit, error: FleetError): void {
    this.installed.delete(unit.name);
    this.loadBackoff.failed(unit.name, unit.hash, error.message, this.now());
    void this.publish(unit.name, notLoaded(unit.name));
  }

  private async startUnit(driver: UnitDriver, unit: AgentUnit): Promise<void> {
    const veto = await this.runner.beforeStart(unit, this.machine);
    if (veto !== undefined) {
      this.vetoes.set(unit.name, veto);
      this.emit({ type: 'vetoed', unit: unit.name, reason: veto });
      const [state] = await driver.states([unit.name]);
      if (state !== undefined) await this.publish(unit.name, state);
      return;
    }
    this.vetoes.delete(unit.name);
    await driver.start(unit.name);
    this.startedHashes.set(unit.name, unit.hash);
    // Also when its desired state became loaded during the start: the round the start's end asks for stops it.
    this.launched.add(unit.name);
  }

  /**
   * Queues a unit's state for publishing. Writes of one unit go one at a time
   * and only the newest state is written: two puts in flight can be applied
   * out of order, which once left "inactive" in etcd for a running unit.
   */
  private publish(name: string, driverState: DriverUnitState): Promise<void> {
    this.pendingStates.set(name, driverState);
    let writing = this.publishing.get(name);
    if (writing === undefined) {
      writing = this.drainStates(name).finally(() => this.publishing.delete(name));
      this.publishing.set(name, writing);
    }
    return writing;
  }

  private async drainStates(name: string): Promise<void> {
    for (let state = this.pendingStates.get(name); state !== undefined; state = this.pendingStates.get(name)) {
      this.pendingStates.delete(name);
      await this.writeState(name, state);
    }
  }

  /** Writes a unit's state (shaped by reportState taps) under the state lease. */
  private async writeState(name: string, driverState: DriverUnitState): Promise<void> {
    const failure = this.installed.has(name) ? undefined : this.loadBackoff.get(name);
    const hash = this.installed.get(name) ?? failure?.hash;
    const lease = this.stateLease?.lease;
    // No state to write (the unit is gone), or none yet (no lease: its loss republishes every state).
    if (hash === undefined || lease === undefined) return void this.unwritten.delete(name);
    const veto = this.vetoes.get(name);
    const message = failure !== undefined ? loadFailureMessage(failure) : veto === undefined ? undefined : `start vetoed: ${veto}`;
    // A late signal of a unit whose file is not installed must not hide why it is not.
    const reported = failure === undefined ? driverState : notLoaded(name);
    const state: UnitState = {
      name,
      hash,
      machineId: this.machine.id,
      loadState: reported.loadState,
      activeState: reported.activeState,
      subState: reported.subState,
      ...(message === undefined ? {} : { message }),
    };
    try {
      const shaped = await this.runner.reportState(state, { machine: this.machine, unit: this.desired.get(name) });
      await this.options.registry.put(this.layout.state(this.machine.id, name), encodeUnitState(shaped), { lease });
      this.unwritten.delete(name);
      this.published.set(name, reported);
    } catch (error) {
      this.unwritten.add(name);
      this.emit({ type: 'error', error: asRegistryError(error) });
    }
  }

  /**
   * Removes a unit's state once it is unloaded. A state write already in
   * flight (a last systemd signal) is waited for first: landing after the
   * delete, it would leave a state for a unit this machine no longer has.
   */
  private async unpublish(name: string): Promise<void> {
    this.pendingStates.delete(name);
    this.unwritten.delete(name);
    await this.publishing.get(name);
    this.published.delete(name);
    try {
      await this.options.registry.delete(this.layout.state(this.machine.id, name));
      this.undeleted.delete(name);
    } catch (error) {
      this.undeleted.add(name);
      this.emit({ type: 'error', error: asRegistryError(error) });
    }
  }

  private async republishAll(): Promise<void> {
    const driver = this.driver;
    if (driver === undefined) return;
    for (const state of await driver.states([...this.installed.keys()])) await this.publish(state.name, state);
    for (const [name] of this.desired) if (!this.installed.has(name) && this.loadBackoff.get(name) !== undefined) await this.publish(name, notLoaded(name));
  }

  private emit(event: AgentEvent): void {
    this.options.onEvent?.(event);
  }
}

/** The state of a unit whose file could not be installed: systemd's load state for a unit it could not load. */
function notLoaded(name: string): DriverUnitState {
  return { name, loadState: 'error', activeState: 'inactive', subState: 'dead' };
}

/** The phases a round waits for; its starts run on (see reconcile). */
const PHASES = ['unload', 'load', 'reload', 'stop'] as const;
const TASK_CONCURRENCY = 64;
/** Pause between attempts to get back a lost driver or state lease. */
const RETRY_MS = 1000;

/** Runs `run` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** At most `limit` runs at once, the others queued in order. */
class Slots {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next === undefined) this.active--;
      else next();
    }
  }
}
