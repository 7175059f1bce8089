/**
 * The first-party UnitDriver: unit files in a directory, linked into systemd
 * at runtime, started and stopped through systemd's D-Bus API, states pushed
 * by systemd's own signals. fleet's agent (agent/systemd) did the same over
 * go-systemd.
 */
import { serializeUnitFile } from '@fleetd/core';
import type { AgentUnit, DriverUnitState, FleetError, UnitDriver } from '@fleetd/core';
import { SERVICE_INTERFACE, SystemdErrors, SystemdManager, unitObjectPath, type JobResult, type UnitListEntry } from './dbus/index.js';
import { DropInDirectories } from './drop-ins.js';
import { attempt, asDriverError, isDBusError } from './errors.js';
import { JobTracker } from './jobs.js';
import { hasFailed, isStarted, isStopped, serviceTypeOf, START_BEFORE_EXEC_TYPES, startFailed, startWorked, stopFailed } from './judge.js';
import { runtimeUnitDirectory } from './runtime-directory.js';
import { StateEvents, type StateWatch } from './state-events.js';
import { isManageableName, UnitsDirectory } from './units-directory.js';

export interface SystemdDriverOptions {
  /** D-Bus address of the service manager's bus: `unix:path=$XDG_RUNTIME_DIR/bus` for a user instance. Default: the system bus. */
  readonly busAddress?: string | undefined;
  /** Where unit files are written (fleet: /run/fleet/units). Created if missing. */
  readonly unitsDirectory: string;
  /** How long a D-Bus call or a start/stop job may take, in ms. Default 30000. */
  readonly jobTimeoutMs?: number | undefined;
  /**
   * After a Type=simple (or idle) service's start job ended, how long start()
   * watches for the service failing at once (a missing binary), in ms. systemd
   * reports such services started before their binary runs. Default 100; 0 turns it off.
   */
  readonly startSettleMs?: number | undefined;
}

/** A UnitDriver over systemd, plus what it was created with. */
export interface SystemdDriver extends UnitDriver {
  readonly unitsDirectory: string;
  readonly busAddress: string;
  /**
   * Where systemd puts the driver's runtime links, and the driver a unit's
   * drop-ins (`<this>/<unit>.d/50-fleetd-<name>`): read from the manager's
   * UnitPath when the driver connected. Undefined when that shows none; then
   * a unit with drop-ins cannot be loaded.
   */
  readonly runtimeUnitDirectory: string | undefined;
}

export const DEFAULT_JOB_TIMEOUT_MS = 30_000;
export const DEFAULT_START_SETTLE_MS = 100;
/** ListUnitsByNames names per call: keeps each message far below D-Bus size limits. */
const LIST_CHUNK = 500;

const INSTALL_SECTION = /^\[Install\][ \t]*$/m;

class Driver implements SystemdDriver {
  private readonly jobs = new JobTracker();
  private readonly events: StateEvents;
  private readonly detachJobs: () => void;
  private closed = false;
  /** The daemon-reload in progress, and the one queued behind it (see reload()). */
  private reloading: Promise<void> | undefined;
  private nextReload: Promise<void> | undefined;
  /**
   * Units linked since the last daemon-reload. No reload is needed for a unit
   * systemd had no definition of: it looks a `not-found` unit up again when its
   * unit directories changed since (their mtimes), so the next StartUnit or
   * ListUnitsByNames loads the new file. A link made within the timestamp tick
   * of systemd's last look goes unseen, though: such a unit is still
   * `not-found`, and then only a reload helps (states() and start() do it).
   * A unit already loaded keeps its old definition: the agent reloads for those.
   */
  private readonly unseen = new Set<string>();
  /** Whether each unit loaded by this driver starts before its binary runs, from its file: saves asking systemd per start. */
  private readonly startsBeforeExecByUnit = new Map<string, boolean>();

