/** Pieces several views share. */
import { Component, type ComponentChildren, type VNode } from 'preact';

let nextId = 0;
/** A page-unique id for aria-labelledby. */
export function uniqueId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A table's header row: one column header per name. */
export function ColumnHeads({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column} scope="col">
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** A table named by its heading (the browser tests find tables by these names). */
export function NamedTable({
  id,
  title,
  columns,
  children,
  empty,
}: {
  id: string;
  title: string;
  columns: readonly string[];
  children: ComponentChildren;
  empty?: string | undefined;
}) {
  return (
    <section class="block">
      <h2 id={id}>{title}</h2>
      {empty !== undefined ? (
        <p class="empty">{empty}</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby={id}>
            <ColumnHeads columns={columns} />
            <tbody>{children}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function Loading() {
  return <p class="empty">Waiting for fleetd…</p>;
}

/**
 * A component that renders again only when a prop changed (by identity): a live batch
 * touches a few rows of a long table, and the others stay as they are. (preact/compat's
 * memo would bring all of compat along.)
 */
export function memo<P extends object>(render: (props: P) => VNode | null) {
  return class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      const current = this.props as Record<string, unknown>;
      const incoming = next as Record<string, unknown>;
      const keys = Object.keys(incoming);
      return keys.length !== Object.keys(current).length || keys.some((key) => current[key] !== incoming[key]);
    }
    override render(props: P) {
      return render(props);
    }
  };
}
