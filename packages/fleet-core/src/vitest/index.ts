// @fleetd/core/vitest: the helpers that register vitest suites and hooks, so they import
// vitest (an optional peer dependency). Everything that runs without vitest is in
// @fleetd/core/testing: a plain `node` script or another test runner can import that one.
export { describeRegistryContract, expectFleetError } from './registry-contract.js';
export type { RegistryContractOptions, RegistryContractSetup } from './registry-contract.js';
