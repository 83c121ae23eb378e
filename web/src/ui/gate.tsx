// Gated controls. A control the acting user may not use stays in the page,
// focusable, with aria-disabled and a reason (the engine's message and what
// would allow it) that shows on hover and focus and is read by screen readers
// through aria-describedby. The app decides nothing: it shows the engine's
// decision (`useDecision`) or dry run (`useDryRun`).
//
// Every gated control carries data-gate (the action, or `command`) and
// data-target / data-command, so the browser tests can ask the engine the
// same question and compare.

import type { ActionId, CommandResult, Decision, Target } from 'calm-access';
import { describeRequirements, useDecision, useDryRun } from 'calm-access/preact';
import type { ComponentChildren, JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import { command, type CommandFields } from '../store';
import { ConfirmDialog, type Confirmation } from './confirm';
import { capitalised, plain, siteName, words } from './plain';

/**
 * Denials that only another role, site permission or subscription could turn
 * into an allow: a control denied for one of these is kept out of the way
 * (not rendered), while a control blocked by the state of things or a
 * condition (an iHasco course, an unanswered question, an escalation) stays
 * visible with its reason (issue 12).
 */
const ROLE_CODES = new Set(['missing-role', 'missing-site-permission', 'not-entitled']);

/** Whether a denial is one the person's role can never get past here. */
export function roleDenied(decision: Decision | undefined): boolean {
  return decision !== undefined && !decision.allowed && ROLE_CODES.has(decision.code);
}

/** Renders `children` unless the person's role can never be allowed `action` at `target` (management forms). */
export function IfRoleAllows({ action, target, children }: { action: ActionId; target?: Target; children: ComponentChildren }) {
  const decision = useDecision(action, target);
  return roleDenied(decision) ? null : <>{children}</>;
}

/** What would allow it, in words, with sites' names. */
export function allowText(decision: Decision): string {
  return describeRequirements(decision.requires, { site: siteName });
}

/** The engine's reason as one line: message, then what would allow it. */
export function reasonOf(decision: Decision | undefined): string {
  if (decision === undefined) return '';
  const allow = allowText(decision);
  const said = plain(decision.message);
  const message = /[.!?]$/.test(said) ? said : `${said}.`;
  return allow === '' ? message : `${message} ${allow}`;
}

/** The refusal of a dry run as one line (a denial, or the input errors). */
export function refusalOf(result: CommandResult | null): string {
  if (result === null || result.ok) return '';
  if (result.decision) return reasonOf(result.decision as Decision);
  // A message that names what it is about (in backticks) needs no field label.
  const one = (e: { path?: string; message: string }) =>
    e.path && !e.message.includes('`') ? `${fieldLabel(e.path)}: ${plain(e.message)}` : plain(e.message);
  return (result.errors ?? []).map(one).join('; ');
}

/**
 * The field a JSON pointer of a command names, in words: `/company/name` ->
 * "Name", `/course/steps/2/title` -> "Step 3, title", `/dueDate` -> "Due date".
 */
export function fieldLabel(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i];
    const next = parts[i + 1];
    if (next !== undefined && /^\d+$/.test(next)) {
      // `steps/2` -> "step 3" (lists are named in the plural).
      out.push(`${words(part).replace(/s$/, '')} ${Number(next) + 1}`);
      i += 1;
    } else if (i === parts.length - 1 || out.length > 0) {
      out.push(words(part));
    }
  }
  return capitalised(out.join(', ') || 'The command');
}

function Why({ id, text }: { id: string; text: string }) {
  return (
    <span id={id} role="tooltip" class="why">
      {text}
    </span>
  );
}

type ButtonProps = Omit<JSX.HTMLAttributes<HTMLButtonElement>, 'onClick' | 'action'> & {
  onClick?: () => void;
  children: ComponentChildren;
  variant?: 'primary' | 'danger' | 'plain';
};

