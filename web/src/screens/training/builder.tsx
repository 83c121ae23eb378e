// Course builder (#/courses/<id>): the course as `course` shows it (answer
// keys only for quiz managers, T11), its details and steps saved with
// `course.update`, the lifecycle (publish, archive, restore, delete) and the
// Assign panel (`course.assign`, with the skipped list) and the assignments
// with Revoke. Every action is a CommandButton: for an iHasco course the
// engine's dry run disables them with its external-course reason.

import type { AssessmentView, CommandResult, CourseView, QuestionView, Snapshot, StepType, StepView } from 'calm-access';
import { Can, useRevision } from 'calm-access/preact';
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { go, href } from '../../route';
import { command, run, snapshotNow, useStore } from '../../store';
import { CommandButton } from '../../ui/gate';
import { names } from '../../ui/names';
import { ask, newId, Unanswered } from '../../ui/view';
import { flash, type Confirmation } from '../../ui/confirm';

/** The people whose open training a revoke or a delete withdraws (W5), named for the confirmation. */
function withdrawnPeople(fulfillments: { user: string; status: string }[]): ComponentChildren {
  const n = names();
  const open = fulfillments.filter((f) => f.status === 'not_started' || f.status === 'in_progress');
  if (open.length === 0) return <p>Nobody has it open, so no one's training is withdrawn.</p>;
  return (
    <>
      <p>
        The open training of {open.length} {open.length === 1 ? 'person' : 'people'} will be withdrawn:
      </p>
      <ul data-testid="confirm-lost">
        {open.map((f, i) => (
          <li key={i}>{n.user(f.user)}</li>
        ))}
      </ul>
      <p>Completed training and results are kept.</p>
    </>
  );
}
import {
  Refusal,
  SourceBadge,
  StatusBadge,
  trainingData,
  when,
} from './common';
import { Pager, SearchBox, usePaged } from '../../ui/paged';

const STEP_TYPES: { type: StepType; label: string }[] = [
  { type: 'content', label: 'Text' },
  { type: 'video', label: 'Video' },
  { type: 'document', label: 'Document' },
  { type: 'assessment', label: 'Assessment' },
];

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function blankQuestion(): QuestionView {
  return {
    id: newId('q'),
    text: '',
    kind: 'single',
    options: [
      { id: newId('o'), text: '' },
      { id: newId('o'), text: '' },
    ],
    correct: [],
  };
}

function blankAssessment(): AssessmentView {
  return { passMark: 100, maxAttempts: 0, questions: [blankQuestion()] };
}

/** A step as `course.update` takes it: only the fields its type uses. */
function stepOut(step: StepView): Record<string, unknown> {
  const out: Record<string, unknown> = { id: step.id, type: step.type, title: step.title };
  if (step.body) out.body = step.body;
  if (step.url) out.url = step.url;
  if (step.file) out.file = step.file;
  if (step.type === 'assessment') {
    const a = step.assessment ?? blankAssessment();
    out.assessment = {
      passMark: a.passMark,
      maxAttempts: a.maxAttempts,
      questions: a.questions.map((q) => {
        const question: Record<string, unknown> = { id: q.id, text: q.text, kind: q.kind, options: q.options };
        // The key is sent only when the view gave it (quiz managers, T11) or the editor set it.
        if (q.correct !== undefined) question.correct = q.correct;
        return question;
      }),
    };
  }
  return out;
}

function Details({ course }: { course: CourseView }) {
  const [title, setTitle] = useState(course.title);
  const [description, setDescription] = useState(course.description);
  const [validity, setValidity] = useState(course.validityMonths === undefined ? '' : String(course.validityMonths));
  const [last, setLast] = useState<CommandResult | null>(null);
  const months = validity.trim() === '' ? null : Number(validity);
  const fields = {
    type: 'course.update',
    course: course.id,
    changes: { title, description, validityMonths: months },
  };
  return (
    <form class="card" aria-labelledby="course-details" onSubmit={(e) => e.preventDefault()}>
      <h2 id="course-details">Details</h2>
      <fieldset class="plain" disabled={course.readOnly}>
        <label class="field">
          Title
          <input type="text" data-testid="course-title" value={title} onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label class="field">
          Description
          <textarea rows={3} data-testid="course-description" value={description} onInput={(e) => setDescription((e.currentTarget as HTMLTextAreaElement).value)} />
        </label>
        <label class="field narrow">
          Valid for (months; empty: never expires)
          <input type="number" min={0} max={1200} value={validity} onInput={(e) => setValidity((e.currentTarget as HTMLInputElement).value)} />
        </label>
      </fieldset>
      <CommandButton variant="primary" data-testid="save-details" fields={fields} onClick={() => setLast(run(fields))}>
        Save details
      </CommandButton>
      {last?.ok && <span class="muted"> Saved.</span>}
      <Refusal result={last} />
    </form>
  );
}

