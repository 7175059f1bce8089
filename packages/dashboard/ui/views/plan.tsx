/**
 * `#/plan`: paste a unit file or upload some, and see where the engine would put them
 * (POST /fleetd/v1/plan). Nothing in the cluster changes.
 */
import type { TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';
import { messageOf, request } from '../api.js';
import { useTitle } from '../hooks.js';
import { movedRows, planInputProblem, planRows } from '../plan.js';
import { machineHref, unitHref } from '../route.js';
import type { PlanResult } from '../wire.js';
import { NamedTable } from './common.js';

interface PlanInput {
  readonly name: string;
  readonly contents: string;
}

export function PlanView() {
  useTitle('Plan');
  const [name, setName] = useState('');
  const [contents, setContents] = useState('');
  const [files, setFiles] = useState<readonly File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<{ plan: PlanResult; inputs: readonly string[] } | undefined>(undefined);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(undefined);
    const units: PlanInput[] = await Promise.all(files.map(async (file) => ({ name: file.name, contents: await file.text() })));
    const pasted = contents.trim() !== '';
    const problem = planInputProblem(pasted, name, units.length);
    if (problem !== undefined) {
      setError(problem);
      return;
    }
    if (pasted) units.push({ name: name.trim(), contents });
    setBusy(true);
    try {
      const plan = await request<PlanResult>('/fleetd/v1/plan', { method: 'POST', body: { units } });
      setResult({ plan, inputs: units.map((unit) => unit.name) });
    } catch (failure) {
      setResult(undefined);
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Plan</h1>
      <p class="hint">Where would these units run? fleetd answers as its engine would decide now, and changes nothing.</p>
      <form class="plan-form" onSubmit={(event) => void submit(event)}>
        <label>
          Unit name
          <input type="text" value={name} onInput={(event) => setName(event.currentTarget.value)} placeholder="web.service" spellcheck={false} />
        </label>
        <label>
          Unit file
          <textarea
            rows={10}
            value={contents}
            onInput={(event) => setContents(event.currentTarget.value)}
            spellcheck={false}
            placeholder={'[Service]\nExecStart=/usr/bin/web\n\n[X-Fleet]\nMachineMetadata=zone=a'}
          />
        </label>
        <label>
          Upload unit files
          <input type="file" multiple onChange={(event) => setFiles([...(event.currentTarget.files ?? [])])} />
        </label>
        <div>
          <button type="submit" disabled={busy}>
            Plan
          </button>
        </div>
        {error !== undefined && (
          <p role="alert" class="alert">
            {error}
          </p>
        )}
      </form>
      {result !== undefined && <PlanResultView plan={result.plan} />}
    </>
  );
}

function PlanResultView({ plan }: { plan: PlanResult }) {
  const rows = planRows(plan);
  const moved = movedRows(plan);
  return (
    <>
      {plan.settled === false && <p class="alert">{plan.message ?? 'The plan did not settle: the units show the last round.'}</p>}
      <NamedTable id="plan-result-heading" title="Plan result" columns={['Unit', 'Machine', 'Reason']}>
        {rows.map((row) => (
          <tr key={row.unit} class={row.placed ? undefined : 'warn'}>
            <th scope="row">{row.unit}</th>
            <td>{row.machine}</td>
            <td>{row.reason}</td>
          </tr>
        ))}
      </NamedTable>
      {plan.units
        .filter((unit) => (unit.rejections?.length ?? 0) > 0)
        .map((unit) => (
          <details key={unit.unit} class="rejections">
            <summary>Why {unit.unit} cannot run on the other machines</summary>
            <ul>
              {unit.rejections?.map((rejection) => (
                <li key={`${rejection.machine}\n${rejection.plugin}`}>
                  <a href={machineHref(rejection.machine)}>{rejection.machine}</a>: {rejection.plugin}: {rejection.message}
                </li>
              ))}
            </ul>
          </details>
        ))}
      {moved.length > 0 && (
        <NamedTable id="plan-moved-heading" title="Units it would move" columns={['Unit', 'From', 'To']}>
          {moved.map((row) => (
            <tr key={row.unit}>
              <th scope="row">
                <a href={unitHref(row.unit)}>{row.unit}</a>
              </th>
              <td>{row.from}</td>
              <td>{row.to === '' ? 'nowhere' : row.to}</td>
            </tr>
          ))}
        </NamedTable>
      )}
    </>
  );
}
