// A manager's review of a person's assessment attempts (#/review/<user>,
// T10): every training of the person the viewer may see (`trainingOf`), and
// for each, the attempts the engine lets the viewer review (`attempts`: T2
// for one's own, T10 for others'), with the answers chosen, the score and the
// outcome. Reached from Training Insights (By person), the person's record
// and the course's assignments. A person who may not review sees the
// engine's reason instead.

import type { AttemptItem, Attempts, CourseView, FulfillmentItem, TrainingOf } from 'calm-access';
import { useMemo } from 'preact/hooks';
import { href } from '../../route';
import { today, useStore } from '../../store';
import { names } from '../../ui/names';
import { ask, Unanswered } from '../../ui/view';
import { AttemptCells, StatusBadge } from './common';
import { useRevision } from 'calm-access/preact';

function Answers({ attempt, course }: { attempt: AttemptItem; course: CourseView | undefined }) {
  const step = course?.steps.find((s) => s.id === attempt.step);
  const questions = step?.assessment?.questions ?? [];
  if (questions.length === 0) return null;
  return (
    <ol class="review-answers">
      {questions.map((q) => {
        const chosen = attempt.answers[q.id] ?? [];
        const text = chosen.map((o) => q.options.find((x) => x.id === o)?.text ?? 'an option no longer in the question');
        const right =
          q.correct === undefined ? undefined : chosen.length === q.correct.length && chosen.every((o) => q.correct!.includes(o));
        return (
          <li key={q.id}>
            <span>{q.text}</span>{' '}
            <span class="muted">— {text.length > 0 ? text.join(', ') : 'not answered'}</span>{' '}
            {right === true && <span class="badge badge-ok">Right</span>}
            {right === false && <span class="badge badge-danger">Wrong</span>}
          </li>
        );
      })}
    </ol>
  );
}

function FulfillmentReview({ item }: { item: FulfillmentItem }) {
  const { engine, user } = useStore();
  const revision = useRevision();
  const attempts = useMemo(() => ask<Attempts>(() => engine.attempts(user, item.fulfillment)), [engine, user, item.fulfillment, revision]);
  const course = useMemo(() => ask<CourseView>(() => engine.course(user, item.course)), [engine, user, item.course, revision]);
  const view = 'value' in course ? course.value : undefined;
  const assessed = view?.steps.some((s) => s.type === 'assessment') ?? false;
  return (
    <section class="card" data-testid="review-fulfillment" data-fulfillment={item.fulfillment} aria-label={item.title}>
      <h2>
        {item.title} <StatusBadge status={item.status} />
      </h2>
      {!('value' in attempts) ? (
        <Unanswered answer={attempts} title="You cannot review these attempts" />
      ) : attempts.value.attempts.length === 0 ? (
        <p class="muted">{assessed || item.source === 'calm' ? 'No assessment attempts yet.' : 'This course has no assessment in Calm.'}</p>
      ) : (
        <table>
          <caption class="visually-hidden">Attempts at {item.title}</caption>
          <thead>
            <tr>
              <th scope="col">Attempt</th>
              <th scope="col">When</th>
              <th scope="col">Score</th>
              <th scope="col">Outcome</th>
              <th scope="col">Answers</th>
            </tr>
          </thead>
          <tbody>
            {attempts.value.attempts.map((a, i) => (
              <tr key={a.attempt} data-testid="review-attempt" data-passed={String(a.passed ?? '')}>
                <AttemptCells attempt={a} n={i + 1} />
                <td>
                  <Answers attempt={a} course={view} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function AttemptsReview({ person }: { person: string }) {
  const { engine, user } = useStore();
  const revision = useRevision();
  const date = today();
  const training = useMemo(() => ask<TrainingOf>(() => engine.trainingOf(user, person, date)), [engine, user, person, date, revision]);
  // A person the viewer's data does not name (not shared with them) is "this person", never an id.
  const known = names().user(person);
  const name = 'value' in training && training.value.name ? training.value.name : known !== person ? known : 'this person';
  const own = person === user;
  return (
    <section data-testid="review" data-user={person}>
      <p>
        <a href={href('insights')}>← Training Insights</a>
      </p>
      <h1>{own ? 'Your assessment attempts' : `Assessment attempts of ${name}`}</h1>
      {!('value' in training) ? (
        <Unanswered answer={training} title={name === 'this person' ? "You cannot review this person's training" : `You cannot review ${name}'s training`} />
      ) : training.value.fulfillments.length === 0 ? (
        <p class="muted">{name} has no training assigned that you can see.</p>
      ) : (
        training.value.fulfillments.map((f) => <FulfillmentReview key={f.fulfillment} item={f} />)
      )}
    </section>
  );
}
