// My Courses / Inbox (T2): the acting user's fulfillments as `myCourses`
// groups them, and their results that expire soon or have expired.

import { useMemo } from 'preact/hooks';
import { href } from '../../route';
import { today, useStore } from '../../store';
import { Denied, GateLink } from '../../ui/gate';
import { useDecision, useRevision } from 'calm-access/preact';
import { ask, Unanswered } from '../../ui/view';
import type { FulfillmentItem, MyCourses, ResultItem } from 'calm-access';
import { DueMark, SourceBadge, StatusBadge } from './common';

function InboxItem({ item, date }: { item: FulfillmentItem; date: string }) {
  const { done, total } = item.progress;
  const verb = item.status === 'completed' ? 'Review' : item.status === 'not_started' ? 'Start' : 'Continue';
  return (
    <li class="card inbox-item" data-testid="inbox-item" data-fulfillment={item.fulfillment} data-status={item.status}>
      <div class="row">
        <h3 class="inbox-title">{item.title}</h3>
        <SourceBadge source={item.source} />
        <StatusBadge status={item.status} />
        <DueMark due={item.dueDate} date={date} status={item.status} overdue={item.overdue} />
      </div>
      <p class="muted">
        {total > 0 ? `${done} of ${total} steps done` : 'No steps in Calm'}
        {item.completedAt && <> · completed {item.completedAt.slice(0, 10)}</>}
      </p>
      {total > 0 && <progress max={total} value={done} aria-label={`Progress of ${item.title}`} />}
      <div class="row">
        <GateLink action="training.course.complete" target={{ fulfillment: item.fulfillment }} href={href('learn', item.fulfillment)}>
          {verb} <span class="visually-hidden">{item.title}</span>
        </GateLink>
      </div>
    </li>
  );
}

function Group({ title, items, empty, date }: { title: string; items: FulfillmentItem[]; empty: string; date: string }) {
  const id = `inbox-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section aria-labelledby={id} data-testid="inbox-group" data-group={id}>
      <h2 id={id}>
        {title} <span class="badge">{items.length}</span>
      </h2>
      {items.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="inbox-list">
          {items.map((item) => (
            <InboxItem key={item.fulfillment} item={item} date={date} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Results({ title, results, testid }: { title: string; results: ResultItem[]; testid: string }) {
  if (results.length === 0) return null;
  return (
    <section data-testid={testid}>
      <h2>{title}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Training</th>
            <th scope="col">Completed</th>
            <th scope="col">Expires</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={r.result} data-testid="inbox-result" data-result={r.result} data-state={r.state}>
              <td>
                {r.title} <StatusBadge status={r.state} />
              </td>
              <td>{r.completedOn}</td>
              <td>{r.expiresOn ?? '—'}</td>
              <td>{r.source === 'ihasco' ? 'iHasco' : r.source === 'manual' ? 'Recorded by a manager' : 'Calm course'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Inbox() {
  const { engine, user, site } = useStore();
  const revision = useRevision();
  const date = today();
  const answer = useMemo(() => ask<MyCourses>(() => engine.myCourses(user, date)), [engine, user, revision, date]);
  // Training is taken where the person holds a personnel role (T1, T2): with
  // none anywhere (or without the organisation's subscription), My Courses is
  // "no access" with the engine's reason, never an empty list.
  const takesTraining = useMemo(() => engine.sitesWhere(user, 'training.progress.view_own').sites.length > 0, [engine, user, revision]);
  const here = useDecision('training.progress.view_own', site);
  if (!takesTraining && 'value' in answer && answer.value.open.length + answer.value.completed.length === 0) {
    return (
      <section data-testid="inbox">
        <h1>My Courses</h1>
        <Denied decision={here} title="You don't have access to training" />
      </section>
    );
  }
  if (!('value' in answer)) {
    return (
      <section>
        <h1>My Courses</h1>
        <Unanswered answer={answer} title="You cannot see My Courses" />
      </section>
    );
  }
  const view = answer.value;
  const toDo = view.open.filter((f) => f.status === 'not_started');
  const inProgress = view.open.filter((f) => f.status !== 'not_started');
  return (
    <section data-testid="inbox">
      <h1>My Courses</h1>
      <p class="muted">Your training on {view.date}.</p>
      {view.overdue.length > 0 && <Group title="Overdue" items={view.overdue} empty="" date={view.date} />}
      <Group title="To do" items={toDo} empty="Nothing new to start." date={view.date} />
      <Group title="In progress" items={inProgress} empty="Nothing in progress." date={view.date} />
      <Results title="Results expiring soon" results={view.expiring} testid="inbox-expiring" />
      <Results title="Expired results" results={view.expired} testid="inbox-expired" />
      <Group title="Completed" items={view.completed} empty="No completed training yet." date={view.date} />
    </section>
  );
}
