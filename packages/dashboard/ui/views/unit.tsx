/**
 * `#/units/<name>`: the unit file as submitted, its states per machine (live), the explain
 * table (every machine × plugin, the winner marked; fetched again when the unit changes in
 * the feed) and the actions, destroy behind a confirmation.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { DashUnit } from '../../src/feed.js';
import { messageOf, request, unitPath } from '../api.js';
import { explainRows } from '../explain.js';
import { optionsToUnitFile } from '../format.js';
import { useTitle } from '../hooks.js';
import { machineHref } from '../route.js';
import type { Store } from '../store.js';
import type { WireExplanation, WireUnit } from '../wire.js';
import { ColumnHeads, Loading, NamedTable } from './common.js';

/** The feed batches up to ~10 changes a second; one explanation request per burst is enough. */
const EXPLAIN_DEBOUNCE_MS = 300;

type Loaded<T> = { readonly value: T } | { readonly error: string } | undefined;

export function UnitView({ store, name }: { store: Store; name: string }) {
  useTitle(name);
  const unit = store.units.get(name);
  const file = useFetched<WireUnit>(unitPath(name), unit?.hash ?? '', 0);
  // Any change of the unit (a new object from the feed) may change where it would go.
  const explanation = useFetched<WireExplanation>(`/fleetd/v1/units/${encodeURIComponent(name)}/explanation`, unit, EXPLAIN_DEBOUNCE_MS);
  const gone = unit === undefined && store.connection !== 'connecting';
  return (
    <>
      <h1>{name}</h1>
      {gone && <p class="empty">fleetd has no unit of this name (destroyed, or never submitted).</p>}
      {unit?.unschedulable !== undefined && (
        <p role="alert" class="alert">
          {unit.unschedulable}
        </p>
      )}
      {unit !== undefined && <Facts unit={unit} />}
      {unit !== undefined && <Actions unit={unit} />}
      <section class="block">
        <h2 id="file-heading">Unit file</h2>
        {file === undefined ? <Loading /> : 'error' in file ? <p class="empty">{file.error}</p> : <UnitFile unit={file.value} />}
      </section>
      <NamedTable
        id="states-heading"
        title="States"
        columns={['Machine', 'Load', 'Active', 'Sub', 'Hash', 'Message']}
        empty={unit === undefined || unit.states.length === 0 ? 'No machine reports it.' : undefined}
      >
        {unit?.states.map((state) => (
          <tr key={state.machineID}>
            <th scope="row">
              <a href={machineHref(state.machineID)}>{state.machineID}</a>
            </th>
            <td>{state.load}</td>
            <td class={`active-${state.active}`}>{state.active}</td>
            <td>{state.sub}</td>
            <td class="mono">{state.hash}</td>
            <td>{state.message ?? ''}</td>
          </tr>
        ))}
      </NamedTable>
      <Explanation loaded={explanation} />
    </>
  );
}

function Facts({ unit }: { unit: DashUnit }) {
  return (
    <dl class="facts">
      <dt>Desired</dt>
      <dd>{unit.desiredState}</dd>
      <dt>Current</dt>
      <dd>{unit.currentState}</dd>
      <dt>Machine</dt>
      <dd>{unit.machineID !== undefined ? <a href={machineHref(unit.machineID)}>{unit.machineID}</a> : unit.global ? 'global' : 'none'}</dd>
      <dt>Hash</dt>
      <dd class="mono">{unit.hash}</dd>
    </dl>
  );
}

function UnitFile({ unit }: { unit: WireUnit }) {
  const text = unit.contents ?? optionsToUnitFile(unit.options);
  return (
    <pre aria-label="Unit file" class="unit-file" tabIndex={0}>
      {text}
    </pre>
  );
}