function QuestionEditor({
  question,
  index,
  onChange,
  onRemove,
}: {
  question: QuestionView;
  index: number;
  onChange: (q: QuestionView) => void;
  onRemove: () => void;
}) {
  const keyKnown = question.correct !== undefined;
  const correct = new Set(question.correct ?? []);
  const setCorrect = (option: string, on: boolean) => {
    let next: string[];
    if (question.kind === 'single') next = on ? [option] : [];
    else next = on ? [...correct, option] : [...correct].filter((o) => o !== option);
    onChange({ ...question, correct: next });
  };
  return (
    <fieldset class="question-editor" data-testid="question-editor" data-question={question.id}>
      <legend>Question {index + 1}</legend>
      <label class="field">
        Question
        <input type="text" value={question.text} onInput={(e) => onChange({ ...question, text: (e.currentTarget as HTMLInputElement).value })} />
      </label>
      <label class="field narrow">
        Kind
        <select
          value={question.kind}
          onChange={(e) => {
            const kind = (e.currentTarget as HTMLSelectElement).value as 'single' | 'multiple';
            onChange({ ...question, kind, correct: kind === 'single' ? question.correct?.slice(0, 1) : question.correct });
          }}
        >
          <option value="single">One answer</option>
          <option value="multiple">Several answers</option>
        </select>
      </label>
      {!keyKnown && <p class="muted">The answer key is shown only to quiz managers.</p>}
      <table>
        <caption class="visually-hidden">Options of question {index + 1}</caption>
        <thead>
          <tr>
            <th scope="col">Option</th>
            <th scope="col">Correct</th>
            <th scope="col">
              <span class="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {question.options.map((o, oi) => (
            <tr key={o.id} data-testid="option-editor" data-option={o.id}>
              <td>
                <input
                  type="text"
                  aria-label={`Option ${oi + 1}`}
                  value={o.text}
                  onInput={(e) =>
                    onChange({
                      ...question,
                      options: question.options.map((x) => (x.id === o.id ? { ...x, text: (e.currentTarget as HTMLInputElement).value } : x)),
                    })
                  }
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Option ${oi + 1} is correct`}
                  checked={correct.has(o.id)}
                  onChange={(e) => setCorrect(o.id, (e.currentTarget as HTMLInputElement).checked)}
                />
              </td>
              <td>
                <button
                  type="button"
                  class="btn btn-plain"
                  onClick={() =>
                    onChange({
                      ...question,
                      options: question.options.filter((x) => x.id !== o.id),
                      correct: question.correct?.filter((c) => c !== o.id),
                    })
                  }
                >
                  Remove option
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="row">
        <button type="button" class="btn btn-plain" onClick={() => onChange({ ...question, options: [...question.options, { id: newId('o'), text: '' }] })}>
          Add option
        </button>
        <button type="button" class="btn btn-plain" onClick={onRemove}>
          Remove question
        </button>
      </div>
    </fieldset>
  );
}

function AssessmentEditor({ assessment, onChange }: { assessment: AssessmentView; onChange: (a: AssessmentView) => void }) {
  return (
    <div class="assessment-editor" data-testid="assessment-editor">
      <div class="row">
        <label class="field narrow">
          Pass mark (%)
          <input
            type="number"
            min={1}
            max={100}
            data-testid="pass-mark"
            value={assessment.passMark}
            onInput={(e) => onChange({ ...assessment, passMark: Number((e.currentTarget as HTMLInputElement).value) })}
          />
        </label>
        <label class="field narrow">
          Attempts allowed (0: unlimited)
          <input
            type="number"
            min={0}
            value={assessment.maxAttempts}
            onInput={(e) => onChange({ ...assessment, maxAttempts: Number((e.currentTarget as HTMLInputElement).value) })}
          />
        </label>
      </div>
      {assessment.questions.map((q, i) => (
        <QuestionEditor
          key={q.id}
          question={q}
          index={i}
          onChange={(next) => onChange({ ...assessment, questions: assessment.questions.map((x) => (x.id === q.id ? next : x)) })}
          onRemove={() => onChange({ ...assessment, questions: assessment.questions.filter((x) => x.id !== q.id) })}
        />
      ))}
      <button type="button" class="btn btn-plain" onClick={() => onChange({ ...assessment, questions: [...assessment.questions, blankQuestion()] })}>
        Add question
      </button>
    </div>
  );
}

function StepEditor({
  step,
  index,
  count,
  onChange,
  onMove,
  onRemove,
}: {
  step: StepView;
  index: number;
  count: number;
  onChange: (s: StepView) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const text = (key: 'title' | 'body' | 'url' | 'file') => (e: Event) =>
    onChange({ ...step, [key]: (e.currentTarget as HTMLInputElement).value });
  return (
    <li class="card step-editor" data-testid="step-editor" data-step={step.id}>
      <div class="row">
        <h3>Step {index + 1}</h3>
        <button type="button" class="btn btn-plain" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move step ${index + 1} up`}>
          ↑
        </button>
        <button type="button" class="btn btn-plain" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={`Move step ${index + 1} down`}>
          ↓
        </button>
        <button type="button" class="btn btn-plain" onClick={onRemove}>
          Remove step
        </button>
      </div>
      <div class="row">
        <label class="field narrow">
          Type
          <select
            value={step.type}
            onChange={(e) => {
              const type = (e.currentTarget as HTMLSelectElement).value as StepType;
              onChange({ ...step, type, assessment: type === 'assessment' ? (step.assessment ?? blankAssessment()) : undefined });
            }}
          >
            {STEP_TYPES.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label class="field grow">
          Title
          <input type="text" value={step.title} onInput={text('title')} />
        </label>
      </div>
      {step.type !== 'assessment' && (
        <label class="field">
          Text
          <textarea rows={2} value={step.body ?? ''} onInput={text('body')} />
        </label>
      )}
      {step.type === 'video' && (
        <label class="field">
          Video URL
          <input type="text" value={step.url ?? ''} onInput={text('url')} />
        </label>
      )}
      {step.type === 'document' && (
        <label class="field">
          Document file
          <input type="text" value={typeof step.file === 'string' ? step.file : ''} onInput={text('file')} />
        </label>
      )}
      {step.type === 'assessment' && (
        <AssessmentEditor assessment={step.assessment ?? blankAssessment()} onChange={(assessment) => onChange({ ...step, assessment })} />
      )}
    </li>
  );
}

