/**
 * JSON shapes on the wire. `/fleet/v1` is fleet's API v1 unchanged, so clients
 * written for fleet keep working; `/fleetd/v1` holds what fleet never had.
 */
import type { CurrentState, DesiredState, ErrorCode, MachineFacts, MachineRejection, UnitExplanation } from '@fleetd/core';

export const FLEET_API_PREFIX = '/fleet/v1';
export const FLEETD_API_PREFIX = '/fleetd/v1';

export interface WireUnitOption {
  readonly section: string;
  readonly name: string;
  readonly value: string;
}

export interface WireUnit {
  readonly name: string;
  readonly options: readonly WireUnitOption[];
  readonly desiredState?: DesiredState;
  readonly currentState?: CurrentState;
  readonly machineID?: string;
  /** fleetd only: the unit file as submitted (comments and line breaks kept), when it was sent as text. */
  readonly contents?: string;
}

export interface WireUnitState {
  readonly name: string;
  readonly hash: string;
  readonly machineID: string;
  readonly systemdLoadState: string;
  readonly systemdActiveState: string;
  readonly systemdSubState: string;
  /** fleetd only: why the agent left the unit as it is (a veto, a failed start). */
  readonly message?: string;
}

export interface WireMachine {
  readonly id: string;
  readonly primaryIP: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** fleetd only: the typed facts the machine's plugins announce (`{ "memory": { "type": "bytes", "value": 8589934592 } }`); fleetd always sends it (`{}` when none), fleet never. */
  readonly facts?: MachineFacts;
}

export interface UnitPage {
  readonly units: readonly WireUnit[];
  readonly nextPageToken?: string;
}

export interface UnitStatePage {
  readonly states: readonly WireUnitState[];
  readonly nextPageToken?: string;
}

export interface MachinePage {
  readonly machines: readonly WireMachine[];
  readonly nextPageToken?: string;
}

/** The body of `PUT /fleet/v1/units/{name}`: fleet's Unit entity, every field optional. */
export interface WireUnitPut {
  readonly name?: string;
  readonly options?: readonly WireUnitOption[];
  readonly desiredState?: string;
  /** fleetd only: the unit file's text; kept for `fleetctl cat`. With `options`, both must describe the same file. */
  readonly contents?: string;
}

/** The body of `POST /fleetd/v1/units`: many PUTs of `/fleet/v1/units/{name}` in one; each unit names itself. */
export interface WireUnitPuts {
  /** At most 1,000; the same name may come twice (written in order). */
  readonly units: readonly (WireUnitPut & { readonly name: string })[];
}

/** Its answer: per unit, in request order, what the lone PUT did, or the error it would have answered with. */
export interface WireUnitPutsResult {
  /** One per unit of the request, in its order. */
  readonly units: readonly WireUnitPutResult[];
}

/** One unit's answer in a `POST /fleetd/v1/units`: its PUT's outcome (201 created or replaced, 204 updated), or its PUT's error body. */
export type WireUnitPutResult =
  { readonly name: string; readonly outcome: 'created' | 'replaced' | 'updated' } | { readonly name: string; readonly error: WireError['error'] };

/** One operation of `PATCH /fleet/v1/machines`; `path` is `/<machineID>/metadata/<key>`. */
export interface WireMachineMetadataOp {
  readonly op: string;
  readonly path: string;
  /** Required by `add` and `replace`. */
  readonly value?: string;
}

/**
 * fleet's error body; `code` repeats the HTTP status. fleetd adds `reason`,
 * the error code to branch on (`UNIT_EXISTS`, `UNIT_INVALID`...), and names
 * the plugin behind an error, with the plugin's own code when it gave one.
 */
export interface WireError {
  readonly error: {
    readonly code: number;
    readonly message: string;
    readonly reason: ErrorCode;
    readonly plugin?: string;
    readonly pluginCode?: string;
  };
}

export interface WireExplanation extends UnitExplanation {
  readonly desiredState: DesiredState;
}

export interface PlanUnitInput {
  readonly name: string;
  /** Unit-file text; or `options` in fleet's form. */
  readonly contents?: string;
  readonly options?: readonly WireUnitOption[];
  /** Default `launched`. */
  readonly desiredState?: DesiredState;
}

export interface PlanMachineInput {
  readonly id: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Typed facts (capacity and the like) the simulated machine announces. */
  readonly facts?: MachineFacts;
}

export interface PlanRequest {
  readonly units: readonly PlanUnitInput[];
  /** Plan against these machines only (simulate); absent: the live cluster. */
  readonly machines?: readonly PlanMachineInput[];
}

export interface PlannedUnit {
  readonly unit: string;
  /** Where a non-global unit would run; absent when unschedulable. */
  readonly machine?: string;
  /** Where a global unit would run. */
  readonly machines?: readonly string[];
  readonly previousMachine?: string;
  /** Why it cannot run anywhere: one line, and a reason for every machine. */
  readonly summary?: string;
  readonly rejections?: readonly MachineRejection[];
}

/**
 * Where the engine's rounds would leave the units: rounds are decided until
 * one changes nothing (up to 100), so the plan is the engine's fixed point.
 */
export interface PlanResult {
  readonly units: readonly PlannedUnit[];
  /** Units already in the cluster that the plan would move, with where to. */
  readonly moved: readonly { readonly unit: string; readonly from: string; readonly to: string | undefined }[];
  /** Present (false) only when placements still changed at the round cap: the units show the last round's state. */
  readonly settled?: false;
  /** Why the plan did not settle, with `settled: false`. */
  readonly message?: string;
}

export interface Health {
  readonly status: 'ok' | 'degraded';
  readonly version: string;
  readonly mode: 'standalone' | 'cluster';
  readonly machineID: string;
  readonly engine: { readonly enabled: boolean; readonly leader: boolean };
  readonly agent: { readonly enabled: boolean };
  readonly registry: { readonly reachable: boolean };
}