function Explanation({ loaded }: { loaded: Loaded<WireExplanation> }) {
  const heading = (
    <h2 id="explain-heading" key="heading">
      Explanation
    </h2>
  );
  if (loaded === undefined || 'error' in loaded) {
    return (
      <section class="block">
        {heading}
        {loaded === undefined ? <Loading /> : <p class="empty">{loaded.error}</p>}
      </section>
    );
  }
  const rows = explainRows(loaded.value);
  return (
    <section class="block">
      {heading}
      <p class="summary">{loaded.value.summary}</p>
      <div class="table-wrap">
        <table aria-label="Explanation" class="explain">
          <ColumnHeads columns={['Machine', 'Plugin', 'Verdict', 'Score', 'Reason']} />
          <tbody>
            {rows.map((row) => (
              <tr
                key={`${row.machine}\n${row.plugin}`}
                aria-current={row.chosen ? 'true' : undefined}
                class={[row.first ? 'first' : '', row.chosen ? 'chosen' : ''].join(' ').trim() || undefined}
              >
                <td>
                  <a href={machineHref(row.machine)}>{row.machine}</a>
                  {row.chosen && <span class="tag ok"> chosen</span>}
                  {row.placedHere && <span class="tag"> placed here</span>}
                </td>
                <td>{row.plugin}</td>
                <td class={`verdict-${row.verdict}`}>{row.verdict}</td>
                <td class="num">{row.score}</td>
                <td>{row.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** GETs `path` when it or `key` changes (after `delayMs`); a stale answer never overwrites a newer one. */
function useFetched<T>(path: string, key: unknown, delayMs: number): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      request<T>(path, { signal: controller.signal }).then(
        (value) => setLoaded({ value }),
        (error: unknown) => {
          if (!controller.signal.aborted) setLoaded({ error: messageOf(error) });
        },
      );
    }, delayMs);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [path, key, delayMs]);
  return loaded;
}

const ACTIONS: readonly { readonly label: string; readonly desired: DashUnit['desiredState'] }[] = [
  { label: 'Start', desired: 'launched' },
  { label: 'Stop', desired: 'loaded' },
  { label: 'Unload', desired: 'inactive' },
];

/**
 * Start, Stop, Unload and Destroy, disabled where the API would refuse them: a template can
 * only be destroyed, and asking for the state the unit already wants changes nothing.
 */
function Actions({ unit }: { unit: DashUnit }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const run = async (action: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      after?.();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  const setDesired = (desiredState: string) => run(() => request(unitPath(unit.name), { method: 'PUT', body: { desiredState } }));
  const destroy = () => {
    setConfirming(false);
    void run(
      () => request(unitPath(unit.name), { method: 'DELETE' }),
      () => location.assign('#/units'),
    );
  };
  return (
    <div class="actions">
      {ACTIONS.map((action) => (
        <button
          key={action.label}
          type="button"
          disabled={busy || unit.template || unit.desiredState === action.desired}
          onClick={() => void setDesired(action.desired)}
        >
          {action.label}
        </button>
      ))}
      <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(true)}>
        Destroy
      </button>
      {error !== undefined && (
        <p role="alert" class="alert">
          {error}
        </p>
      )}
      {confirming && <ConfirmDestroy name={unit.name} onCancel={() => setConfirming(false)} onConfirm={destroy} />}
    </div>
  );
}

/** Mounted only while asking: closing is immediate (close()), the unmount follows. */
function ConfirmDestroy({ name, onCancel, onConfirm }: { name: string; onCancel: () => void; onConfirm: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    dialog.current?.showModal();
    // The safe answer has focus: Enter does not destroy.
    cancel.current?.focus();
  }, []);
  const confirm = () => {
    dialog.current?.close('destroy');
  };
  // Escape, Cancel and Destroy all close the dialog; its returnValue says which.
  const closed = () => (dialog.current?.returnValue === 'destroy' ? onConfirm() : onCancel());
  return (
    <dialog ref={dialog} aria-labelledby="destroy-title" onClose={closed} class="confirm">
      <h2 id="destroy-title">{`Destroy ${name}?`}</h2>
      <p>fleetd stops it on every machine and forgets its unit file.</p>
      <div class="dialog-buttons">
        <button type="button" ref={cancel} onClick={() => dialog.current?.close('cancel')}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={confirm}>
          Destroy
        </button>
      </div>
    </dialog>
  );
}
