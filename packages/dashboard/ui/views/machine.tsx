/** `#/machines/<id>`: a machine's metadata and facts, and the units on it with their states. */
import { useMemo } from 'preact/hooks';
import { formatFact } from '../format.js';
import { useTitle } from '../hooks.js';
import { unitHref } from '../route.js';
import { machineUnits } from '../select.js';
import type { Store } from '../store.js';
import { Loading, NamedTable } from './common.js';

export function MachineView({ store, id }: { store: Store; id: string }) {
  useTitle(id);
  const machine = store.machines.get(id);
  const units = store.unitArray();
  const rows = useMemo(() => machineUnits(units, id), [units, id]);
  const metadata = Object.entries(machine?.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const facts = Object.entries(machine?.facts ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    <>
      <h1>{id}</h1>
      {store.connection === 'connecting' && <Loading />}
      {machine === undefined && store.connection !== 'connecting' && <p class="empty">This machine is not in the cluster (it left, or never joined).</p>}
      {machine !== undefined && (
        <dl class="facts">
          <dt>IP</dt>
          <dd>{machine.primaryIP}</dd>
          <dt>Units</dt>
          <dd>{machine.units}</dd>
        </dl>
      )}
      <NamedTable id="metadata-heading" title="Metadata" columns={['Key', 'Value']} empty={metadata.length === 0 ? 'No metadata.' : undefined}>
        {metadata.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>{value}</td>
          </tr>
        ))}
      </NamedTable>
      {facts.length > 0 && (
        <NamedTable id="facts-heading" title="Facts" columns={['Fact', 'Value']}>
          {facts.map(([name, fact]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{formatFact(fact)}</td>
            </tr>
          ))}
        </NamedTable>
      )}
      <NamedTable
        id="machine-units-heading"
        title={`Units on ${id}`}
        columns={['Unit', 'Load', 'Active', 'Sub']}
        empty={rows.length === 0 ? 'No units.' : undefined}
      >
        {rows.map((row) => (
          <tr key={row.name}>
            <th scope="row">
              <a href={unitHref(row.name)}>{row.name}</a>
            </th>
            <td>{row.load}</td>
            <td class={`active-${row.active}`}>{row.active}</td>
            <td>{row.sub}</td>
          </tr>
        ))}
      </NamedTable>
    </>
  );
}
