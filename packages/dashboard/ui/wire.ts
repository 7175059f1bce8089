/**
 * The shapes of fleetd's HTTP API the views read (docs/http-api.md, fleetd's
 * src/api/wire.ts), restated for the browser: fleetd depends on this package, not the
 * other way round. Only the fields the views use.
 */
export interface WireUnitOption {
  readonly section: string;
  readonly name: string;
  readonly value: string;
}

export interface WireUnit {
  readonly name: string;
  readonly options: readonly WireUnitOption[];
  readonly desiredState?: string;
  readonly currentState?: string;
  readonly machineID?: string;
  readonly contents?: string;
}

export type PluginVerdict =
  | { readonly plugin: string; readonly verdict: 'pass' }
  | { readonly plugin: string; readonly verdict: 'narrow' | 'filter' | 'error'; readonly message: string };

export interface MachineExplanation {
  readonly machine: string;
  readonly feasible: boolean;
  readonly verdicts: readonly PluginVerdict[];
  readonly total?: number;
  readonly scores: Readonly<Record<string, number>>;
}

export interface WireExplanation {
  readonly unit: string;
  readonly placedOn?: string;
  readonly bestMachine?: string;
  readonly summary: string;
  readonly machines: readonly MachineExplanation[];
  readonly desiredState: string;
}

export interface MachineRejection {
  readonly machine: string;
  readonly plugin: string;
  readonly kind: string;
  readonly message: string;
}

export interface PlannedUnit {
  readonly unit: string;
  readonly machine?: string;
  readonly machines?: readonly string[];
  readonly previousMachine?: string;
  readonly summary?: string;
  readonly rejections?: readonly MachineRejection[];
}

export interface PlanResult {
  readonly units: readonly PlannedUnit[];
  readonly moved: readonly { readonly unit: string; readonly from: string; readonly to?: string }[];
  readonly settled?: false;
  readonly message?: string;
}

export interface Health {
  readonly status: string;
  readonly version: string;
  readonly mode: string;
  readonly machineID: string;
  readonly engine?: { readonly leader: boolean };
}
