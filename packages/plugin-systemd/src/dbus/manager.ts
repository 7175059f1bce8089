/**
 * Typed calls to org.freedesktop.systemd1.Manager and the two signals the
 * driver follows. Each method states its D-Bus signature once and decodes its
 * reply with checked reads, so nothing untyped leaves this module.
 */
import { BusConnection, type MethodCall } from './bus.js';
import { asArray, asBoolean, asNumber, asString, asStruct, asVariantDict, asStringArray, variantValue } from './decode.js';
import { SYSTEMD_PATH, UNIT_PATH_PREFIX, unitNameFromPath } from './escape.js';
import type { EnableResult, JobMode, JobRemovedSignal, UnitFileChange, UnitListEntry, UnitPropertiesChangedSignal, UnitStateProperties } from './types.js';

export const SYSTEMD_BUS_NAME = 'org.freedesktop.systemd1';
export const MANAGER_INTERFACE = 'org.freedesktop.systemd1.Manager';
export const UNIT_INTERFACE = 'org.freedesktop.systemd1.Unit';
export const SERVICE_INTERFACE = 'org.freedesktop.systemd1.Service';
export const PROPERTIES_INTERFACE = 'org.freedesktop.DBus.Properties';

/** D-Bus error names systemd answers with that callers branch on. */
export const SystemdErrors = {
  NO_SUCH_UNIT: 'org.freedesktop.systemd1.NoSuchUnit',
  /** DisableUnitFiles of a name with no unit file. */
  FILE_NOT_FOUND: 'org.freedesktop.DBus.Error.FileNotFound',
} as const;

/** Only JobRemoved from the manager object: systemd's other manager signals are not needed. */
const JOB_REMOVED_RULE = `type='signal',sender='${SYSTEMD_BUS_NAME}',path='${SYSTEMD_PATH}',interface='${MANAGER_INTERFACE}',member='JobRemoved'`;

/**
 * One rule for every unit object (path_namespace), filtered by the daemon to
 * the Unit interface (arg0): per-unit rules would cost a call per unit and hit
 * the system bus's limit of match rules per connection (512 by default).
 */
const UNIT_PROPERTIES_RULE =
  `type='signal',sender='${SYSTEMD_BUS_NAME}',interface='${PROPERTIES_INTERFACE}',member='PropertiesChanged',` +
  `path_namespace='${UNIT_PATH_PREFIX.slice(0, -1)}',arg0='${UNIT_INTERFACE}'`;

function decodeListEntry(value: unknown, i: number): UnitListEntry {
  const what = `ListUnitsByNames[${i}]`;
  const f = asStruct(value, 10, what);
  return {
    name: asString(f[0], `${what}.name`),
    description: asString(f[1], `${what}.description`),
    loadState: asString(f[2], `${what}.loadState`),
    activeState: asString(f[3], `${what}.activeState`),
    subState: asString(f[4], `${what}.subState`),
    following: asString(f[5], `${what}.following`),
    unitPath: asString(f[6], `${what}.unitPath`),
    jobId: asNumber(f[7], `${what}.jobId`),
    jobType: asString(f[8], `${what}.jobType`),
    jobPath: asString(f[9], `${what}.jobPath`),
  };
}

function decodeChanges(value: unknown, what: string): UnitFileChange[] {
  return asArray(value, what).map((item, i) => {
    const f = asStruct(item, 3, `${what}[${i}]`);
    return {
      type: asString(f[0], `${what}[${i}].type`),
      filename: asString(f[1], `${what}[${i}].filename`),
      destination: asString(f[2], `${what}[${i}].destination`),
    };
  });
}

function decodeStateProperties(changed: ReadonlyMap<string, unknown>): UnitStateProperties {
  const pick = (key: string): string | undefined => {
    const value = changed.get(key);
    return value === undefined ? undefined : asString(value, `PropertiesChanged.${key}`);
  };
  const [loadState, activeState, subState] = [pick('LoadState'), pick('ActiveState'), pick('SubState')];
  return {
    ...(loadState === undefined ? {} : { loadState }),
    ...(activeState === undefined ? {} : { activeState }),
    ...(subState === undefined ? {} : { subState }),
  };
}

export class SystemdManager {
  constructor(
    readonly connection: BusConnection,
    /** Timeout of every call, in ms. */
    private readonly timeoutMs: number,
  ) {}

  /** Connects to the bus at `address` (`unix:path=...`; the system bus when undefined). */
  static async connect(address: string | undefined, timeoutMs: number): Promise<SystemdManager> {
    return new SystemdManager(await BusConnection.open(address, timeoutMs), timeoutMs);
  }

  close(): void {
    this.connection.close();
  }

  /** Routes JobRemoved and unit PropertiesChanged signals to this connection (once, right after connecting). */
  async addSignalMatches(): Promise<void> {
    await this.connection.addMatch(JOB_REMOVED_RULE, this.timeoutMs);
    await this.connection.addMatch(UNIT_PROPERTIES_RULE, this.timeoutMs);
  }

  /** Without a subscriber systemd sends no signals on the bus at all. Lasts as long as the connection. */
  async subscribe(): Promise<void> {
    await this.manager('Subscribe');
  }

  /** The unit's object path, loading the unit (a `not-found` stub if it has no file). */
  async loadUnit(name: string): Promise<string> {
    const [path] = await this.manager('LoadUnit', 's', [name]);
    return asString(path, 'LoadUnit');
  }