function GatedButtonView({
  allowed,
  why,
  onClick,
  children,
  variant = 'plain',
  gate,
  ...rest
}: ButtonProps & { allowed: boolean; why: string; gate: Record<string, string> }) {
  const id = useId();
  return (
    <span class="gate-wrap">
      <button
        type="button"
        {...rest}
        {...gate}
        class={`btn btn-${variant}${rest.class ? ` ${rest.class}` : ''}`}
        aria-disabled={allowed ? undefined : 'true'}
        aria-describedby={allowed ? undefined : id}
        data-allowed={String(allowed)}
        onClick={(event) => {
          event.preventDefault();
          if (allowed) onClick?.();
        }}
      >
        {children}
      </button>
      {!allowed && <Why id={id} text={why} />}
    </span>
  );
}

/** A button for `action` at `target`, enabled only when the engine allows it. */
export function GateButton({ action, target, ...props }: ButtonProps & { action: ActionId; target?: Target }) {
  const decision = useDecision(action, target);
  const gate = { 'data-gate': action, 'data-target': JSON.stringify(target ?? null) };
  if (roleDenied(decision)) return null;
  return <GatedButtonView {...props} allowed={decision.allowed} why={reasonOf(decision)} gate={gate} />;
}

// One dry-run id and time per page: dry runs must not depend on them.
const DRY_RUN_ID = 'dry-run';

/**
 * A button that applies a command, enabled only when the engine's dry run of
 * that command succeeds: the permission and the state (W rules) both count.
 */
export function CommandButton({
  fields,
  incomplete = 'Not available yet: what it needs is still loading.',
  unavailable,
  confirm,
  onClick,
  ...props
}: ButtonProps & {
  /** Asked first, in a dialog that names what will be lost; `onClick` runs only when confirmed. */
  confirm?: Confirmation;
  /** The command's fields; null while the form cannot make a command (see `incomplete`). */
  fields: CommandFields | null;
  /** Why there is no command yet, shown when `fields` is null. */
  incomplete?: string;
  /** Why the button cannot be used now although the engine would allow it (e.g. Reveal offline, V7). */
  unavailable?: string;
}) {
  const full = fields === null ? null : command(fields, DRY_RUN_ID);
  // `at` changes every call; the dry run is keyed on everything else.
  const stable = full === null ? null : { ...full, at: full.at.slice(0, 16) + ':00Z' };
  const result = useDryRun(stable);
  const allowed = result !== null && result.ok;
  const gate: Record<string, string> = { 'data-gate': 'command', 'data-command': JSON.stringify(stable) };
  // The engine's refusal comes first; only an allowed command is "unavailable".
  if (allowed && unavailable !== undefined) gate['data-unavailable'] = 'true';
  const why = result === null ? incomplete : allowed ? (unavailable ?? '') : refusalOf(result);
  const [asking, setAsking] = useState(false);
  const click = confirm === undefined ? onClick : () => setAsking(true);
  if (result !== null && !result.ok && roleDenied(result.decision as Decision | undefined)) return null;
  return (
    <>
      <GatedButtonView {...props} onClick={click} allowed={allowed && unavailable === undefined} why={why} gate={gate} />
      {asking && confirm !== undefined && (
        <ConfirmDialog
          confirmation={confirm}
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            onClick?.();
          }}
        />
      )}
    </>
  );
}

/** A navigation link, shown disabled with the engine's reason when `action` is denied. */
export function GateLink({
  action,
  target,
  href,
  children,
}: {
  action: ActionId;
  target?: Target;
  href: string;
  children: ComponentChildren;
}) {
  const decision = useDecision(action, target);
  const id = useId();
  const gate = { 'data-gate': action, 'data-target': JSON.stringify(target ?? null), 'data-allowed': String(decision.allowed) };
  if (decision.allowed) {
    return (
      <a href={href} {...gate}>
        {children}
      </a>
    );
  }
  return (
    <span class="gate-wrap">
      <a role="link" aria-disabled="true" tabIndex={0} aria-describedby={id} class="link-disabled" {...gate}>
        {children}
      </a>
      <Why id={id} text={reasonOf(decision)} />
    </span>
  );
}

/** Shown in place of a screen the acting user may not see: the engine's denial. */
export function Denied({ decision, title }: { decision: Decision; title: string }) {
  return (
    <section class="denied" role="alert" data-denied={decision.code}>
      <h2>{title}</h2>
      <p class="denied-message">{plain(decision.message)}</p>
      {allowText(decision) && <p class="denied-allow">{allowText(decision)}</p>}
    </section>
  );
}
