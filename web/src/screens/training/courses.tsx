// Courses (#/courses): the courses at the site being looked at and below it,
// each opening behind the engine's `training.course.view` gate, and a new
// course form (`course.create`, T6) whose button the engine's dry run enables.

import type { CommandResult, Snapshot } from 'calm-access';
import { useMemo, useState } from 'preact/hooks';
import { go, href } from '../../route';
import { run, snapshotNow, useStore } from '../../store';
import { CommandButton, Denied, GateLink, IfRoleAllows } from '../../ui/gate';
import { useDecision } from 'calm-access/preact';
import { names } from '../../ui/names';
import { newId } from '../../ui/view';
import { Refusal, SourceBadge, StatusBadge, trainingData, type CourseData } from './common';
import { Pager, SearchBox, usePaged } from '../../ui/paged';

/** The site and its descendants (the site tree is data, not a permission). */
export function subtree(snapshot: Snapshot, root: string): Set<string> {
  const out = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of snapshot.sites) {
      if (s.parent !== undefined && out.has(s.parent) && !out.has(s.id)) {
        out.add(s.id);
        grew = true;
      }
    }
  }
  return out;
}

function CourseRow({ course }: { course: CourseData }) {
  const n = names();
  return (
    <tr data-testid="course-row" data-course={course.id} data-status={course.status}>
      <th scope="row">
        <GateLink action="training.course.view" target={{ course: course.id }} href={href('courses', course.id)}>
          {course.title}
        </GateLink>
      </th>
      <td>{n.site(course.site)}</td>
      <td>
        <SourceBadge source={course.source} />
      </td>
      <td>
        <StatusBadge status={course.status} />
      </td>
      <td>{course.steps?.length ?? 0}</td>
    </tr>
  );
}

function NewCourse({ site }: { site: string }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [id, setId] = useState(() => newId('c'));
  const [last, setLast] = useState<CommandResult | null>(null);
  const body: Record<string, unknown> = { id, title: title.trim() };
  if (description.trim() !== '') body.description = description.trim();
  const fields = { type: 'course.create', site, course: body };
  return (
    <form class="card" aria-labelledby="new-course" data-testid="new-course" onSubmit={(e) => e.preventDefault()}>
      <h2 id="new-course">New course</h2>
      <label class="field">
        Title
        <input type="text" data-testid="new-course-title" value={title} onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} />
      </label>
      <label class="field">
        Description
        <textarea rows={2} value={description} onInput={(e) => setDescription((e.currentTarget as HTMLTextAreaElement).value)} />
      </label>
      <CommandButton
        variant="primary"
        data-testid="course-create"
        fields={fields}
        onClick={() => {
          const result = run(fields);
          setLast(result);
          if (result.ok) {
            setId(newId('c'));
            go('courses', id);
          }
        }}
      >
        Create draft course
      </CommandButton>
      <Refusal result={last} />
    </form>
  );
}

export function CourseList() {
  const { engine, site, user } = useStore();
  const snapshot = snapshotNow();
  const n = names();
  const here = useMemo(() => subtree(snapshot, site), [snapshot, site]);
  // Without a personnel role here (or the subscription), the list is "no access" with the engine's reason (T5).
  const canView = useDecision('training.progress.view_own', site);
  // Only the courses the engine lets this person see (T5): a course at a
  // site where they hold no role is not listed, not even by its title.
  const courses = useMemo(
    () =>
      (trainingData(snapshot).courses ?? []).filter(
        (c) => !c.deleted && here.has(c.site) && engine.can(user, 'training.course.view', { course: c.id }),
      ),
    [snapshot, here, engine, user],
  );
  const paged = usePaged(courses, (c) => `${c.title} ${n.site(c.site)} ${c.status} ${c.source}`);
  return (
    <section data-testid="course-list">
      <h1>Courses</h1>
      <p class="muted">Courses you may see at {n.site(site)} and the sites below it.</p>
      {courses.length === 0 && !canView.allowed ? (
        <Denied decision={canView} title={`You don't have access to courses at ${n.site(site)}`} />
      ) : courses.length === 0 ? (
        <p class="muted">There are no courses at {n.site(site)} or the sites below it yet.</p>
      ) : (
        <>
        <SearchBox paged={paged} label="Search courses" testid="course-search" />
        <table>
          <caption class="visually-hidden">Courses</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Site</th>
              <th scope="col">Source</th>
              <th scope="col">Status</th>
              <th scope="col">Steps</th>
            </tr>
          </thead>
          <tbody>
            {paged.shown.map((c) => (
              <CourseRow key={c.id} course={c} />
            ))}
          </tbody>
        </table>
        <Pager paged={paged} testid="course-pager" />
        </>
      )}
      <IfRoleAllows action="training.course.create" target={site}>
        <NewCourse site={site} />
      </IfRoleAllows>
    </section>
  );
}
