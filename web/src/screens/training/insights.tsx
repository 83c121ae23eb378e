// Training Insights (#/insights, T3, W15): `insights` at the site being
// looked at, optionally with its child sites (counted only where the viewer
// holds T3 too: the engine decides which).

import { useMemo, useState } from 'preact/hooks';
import { href } from '../../route';
import { today, useStore } from '../../store';
import { names, siteTree } from '../../ui/names';
import { snapshotNow } from '../../store';
import { subtree } from './courses';
import { ask, Unanswered } from '../../ui/view';
import type { Counts, Insights } from 'calm-access';
import { percent } from './common';
import { Pager, SearchBox, usePaged } from '../../ui/paged';
import { download, slug, toCsv } from '../../ui/csv';
import { useRevision } from 'calm-access/preact';

const COLUMNS: { key: keyof Counts; label: string }[] = [
  { key: 'notStarted', label: 'Not started' },
  { key: 'inProgress', label: 'In progress' },
  { key: 'overdue', label: 'Overdue' },
  { key: 'completed', label: 'Completed' },
  { key: 'withdrawn', label: 'Withdrawn' },
  { key: 'resultsExpiring', label: 'Results expiring' },
  { key: 'resultsExpired', label: 'Results expired' },
];

function Cells({ counts }: { counts: Counts }) {
  return (
    <>
      {COLUMNS.map((c) => {
        const n = counts[c.key] as number;
        const alert = n > 0 && (c.key === 'overdue' || c.key === 'resultsExpired');
        const warn = n > 0 && c.key === 'resultsExpiring';
        return (
          <td key={c.key} data-key={c.key} class={alert ? 'num cell-danger' : warn ? 'num cell-warn' : 'num'}>
            {n}
          </td>
        );
      })}
      <td class="num" data-key="completionRate">
        {percent(counts.completionRate)}
      </td>
    </>
  );
}

function Head({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        {COLUMNS.map((c) => (
          <th key={c.key} scope="col" class="num">
            {c.label}
          </th>
        ))}
        <th scope="col" class="num">
          Completion
        </th>
      </tr>
    </thead>
  );
}