function Steps({ course }: { course: CourseView }) {
  const [steps, setSteps] = useState<StepView[]>(() => clone(course.steps));
  const [last, setLast] = useState<CommandResult | null>(null);
  const fields = { type: 'course.update', course: course.id, changes: { steps: steps.map(stepOut) } };
  const changed = JSON.stringify(steps.map(stepOut)) !== JSON.stringify(course.steps.map(stepOut));
  const move = (i: number, by: number) =>
    setSteps((prev) => {
      const next = [...prev];
      const [s] = next.splice(i, 1);
      next.splice(i + by, 0, s!);
      return next;
    });
  const add = (type: StepType) =>
    setSteps((prev) => [
      ...prev,
      { id: newId('s'), type, title: '', ...(type === 'assessment' ? { assessment: blankAssessment() } : {}) },
    ]);
  return (
    <form class="card" aria-labelledby="course-steps" onSubmit={(e) => e.preventDefault()}>
      <h2 id="course-steps">Steps</h2>
      <fieldset class="plain" disabled={course.readOnly}>
        {steps.length === 0 && <p class="muted">No steps yet: a course needs at least one step to be published.</p>}
        <ol class="steps">
          {steps.map((s, i) => (
            <StepEditor
              key={s.id}
              step={s}
              index={i}
              count={steps.length}
              onChange={(next) => setSteps((prev) => prev.map((x) => (x.id === s.id ? next : x)))}
              onMove={(by) => move(i, by)}
              onRemove={() => setSteps((prev) => prev.filter((x) => x.id !== s.id))}
            />
          ))}
        </ol>
        <div class="row">
          <span>Add a step:</span>
          {STEP_TYPES.map((t) => (
            <button key={t.type} type="button" class="btn btn-plain" data-testid={`add-step-${t.type}`} onClick={() => add(t.type)}>
              {t.label}
            </button>
          ))}
        </div>
      </fieldset>
      <div class="row">
        <CommandButton variant="primary" data-testid="save-steps" fields={fields} onClick={() => setLast(run(fields))}>
          Save steps
        </CommandButton>
        {changed && <span class="badge badge-warn">Unsaved changes</span>}
        {!changed && last?.ok && <span class="muted">Saved.</span>}
        <button type="button" class="btn btn-plain" disabled={!changed} onClick={() => setSteps(clone(course.steps))}>
          Discard changes
        </button>
      </div>
      <Refusal result={last} />
    </form>
  );
}

