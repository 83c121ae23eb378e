// Shared pieces of the Training screens: the data of the snapshot's training
// section they list and small renderers (the views' types are the package's). Calling a view with
// its denial caught, new ids and display names are the app's (ui/view.tsx,
// ui/names.ts). Nothing here decides: the views and the gated controls carry
// the engine's answers.

import type { AttemptItem, CommandResult, FulfillmentStatus, Snapshot } from 'calm-access';
import { refusalOf } from '../../ui/gate';

/** The data of the snapshot's training section that the screens list (not decide on). */
export interface CourseData {
  id: string;
  site: string;
  title: string;
  source: 'calm' | 'ihasco';
  status: 'draft' | 'published' | 'archived';
  steps?: unknown[];
  deleted?: boolean;
}

export interface AssignmentData {
  id: string;
  course: string;
  people?: string[];
  groups?: string[];
  dueDate?: string;
  assignedBy?: string;
  assignedAt?: string;
  revoked?: boolean;
}

export interface FulfillmentData {
  id: string;
  course: string;
  user: string;
  assignment?: string;
  status: FulfillmentStatus;
  completedSteps?: string[];
  dueDate?: string;
  completedAt?: string;
}

export interface TrainingData {
  courses?: CourseData[];
  assignments?: AssignmentData[];
  fulfillments?: FulfillmentData[];
}

export function trainingData(snapshot: Snapshot): TrainingData {
  return (snapshot.training ?? {}) as TrainingData;
}

/** The outcome of a command just run: its refusal, in the page. */
export function Refusal({ result }: { result: CommandResult | null }) {
  if (result === null || result.ok) return null;
  return (
    <p class="notice notice-error" role="alert" data-testid="command-refused">
      {refusalOf(result)}
    </p>
  );
}

/** `2026-11-23T09:00:00Z` as `2026-11-23 09:00`. */
export function when(at: string | undefined): string {
  return at === undefined ? '' : at.replace('T', ' ').slice(0, 16);
}

const STATUS_TEXT: Record<string, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
  withdrawn: 'Withdrawn',
  draft: 'Draft',
  published: 'Published',
  archived: 'Archived',
  valid: 'Valid',
  expiring: 'Expiring',
  expired: 'Expired',
};

const STATUS_CLASS: Record<string, string> = {
  completed: 'badge-ok',
  published: 'badge-ok',
  valid: 'badge-ok',
  in_progress: 'badge-warn',
  expiring: 'badge-warn',
  draft: 'badge-warn',
  expired: 'badge-danger',
  withdrawn: 'badge-danger',
  overdue: 'badge-danger',
};

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge ${STATUS_CLASS[status] ?? ''}`}>{STATUS_TEXT[status] ?? status}</span>;
}

export function SourceBadge({ source }: { source: string }) {
  return <span class="badge">{source === 'ihasco' ? 'iHasco' : source === 'calm' ? 'Calm' : source}</span>;
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)}%`;
}

/** Days from `date` to `due` (both YYYY-MM-DD); negative when past. */
export function daysUntil(due: string, date: string): number {
  return Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / 86_400_000);
}

/**
 * How an open course's due date reads (issue 12): "due today", "due
 * tomorrow", "due in 3 days" within a week (marked Due soon), else the date.
 * Overdue is the engine's (`overdue`); a completed or withdrawn course shows
 * no due date.
 */
export function DueMark({ due, date, status, overdue }: { due?: string; date: string; status: string; overdue: boolean }) {
  if (due === undefined || status === 'completed' || status === 'withdrawn') return null;
  if (overdue) return <span class="badge badge-danger" data-due="overdue">Overdue since {due}</span>;
  const days = daysUntil(due, date);
  if (days >= 0 && days <= 7) {
    const when = days === 0 ? 'today' : days === 1 ? 'tomorrow' : `in ${days} days`;
    return (
      <span class="badge badge-warn" data-due="soon">
        Due soon: {when}
      </span>
    );
  }
  return <span data-due="later">due {due}</span>;
}

/** An attempt's number, time, score and outcome, as table cells (the learner's list and the review). */
export function AttemptCells({ attempt: a, n }: { attempt: AttemptItem; n: number }) {
  return (
    <>
      <td>{n}</td>
      <td>{when(a.at)}</td>
      <td>{a.pending ? '—' : `${a.score ?? 0}%`}</td>
      <td>
        {a.pending ? (
          <span class="badge">Waiting to be graded</span>
        ) : a.passed ? (
          <span class="badge badge-ok">Passed</span>
        ) : (
          <span class="badge badge-danger">Failed</span>
        )}
      </td>
    </>
  );
}
