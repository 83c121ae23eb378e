// Settings > Integrations (TRAINING.md W13-W14, ACCESS.md T12-T13): iHasco at
// the site being looked at. Connect and the custom-field mapping
// (integration.connect / integration.update, T12), "Run a sync"
// (integration.sync, T13) with the demo's iHasco payload and the sync report
// from the command's result, and who may do each here (engine.whoCan).
//
// The connection status and mapping are read from the snapshot for display
// only; every button is gated by the dry run of its exact command.

import type { ActionId, CommandResult } from 'calm-access';
import { useDecision, useRevision } from 'calm-access/preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type CommandFields, run, snapshotNow, syncHistory, useStore, type SyncEntry } from '../../store';
import { when } from '../training/common';
import { CommandButton, Denied, reasonOf, refusalOf } from '../../ui/gate';
import { names } from '../../ui/names';
import { noAnswer, Unanswered } from '../../ui/view';
import { words } from '../../ui/plain';

type Payload = { courses?: unknown[]; people?: unknown[]; results?: unknown[] } & Record<string, unknown>;

interface MappingRow {
  from: string;
  to: string;
}

type Counts = Record<string, number>;

interface SyncReport {
  courses?: Counts;
  people?: Counts;
  customFields?: Counts;
  results?: Counts;
  unmatched?: { kind: string; id: string; email?: string; reason: string }[];
}

const PAYLOAD_URL = './demo/ihasco-payload.json';
const EMPTY_PAYLOAD: Payload = { courses: [], people: [], results: [] };

export function Integrations() {
  const state = useStore();
  const { site } = state;
  const n = names();
  // The page is for those who look after training data here (the nav's gate).
  const view = useDecision('personnel.training.manage', site);
  if (!view.allowed)
    return (
      <section class="integrations">
        <h1>Integrations</h1>
        <Denied decision={view} title={`You cannot look after integrations at ${n.site(site)}`} />
      </section>
    );
  const ihasco = snapshotNow().integrations?.[site]?.ihasco;
  const connected = ihasco?.connected === true;
  const mapping = (ihasco?.mapping ?? {}) as Record<string, unknown>;
  return (
    <section class="integrations">
      <h1>Integrations</h1>
      <p class="muted">
        At <strong>{n.site(site)}</strong>. Integrations are set per site and are not inherited from a parent site.
      </p>
      <div class="card" data-testid="ihasco" data-connected={String(connected)}>
        <h2 class="row">
          iHasco{' '}
          <span class={connected ? 'badge badge-ok' : 'badge'} data-testid="ihasco-status">
            {connected ? 'connected' : 'not connected'}
          </span>
        </h2>
        <p class="muted">
          Imports iHasco's courses as read-only external courses, matches people by email, stores their custom fields
          on the matched personnel records as mapped below, and records their results.
        </p>
        <Connection key={site} connected={connected} mapping={mapping} />
      </div>
      <Sync />
      <WhoCan />
    </section>
  );
}

function rowsOf(mapping: Record<string, unknown>): MappingRow[] {
  const fields = mapping.customFields;
  if (fields === null || typeof fields !== 'object') return [];
  return Object.entries(fields as Record<string, unknown>).map(([from, to]) => ({ from, to: String(to) }));
}