function Lifecycle({ course }: { course: CourseView }) {
  const [last, setLast] = useState<CommandResult | null>(null);
  const button = (
    type: string,
    label: string,
    testid: string,
    variant: 'primary' | 'danger' | 'plain',
    after?: () => void,
    confirm?: Confirmation,
  ) => {
    const fields = { type, course: course.id };
    return (
      <CommandButton
        variant={variant}
        data-testid={testid}
        fields={fields}
        confirm={confirm}
        onClick={() => {
          const result = run(fields);
          setLast(result);
          if (result.ok) after?.();
        }}
      >
        {label}
      </CommandButton>
    );
  };
  return (
    <section class="card" aria-labelledby="course-lifecycle">
      <h2 id="course-lifecycle">Status</h2>
      <p>
        This course is <StatusBadge status={course.status} />.
      </p>
      <div class="row">
        {button('course.publish', 'Publish', 'publish', 'primary')}
        {button('course.archive', 'Archive', 'archive', 'plain')}
        {button('course.restore', 'Restore', 'restore', 'plain')}
        {button(
          'course.delete',
          'Delete',
          'delete',
          'danger',
          () => {
            flash(`The course “${course.title}” was deleted.`);
            go('courses');
          },
          {
            title: `Delete the course “${course.title}”?`,
            confirm: 'Delete course',
            body: withdrawnPeople((trainingData(snapshotNow()).fulfillments ?? []).filter((f) => f.course === course.id)),
          },
        )}
      </div>
      <Refusal result={last} />
    </section>
  );
}

const SKIP_REASONS: Record<string, string> = {
  'already-assigned': 'already has this course open',
  'no-personnel-access': 'has no personnel access at the course’s site, so could not complete it',
};

interface AssignResult {
  assigned: { user: string; fulfillment: string }[];
  skipped: { user: string; reason: string }[];
}

