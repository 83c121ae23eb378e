// Shared pieces of the Personnel screens: running a command and showing its
// answer, the "key: value" text form of free-form data objects, and small
// form parts. Reading a view (a denial becomes <Denied>), new ids and display
// names are the app's (ui/view.tsx, ui/names.ts).

import type { CommandResult } from 'calm-access';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { type CommandFields, run } from '../../store';
import { refusalOf } from '../../ui/gate';
import { flash } from '../../ui/confirm';
import { capitalised, words } from '../../ui/plain';

/** "key: value" lines of an object (values that are not text as JSON). */
export function toLines(data: Record<string, unknown> | undefined): string {
  return Object.entries(data ?? {})
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');
}

/** The object of "key: value" lines; lines without a key are ignored. */
export function fromLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const key = line.slice(0, at).trim();
    if (key !== '') out[key] = line.slice(at + 1).trim();
  }
  return out;
}

/** A data key as a label: `employeeNumber` -> "Employee number", `start_date` -> "Start date". */
export function keyLabel(key: string): string {
  return capitalised(words(key));
}

/** Data shown as a definition list (a block's data, company details). */
export function DataList({ data }: { data: Record<string, unknown> | undefined }) {
  const entries = Object.entries(data ?? {});
  if (entries.length === 0) return <p class="muted">Nothing recorded.</p>;
  return (
    <dl class="pdata">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{keyLabel(k)}</dt>
          <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

interface Outcome {
  label: string;
  result: CommandResult;
}

/**
 * Runs commands made on one part of a screen and remembers the last answer,
 * to show next to the controls with <Outcome>.
 */
export type Exec = (label: string, fields: CommandFields) => CommandResult;

export function useRunner(): [Outcome | null, Exec] {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const exec = (label: string, fields: CommandFields) => {
    const result = run(fields);
    setOutcome({ label, result });
    // Done is said above the screen too (ui/confirm.tsx), where it outlives a
    // remount of the screen when what was changed disappears (a deleted contact).
    if (result.ok) flash(`${label}: done${result.duplicate ? ' (it had already been done)' : ''}.`);
    return result;
  };
  return [outcome, exec];
}

/** The answer of the last command: done (with its events), or the engine's refusal. */
export function Outcome({ outcome }: { outcome: Outcome | null }) {
  // Done is shown by <Flash>; a refusal is shown here, next to the controls.
  if (outcome === null || outcome.result.ok) return null;
  const { label, result } = outcome;
  return (
    <p class="notice notice-error" role="alert" data-testid="command-result" data-ok="false">
      {label} was refused: {refusalOf(result)}
    </p>
  );
}

/** A labelled text input. */
export function Field({
  label,
  value,
  onInput,
  type = 'text',
  testid,
  required,
}: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: string;
  testid?: string;
  required?: boolean;
}) {
  return (
    <label class="field">
      <span>
        {label}
        {required && <span class="muted"> (required)</span>}
      </span>
      <input
        type={type}
        value={value}
        data-testid={testid}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
      />
    </label>
  );
}

/** A labelled textarea. */
export function Area({
  label,
  value,
  onInput,
  hint,
  testid,
  rows = 3,
}: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  hint?: string;
  testid?: string;
  rows?: number;
}) {
  return (
    <label class="field">
      <span>
        {label}
        {hint && <span class="muted"> ({hint})</span>}
      </span>
      <textarea rows={rows} value={value} data-testid={testid} onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />
    </label>
  );
}

/** A section of a screen with a heading. */
export function Section({ title, testid, children }: { title: string; testid?: string; children: ComponentChildren }) {
  return (
    <section class="card" data-testid={testid} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
