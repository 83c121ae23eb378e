// Calling the engine's views from a screen: a view answers, or throws
// ForbiddenError (the viewer may not see it: the engine's decision) or
// QueryError (it cannot answer, e.g. an unknown id). `ask` turns that into a
// value the screen can branch on, `<Unanswered>` shows the denial with
// <Denied> (data-denied) or the error as a notice. Also the ids of what is
// made here. Nothing here decides: it carries the engine's answers.

import { ForbiddenError, QueryError, type Decision } from 'calm-access';
import { Denied } from './gate';
import { plain } from './plain';

/** What a view did not answer: the engine's denial, or the error's message. */
export type NoAnswer = { ok: false; denied: Decision } | { ok: false; error: string };

/** A view's answer, or the engine's denial, or the query's error message. */
export type Answer<T> = { ok: true; value: T } | NoAnswer;

/**
 * What a view threw, as an answer: a ForbiddenError is `denied`, a
 * QueryError `error` (every message of it), anything else `error` with its
 * message (for the panels that show any failure in place; `ask` throws those).
 */
export function noAnswer(caught: unknown): NoAnswer {
  if (caught instanceof ForbiddenError) return { ok: false, denied: caught.decision };
  if (caught instanceof QueryError) return { ok: false, error: caught.errors.map((e) => plain(e.message)).join('; ') || plain(caught.message) };
  return { ok: false, error: caught instanceof Error ? caught.message : String(caught) };
}

/** Calls a view; a ForbiddenError becomes `denied`, a QueryError `error`; any other error is a bug and is thrown. */
export function ask<T>(view: () => T): Answer<T> {
  try {
    return { ok: true, value: view() };
  } catch (caught) {
    if (caught instanceof ForbiddenError || caught instanceof QueryError) return noAnswer(caught);
    throw caught;
  }
}

/** Renders a view's denial or error (or nothing when it answered). */
export function Unanswered({ answer, title }: { answer: Answer<unknown>; title: string }) {
  if ('denied' in answer) return <Denied decision={answer.denied} title={title} />;
  if ('error' in answer) {
    return (
      <div class="notice notice-error" role="alert">
        {title}: {answer.error}
      </div>
    );
  }
  return null;
}

let counter = 0;

/**
 * A client-made id for a new object (course, step, attempt, record,
 * comment ...): `<prefix>-<random><n>`. The counter keeps two ids made in
 * the same page apart even without crypto.randomUUID.
 */
export function newId(prefix: string): string {
  counter += 1;
  const random = globalThis.crypto?.randomUUID?.().slice(0, 8) ?? Math.random().toString(36).slice(2, 10);
  return `${prefix}-${random}${counter}`;
}