  /** The object path of a loaded unit; rejects with NoSuchUnit otherwise. */
  async getUnit(name: string): Promise<string> {
    const [path] = await this.manager('GetUnit', 's', [name]);
    return asString(path, 'GetUnit');
  }

  /** One entry per name, in order; unknown names come back as load state `not-found`. */
  async listUnitsByNames(names: readonly string[]): Promise<UnitListEntry[]> {
    const [list] = await this.manager('ListUnitsByNames', 'as', [[...names]]);
    return asArray(list, 'ListUnitsByNames').map(decodeListEntry);
  }

  async linkUnitFiles(files: readonly string[], runtime = true, force = true): Promise<UnitFileChange[]> {
    const [changes] = await this.manager('LinkUnitFiles', 'asbb', [[...files], runtime, force]);
    return decodeChanges(changes, 'LinkUnitFiles');
  }

  async enableUnitFiles(files: readonly string[], runtime = true, force = true): Promise<EnableResult> {
    const [carries, changes] = await this.manager('EnableUnitFiles', 'asbb', [[...files], runtime, force]);
    return { carriesInstallInfo: asBoolean(carries, 'EnableUnitFiles'), changes: decodeChanges(changes, 'EnableUnitFiles') };
  }

  async disableUnitFiles(files: readonly string[], runtime = true): Promise<UnitFileChange[]> {
    const [changes] = await this.manager('DisableUnitFiles', 'asb', [[...files], runtime]);
    return decodeChanges(changes, 'DisableUnitFiles');
  }

  /** `enabled`, `enabled-runtime`, `linked-runtime`, `static`...; rejects when there is no unit file. */
  async getUnitFileState(name: string): Promise<string> {
    const [state] = await this.manager('GetUnitFileState', 's', [name]);
    return asString(state, 'GetUnitFileState');
  }

  /** Queues a start job; resolves to the job's object path (for matching JobRemoved). */
  async startUnit(name: string, mode: JobMode = 'replace'): Promise<string> {
    const [job] = await this.manager('StartUnit', 'ss', [name, mode]);
    return asString(job, 'StartUnit');
  }

  async stopUnit(name: string, mode: JobMode = 'replace'): Promise<string> {
    const [job] = await this.manager('StopUnit', 'ss', [name, mode]);
    return asString(job, 'StopUnit');
  }

  async resetFailedUnit(name: string): Promise<void> {
    await this.manager('ResetFailedUnit', 's', [name]);
  }

  /** daemon-reload: systemd answers once every unit file has been re-read. */
  async reload(): Promise<void> {
    await this.manager('Reload');
  }

  /** The directories the manager looks for unit files and drop-ins in, in its order (the Manager's UnitPath property). */
  async unitPath(): Promise<readonly string[]> {
    return asStringArray(await this.getProperty(SYSTEMD_PATH, MANAGER_INTERFACE, 'UnitPath'), 'UnitPath');
  }

  /** One property of an object (Properties.Get), unwrapped from its Variant. */
  async getProperty(path: string, iface: string, property: string): Promise<unknown> {
    const [value] = await this.connection.call({ ...this.target(path, PROPERTIES_INTERFACE, 'Get'), signature: 'ss', body: [iface, property] }, this.timeoutMs);
    return variantValue(value, `${iface}.${property}`);
  }

  onJobRemoved(listener: (signal: JobRemovedSignal) => void): () => void {
    return this.connection.onSignal((signal) => {
      if (signal.member !== 'JobRemoved' || signal.interface !== MANAGER_INTERFACE || signal.path !== SYSTEMD_PATH) return;
      const [id, job, unit, result] = signal.body;
      listener({
        id: asNumber(id, 'JobRemoved.id'),
        job: asString(job, 'JobRemoved.job'),
        unit: asString(unit, 'JobRemoved.unit'),
        result: asString(result, 'JobRemoved.result'),
      });
    });
  }

  /** PropertiesChanged of the Unit interface of any unit object. */
  onUnitPropertiesChanged(listener: (signal: UnitPropertiesChangedSignal) => void): () => void {
    return this.connection.onSignal((signal) => {
      if (signal.member !== 'PropertiesChanged' || signal.interface !== PROPERTIES_INTERFACE) return;
      if (!signal.path.startsWith(UNIT_PATH_PREFIX)) return;
      const [iface, changed, invalidated] = signal.body;
      if (asString(iface, 'PropertiesChanged.interface') !== UNIT_INTERFACE) return;
      listener({
        path: signal.path,
        name: unitNameFromPath(signal.path),
        changed: decodeStateProperties(asVariantDict(changed, 'PropertiesChanged.changed')),
        invalidated: asStringArray(invalidated, 'PropertiesChanged.invalidated'),
      });
    });
  }

  private target(path: string, iface: string, member: string): MethodCall {
    return { destination: SYSTEMD_BUS_NAME, path, interface: iface, member };
  }

  private manager(member: string, signature?: string, body?: readonly unknown[]): Promise<readonly unknown[]> {
    const call: MethodCall = {
      ...this.target(SYSTEMD_PATH, MANAGER_INTERFACE, member),
      ...(signature === undefined ? {} : { signature, body: body ?? [] }),
    };
    return this.connection.call(call, this.timeoutMs);
  }
}
