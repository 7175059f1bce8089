/** `#/`: machines, units by state, and the units no machine can take with their reason. */
import { useMemo } from 'preact/hooks';
import type { DashMachine } from '../../src/feed.js';
import { formatFacts, formatMetadata } from '../format.js';
import { useTitle } from '../hooks.js';
import { machineHref, unitHref, unitsHref } from '../route.js';
import { DEFAULT_QUERY, type StateFilter } from '../query.js';
import { countByState, unschedulableUnits } from '../select.js';
import type { Store } from '../store.js';
import { ColumnHeads, Loading, memo } from './common.js';

/** More would make the overview a second units table: the rest is one link away. */
const UNSCHEDULABLE_SHOWN = 20;

export function Overview({ store }: { store: Store }) {
  useTitle('Cluster');
  const machines = store.machineArray();
  const units = store.unitArray();
  const counts = useMemo(() => countByState(units), [units]);
  const stuck = useMemo(() => unschedulableUnits(units), [units]);
  const hasFacts = useMemo(() => machines.some((machine) => Object.keys(machine.facts).length > 0), [machines]);
  const columns = ['Machine', 'IP', 'Metadata', 'Units', ...(hasFacts ? ['Facts'] : [])];
  const byState: readonly [StateFilter, number][] = [
    ['launched', counts.launched],
    ['loaded', counts.loaded],
    ['inactive', counts.inactive],
    ['unschedulable', counts.unschedulable],
  ];
  return (
    <>
      <h1>Cluster</h1>
      {store.connection === 'connecting' && <Loading />}
      <section class="block">
        <h2 id="states-heading">Units by state</h2>
        <ul class="counts">
          <li>
            <a href="#/units">
              <span class="count">{counts.total}</span> all
            </a>
          </li>
          {byState.map(([state, count]) => (
            <li key={state} class={state === 'unschedulable' && count > 0 ? 'warn' : undefined}>
              <a href={unitsHref({ ...DEFAULT_QUERY, state })}>
                <span class="count">{count}</span> {state}
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section class="block">
        <h2 id="stuck-heading">Unschedulable units</h2>
        {stuck.length === 0 ? (
          <p class="empty">None</p>
        ) : (
          <ul aria-label="Unschedulable units" class="stuck">
            {stuck.slice(0, UNSCHEDULABLE_SHOWN).map((unit) => (
              <li key={unit.name}>
                <a href={unitHref(unit.name)}>{unit.name}</a> <span class="reason">{unit.unschedulable}</span>
              </li>
            ))}
          </ul>
        )}
        {stuck.length > UNSCHEDULABLE_SHOWN && (
          <p>
            <a href={unitsHref({ ...DEFAULT_QUERY, state: 'unschedulable' })}>All {stuck.length} unschedulable units</a>
          </p>
        )}
      </section>
      <section class="block">
        <h2 id="machines-heading">Machines ({machines.length})</h2>
        <div class="table-wrap">
          <table aria-label="Machines">
            <ColumnHeads columns={columns} />
            <tbody>
              {machines.map((machine) => (
                <MachineRow key={machine.id} machine={machine} hasFacts={hasFacts} />
              ))}
            </tbody>
          </table>
        </div>
        {machines.length === 0 && store.connection !== 'connecting' && <p class="empty">No machines.</p>}
      </section>
    </>
  );
}

// A batch of changes touches a few machines: only their rows render again.
const MachineRow = memo(function machineRow({ machine, hasFacts }: { machine: DashMachine; hasFacts: boolean }) {
  return (
    <tr>
      <th scope="row">
        <a href={machineHref(machine.id)}>{machine.id}</a>
      </th>
      <td>{machine.primaryIP}</td>
      <td>{formatMetadata(machine.metadata)}</td>
      <td class="num">{machine.units}</td>
      {hasFacts && <td>{formatFacts(machine.facts)}</td>}
    </tr>
  );
});
