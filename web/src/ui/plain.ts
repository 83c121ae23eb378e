// The engine's messages in the words of the app's screens (issue 12): the
// engine names what it speaks of by id, in backticks (`north`, `c-fire`,
// `manage-users`); people read names. Every message shown goes through
// `plain`: ids of people, sites, groups, courses, records, companies and
// training become their names, other backticked words lose their
// punctuation, an unknown id reads as something not there or not shared,
// and the sentence starts with a capital. Only the words change: the engine's
// decision and reason code are shown as they are.

import type { Snapshot } from 'calm-access';
import { snapshotNow } from '../store';

type Named = { id: string; name?: string; title?: string };

const built = new WeakMap<Snapshot, Map<string, string>>();

/** Id -> what to call it, for everything of the organisation a message may name. */
function lookup(): Map<string, string> {
  const snapshot = snapshotNow();
  let map = built.get(snapshot);
  if (map !== undefined) return map;
  map = new Map();
  const add = (items: Named[] | undefined, format: (n: string) => string = (n) => n) => {
    for (const item of items ?? []) {
      const name = item.name ?? item.title;
      if (name !== undefined && !map!.has(item.id)) map!.set(item.id, format(name));
    }
  };
  const any = snapshot as unknown as {
    training?: { courses?: Named[]; fulfillments?: { id: string; course: string }[] };
    personnel?: { records?: Named[]; companies?: Named[] };
  };
  add(snapshot.users as Named[]);
  add(snapshot.sites as Named[]);
  add(snapshot.groups as Named[] | undefined);
  add(any.training?.courses, (t) => `“${t}”`);
  add(any.personnel?.records, (n) => `${n}'s record`);
  add(any.personnel?.companies);
  // Questions of assessments, by their place in the assessment (the first course to use an id wins).
  type Step = { assessment?: { questions?: { id: string }[] } };
  for (const course of (any.training?.courses ?? []) as (Named & { steps?: Step[] })[]) {
    for (const step of course.steps ?? []) {
      (step.assessment?.questions ?? []).forEach((q, i) => {
        if (!map!.has(q.id)) map!.set(q.id, String(i + 1));
      });
    }
  }
  const titles = new Map((any.training?.courses ?? []).map((c) => [c.id, c.title ?? c.name ?? 'a course']));
  for (const f of any.training?.fulfillments ?? []) {
    if (!map.has(f.id)) map.set(f.id, `the training “${titles.get(f.course) ?? 'a course'}”`);
  }
  built.set(snapshot, map);
  return map;
}

/** An engine message in plain words. */
export function plain(message: string): string {
  const names = lookup();
  const text = message
    .replace(/\bunknown (\w+) `[^`]*`/g, (_, kind: string) => `this ${kind} is not there, or is not shared with you`)
    .replace(/`([^`]*)`/g, (_, token: string) => names.get(token) ?? token.replace(/-/g, ' '));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A site's name for `describeRequirements`. */
export function siteName(id: string): string {
  return lookup().get(id) ?? id;
}

const COMMAND_WORDS: Record<string, string> = {
  'step.complete': 'Step completed',
  'attempt.submit': 'Assessment answers',
  'course.create': 'New course',
  'course.update': 'Course changes',
  'course.assign': 'Course assigned',
  'assignment.revoke': 'Assignment revoked',
  'record.create': 'New record',
  'record.update': 'Record changes',
  'record.delete': 'Record deleted',
  'block.add': 'Block added',
  'block.update': 'Block changes',
  'block.remove': 'Block removed',
  'comment.add': 'Comment',
  'comment.reply': 'Reply',
};

/** A command's type as words: `block.remove` -> "Block removed" (others: "Course publish"). */
export function commandWords(type: string): string {
  const known = COMMAND_WORDS[type];
  if (known !== undefined) return known;
  const text = type.replace(/[._-]+/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