  constructor(
    private readonly manager: SystemdManager,
    private readonly units: UnitsDirectory,
    private readonly dropIns: DropInDirectories,
    private readonly managed: Set<string>,
    private readonly jobTimeoutMs: number,
    private readonly settleMs: number,
  ) {
    this.events = new StateEvents(manager, (name) => this.managed.has(name));
    this.detachJobs = manager.onJobRemoved((signal) => this.jobs.removed(signal));
    manager.connection.onLost((error) => this.jobs.failAll(error));
  }

  get unitsDirectory(): string {
    return this.units.path;
  }

  get busAddress(): string {
    return this.manager.connection.address;
  }

  get runtimeUnitDirectory(): string | undefined {
    return this.dropIns.runtimeDirectory;
  }

  async load(unit: AgentUnit): Promise<void> {
    const name = unit.name;
    const file = attemptSync(name, () => this.units.fileOf(name));
    const dropIns = unit.dropIns ?? [];
    attemptSync(name, () => this.dropIns.check(name, dropIns));
    await attempt(name, `load ${name}`, async () => {
      const text = serializeUnitFile(unit.file);
      const previous = this.units.read(name);
      // Enablement links of an older version would outlive it: undo them before writing the new one.
      if (previous !== undefined && previous !== text && INSTALL_SECTION.test(previous)) await this.disable(name);
      // Before the link: systemd reads a unit's drop-ins when it loads the unit, which may be as soon as it is linked.
      this.dropIns.sync(name, dropIns);
      this.units.write(name, text, previous);
      this.managed.add(name);
      this.events.forget(name);
      try {
        await this.manager.linkUnitFiles([file], true, true);
        if (unit.file.sections().includes('Install')) await this.manager.enableUnitFiles([name], true, true);
      } catch (error) {
        await this.discard(name);
        throw error;
      }
      this.unseen.add(name);
      this.startsBeforeExecByUnit.set(name, name.endsWith('.service') && START_BEFORE_EXEC_TYPES.has(serviceTypeOf(unit.file)));
    });
  }

  async reload(): Promise<void> {
    await attempt(undefined, 'reload unit files (daemon-reload)', () => this.reloadOnce());
  }

  /**
   * A daemon-reload that starts after this call; callers asking while one is
   * queued share it, as one that starts later reads every file written before.
   */
  private reloadOnce(): Promise<void> {
    if (this.nextReload !== undefined) return this.nextReload;
    const run = async (): Promise<void> => {
      try {
        const linked = [...this.unseen];
        await this.manager.reload();
        for (const name of linked) this.unseen.delete(name);
        this.events.forgetLoadStates();
      } finally {
        this.reloading = undefined;
      }
    };
    if (this.reloading === undefined) return (this.reloading = run());
    const next = this.reloading
      .catch(() => undefined)
      .then(() => {
        this.nextReload = undefined;
        return (this.reloading = run());
      });
    this.nextReload = next;
    return next;
  }

  async start(name: string): Promise<void> {
    attemptSync(name, () => this.units.fileOf(name));
    const watch = this.events.watch(name);
    try {
      const result = await this.runJob('start', name, () => this.startJob(name));
      // The last change signalled before the job ended says how it ended, unless it is stale (a
      // failed unit is still "failed" in the signals of its queued job), or was not sent yet.
      const signalled = watch.latest();
      // From here the watch holds only later changes: signals are ordered on the connection.
      watch.clear();
      const [state, settle] = await attempt(name, `read the state of ${name}`, () =>
        Promise.all([this.stateAfterStart(name, signalled, result), this.startsBeforeExec(name)]),
      );
      if (!startWorked(state, result)) throw startFailed(state, result);
      if (settle && isStarted(state) && this.settleMs > 0) await this.settle(name, watch, result);
    } finally {
      watch.stop();
    }
  }

  /**
   * The unit's state once its start job ended. Its signals usually said it
   * already (active), which spares a ListUnitsByNames per start; anything
   * else (no signal yet, activating, failed) is read from systemd. A change
   * after `signalled` reaches the settle window's watch either way.
   */
  private async stateAfterStart(name: string, signalled: DriverUnitState | undefined, result: JobResult): Promise<DriverUnitState> {
    if (result === 'done' && signalled?.activeState === 'active') return { ...signalled, loadState: 'loaded' };
    return this.stateOf(name);
  }