function Attention({ view }: { view: Insights }) {
  const overdue = view.courses.filter((c) => c.overdue > 0);
  const expiring: { course: string; title: string; resultsExpiring: number; resultsExpired: number }[] = view.courses.filter(
    (c) => c.resultsExpiring > 0 || c.resultsExpired > 0,
  );
  // Results recorded without a course (training done elsewhere) count in the
  // totals but in no course's row: listed here too, so nothing the totals count is left out.
  const sum = (key: 'resultsExpiring' | 'resultsExpired') => view.courses.reduce((n, c) => n + c[key], 0);
  const otherExpiring = view.totals.resultsExpiring - sum('resultsExpiring');
  const otherExpired = view.totals.resultsExpired - sum('resultsExpired');
  if (otherExpiring > 0 || otherExpired > 0) {
    expiring.push({ course: '', title: 'Training recorded without a course', resultsExpiring: Math.max(otherExpiring, 0), resultsExpired: Math.max(otherExpired, 0) });
  }
  if (overdue.length === 0 && expiring.length === 0) return <p class="notice">Nothing is overdue or expiring.</p>;
  return (
    <div class="row insights-attention" data-testid="insights-attention">
      {overdue.length > 0 && (
        <div class="card" data-testid="insights-overdue">
          <h3>Overdue</h3>
          <ul>
            {overdue.map((c) => (
              <li key={c.course}>
                {c.title}: <span class="badge badge-danger">{c.overdue} overdue</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {expiring.length > 0 && (
        <div class="card" data-testid="insights-expiring">
          <h3>Results expiring or expired</h3>
          <ul>
            {expiring.map((c) => (
              <li key={c.course}>
                {c.title}:{' '}
                {c.resultsExpiring > 0 && <span class="badge badge-warn">{c.resultsExpiring} expiring within 30 days</span>}{' '}
                {c.resultsExpired > 0 && <span class="badge badge-danger">{c.resultsExpired} expired</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Insights as CSV: the totals, every course and every person counted (not just the page shown). */
function exportInsights(view: Insights) {
  const n = names();
  const header = ['Kind', 'Name', 'Site', ...COLUMNS.map((c) => c.label), 'Completion'];
  const row = (kind: string, name: string, site: string, c: Counts) => [
    kind,
    name,
    site,
    ...COLUMNS.map((col) => c[col.key] as number),
    c.completionRate === null || c.completionRate === undefined ? '' : percent(c.completionRate),
  ];
  const rows = [
    row('Total', 'All courses', view.sites.map((s) => n.site(s)).join('; '), view.totals),
    ...view.courses.map((c) => row('Course', c.title, n.site(c.site), c)),
    ...view.people.map((p) => row('Person', p.name || n.user(p.user), '', p)),
  ];
  download(`training-insights-${slug(n.site(view.site))}-${view.date}.csv`, toCsv(header, rows));
}

function Report({ view, children }: { view: Insights; children: boolean }) {
  const n = names();
  const courses = usePaged(view.courses, (c) => `${c.title} ${n.site(c.site)}`);
  const people = usePaged(view.people, (p) => `${p.name} ${n.user(p.user)}`);
  // With the sites below: those the engine left out (no Training Insights access there, T3) are named.
  const here = children ? subtree(snapshotNow(), view.site) : new Set<string>();
  const below = siteTree().filter((s) => here.has(s.id));
  const left = below.filter((s) => !view.sites.includes(s.id));
  return (
    <>
      <p class="muted" data-testid="insights-sites">
        On {view.date}, counting {view.sites.map((s) => n.site(s)).join(', ')}.
      </p>
      {left.length > 0 && (
        <p class="notice" data-testid="insights-left-out">
          Not counted, because you cannot see Training Insights there: {left.map((s) => s.name).join(', ')}.
        </p>
      )}
      <p>
        <button type="button" class="btn btn-plain" data-testid="insights-csv" onClick={() => exportInsights(view)}>
          Download as CSV
        </button>
      </p>
      <h2>Totals</h2>
      <table data-testid="insights-totals">
        <Head first="" />
        <tbody>
          <tr>
            <th scope="row">All courses</th>
            <Cells counts={view.totals} />
          </tr>
        </tbody>
      </table>
      <h2>Needs attention</h2>
      <Attention view={view} />
      <h2>By course</h2>
      {view.courses.length === 0 ? (
        <p class="muted">No courses with assignments here.</p>
      ) : (
        <>
        <SearchBox paged={courses} label="Search courses" testid="insights-course-search" />
        <table>
          <Head first="Course" />
          <tbody>
            {courses.shown.map((c) => (
              <tr key={c.course} data-testid="insights-course" data-course={c.course}>
                <th scope="row">
                  {c.title}
                  {c.deleted && <span class="badge badge-danger"> Deleted</span>}
                  <div class="muted">{n.site(c.site)}</div>
                </th>
                <Cells counts={c} />
              </tr>
            ))}
          </tbody>
        </table>
        <Pager paged={courses} testid="insights-course-pager" />
        </>
      )}
      <h2>By person</h2>
      {view.people.length === 0 ? (
        <p class="muted">Nobody has training here.</p>
      ) : (
        <>
        <SearchBox paged={people} label="Search people" testid="insights-person-search" />
        <table>
          <Head first="Person" />
          <tbody>
            {people.shown.map((p) => (
              <tr key={p.user} data-testid="insights-person" data-user={p.user}>
                <th scope="row">
                  <a href={href('review', p.user)} data-testid="review-link">
                    {p.name || n.user(p.user)}
                  </a>
                </th>
                <Cells counts={p} />
              </tr>
            ))}
          </tbody>
        </table>
        <Pager paged={people} testid="insights-person-pager" />
        </>
      )}
    </>
  );
}

export function Insights() {
  const { engine, user, site } = useStore();
  const revision = useRevision();
  const [children, setChildren] = useState(false);
  const date = today();
  const answer = useMemo(
    () => ask<Insights>(() => engine.insights(user, site, date, { includeChildSites: children })),
    [engine, user, site, date, children, revision],
  );
  const n = names();
  return (
    <section data-testid="insights">
      <h1>Training Insights</h1>
      <label class="option">
        <input
          type="checkbox"
          data-testid="include-child-sites"
          checked={children}
          onChange={(e) => setChildren((e.currentTarget as HTMLInputElement).checked)}
        />{' '}
        Include the sites below {n.site(site)}
      </label>
      {'value' in answer ? (
        <Report view={answer.value} children={children} />
      ) : (
        <Unanswered answer={answer} title="You cannot see Training Insights here" />
      )}
    </section>
  );
}
