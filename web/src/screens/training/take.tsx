// Taking a course (#/learn/<fulfillment>): the course as `course` shows it,
// the fulfillment's progress, each step with "Mark step done", the
// assessment with its attempts (`attempts`), and "Mark course as done".
// Every action is a CommandButton: the engine's dry run enables it (T1, W8, W10).

import type { Attempts, AttemptItem, CommandResult, CourseView, FulfillmentItem, MyCourses, StepView, TrainingOf } from 'calm-access';
import { useMemo, useState } from 'preact/hooks';
import { href } from '../../route';
import { run, snapshotNow, today, useStore } from '../../store';
import { CommandButton } from '../../ui/gate';
import { names } from '../../ui/names';
import { ask, newId, Unanswered } from '../../ui/view';
import { AttemptCells, Refusal, SourceBadge, StatusBadge, trainingData } from './common';
import { AttemptsReview } from './review';
import { useRevision } from 'calm-access/preact';

function StepContent({ step }: { step: StepView }) {
  return (
    <div class="step-content">
      {step.body && <p>{step.body}</p>}
      {step.type === 'video' && step.url && (
        <p>
          Video: <a href={step.url} target="_blank" rel="noreferrer">{step.url}</a>
        </p>
      )}
      {step.type !== 'video' && step.url && (
        <p>
          Link: <a href={step.url} target="_blank" rel="noreferrer">{step.url}</a>
        </p>
      )}
      {step.file && (
        <p>
          Document: <code>{step.file}</code>
        </p>
      )}
    </div>
  );
}

function Step({ fulfillment, step, done, index }: { fulfillment: string; step: StepView; done: boolean; index: number }) {
  const [last, setLast] = useState<CommandResult | null>(null);
  return (
    <li class="card step" data-testid="step" data-step={step.id} data-type={step.type}>
      <div class="row">
        <h3>
          {index + 1}. {step.title}
        </h3>
        <span class="badge">{step.type}</span>
        {done && (
          <span class="badge badge-ok" data-testid="step-done" data-step={step.id}>
            Done
          </span>
        )}
      </div>
      <StepContent step={step} />
      {!done && (
        <CommandButton
          variant="primary"
          data-testid="step-complete"
          data-step={step.id}
          fields={{ type: 'step.complete', fulfillment, step: step.id }}
          onClick={() => setLast(run({ type: 'step.complete', fulfillment, step: step.id }))}
        >
          Mark step done
        </CommandButton>
      )}
      <Refusal result={last} />
    </li>
  );
}

