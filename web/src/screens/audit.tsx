// The audit log (#/audit, R8): every applied command and every reveal, as
// the server recorded them (GET /api/audit, owners only; the server decides
// and answers 403 otherwise): who, what, when, and the events in plain words,
// newest first, a page at a time.

import { useEffect, useState } from 'preact/hooks';
import { auditPage, useStore, type AuditEntry } from '../store';
import { names } from '../ui/names';
import { words } from '../ui/plain';

const PAGE = 25;


function value(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') {
    // A user's or a site's id is shown as its name.
    const n = names();
    return n.user(v) !== v ? n.user(v) : n.site(v);
  }
  if (Array.isArray(v)) return v.map(value).join(', ');
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${words(k)}: ${value(x)}`).join('; ');
  return String(v);
}

function Details({ entry }: { entry: AuditEntry }) {
  const events = entry.events ?? [];
  if (events.length === 0) return <span class="muted">no events</span>;
  return (
    <ul class="audit-events">
      {events.map((e, i) => (
        <li key={i} data-testid="audit-event" data-type={e.type}>
          <strong>{words(e.type)}</strong>
          {e.subject && <> — {value(e.subject)}</>}
          {e.site && <> at {names().site(e.site)}</>}
          {e.details && Object.keys(e.details).length > 0 && <span class="muted"> ({value(e.details)})</span>}
        </li>
      ))}
    </ul>
  );
}

export function AuditLog() {
  const s = useStore();
  const [pages, setPages] = useState<{ entries: AuditEntry[]; next?: number | null }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const load = (before?: number) => {
    setLoading(true);
    auditPage(before, PAGE).then(
      (page) => {
        setPages((old) => (before === undefined ? [page] : [...old, page]));
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      },
    );
  };
  // The newest page again whenever the revision moves (a command was applied).
  useEffect(() => load(), [s.revision]);
  const entries = pages.flatMap((p) => p.entries);
  const next = pages[pages.length - 1]?.next;
  return (
    <section data-testid="audit">
      <h1>Audit log</h1>
      <p class="muted">Every change applied by the server and every reveal of a hidden block, newest first.</p>
      {!s.online && <p class="notice">Offline: the audit log is kept on the server and shows when the network is back.</p>}
      {error !== null && (
        <p class="notice notice-error" role="alert" data-testid="audit-error">
          The audit log did not load: {error}
        </p>
      )}
      {entries.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} data-testid="audit-entry" data-seq={e.seq} data-type={e.type} data-actor={e.actor}>
                <td>
                  <time dateTime={e.at}>{e.at.replace('T', ' ').slice(0, 19)}</time>
                </td>
                <td>{names().user(e.actor)}</td>
                <td>{words(e.type)}</td>
                <td>
                  <Details entry={e} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries.length === 0 && error === null && !loading && <p class="muted">Nothing recorded yet.</p>}
      {next !== undefined && next !== null && (
        <button type="button" class="btn btn-plain" data-testid="audit-older" disabled={loading} onClick={() => load(next)}>
          Older entries
        </button>
      )}
    </section>
  );
}