  async stop(name: string): Promise<void> {
    attemptSync(name, () => this.units.fileOf(name));
    let result: JobResult;
    try {
      result = await this.runJob('stop', name, () => this.manager.stopUnit(name, 'replace'));
    } catch (error) {
      // systemd does not know the unit (never loaded, or collected): nothing of it runs.
      if (isDBusError(causeOf(error), SystemdErrors.NO_SUCH_UNIT)) return;
      throw error;
    }
    const state = await attempt(name, `read the state of ${name}`, () => this.stateOf(name));
    if (!isStopped(state)) throw stopFailed(state, result);
  }

  async unload(name: string): Promise<void> {
    attemptSync(name, () => this.units.fileOf(name));
    await this.stop(name);
    await attempt(name, `unload ${name}`, async () => {
      await this.disable(name);
      await this.ignoring([SystemdErrors.NO_SUCH_UNIT], () => this.manager.resetFailedUnit(name));
      // Before the file: while it is there, installed() lists the unit, and a failed unload is tried again.
      this.dropIns.remove(name);
      await this.units.remove(name);
    });
    this.managed.delete(name);
    this.unseen.delete(name);
    this.startsBeforeExecByUnit.delete(name);
    this.events.forget(name);
  }

  async states(names?: readonly string[]): Promise<readonly DriverUnitState[]> {
    // Like ListUnitsByNames itself, leave out names systemd cannot have: one bad name must not hide the others.
    const wanted = (names ?? (await attempt(undefined, `list ${this.units.path}`, () => this.units.list()))).filter(isManageableName);
    const result: DriverUnitState[] = [];
    for (let i = 0; i < wanted.length; i += LIST_CHUNK) {
      const chunk = wanted.slice(i, i + LIST_CHUNK);
      const entries = await attempt(undefined, 'list unit states', () => this.listSeeingLinks(chunk));
      for (const e of entries) result.push({ name: e.name, loadState: e.loadState, activeState: e.activeState, subState: e.subState });
    }
    this.events.learn(result);
    return result;
  }

  /** ListUnitsByNames; a unit linked unseen (see `unseen`) is read again after a reload. */
  private async listSeeingLinks(names: readonly string[]): Promise<UnitListEntry[]> {
    const entries = await this.manager.listUnitsByNames(names);
    for (const entry of entries) if (entry.loadState !== 'not-found') this.unseen.delete(entry.name);
    if (!entries.some((entry) => entry.loadState === 'not-found' && this.unseen.has(entry.name))) return entries;
    await this.reloadOnce();
    return this.manager.listUnitsByNames(names);
  }

  onLost(listener: (error: FleetError) => void): () => void {
    return this.manager.connection.onLost((error) => listener(asDriverError(error, undefined, 'keep talking to the service manager')));
  }

  async installed(): Promise<ReadonlyMap<string, string>> {
    return attempt(undefined, `read ${this.units.path}`, () => this.units.hashes());
  }