function AttemptList({ attempts }: { attempts: AttemptItem[] }) {
  if (attempts.length === 0) return <p class="muted">No attempts yet.</p>;
  return (
    <table>
      <caption class="visually-hidden">Attempts</caption>
      <thead>
        <tr>
          <th scope="col">Attempt</th>
          <th scope="col">When</th>
          <th scope="col">Score</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a, i) => (
          <tr key={a.attempt} data-testid="attempt" data-attempt={a.attempt} data-passed={String(a.passed ?? '')}>
            <AttemptCells attempt={a} n={i + 1} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Assessment({
  fulfillment,
  step,
  attempts,
  index,
}: {
  fulfillment: string;
  step: StepView;
  attempts: AttemptItem[];
  index: number;
}) {
  const assessment = step.assessment;
  const [answers, setAnswers] = useState<Record<string, string[]>>({});
  const [attempt, setAttempt] = useState(() => newId('att'));
  const [last, setLast] = useState<CommandResult | null>(null);
  const mine = attempts.filter((a) => a.step === step.id);
  const passed = mine.some((a) => a.passed === true);
  if (assessment === undefined) return null;
  const choose = (question: string, option: string, single: boolean, on: boolean) => {
    setAnswers((prev) => {
      const before = prev[question] ?? [];
      const next = single ? [option] : on ? [...before.filter((o) => o !== option), option] : before.filter((o) => o !== option);
      return { ...prev, [question]: next };
    });
  };
  const fields = { type: 'assessment.submit', fulfillment, step: step.id, attempt, answers };
  const outcome = last !== null && last.ok ? (last.result as { score?: number; passed?: boolean; pending?: boolean } | undefined) : undefined;
  return (
    <li class="card step" data-testid="step" data-step={step.id} data-type="assessment">
      <div class="row">
        <h3>
          {index + 1}. {step.title}
        </h3>
        <span class="badge">assessment</span>
        {passed && (
          <span class="badge badge-ok" data-testid="step-done" data-step={step.id}>
            Passed
          </span>
        )}
      </div>
      <p class="muted">
        Pass mark {assessment.passMark}%.{' '}
        {assessment.maxAttempts > 0
          ? `${mine.length} of ${assessment.maxAttempts} attempts used.`
          : 'Unlimited attempts.'}
      </p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        {assessment.questions.map((q, qi) => (
          <fieldset key={q.id} class="question" data-testid="question" data-question={q.id} data-kind={q.kind}>
            <legend>
              {qi + 1}. {q.text}
              {q.kind === 'multiple' && <span class="muted"> (choose all that apply)</span>}
            </legend>
            {q.options.map((o) => (
              <label key={o.id} class="option">
                <input
                  type={q.kind === 'single' ? 'radio' : 'checkbox'}
                  name={`${step.id}-${q.id}`}
                  value={o.id}
                  checked={(answers[q.id] ?? []).includes(o.id)}
                  onChange={(e) => choose(q.id, o.id, q.kind === 'single', (e.currentTarget as HTMLInputElement).checked)}
                />{' '}
                {o.text}
              </label>
            ))}
          </fieldset>
        ))}
        <CommandButton
          variant="primary"
          data-testid="assessment-submit"
          fields={fields}
          onClick={() => {
            const result = run(fields);
            setLast(result);
            if (result.ok) setAttempt(newId('att'));
          }}
        >
          Submit answers
        </CommandButton>
      </form>
      {outcome && (
        <p
          class={`notice ${outcome.pending ? '' : outcome.passed ? 'notice-ok' : 'notice-error'}`}
          role="status"
          data-testid="assessment-result"
          data-passed={String(outcome.passed ?? '')}
          data-score={outcome.score ?? ''}
        >
          {outcome.pending
            ? 'Your answers are saved and will be graded when the server has the answer key.'
            : `You scored ${outcome.score}%: ${outcome.passed ? 'passed' : `not passed (the pass mark is ${assessment.passMark}%)`}.`}
        </p>
      )}
      <Refusal result={last} />
      <h4>Your attempts</h4>
      <AttemptList attempts={mine} />
    </li>
  );
}

interface Completion {
  completedOn: string;
  expiresOn?: string;
  score?: number;
}

function CourseResult({ completion }: { completion: Completion }) {
  return (
    <p
      class="notice notice-ok"
      role="status"
      data-testid="course-result"
      data-completed-on={completion.completedOn}
      data-expires-on={completion.expiresOn ?? ''}
    >
      Completed on <strong>{completion.completedOn}</strong>
      {completion.score !== undefined && <> with a score of {completion.score}%</>}.{' '}
      {completion.expiresOn ? (
        <>
          The result is valid until <strong>{completion.expiresOn}</strong>.
        </>
      ) : (
        'The result does not expire.'
      )}
    </p>
  );
}

export function TakeCourse({ fulfillment }: { fulfillment: string }) {
  // A new fulfillment is a new page: nothing of the last one's state carries over.
  return <Fulfillment key={fulfillment} fulfillment={fulfillment} />;
}

function Fulfillment({ fulfillment }: { fulfillment: string }) {
  const { engine, user } = useStore();
  const revision = useRevision();
  const date = today();
  const [last, setLast] = useState<CommandResult | null>(null);
  // Whose progress this is, and whether the viewer may see it: the attempts view decides (T2 own, T10 review).
  const attempts = useMemo(() => ask<Attempts>(() => engine.attempts(user, fulfillment)), [engine, user, fulfillment, revision]);
  const snapshot = snapshotNow();
  const n = names();
  const record = useMemo(() => trainingData(snapshot).fulfillments?.find((f) => f.id === fulfillment), [snapshot, fulfillment]);
  const course = useMemo(
    () => (record === undefined ? undefined : ask<CourseView>(() => engine.course(user, record.course))),
    [engine, user, record, revision],
  );
  const item = useMemo((): FulfillmentItem | undefined => {
    const mine = ask<MyCourses>(() => engine.myCourses(user, date));
    if (!('value' in mine)) return undefined;
    const v = mine.value;
    return [...v.overdue, ...v.open, ...v.completed].find((f) => f.fulfillment === fulfillment);
  }, [engine, user, date, fulfillment, revision]);
  const holder = 'value' in attempts ? attempts.value.user : undefined;
  const recorded = useMemo((): Completion | undefined => {
    if (holder === undefined || record === undefined || record.status !== 'completed') return undefined;
    const profile = ask<TrainingOf>(() => engine.trainingOf(user, holder, date));
    if (!('value' in profile)) return undefined;
    const results = profile.value.results.filter((r) => r.course === record.course && r.source === 'course');
    const own = results.find((r) => r.fulfillment === fulfillment) ?? results[0];
    return own && { completedOn: own.completedOn, expiresOn: own.expiresOn, score: own.score };
  }, [engine, user, holder, record, date, fulfillment, revision]);

  // Someone else's training is reviewed, not taken (T10): the review screen, headed with their name.
  if (holder !== undefined && holder !== user) return <AttemptsReview person={holder} />;
  if (!('value' in attempts)) {
    return (
      <section>
        <h1>Training</h1>
        <Unanswered answer={attempts} title="You cannot open this training" />
        <p>
          <a href={href('inbox')}>Back to My Courses</a>
        </p>
      </section>
    );
  }
  if (record === undefined || course === undefined || !('value' in course)) {
    return (
      <section>
        <h1>Training</h1>
        {course !== undefined && <Unanswered answer={course} title="You cannot see this course" />}
        <p>
          <a href={href('inbox')}>Back to My Courses</a>
        </p>
      </section>
    );
  }
  const view = course.value;
  const done = new Set(record.completedSteps ?? []);
  const passedSteps = new Set(attempts.value.attempts.filter((a) => a.passed === true).map((a) => a.step));
  const total = view.steps.length;
  const doneCount = view.steps.filter((s) => (s.type === 'assessment' ? passedSteps.has(s.id) : done.has(s.id))).length;
  const justDone = last !== null && last.ok ? (last.result as Completion | undefined) : undefined;
  const completion = recorded ?? justDone;
  const status = item?.status ?? record.status;
  return (
    <section data-testid="take-course" data-fulfillment={fulfillment} data-course={view.id}>
      <p>
        <a href={href('inbox')}>← My Courses</a>
      </p>
      <div class="row">
        <h1>{view.title}</h1>
        <SourceBadge source={view.source} />
        <StatusBadge status={status} />
        {item?.overdue && <span class="badge badge-danger">Overdue</span>}
      </div>
      {view.description && <p>{view.description}</p>}
      <p class="muted" data-testid="progress" data-done={doneCount} data-total={total}>
        {total > 0 ? `${doneCount} of ${total} steps done` : 'This course has no steps in Calm.'}
        {(item?.dueDate ?? record.dueDate) && <> · due {item?.dueDate ?? record.dueDate}</>}
        {holder !== undefined && holder !== user && <> · the progress of {n.user(holder)}</>}
      </p>
      {view.source === 'ihasco' && (
        <p class="notice">This course is taught on iHasco; its content is not in Calm.</p>
      )}
      {view.status === 'archived' && <p class="notice">This course is archived; you can still complete it.</p>}
      <h2 class="visually-hidden">Steps</h2>
      <ol class="steps">
        {view.steps.map((step, i) =>
          step.type === 'assessment' ? (
            <Assessment key={step.id} fulfillment={fulfillment} step={step} attempts={attempts.value.attempts} index={i} />
          ) : (
            <Step key={step.id} fulfillment={fulfillment} step={step} done={done.has(step.id)} index={i} />
          ),
        )}
      </ol>
      <div class="card">
        <h2>Finish</h2>
        {completion ? (
          <CourseResult completion={completion} />
        ) : (
          <>
            <p class="muted">When every step is done and every assessment passed, mark the course as done.</p>
            <CommandButton
              variant="primary"
              data-testid="course-complete"
              fields={{ type: 'course.complete', fulfillment }}
              onClick={() => setLast(run({ type: 'course.complete', fulfillment }))}
            >
              Mark course as done
            </CommandButton>
          </>
        )}
        <Refusal result={last} />
      </div>
    </section>
  );
}
