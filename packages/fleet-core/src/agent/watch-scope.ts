import type { KeyLayout } from '../store/layout.js';

/**
 * The prefixes an agent mirrors: everything it reads to decide what runs on
 * its machine. Unit files and desired states (what to run), placements (which
 * are its own; there is no per-machine placement key), machines and their
 * operator metadata (which global units it is eligible for, and what
 * Conflicts and MachineOf see). Not `states/`: the agent learns its own
 * units' states from the unit driver and publishes them, and no decision of
 * it rests on the states other machines report, which are most of the
 * registry's traffic (several writes per unit start or stop, on every machine).
 * Nor `engine/leader` or `schema`, which it reads directly when it needs them.
 */
export function agentWatchScope(layout: KeyLayout): readonly string[] {
  return [layout.units, layout.desiredStates, layout.placements, layout.machines, layout.machineMetadataOverlay];
}
