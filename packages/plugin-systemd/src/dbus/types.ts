/**
 * The systemd1 D-Bus API, as much of it as the driver uses, in TypeScript terms.
 * Names follow systemd's documentation (org.freedesktop.systemd1(5)).
 */

/** How a start/stop job treats conflicting queued jobs; the driver always uses `replace`, as fleet did. */
export type JobMode = 'replace' | 'fail' | 'isolate' | 'ignore-dependencies' | 'ignore-requirements';

/** The `result` of a `JobRemoved` signal. `done` does not mean the unit runs: judge by ActiveState. */
export type JobResult = 'done' | 'canceled' | 'timeout' | 'failed' | 'dependency' | 'skipped' | (string & {});

/** One entry of `ListUnits*`: the `(ssssssouso)` struct. */
export interface UnitListEntry {
  readonly name: string;
  readonly description: string;
  readonly loadState: string;
  readonly activeState: string;
  readonly subState: string;
  /** The unit this one follows in state, or ''. */
  readonly following: string;
  readonly unitPath: string;
  /** 0 when no job is queued. */
  readonly jobId: number;
  readonly jobType: string;
  /** `/` when no job is queued. */
  readonly jobPath: string;
}

/** One change made by `LinkUnitFiles`/`EnableUnitFiles`/`DisableUnitFiles`: the `(sss)` struct. */
export interface UnitFileChange {
  /** `symlink` or `unlink`. */
  readonly type: string;
  readonly filename: string;
  /** Where a new symlink points; '' for unlink. */
  readonly destination: string;
}

export interface EnableResult {
  /** False when the unit files have no [Install] section: enabling did nothing. */
  readonly carriesInstallInfo: boolean;
  readonly changes: readonly UnitFileChange[];
}

/** The manager's `JobRemoved(u id, o job, s unit, s result)` signal. */
export interface JobRemovedSignal {
  readonly id: number;
  readonly job: string;
  readonly unit: string;
  readonly result: JobResult;
}

/** The three states the driver reports; any may be missing from one signal. */
export interface UnitStateProperties {
  readonly loadState?: string;
  readonly activeState?: string;
  readonly subState?: string;
}

/** `PropertiesChanged` for the org.freedesktop.systemd1.Unit interface of one unit object. */
export interface UnitPropertiesChangedSignal {
  readonly path: string;
  /** The unit's name, unescaped from the path (undefined when the path is not one systemd would build). */
  readonly name: string | undefined;
  readonly changed: UnitStateProperties;
  readonly invalidated: readonly string[];
}

/** A D-Bus error reply, with systemd's error name (`org.freedesktop.systemd1.NoSuchUnit`...). */
export interface DBusErrorInfo {
  readonly type: string;
  readonly text: string;
}
