// A personnel record (#/people/<record>): the engine's record view (PW1:
// what the viewer may not see is absent), the person's training (T4), the
// comment threads the viewer may see (P6), and the record's commands.
// Nothing here is read from the snapshot: only the views' answers are shown.

import type { BlockView, RecordView, ThreadView, TrainingOf } from 'calm-access';
import { useDecision } from 'calm-access/preact';
import { useState } from 'preact/hooks';
import { go, href } from '../../route';
import { reveal as revealBlock, revealedData, today, useStore } from '../../store';
import { CommandButton, GateLink, IfRoleAllows, reasonOf } from '../../ui/gate';
import { names } from '../../ui/names';
import { ask, newId, Unanswered } from '../../ui/view';
import { flash } from '../../ui/confirm';
import { useSiteCompanies } from './companies';
import { statusBadge } from './people';
import {
  Area,
  DataList,
  type Exec,
  Field,
  fromLines,
  keyLabel,
  Outcome,
  Section,
  toLines,
  useRunner,
} from './common';
import { DueMark } from '../training/common';
import { download, slug, toCsv } from '../../ui/csv';

const BLOCK_TYPES = [
  'employment',
  'emergency-contact',
  'qualification',
  'dbs',
  'right-to-work',
  'financial',
  'identity',
  'other',
];

function when(iso: string): string {
  return iso.replace('T', ' ').slice(0, 16);
}

// ---- profile and record commands ------------------------------------------

function ProfileEdit({ rec, exec }: { rec: RecordView; exec: Exec }) {
  const [name, setName] = useState(rec.name);
  const [email, setEmail] = useState(rec.email ?? '');
  const [status, setStatus] = useState(rec.status ?? '');
  const changes: Record<string, unknown> = {};
  if (name.trim() !== rec.name) changes.name = name.trim();
  if (email.trim() !== (rec.email ?? '')) changes.email = email.trim();
  if (status.trim() !== (rec.status ?? '')) changes.status = status.trim();
  const update = { type: 'record.update', record: rec.id, changes };
  return (
    <form class="pform" onSubmit={(e) => e.preventDefault()}>
      <Field label="Name" value={name} onInput={setName} testid="record-edit-name" />
      <Field label="Email" type="email" value={email} onInput={setEmail} />
      <Field label="Status" value={status} onInput={setStatus} />
      <div class="row">
        <CommandButton fields={update} variant="primary" data-testid="record-update" onClick={() => exec('Saving the record', update)}>
          Save record
        </CommandButton>
      </div>
    </form>
  );
}

/** The courses a person still has open: what deleting their record withdraws (PW3). */
function useOpenTraining(person: string | undefined): string[] {
  if (person === undefined) return [];
  const { engine, user } = useStore();
  const answer = ask<TrainingOf>(() => engine.trainingOf(user, person, today()));
  if (!answer.ok) return [];
  return answer.value.fulfillments.filter((f) => f.status === 'not_started' || f.status === 'in_progress').map((f) => f.title);
}

