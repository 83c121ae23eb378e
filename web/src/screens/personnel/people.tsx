// People (#/people): the People list at the site (P1) with each person's
// training compliance (T4, when the viewer may see it), and the New record
// form (P8).

import type { People, TrainingOf } from 'calm-access';
import { useMemo, useState } from 'preact/hooks';
import { Pager, SearchBox, usePaged } from '../../ui/paged';
import { href } from '../../route';
import { snapshotNow, today, useStore } from '../../store';
import { CommandButton, GateLink, IfRoleAllows } from '../../ui/gate';
import { ask, newId, Unanswered } from '../../ui/view';
import { Field, Outcome, useRunner } from './common';
import { names } from '../../ui/names';
import { useRevision } from 'calm-access/preact';

/** The person's training compliance from the trainingOf view, or nothing when it is not shown to the viewer. */
function Compliance({ person }: { person?: string }) {
  const { engine, user } = useStore();
  if (person === undefined) return <span class="muted">No user account</span>;
  let training: TrainingOf;
  try {
    training = engine.trainingOf(user, person, today());
  } catch {
    return <span class="muted">Not shown</span>;
  }
  const overdue = training.fulfillments.filter((f) => f.overdue).length;
  const expired = training.results.filter((r) => r.state === 'expired').length;
  const open = training.fulfillments.filter((f) => f.status === 'not_started' || f.status === 'in_progress').length;
  if (overdue === 0 && expired === 0) {
    return (
      <span class="badge badge-ok" data-compliance="ok">
        Up to date{open > 0 ? ` · ${open} to do` : ''}
      </span>
    );
  }
  const parts = [overdue > 0 ? `${overdue} overdue` : '', expired > 0 ? `${expired} expired` : ''].filter(Boolean);
  return (
    <span class={overdue > 0 ? 'badge badge-danger' : 'badge badge-warn'} data-compliance="attention">
      {parts.join(' · ')}
    </span>
  );
}

function statusBadge(status: string | undefined) {
  if (!status) return <span class="muted">—</span>;
  const cls = status === 'active' ? 'badge badge-ok' : status === 'left' || status === 'inactive' ? 'badge' : 'badge badge-warn';
  return <span class={cls}>{status}</span>;
}

function NewRecord() {
  const { site } = useStore();
  const revision = useRevision();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [account, setAccount] = useState('');
  const [id, setId] = useState(() => newId('rec'));
  const [outcome, exec] = useRunner();
  // The accounts to link: the same list the app's user switcher shows.
  const users = snapshotNow().users;
  void revision;
  const record: Record<string, unknown> = { id, site };
  if (name.trim() !== '') record.name = name.trim();
  if (email.trim() !== '') record.email = email.trim();
  if (account !== '') record.user = account;
  const fields = { type: 'record.create', record };
  return (
    <section class="card pnew" aria-labelledby="new-record-h">
      <h2 id="new-record-h">New record</h2>
      <form
        class="pform"
        onSubmit={(e) => e.preventDefault()}
        data-testid="record-create-form"
      >
        <Field label="Name" value={name} onInput={setName} testid="record-name" required />
        <Field label="Email" type="email" value={email} onInput={setEmail} testid="record-email" />
        <label class="field">
          <span>User account</span>
          <select value={account} data-testid="record-user" onChange={(e) => setAccount((e.target as HTMLSelectElement).value)}>
            <option value="">No account (e.g. a contractor)</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name ?? u.id}
              </option>
            ))}
          </select>
        </label>
        <div class="row">
          <CommandButton
            fields={fields}
            variant="primary"
            data-testid="record-create"
            onClick={() => {
              const result = exec(`Creating the record of ${name.trim()}`, fields);
              if (result.ok) {
                setName('');
                setEmail('');
                setAccount('');
                setId(newId('rec'));
              }
            }}
          >
            Create record
          </CommandButton>
        </div>
      </form>
      <Outcome outcome={outcome} />
    </section>
  );
}

export function People() {
  const { engine, user, site } = useStore();
  const revision = useRevision();
  const viewed = useMemo(() => ask<People>(() => engine.people(user, site)), [engine, user, site, revision]);
  const list = useMemo(() => (viewed.ok ? viewed.value.people : []), [viewed]);
  const paged = usePaged(list, (p) => `${p.name} ${p.email ?? ''} ${p.status ?? ''}`);
  return (
    <section>
      <h1>People</h1>
      {!viewed.ok ? (
        <Unanswered answer={viewed} title="People" />
      ) : (
        <>
          <p class="muted">
            Personnel records at <strong>{names().site(site)}</strong>.
          </p>
          {viewed.value.people.length === 0 ? (
            <p class="notice" data-testid="people-empty">
              There are no personnel records at this site. Choose another site above, or create a record.
            </p>
          ) : (
            <>
            <SearchBox paged={paged} label="Search people" testid="people-search" />
            <table data-testid="people">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Status</th>
                  <th scope="col">Training</th>
                </tr>
              </thead>
              <tbody>
                {paged.shown.map((p) => (
                  <tr key={p.id} data-testid="person-row" data-record={p.id}>
                    <td>
                      <GateLink action="personnel.record.view" target={{ record: p.id }} href={href('people', p.id)}>
                        {p.name}
                      </GateLink>
                    </td>
                    <td>{p.email ?? <span class="muted">—</span>}</td>
                    <td data-testid="person-status">{statusBadge(p.status)}</td>
                    <td>
                      <Compliance person={p.user} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager paged={paged} testid="people-pager" />
            </>
          )}
        </>
      )}
      <IfRoleAllows action="personnel.record.create" target={site}>
        <NewRecord />
      </IfRoleAllows>
    </section>
  );
}

export { statusBadge };