function Connection({ connected, mapping }: { connected: boolean; mapping: Record<string, unknown> }) {
  const { site } = useStore();
  const [rows, setRows] = useState<MappingRow[]>(() => rowsOf(mapping));
  const [result, setResult] = useState<{ what: string; result: CommandResult } | null>(null);
  const customFields: Record<string, string> = {};
  for (const r of rows) if (r.from.trim() !== '' && r.to.trim() !== '') customFields[r.from.trim()] = r.to.trim();
  const settings = { mapping: { ...mapping, customFields } };
  const connect: CommandFields = { type: 'integration.connect', site, settings };
  const update: CommandFields = { type: 'integration.update', site, settings };
  const edit = (i: number, patch: Partial<MappingRow>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  // Connecting and editing the mapping is T12's: without it the mapping is
  // shown, not offered for typing that could never be saved (issue 12).
  const may = useDecision('training.integration.connect', site);
  if (!may.allowed) {
    return (
      <div class="stack" data-testid="ihasco-mapping-readonly">
        <h3>Custom field mapping</h3>
        {rows.length === 0 ? (
          <p class="muted">No mapping: every iHasco custom field is stored under its own name.</p>
        ) : (
          <table data-testid="ihasco-mapping">
            <thead>
              <tr>
                <th scope="col">iHasco field</th>
                <th scope="col">Record field</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} data-testid="mapping-row">
                  <td>{r.from}</td>
                  <td>{r.to}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="muted small" data-testid="ihasco-why-readonly">
          {connected ? 'You can run a sync but not change the connection or its mapping: ' : 'You cannot connect iHasco here: '}
          {reasonOf(may)}
        </p>
      </div>
    );
  }
  return (
    <div class="stack">
      <h3>Custom field mapping</h3>
      <p class="muted small">
        Which iHasco custom field is stored under which field of the person's record. Fields not listed are not
        stored{rows.length === 0 ? ' (with no mapping, every field is stored under its iHasco name)' : ''}.
      </p>
      <table data-testid="ihasco-mapping">
        <thead>
          <tr>
            <th scope="col">iHasco field</th>
            <th scope="col">Record field</th>
            <th scope="col">
              <span class="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} data-testid="mapping-row">
              <td>
                <input
                  type="text"
                  aria-label={`iHasco field ${i + 1}`}
                  value={r.from}
                  onInput={(e) => edit(i, { from: (e.target as HTMLInputElement).value })}
                />
              </td>
              <td>
                <input
                  type="text"
                  aria-label={`Record field for ${r.from || `row ${i + 1}`}`}
                  value={r.to}
                  onInput={(e) => edit(i, { to: (e.target as HTMLInputElement).value })}
                />
              </td>
              <td>
                <button
                  type="button"
                  class="btn btn-plain"
                  aria-label={`Remove the mapping of ${r.from || `row ${i + 1}`}`}
                  onClick={() => setRows(rows.filter((_, j) => j !== i))}
                >
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="row">
        <button
          type="button"
          class="btn btn-plain"
          data-testid="mapping-add"
          onClick={() => setRows([...rows, { from: '', to: '' }])}
        >
          Add a field
        </button>
        {connected ? (
          <CommandButton
            variant="primary"
            data-testid="ihasco-update"
            fields={update}
            onClick={() => setResult({ what: 'Mapping saved', result: run(update) })}
          >
            Save mapping
          </CommandButton>
        ) : (
          <CommandButton
            variant="primary"
            data-testid="ihasco-connect"
            fields={connect}
            onClick={() => setResult({ what: 'iHasco connected', result: run(connect) })}
          >
            Connect iHasco
          </CommandButton>
        )}
      </div>
      {result !== null && (
        <div
          class={result.result.ok ? 'notice' : 'notice notice-error'}
          role="status"
          data-testid="ihasco-result"
          data-ok={String(result.result.ok)}
        >
          {result.result.ok ? `${result.what}.` : `Refused: ${refusalOf(result.result)}`}
        </div>
      )}
    </div>
  );
}

function Sync() {
  const { site } = useStore();
  const [payload, setPayload] = useState<Payload | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [result, setResult] = useState<CommandResult | null>(null);
  useEffect(() => {
    let live = true;
    fetch(PAYLOAD_URL, { cache: 'no-store' })
      .then(async (response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return (await response.json()) as Payload;
      })
      .then((p) => live && setPayload(p))
      .catch((error: unknown) => live && setLoadError(error instanceof Error ? error.message : String(error)));
    return () => {
      live = false;
    };
  }, []);
  // Until the export has arrived, the button is gated on an empty one: the
  // same permission and connection checks, nothing to merge.
  const fields: CommandFields = { type: 'integration.sync', site, payload: payload ?? EMPTY_PAYLOAD };
  const count = (list: unknown[] | undefined) => (Array.isArray(list) ? list.length : 0);
  return (
    <div class="card">
      <h2>Run a sync</h2>
      <p class="muted">
        Sends what iHasco returned (the demo's export) to be merged: running the same sync again changes nothing.
      </p>
      {loadError !== null && (
        <p class="notice notice-error" role="alert">
          The iHasco export could not be loaded ({PAYLOAD_URL}): {loadError}
        </p>
      )}
      {payload !== null && (
        <p data-testid="sync-payload">
          The export holds {count(payload.courses)} courses, {count(payload.people)} people and{' '}
          {count(payload.results)} results.
        </p>
      )}
      <CommandButton
        variant="primary"
        data-testid="ihasco-sync"
        fields={fields}
        onClick={() => payload !== null && setResult(run(fields))}
      >
        Run a sync
      </CommandButton>
      <SyncHistory />
      {result !== null &&
        (result.ok ? (
          <Report report={(result.result ?? {}) as SyncReport} />
        ) : (
          <p class="notice notice-error" role="alert" data-testid="sync-refused">
            The sync was refused: {refusalOf(result)}
          </p>
        ))}
    </div>
  );
}

/** A sync's report in one line: "2 courses created, 4 people matched, 1 unmatched, 2 results created". */
function summary(report: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [what, counts] of Object.entries(report)) {
    if (counts === null || typeof counts !== 'object' || Array.isArray(counts)) continue;
    const said = Object.entries(counts as Record<string, unknown>)
      .filter(([, n]) => typeof n === 'number' && n > 0)
      .map(([k, n]) => `${n} ${k}`);
    if (said.length > 0) parts.push(`${words(what)}: ${said.join(', ')}`);
  }
  return parts.length > 0 ? parts.join('; ') : 'nothing changed';
}

/** The last sync and the sync history of the site, from the server (W14, T13). */
function SyncHistory() {
  const state = useStore();
  const { site, online } = state;
  const [entries, setEntries] = useState<SyncEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const n = names();
  // The history is for those who may run syncs here (T13): the server decides the same.
  const may = useDecision('training.integration.sync', site);
  useEffect(() => {
    if (!online || !may.allowed) return;
    let live = true;
    syncHistory(site).then(
      (list) => live && (setEntries(list), setError(null)),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [site, online, state.revision, may.allowed]);
  if (!may.allowed) return null;
  return (
    <div data-testid="sync-history">
      <h3>Sync history</h3>
      {error !== null ? (
        <p class="notice notice-error">The sync history could not be read: {error}</p>
      ) : entries === null ? (
        <p class="muted">{online ? 'Reading the sync history…' : 'The sync history is shown when you are online.'}</p>
      ) : entries.length === 0 ? (
        <p class="muted" data-testid="sync-last">
          No sync has run at {n.site(site)} yet.
        </p>
      ) : (
        <>
          <p data-testid="sync-last">
            Last sync: <time dateTime={entries[0].at}>{when(entries[0].at)}</time> by {n.user(entries[0].actor)}.
          </p>
          <ol class="sync-list">
            {entries.map((e, i) => (
              <li key={i} data-testid="sync-entry">
                <time dateTime={e.at}>{when(e.at)}</time> by {n.user(e.actor)} — {summary(e.report)}
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

const COLUMNS = ['created', 'updated', 'unchanged', 'matched', 'unmatched'] as const;

function Report({ report }: { report: SyncReport }) {
  const lines: [string, string, Counts | undefined][] = [
    ['courses', 'Courses', report.courses],
    ['people', 'People', report.people],
    ['customFields', 'Custom fields', report.customFields],
    ['results', 'Results', report.results],
  ];
  const unmatched = report.unmatched ?? [];
  return (
    <div class="sync-report" data-testid="sync-report" role="status">
      <h3>Sync report</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">Items</th>
            {COLUMNS.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {lines.map(([key, label, counts]) => (
            <tr key={key} data-testid="sync-line" data-kind={key}>
              <th scope="row">{label}</th>
              {COLUMNS.map((c) => (
                <td key={c} data-count={c}>
                  {counts?.[c] ?? '—'}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {unmatched.length > 0 && (
        <>
          <h4>Not matched</h4>
          <ul data-testid="sync-unmatched">
            {unmatched.map((u) => (
              <li key={`${u.kind}:${u.id}`}>
                {u.kind} <code>{u.id}</code>
                {u.email ? ` (${u.email})` : ''}: {u.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

const QUESTIONS: { action: ActionId; label: string; testid: string }[] = [
  { action: 'training.integration.connect', label: 'Connect iHasco and edit its mapping', testid: 'who-can-connect' },
  { action: 'training.integration.sync', label: 'Run a sync', testid: 'who-can-sync' },
];

function WhoCan() {
  const state = useStore();
  const revision = useRevision();
  const { engine, site } = state;
  const n = names();
  const answers = useMemo(
    () =>
      QUESTIONS.map((q) => {
        try {
          return { ...q, users: engine.whoCan(q.action, site).users };
        } catch (error) {
          return { ...q, error };
        }
      }),
    [engine, site, revision],
  );
  return (
    <div class="card">
      <h2>Who can do this here</h2>
      <div class="who-can">
        {answers.map((a) => (
          <div key={a.action} data-testid={a.testid}>
            <h3>{a.label}</h3>
            {'error' in a ? (
              <Unanswered answer={noAnswer(a.error)} title={a.label} />
            ) : a.users.length === 0 ? (
              <p class="muted">Nobody at {n.site(site)}.</p>
            ) : (
              <ul>
                {a.users.map((u) => (
                  <li key={u.user} data-user={u.user}>
                    {n.user(u.user)} {u.owner && <span class="badge badge-ok">owner</span>}
                  </li>
                ))}
              </ul>
            )}
          </div>
        ))}
      </div>
    </div>
  );
}
