import { createRequire } from 'node:module';
import { definePlugin, withRequirements } from '@fleetd/core';
import type { ClusterView, MachineView, ResolvedUnit } from '@fleetd/core';
import { resourceDropIn } from './drop-ins.js';
import { measureCapacity, resourceFacts } from './facts.js';
import { LedgerBooks } from './ledger.js';
import type { LedgerBook } from './ledger.js';
import { resourceSettings, resourcesOptions } from './options.js';
import { CPU_OPTION, MEMORY_OPTION, RESOURCE_OPTION, resourcesRequirement } from './requests.js';
import type { ResourcesRequirement } from './requests.js';
import { resourceVerdict } from './verdict.js';

export { EPSILON, fits, machineCapacity, PACKAGE_NAME, shortageReason } from './capacity.js';
export type { MachineCapacity } from './capacity.js';
export { cpuQuota, DROP_IN_NAME, resourceDropIn } from './drop-ins.js';
export { measureCapacity, resourceFacts } from './facts.js';
export type { MeasuredCapacity } from './facts.js';
export { parseAmountInput, resourceSettings, resourcesOptions } from './options.js';
export type { AmountInput, ResourceSettings, ResourcesOptions, ResourcesOptionsInput } from './options.js';
export {
  bytesOfMemoryDirective,
  CGROUP_SECTIONS,
  coresOfCpuQuota,
  CPU_OPTION,
  formatRequests,
  MEMORY_OPTION,
  RESOURCE_OPTION,
  resourcesRequirement,
  SYSTEMD_MEMORY_DIRECTIVES,
  unknownResourceProblem,
} from './requests.js';
export type { RequestSettings, RequestSource, ResourceRequest, ResourcesRequirement } from './requests.js';
export { BUILT_IN_RESOURCES, declaredNameProblem, formatAmount, parseDecimal, RESERVED_SUFFIX, resourceTable } from './table.js';
export type { BuiltInResource, ResourceKind, ResourceMeasure, ResourceSpec, ResourceTable } from './table.js';
export { MAX_POINTS, pointsOf, roundPoints } from './points.js';
export type { Strategy } from './points.js';

/** What a unit without requests requests. */
const NO_REQUESTS = Object.freeze({ slots: new Int32Array(0), amounts: new Float64Array(0) });

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

declare module '@fleetd/core' {
  interface UnitRequirements {
    /** Set by the resources plugin when the unit requests a resource (or has a request it cannot read). */
    readonly resources?: ResourcesRequirement;
  }
}

/**
 * Resource-aware scheduling. Units request cores, memory and declared
 * resources (`CPU=`, `Memory=`, `Resource=` in `[X-Fleet]`, or systemd's own
 * `MemoryMax=` and `CPUQuota=`); each machine's fleetd announces its capacity
 * and reservations as facts; the filter places a unit only where its
 * requests fit next to everything already running there, and the score
 * spreads units out or packs them tight. With `enforce`, the agent installs
 * each `[X-Fleet]` request as the unit's systemd limits.
 */
export default definePlugin({
  meta: { name: 'resources', version, core: peerDependencies['@fleetd/core'], unitOptions: [MEMORY_OPTION, CPU_OPTION, RESOURCE_OPTION] },
  options: resourcesOptions,
  apply(hooks, options) {
    const settings = resourceSettings(options);
    const { table, strategy } = settings;
    // One plugin instance serves the engine, explanations, dry runs and agents' global evaluations: a book per cluster view.
    const books = new LedgerBooks(table);
    // The unit the last narrow was about, where its score taps find it.
    const narrowed: { unit: ResolvedUnit | undefined; cluster: ClusterView | undefined; book: LedgerBook | undefined; points: Float64Array } = {
      unit: undefined,
      cluster: undefined,
      book: undefined,
      points: new Float64Array(0),
    };

    hooks.resolveUnit.tap((unit) => {
      const requirement = resourcesRequirement(unit, settings);
      return requirement === undefined ? unit : withRequirements(unit, { resources: requirement });
    });

    // A template's values may hold specifiers its instances expand: its instances are checked.
    hooks.validateUnit.tap((unit) => (unit.nameInfo.isTemplate ? undefined : unit.requirements.resources?.problem));

    hooks.narrow.tap((unit, cluster, narrowing) => {
      const requirement = unit.requirements.resources;
      const book = books.of(cluster);
      // Every narrow is told to the book, with or without requests, so that it can follow the placement that follows.
      const fits = book.fitsEverywhere(unit, requirement ?? NO_REQUESTS, cluster, strategy);
      if (requirement === undefined) {
        // Requests nothing: it costs nothing on any machine, so neither hook needs calling.
        narrowing.passesEverywhere?.();
        narrowing.scoresNothing?.();
      } else if (requirement.problem !== undefined) {
        narrowing.restrict([], requirement.problem);
      } else {
        narrowed.unit = unit;
        narrowed.cluster = cluster;
        narrowed.book = book;
        narrowed.points = book.narrowedPointsByIndex(requirement.key);
        // When some machine is short, the filter runs per machine and gives each its own reason.
        if (fits) narrowing.passesEverywhere?.();
      }
    });

    // The scheduler asks about one unit on every machine in a row: its requirement is looked up
    // once per unit rather than per machine (requirements objects differ in shape between units).
    let lastUnit: ResolvedUnit | undefined;
    let lastRequirement: ResourcesRequirement | undefined;
    const requirementOf = (unit: ResolvedUnit): ResourcesRequirement | undefined => {
      if (unit !== lastUnit) {
        lastUnit = unit;
        lastRequirement = unit.requirements.resources;
      }
      return lastRequirement;
    };

    hooks.filter.tap((unit, machine, cluster) => {
      const requirement = requirementOf(unit);
      if (requirement === undefined) return undefined;
      if (requirement.problem !== undefined) return requirement.problem;
      return resourceVerdict(unit, requirement, machine, cluster, books.of(cluster), table);
    });

    // Scoring the unit just narrowed, on every machine in a row, is the hot path: the tap stays small.
    hooks.score.tap((unit, machine, cluster) =>
      unit === narrowed.unit && cluster === narrowed.cluster ? narrowed.points[machine.index]! : scoreAnyway(unit, machine, cluster),
    );
    const scoreAnyway = (unit: ResolvedUnit, machine: MachineView, cluster: ClusterView): number => {
      const requirement = requirementOf(unit);
      return requirement === undefined ? 0 : books.of(cluster).points(requirement, machine, cluster, strategy);
    };

    hooks.machineFacts.tap((facts) => ({ ...facts, ...resourceFacts(settings, measureCapacity()) }));

    if (settings.enforce) {
      hooks.unitDropIns.tap((dropIns, unit) => {
        const dropIn = resourceDropIn(unit, unit.requirements.resources);
        return dropIn === undefined ? dropIns : [...dropIns, dropIn];
      });
    }
  },
});
