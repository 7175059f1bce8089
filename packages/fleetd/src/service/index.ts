export { createFleetService } from './fleet-service.js';
export type { FleetService, FleetServiceOptions, MetricsPage, StateFilter } from './fleet-service.js';
export { planUnits } from './plan.js';
export type { PlanOptions } from './plan.js';
export { DESIRED_STATE_REQUIRED, OPTIONS_REQUIRED } from './put-unit.js';
export type { PutUnitOutcome, PutUnitRequest } from './put-unit.js';
export { decodeSnapshot, readClusterSnapshot, schedulingSnapshotOf } from './snapshot.js';
export type { ClusterSnapshot } from './snapshot.js';
export type { FeedListener, FeedMessage, FeedTimings } from '../dashboard/feed.js';
