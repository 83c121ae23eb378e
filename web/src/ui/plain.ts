// The engine's messages in the words of the app's screens (issue 12): the
// engine names what it speaks of by id, in backticks (`north`, `c-fire`,
// `manage-users`); people read names. Every message shown goes through
// `plain`: ids of people, sites, groups, courses, records, companies and
// training become their names, other backticked words lose their
// punctuation, an unknown id reads as something not there or not shared,
// and the sentence starts with a capital. Only the words change: the engine's
// decision and reason code are shown as they are.

import { nameOf, names } from './names';

/** An engine message in plain words. */
export function plain(message: string): string {
  const text = message
    .replace(/\bunknown (\w+) `[^`]*`/g, (_, kind: string) => `this ${kind} is not there, or is not shared with you`)
    .replace(/`([^`]*)`/g, (_, token: string) => nameOf(token) ?? token.replace(/-/g, ' '));
  return capitalised(text);
}

/** A site's name for `describeRequirements`. */
export function siteName(id: string): string {
  return names().site(id);
}

/**
 * A key, type or id part as lowercase words: `employeeNumber` -> "employee
 * number", `training.step.completed` -> "training step completed",
 * `start_date` -> "start date".
 */
export function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[._-]+/g, ' ').trim().toLowerCase();
}

/** `text` with a capital first letter. */
export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
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
  return COMMAND_WORDS[type] ?? capitalised(words(type));
}