  async subscribe(listener: (state: DriverUnitState) => void): Promise<() => Promise<void>> {
    // Subscribe() was called when the driver connected; it lasts as long as the connection.
    const remove = this.events.subscribe(listener);
    return async () => {
      remove();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.events.close();
    this.detachJobs();
    this.manager.close();
  }

  /** Rejects when the unit fails within the settle window (see startSettleMs). */
  private async settle(name: string, watch: StateWatch, result: JobResult): Promise<void> {
    const failed = await watch.until(hasFailed, this.settleMs);
    if (failed === undefined) return;
    // Report what systemd says now (with its load state), unless it is already running again (Restart=).
    const now = await this.stateOf(name).catch(() => failed);
    throw startFailed(hasFailed(now) ? now : failed, result);
  }

  /**
   * Queues a start job. A unit linked unseen (see `unseen`) is not found:
   * reload once and try again.
   */
  private async startJob(name: string): Promise<string> {
    let job: string;
    try {
      job = await this.manager.startUnit(name, 'replace');
      this.unseen.delete(name);
    } catch (error) {
      if (!this.unseen.has(name) || !isDBusError(error, SystemdErrors.NO_SUCH_UNIT)) throw error;
      await this.reloadOnce();
      job = await this.manager.startUnit(name, 'replace');
    }
    // Its first signals (activating, active) then reach subscribers without a ListUnitsByNames each.
    this.events.startQueued(name);
    return job;
  }

  /** Queues a job and waits for its JobRemoved, errors naming the unit. */
  private runJob(verb: 'start' | 'stop', name: string, enqueue: () => Promise<string>): Promise<JobResult> {
    return attempt(name, `${verb} ${name}`, () => this.jobs.run(enqueue, this.jobTimeoutMs, () => `the ${verb} job of ${name}`));
  }

  private async stateOf(name: string): Promise<DriverUnitState> {
    const [entry] = await this.manager.listUnitsByNames([name]);
    if (entry === undefined) throw new Error(`systemd returned no state for ${name}`);
    const state = { name, loadState: entry.loadState, activeState: entry.activeState, subState: entry.subState };
    this.events.learn([state]);
    return state;
  }

  /** Whether systemd declares this unit started before its binary ran (see startSettleMs). */
  private async startsBeforeExec(name: string): Promise<boolean> {
    const known = this.startsBeforeExecByUnit.get(name);
    if (known !== undefined) return known;
    // Loaded by an earlier process: ask systemd.
    if (!name.endsWith('.service')) return false;
    const type = await this.manager.getProperty(unitObjectPath(name), SERVICE_INTERFACE, 'Type');
    return typeof type === 'string' && START_BEFORE_EXEC_TYPES.has(type);
  }

  /**
   * Undoes a half-done load, so installed() never reports a unit systemd was
   * not told about: the agent loads it again next round. Best effort.
   */
  private async discard(name: string): Promise<void> {
    this.managed.delete(name);
    await this.disable(name).catch(() => undefined);
    try {
      this.dropIns.remove(name);
    } catch {
      // best effort, like the rest
    }
    await this.units.remove(name).catch(() => undefined);
  }

  /** Removes the unit's runtime links (its link and [Install] links); nothing to remove is fine. */
  private async disable(name: string): Promise<void> {
    await this.ignoring([SystemdErrors.FILE_NOT_FOUND, SystemdErrors.NO_SUCH_UNIT], () => this.manager.disableUnitFiles([name], true));
  }

  private async ignoring(types: readonly string[], call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (!isDBusError(error, ...types)) throw error;
    }
  }
}

/** What a FleetError from attempt() wraps. */
function causeOf(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}

/** Runs a synchronous check, turning a plain Error into a FleetError naming the unit. */
function attemptSync<T>(unit: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw asDriverError(error, unit, `use ${JSON.stringify(unit)}`);
  }
}

/**
 * Connects to systemd, subscribes to its signals, and returns the driver.
 * Rejects (a FleetError) when the bus cannot be reached or systemd does not answer.
 */
export async function createSystemdDriver(options: SystemdDriverOptions): Promise<SystemdDriver> {
  const jobTimeoutMs = options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  const units = new UnitsDirectory(options.unitsDirectory);
  await attempt(undefined, `create ${units.path}`, () => units.ensure());
  const manager = await attempt(undefined, 'connect to the service manager', () => SystemdManager.connect(options.busAddress, jobTimeoutMs));
  try {
    const unitPath = await attempt(undefined, 'read the unit search path (UnitPath)', () => manager.unitPath());
    const dropIns = new DropInDirectories(runtimeUnitDirectory(unitPath));
    const managed = new Set(await units.list());
    const driver = new Driver(manager, units, dropIns, managed, jobTimeoutMs, options.startSettleMs ?? DEFAULT_START_SETTLE_MS);
    await attempt(undefined, 'subscribe to systemd signals', async () => {
      await manager.addSignalMatches();
      await manager.subscribe();
    });
    return driver;
  } catch (error) {
    manager.close();
    throw error;
  }
}