function Profile({ rec }: { rec: RecordView }) {
  const [outcome, exec] = useRunner();
  const remove = { type: 'record.delete', record: rec.id };
  const n = names();
  const open = useOpenTraining(rec.user);
  const confirm = {
    title: `Delete ${rec.name}'s record?`,
    confirm: 'Delete record',
    body: (
      <>
        <p>
          The record of {rec.name}, with its {rec.blocks.length} {rec.blocks.length === 1 ? 'block' : 'blocks'} and {rec.files.length}{' '}
          {rec.files.length === 1 ? 'file' : 'files'}, will be deleted.
        </p>
        {open.length > 0 ? (
          <>
            <p>Their open training will be withdrawn:</p>
            <ul data-testid="confirm-lost">
              {open.map((t, i) => (
                <li key={i}>{t}</li>
              ))}
            </ul>
          </>
        ) : (
          <p>They have no open training to withdraw.</p>
        )}
        <p>Completed training results are kept.</p>
      </>
    ),
  };
  return (
    <section class="card" aria-labelledby="profile-h" data-testid="record-profile">
      <h2 id="profile-h">Profile</h2>
      <dl class="pdata">
        <div>
          <dt>Email</dt>
          <dd>{rec.email ?? <span class="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd data-testid="record-status">{statusBadge(rec.status)}</dd>
        </div>
        <div>
          <dt>Site</dt>
          <dd>{n.site(rec.site)}</dd>
        </div>
        <div>
          <dt>User account</dt>
          <dd>{rec.user !== undefined ? n.user(rec.user) : <span class="muted">None</span>}</dd>
        </div>
        {Object.entries(rec.customFields ?? {}).map(([k, v]) => (
          <div key={k}>
            <dt>{keyLabel(k)}</dt>
            <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
      <IfRoleAllows action="personnel.record.edit" target={{ record: rec.id }}>
        <details class="pedit">
          <summary data-testid="record-edit-open">Edit the record</summary>
          <ProfileEdit key={`${rec.name}:${rec.email}:${rec.status}`} rec={rec} exec={exec} />
        </details>
      </IfRoleAllows>
      <div class="row pactions">
        <CommandButton
          fields={remove}
          variant="danger"
          data-testid="record-delete"
          confirm={confirm}
          onClick={() => {
            if (exec('Deleting the record', remove).ok) {
              flash(`${rec.name}'s record was deleted.`);
              go('people');
            }
          }}
        >
          Delete record
        </CommandButton>
        <span class="muted">Deleting a record withdraws the person's open training; their results are kept.</span>
      </div>
      <Outcome outcome={outcome} />
    </section>
  );
}

// ---- blocks ------------------------------------------------------------------

function BlockEdit({ record, block, exec }: { record: string; block: BlockView; exec: Exec }) {
  const [title, setTitle] = useState(block.title);
  const [data, setData] = useState(toLines(block.data));
  const changes: Record<string, unknown> = {};
  if (title.trim() !== block.title) changes.title = title.trim();
  // Data can be edited only when the view shows it (a masked block's data is not here).
  if (block.data !== undefined && data !== toLines(block.data)) changes.data = fromLines(data);
  const update = { type: 'block.update', record, block: block.id, changes };
  return (
    <form class="pform" onSubmit={(e) => e.preventDefault()}>
      <Field label="Title" value={title} onInput={setTitle} />
      {block.data !== undefined ? (
        <Area label="Details" hint="one “key: value” per line" value={data} onInput={setData} />
      ) : (
        <p class="muted">Reveal the block to edit its details.</p>
      )}
      <div class="row">
        <CommandButton fields={update} variant="primary" data-testid="block-update" onClick={() => exec(`Saving ${block.title}`, update)}>
          Save block
        </CommandButton>
      </div>
    </form>
  );
}

function Block({ record, block }: { record: string; block: BlockView }) {
  const [outcome, exec] = useRunner();
  const [revealing, setRevealing] = useState<string | null>(null);
  const online = useStore().online;
  // The engine says whether this person may reveal it (PW2); the server returns the data (V7).
  const reveal = { type: 'block.reveal', record, block: block.id };
  const shown = block.masked ? revealedData(record, block.id) : block.data;
  const remove = { type: 'block.remove', record, block: block.id };
  return (
    <article
      class="pblock"
      data-testid="block"
      data-block={block.id}
      data-sensitive={block.sensitive ? 'true' : undefined}
      data-masked={block.masked ? 'true' : undefined}
      aria-labelledby={`block-${block.id}`}
    >
      <header class="row">
        <h3 id={`block-${block.id}`}>{block.title}</h3>
        <span class="badge">{block.type.replace(/-/g, " ")}</span>
        {block.sensitive && <span class="badge badge-warn">Sensitive</span>}
      </header>
      {shown === undefined ? (
        <div class="row">
          <p class="masked" data-testid="masked" aria-label="Hidden until revealed">
            •••• •••• ••••
          </p>
          <CommandButton
            fields={reveal}
            data-testid="reveal"
            unavailable={online ? undefined : 'Reveal needs the server, and this browser is offline: the hidden data is not kept here.'}
            onClick={() => {
              setRevealing(null);
              void revealBlock(record, block.id).then((r) => setRevealing(r.ok ? null : r.reason));
            }}
          >
            Reveal
          </CommandButton>
          {revealing !== null && (
            <span class="notice notice-error" role="alert" data-testid="reveal-error">
              Not revealed: {revealing}
            </span>
          )}
        </div>
      ) : (
        <DataList data={shown} />
      )}
      <div class="row pactions">
        <IfRoleAllows action="personnel.block.manage" target={{ block: { record, block: block.id } }}>
          <details class="pedit">
            <summary data-testid="block-edit-open">Edit block</summary>
            <BlockEdit key={`${block.title}:${block.masked ? 'masked' : toLines(block.data)}`} record={record} block={block} exec={exec} />
          </details>
        </IfRoleAllows>
        <CommandButton
          fields={remove}
          variant="danger"
          data-testid="block-remove"
          confirm={{
            title: `Remove the block “${block.title}”?`,
            confirm: 'Remove block',
            body: <p>The block “{block.title}” and everything recorded in it will be removed from this record.</p>,
          }}
          onClick={() => exec(`Removing ${block.title}`, remove)}
        >
          Remove block
        </CommandButton>
      </div>
      <Outcome outcome={outcome} />
    </article>
  );
}

function AddBlock({ record }: { record: string }) {
  const [type, setType] = useState('qualification');
  const [title, setTitle] = useState('');
  const [sensitive, setSensitive] = useState('default');
  const [data, setData] = useState('');
  const [id, setId] = useState(() => newId('b'));
  const [outcome, exec] = useRunner();
  const block: Record<string, unknown> = { id, type, title: title.trim(), data: fromLines(data) };
  if (sensitive !== 'default') block.sensitive = sensitive === 'yes';
  const fields = { type: 'block.add', record, block };
  return (
    <IfRoleAllows action="personnel.block.manage" target={{ record }}>
      <details class="pedit" data-testid="block-add-form">
        <summary data-testid="block-add-open">Add a block</summary>
        <form class="pform" onSubmit={(e) => e.preventDefault()}>
          <label class="field">
            <span>Type</span>
            <select value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
              {BLOCK_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <Field label="Title" value={title} onInput={setTitle} testid="block-title" />
          <label class="field">
            <span>Sensitive</span>
            <select value={sensitive} onChange={(e) => setSensitive((e.target as HTMLSelectElement).value)}>
              <option value="default">As the type says</option>
              <option value="yes">Yes</option>
              <option value="no">No</option>
            </select>
          </label>
          <Area label="Details" hint="one “key: value” per line" value={data} onInput={setData} />
          <CommandButton
            fields={fields}
            variant="primary"
            data-testid="block-add"
            onClick={() => {
              if (exec(`Adding ${title.trim() || 'a block'}`, fields).ok) {
                setTitle('');
                setData('');
                setId(newId('b'));
              }
            }}
          >
            Add block
          </CommandButton>
        </form>
        <Outcome outcome={outcome} />
      </details>
    </IfRoleAllows>
  );
}

// ---- files -------------------------------------------------------------------

function Files({ rec }: { rec: RecordView }) {
  const [name, setName] = useState('');
  const [sensitive, setSensitive] = useState(false);
  const [id, setId] = useState(() => newId('f'));
  const [outcome, exec] = useRunner();
  const file: Record<string, unknown> = { id, name: name.trim(), sensitive };
  const add = { type: 'file.add', record: rec.id, file };
  return (
    <Section title="Files" testid="record-files">
      {rec.files.length === 0 ? (
        <p class="muted">No files you can see.</p>
      ) : (
        <ul class="plist">
          {rec.files.map((f) => {
            const remove = { type: 'file.remove', record: rec.id, file: f.id };
            return (
              <li key={f.id} data-testid="file" data-file={f.id} data-sensitive={f.sensitive ? 'true' : undefined} class="row">
                <span>{f.name}</span>
                {f.sensitive && <span class="badge badge-warn">Sensitive</span>}
                <CommandButton
                  fields={remove}
                  variant="danger"
                  data-testid="file-remove"
                  confirm={{ title: `Remove the file “${f.name}”?`, confirm: 'Remove file', body: <p>The file “{f.name}” will be removed from this record.</p> }}
                  onClick={() => exec(`Removing ${f.name}`, remove)}
                >
                  Remove
                </CommandButton>
              </li>
            );
          })}
        </ul>
      )}
      <IfRoleAllows action="personnel.file.manage" target={{ record: rec.id }}>
        <details class="pedit">
          <summary data-testid="file-add-open">Add a file</summary>
          <form class="pform" onSubmit={(e) => e.preventDefault()}>
            <Field label="File name" value={name} onInput={setName} testid="file-name" />
            <label>
              <input type="checkbox" checked={sensitive} onChange={(e) => setSensitive((e.target as HTMLInputElement).checked)} />{' '}
              Sensitive
            </label>
            <CommandButton
              fields={add}
              variant="primary"
              data-testid="file-add"
              onClick={() => {
                if (exec(`Adding ${name.trim()}`, add).ok) {
                  setName('');
                  setSensitive(false);
                  setId(newId('f'));
                }
              }}
            >
              Add file
            </CommandButton>
          </form>
        </details>
      </IfRoleAllows>
      <Outcome outcome={outcome} />
    </Section>
  );
}

// ---- training ----------------------------------------------------------------

function stateBadge(state: string) {
  const cls =
    state === 'valid' || state === 'completed'
      ? 'badge badge-ok'
      : state === 'expired' || state === 'failed'
        ? 'badge badge-danger'
        : 'badge badge-warn';
  return <span class={cls}>{state.replace('_', ' ')}</span>;
}

function RecordResult({ person, record, training }: { person: string; record: string; training: TrainingOf }) {
  const courses = new Map<string, string>();
  for (const f of training.fulfillments) if (f.source !== 'ihasco') courses.set(f.course, f.title);
  const [course, setCourse] = useState('');
  const [title, setTitle] = useState('');
  const [completedOn, setCompletedOn] = useState(today());
  const [expiresOn, setExpiresOn] = useState('');
  const [score, setScore] = useState('');
  const [id, setId] = useState(() => newId('r'));
  const [outcome, exec] = useRunner();
  const result: Record<string, unknown> = { id, user: person, completedOn };
  if (course !== '') result.course = course;
  if (title.trim() !== '') result.title = title.trim();
  if (expiresOn !== '') result.expiresOn = expiresOn;
  if (score.trim() !== '') result.score = Number(score);
  const fields = { type: 'result.record', result };
  return (
    <IfRoleAllows action="training.result.record" target={{ record }}>
      <details class="pedit" data-testid="result-form">
        <summary data-testid="result-form-open">Record a result</summary>
        <form class="pform" onSubmit={(e) => e.preventDefault()}>
          <label class="field">
            <span>Course</span>
            <select value={course} onChange={(e) => setCourse((e.target as HTMLSelectElement).value)}>
              <option value="">No course (training done elsewhere)</option>
              {[...courses].map(([c, t]) => (
                <option key={c} value={c}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <Field label="Title" value={title} onInput={setTitle} testid="result-title" />
          <Field label="Completed on" type="date" value={completedOn} onInput={setCompletedOn} testid="result-completed-on" />
          <Field label="Expires on" type="date" value={expiresOn} onInput={setExpiresOn} testid="result-expires-on" />
          <Field label="Score (0-100)" type="number" value={score} onInput={setScore} />
          <CommandButton
            fields={fields}
            variant="primary"
            data-testid="result-record"
            onClick={() => {
              if (exec('Recording the result', fields).ok) {
                setTitle('');
                setScore('');
                setExpiresOn('');
                setId(newId('r'));
              }
            }}
          >
            Record result
          </CommandButton>
        </form>
        <Outcome outcome={outcome} />
      </details>
    </IfRoleAllows>
  );
}

/** A person's training record as CSV: their courses, then their results, as the trainingOf view gives them. */
function exportTraining(training: TrainingOf) {
  const header = ['Kind', 'Training', 'Status', 'Progress', 'Due', 'Completed on', 'Expires on', 'Score', 'Source'];
  const rows = [
    ...training.fulfillments.map((f) => [
      'Course',
      f.title,
      f.overdue ? 'overdue' : f.status.replace('_', ' '),
      f.progress.total > 0 ? `${f.progress.done} of ${f.progress.total}` : '',
      f.dueDate ?? '',
      f.completedAt?.slice(0, 10) ?? '',
      '',
      '',
      f.source === 'ihasco' ? 'iHasco' : 'Calm',
    ]),
    ...training.results.map((r) => [
      'Result',
      r.title,
      r.state,
      '',
      '',
      r.completedOn ?? '',
      r.expiresOn ?? '',
      r.score ?? '',
      r.source === 'ihasco' ? 'iHasco' : r.source === 'manual' ? 'Recorded by a manager' : 'Calm course',
    ]),
  ];
  download(`training-record-${slug(training.name)}-${today()}.csv`, toCsv(header, rows));
}

function Training({ person, record }: { person?: string; record: string }) {
  const { engine, user } = useStore();
  if (person === undefined) {
    return (
      <Section title="Training" testid="record-training">
        <p class="muted">This person has no user account, so no training is tracked here.</p>
      </Section>
    );
  }
  const viewed = ask<TrainingOf>(() => engine.trainingOf(user, person, today()));
  if (!viewed.ok) {
    return (
      <section class="card" data-testid="record-training">
        <Unanswered answer={viewed} title="Training" />
      </section>
    );
  }
  const training = viewed.value;
  return (
    <Section title="Training" testid="record-training">
      <p class="row">
        <a href={href('review', person)} data-testid="review-link">
          Assessment attempts and scores
        </a>
        <button type="button" class="btn btn-plain" data-testid="training-csv" onClick={() => exportTraining(training)}>
          Download training record (CSV)
        </button>
      </p>
      <h3>Assigned courses</h3>
      {training.fulfillments.length === 0 ? (
        <p class="muted">No courses assigned.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Course</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Due</th>
            </tr>
          </thead>
          <tbody>
            {training.fulfillments.map((f) => (
              <tr key={f.fulfillment} data-testid="record-fulfillment" data-fulfillment={f.fulfillment}>
                <td>
                  {f.title}
                  {f.source === 'ihasco' && <span class="badge"> iHasco</span>}
                </td>
                <td>{stateBadge(f.status)}</td>
                <td>{f.progress && f.progress.total > 0 ? `${f.progress.done} / ${f.progress.total}` : '—'}</td>
                <td>
                  <DueMark due={f.dueDate} date={today()} status={f.status} overdue={f.overdue} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Results</h3>
      {training.results.length === 0 ? (
        <p class="muted">No results yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Training</th>
              <th scope="col">Completed</th>
              <th scope="col">Expires</th>
              <th scope="col">Score</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {training.results.map((r) => (
              <tr key={r.result} data-testid="record-result" data-result={r.result}>
                <td>
                  {r.title} <span class="muted">({r.source})</span>
                </td>
                <td>{r.completedOn ?? '—'}</td>
                <td>{r.expiresOn ?? '—'}</td>
                <td>{r.score ?? '—'}</td>
                <td>{stateBadge(r.state)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <RecordResult person={person} record={record} training={training} />
    </Section>
  );
}

// ---- companies and assets --------------------------------------------------------

function Companies({ rec }: { rec: RecordView }) {
  const decision = useDecision('personnel.company.view', { record: rec.id });
  const atSite = useSiteCompanies(rec.site);
  const [outcome, exec] = useRunner();
  const [pick, setPick] = useState('');
  const linked = rec.companies ?? [];
  const linkable = atSite.filter((c) => !linked.some((l) => l.id === c.id));
  const chosen = pick !== '' && linkable.some((c) => c.id === pick) ? pick : (linkable[0]?.id ?? '');
  const link =
    chosen === '' ? null : { type: 'record.update', record: rec.id, changes: { companies: [...linked.map((c) => c.id), chosen] } };
  return (
    <Section title="Companies" testid="record-companies">
      {rec.companies === undefined ? (
        <p class="notice">Companies are not shown: {reasonOf(decision)}</p>
      ) : linked.length === 0 ? (
        <p class="muted">Not linked to any company.</p>
      ) : (
        <ul class="plist">
          {linked.map((c) => {
            const unlink = {
              type: 'record.update',
              record: rec.id,
              changes: { companies: linked.filter((l) => l.id !== c.id).map((l) => l.id) },
            };
            return (
              <li key={c.id} class="row" data-testid="record-company" data-company={c.id}>
                <GateLink action="personnel.company.view" target={{ company: c.id }} href={href('companies', c.id)}>
                  {c.name}
                </GateLink>
                <CommandButton fields={unlink} data-testid="company-unlink" onClick={() => exec(`Unlinking ${c.name}`, unlink)}>
                  Unlink
                </CommandButton>
              </li>
            );
          })}
        </ul>
      )}
      {rec.companies !== undefined && linkable.length > 0 && (
        <form class="row" onSubmit={(e) => e.preventDefault()}>
          <label>
            Link a company{' '}
            <select value={chosen} onChange={(e) => setPick((e.target as HTMLSelectElement).value)}>
              {linkable.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <CommandButton fields={link} data-testid="company-link" onClick={() => link && exec('Linking the company', link)}>
            Link
          </CommandButton>
        </form>
      )}
      <Outcome outcome={outcome} />
    </Section>
  );
}

function Assets({ rec }: { rec: RecordView }) {
  const decision = useDecision('personnel.record.view_assets', { record: rec.id });
  return (
    <Section title="Assets" testid="record-assets">
      {rec.assets === undefined ? (
        <p class="notice" data-testid="assets-hidden" data-rule={decision.rule}>
          Assets are not shown: {reasonOf(decision)}
        </p>
      ) : rec.assets.length === 0 ? (
        <p class="muted">No assets held.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Asset</th>
              <th scope="col">Location</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {rec.assets.map((a) => (
              <tr key={a.id} data-testid="asset" data-asset={a.id}>
                <td>{a.name ?? a.id}</td>
                <td>{a.location ?? '—'}</td>
                <td>{a.since ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

// ---- comments ------------------------------------------------------------------

function Reply({ record, thread }: { record: string; thread: string }) {
  const [body, setBody] = useState('');
  const [id, setId] = useState(() => newId('cm'));
  const [outcome, exec] = useRunner();
  const comment: Record<string, unknown> = { id, record, parent: thread };
  if (body.trim() !== '') comment.body = body.trim();
  const fields = { type: 'comment.add', comment };
  return (
    <form class="preply" onSubmit={(e) => e.preventDefault()}>
      <div class="row">
        <label class="preply-label">
          <span class="psr-only">Reply to this thread</span>
          <input
            type="text"
            placeholder="Reply…"
            value={body}
            data-testid="reply-body"
            onInput={(e) => setBody((e.target as HTMLInputElement).value)}
          />
        </label>
        <CommandButton
          fields={fields}
          data-testid="comment-reply"
          onClick={() => {
            if (exec('Replying', fields).ok) {
              setBody('');
              setId(newId('cm'));
            }
          }}
        >
          Reply
        </CommandButton>
      </div>
      <Outcome outcome={outcome} />
    </form>
  );
}

function Comments({ record }: { record: string }) {
  const { engine, user } = useStore();
  const nameOf = names().user;
  const [body, setBody] = useState('');
  const [id, setId] = useState(() => newId('cm'));
  const [outcome, exec] = useRunner();
  const viewed = ask<{ threads: ThreadView[] }>(() => engine.comments(user, record));
  const comment: Record<string, unknown> = { id, record };
  if (body.trim() !== '') comment.body = body.trim();
  const fields = { type: 'comment.add', comment };
  return (
    <Section title="Comments" testid="record-comments">
      {!viewed.ok ? (
        <Unanswered answer={viewed} title="Comments" />
      ) : viewed.value.threads.length === 0 ? (
        <p class="muted" data-testid="no-threads">
          No comments you can see.
        </p>
      ) : (
        viewed.value.threads.map((t) => (
          <article key={t.id} class="pthread" data-testid="thread" data-thread={t.id} aria-label={`Thread by ${nameOf(t.author)}`}>
            <div class="pcomment" data-testid="comment" data-comment={t.id}>
              <p class="pmeta">
                <strong>{nameOf(t.author)}</strong> <time dateTime={t.createdAt}>{when(t.createdAt)}</time>
              </p>
              <p>{t.body}</p>
            </div>
            {t.replies.map((r) => (
              <div key={r.id} class="pcomment preplied" data-testid="comment" data-comment={r.id}>
                <p class="pmeta">
                  <strong>{nameOf(r.author)}</strong> <time dateTime={r.createdAt}>{when(r.createdAt)}</time>
                </p>
                <p>{r.body}</p>
              </div>
            ))}
            <Reply record={record} thread={t.id} />
          </article>
        ))
      )}
      <form class="pform" onSubmit={(e) => e.preventDefault()}>
        <Area label="Add a comment" value={body} onInput={setBody} testid="comment-body" />
        <CommandButton
          fields={fields}
          variant="primary"
          data-testid="comment-add"
          onClick={() => {
            if (exec('Adding the comment', fields).ok) {
              setBody('');
              setId(newId('cm'));
            }
          }}
        >
          Add comment
        </CommandButton>
      </form>
      <Outcome outcome={outcome} />
    </Section>
  );
}

// ---- the screen ------------------------------------------------------------------

export function RecordScreen({ record }: { record: string }) {
  const { engine, user } = useStore();
  const viewed = ask<RecordView>(() => engine.record(user, record));
  return (
    <section data-testid="record" data-record={record}>
      <p>
        <a href={href('people')}>← People</a>
      </p>
      {!viewed.ok ? (
        <Unanswered answer={viewed} title="Personnel record" />
      ) : (
        <RecordBody key={record} rec={viewed.value} />
      )}
    </section>
  );
}

function RecordBody({ rec }: { rec: RecordView }) {
  return (
    <>
      <h1>{rec.name}</h1>
      <Profile rec={rec} />
      <Section title="Details" testid="record-blocks">
        {rec.blocks.length === 0 ? (
          <p class="muted">No details you can see.</p>
        ) : (
          <div class="pblocks">
            {rec.blocks.map((b) => (
              <Block key={b.id} record={rec.id} block={b} />
            ))}
          </div>
        )}
        <AddBlock record={rec.id} />
      </Section>
      <Files rec={rec} />
      <Training person={rec.user} record={rec.id} />
      <Companies rec={rec} />
      <Assets rec={rec} />
      <Comments record={rec.id} />
    </>
  );
}