function Assign({ course, snapshot }: { course: CourseView; snapshot: Snapshot }) {
  const n = names();
  const [people, setPeople] = useState<string[]>([]);
  const [groups, setGroups] = useState<string[]>([]);
  const [due, setDue] = useState('');
  const [assignment, setAssignment] = useState(() => newId('a'));
  const [last, setLast] = useState<CommandResult | null>(null);
  const { engine } = useStore();
  const revision = useRevision();
  const base: Record<string, unknown> & { type: string } = { type: 'course.assign', course: course.id, assignment };
  if (due !== '') base.dueDate = due;
  // With nobody chosen yet, ask the engine first whether this course may be
  // assigned at all (permission, iHasco, status) so the button carries that
  // reason; only when it may does the button say that someone must be chosen.
  const nobody = people.length === 0 && groups.length === 0;
  const asEmpty = useMemo(
    () => (nobody ? engine.dryRun(command({ ...base, people: [] }, 'dry-run')) : null),
    [engine, revision, nobody, course.id, assignment, due],
  );
  const fields: Record<string, unknown> & { type: string } =
    asEmpty !== null && !asEmpty.ok ? { ...base, people: [] } : { ...base };
  if (people.length > 0) fields.people = people;
  if (groups.length > 0) fields.groups = groups;
  // The people offered are those the engine says can take training at the
  // course's site (T2: personnel member or more there); a group may still
  // bring in others, whom the assignment then skips with the reason.
  const candidates = useMemo(() => {
    try {
      const can = new Set(engine.whoCan('training.progress.view_own', course.site).users.map((u) => u.user));
      return snapshot.users.filter((u) => can.has(u.id));
    } catch {
      return [];
    }
  }, [engine, revision, course.site, snapshot]);
  const picker = usePaged(candidates, (u) => `${u.name ?? ''} ${u.email ?? ''}`);
  // A group none of whose members can take training here would assign nobody: not offered.
  const takers = useMemo(() => {
    const can = new Set(candidates.map((u) => u.id));
    return (snapshot.groups ?? []).filter((g) => g.members.some((m) => can.has(m)));
  }, [candidates, snapshot]);
  const toggle = (list: string[], set: (l: string[]) => void, id: string, on: boolean) =>
    set(on ? [...list.filter((x) => x !== id), id] : list.filter((x) => x !== id));
  const outcome = last !== null && last.ok ? (last.result as AssignResult | undefined) : undefined;
  return (
    <section class="card" aria-labelledby="course-assign" data-testid="assign-panel">
      <h2 id="course-assign">Assign</h2>
      <div class="assign-grid">
        <fieldset>
          <legend>People who can take training at {n.site(course.site)}</legend>
          <SearchBox paged={picker} label="Find people" testid="assign-search" />
          {people.length > 0 && (
            <p class="muted small" data-testid="assign-chosen">
              Chosen: {people.map((p) => n.user(p)).join(', ')}
            </p>
          )}
          {picker.shown.map((u) => (
            <label key={u.id} class="option">
              <input
                type="checkbox"
                data-testid="assign-person"
                value={u.id}
                checked={people.includes(u.id)}
                onChange={(e) => toggle(people, setPeople, u.id, (e.currentTarget as HTMLInputElement).checked)}
              />{' '}
              {u.name ?? n.user(u.id)}
            </label>
          ))}
          <Pager paged={picker} testid="assign-pager" />
        </fieldset>
        <fieldset>
          <legend>Groups</legend>
          {takers.length === 0 && <p class="muted">No group has anyone who can take training here.</p>}
          {takers.map((g) => (
            <label key={g.id} class="option">
              <input
                type="checkbox"
                data-testid="assign-group"
                value={g.id}
                checked={groups.includes(g.id)}
                onChange={(e) => toggle(groups, setGroups, g.id, (e.currentTarget as HTMLInputElement).checked)}
              />{' '}
              {g.name ?? g.id} <span class="muted">({g.members.length} at {n.site(g.site)})</span>
            </label>
          ))}
          <label class="field">
            Due date (optional)
            <input type="date" data-testid="assign-due" value={due} onInput={(e) => setDue((e.currentTarget as HTMLInputElement).value)} />
          </label>
        </fieldset>
      </div>
      <CommandButton
        variant="primary"
        data-testid="assign"
        fields={fields}
        onClick={() => {
          const result = run(fields);
          setLast(result);
          if (result.ok) {
            setAssignment(newId('a'));
            setPeople([]);
            setGroups([]);
          }
        }}
      >
        Assign
      </CommandButton>
      <Refusal result={last} />
      {outcome && (
        <div class="assign-outcome" role="status">
          <h3>Assigned ({outcome.assigned.length})</h3>
          {outcome.assigned.length === 0 ? (
            <p class="muted" data-testid="assigned">
              Nobody new was assigned.
            </p>
          ) : (
            <ul data-testid="assigned">
              {outcome.assigned.map((a) => (
                <li key={a.user} data-testid="assigned-row" data-user={a.user} data-fulfillment={a.fulfillment}>
                  {n.user(a.user)}
                </li>
              ))}
            </ul>
          )}
          <h3>Skipped ({outcome.skipped.length})</h3>
          {outcome.skipped.length === 0 ? (
            <p class="muted" data-testid="skipped">
              Nobody was skipped.
            </p>
          ) : (
            <table data-testid="skipped">
              <caption class="visually-hidden">Skipped people and why</caption>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Why skipped</th>
                </tr>
              </thead>
              <tbody>
                {outcome.skipped.map((s) => (
                  <tr key={s.user} data-testid="skipped-row" data-user={s.user} data-reason={s.reason}>
                    <td>{n.user(s.user)}</td>
                    <td>
                      {SKIP_REASONS[s.reason] ?? s.reason.replace(/-/g, ' ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}

function Assignments({ course, snapshot }: { course: CourseView; snapshot: Snapshot }) {
  const n = names();
  const [last, setLast] = useState<CommandResult | null>(null);
  const data = trainingData(snapshot);
  const list = (data.assignments ?? []).filter((a) => a.course === course.id);
  const fulfillments = data.fulfillments ?? [];
  return (
    <section class="card" aria-labelledby="course-assignments" data-testid="assignments">
      <h2 id="course-assignments">Assignments</h2>
      {list.length === 0 ? (
        <p class="muted">This course has not been assigned yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Assigned to</th>
              <th scope="col">Due</th>
              <th scope="col">By</th>
              <th scope="col">People holding it</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((a) => {
              const held = fulfillments.filter((f) => f.assignment === a.id && f.course === course.id);
              const fields = { type: 'assignment.revoke', assignment: a.id };
              return (
                <tr key={a.id} data-testid="assignment-row" data-assignment={a.id} data-revoked={String(a.revoked ?? false)}>
                  <td>
                    {[...(a.groups ?? []).map((g) => n.group(g)), ...(a.people ?? []).map((p) => n.user(p))].join(', ')}
                    {a.revoked && (
                      <>
                        {' '}
                        <span class="badge badge-danger">Revoked</span>
                      </>
                    )}
                  </td>
                  <td>{a.dueDate ?? '—'}</td>
                  <td>
                    {a.assignedBy ? n.user(a.assignedBy) : '—'} <span class="muted">{when(a.assignedAt)}</span>
                  </td>
                  <td>
                    {held.map((f) => (
                      <span key={f.id} class="held">
                        <a href={href('review', f.user)} data-testid="review-link">
                          {n.user(f.user)}
                        </a>{' '}
                        <StatusBadge status={f.status} />
                      </span>
                    ))}
                  </td>
                  <td>
                    <CommandButton
                      variant="danger"
                      data-testid="revoke"
                      data-assignment={a.id}
                      fields={fields}
                      confirm={{ title: `Revoke this assignment of “${course.title}”?`, confirm: 'Revoke assignment', body: withdrawnPeople(held) }}
                      onClick={() => {
                        const result = run(fields);
                        setLast(result);
                        if (result.ok) flash(`The assignment of “${course.title}” was revoked.`);
                      }}
                    >
                      Revoke
                    </CommandButton>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Refusal result={last} />
    </section>
  );
}

export function CourseBuilder({ course }: { course: string }) {
  const { engine, user } = useStore();
  const revision = useRevision();
  const answer = useMemo(() => ask<CourseView>(() => engine.course(user, course)), [engine, user, course, revision]);
  const snapshot = snapshotNow();
  const n = names();
  if (!('value' in answer)) {
    return (
      <section>
        <p>
          <a href={href('courses')}>← Courses</a>
        </p>
        <h1>Course</h1>
        <Unanswered answer={answer} title="You cannot see this course" />
      </section>
    );
  }
  const view = answer.value;
  return (
    <section key={view.id} data-testid="course-builder" data-course={view.id} data-status={view.status} data-source={view.source}>
      <p>
        <a href={href('courses')}>← Courses</a>
      </p>
      <div class="row">
        <h1>{view.title || view.id}</h1>
        <SourceBadge source={view.source} />
        <StatusBadge status={view.status} />
      </div>
      <p class="muted">
        At {n.site(view.site)}
        {view.externalId && <> · iHasco course {view.externalId}</>}
      </p>
      {view.readOnly && (
        <p class="notice" data-testid="read-only">
          {view.source === 'ihasco'
            ? 'This course comes from iHasco; it is changed by the iHasco sync.'
            : 'You can see this course but not change it.'}
        </p>
      )}
      <Lifecycle course={view} />
      <Details key={`${view.title}|${view.description}|${view.validityMonths ?? ''}`} course={view} />
      <Steps key={JSON.stringify(view.steps)} course={view} />
      <Assign course={view} snapshot={snapshot} />
      <Can action="training.course.assign" target={{ course: view.id }}>
        <Assignments course={view} snapshot={snapshot} />
      </Can>
    </section>
  );
}
