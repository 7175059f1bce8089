export * from './decisions.js';
export { ClusterState, MachineSlot } from './cluster-state.js';
export type { SchedulingSnapshot } from './cluster-state.js';
export { Scheduler } from './scheduler.js';
export type { RoundPlan, SchedulerOptions } from './scheduler.js';
export { commitPlan } from './commit.js';
export { UnitResolver, baseResolvedUnit, fleetOptionsOf } from './resolve.js';
export type { Resolution } from './resolve.js';
export { summarizeRejections } from './summary.js';
