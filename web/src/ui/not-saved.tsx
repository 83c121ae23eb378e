// The commands the server refused (R7): each with the engine's reason and
// what it carried (answers, a comment's text ...), which can still be copied.
// A refusal is final: these are never sent again; Dismiss removes one.

import type { CommandResult } from 'calm-access';
import { useState } from 'preact/hooks';
import { dismissNotSaved, type NotSaved, type State } from '../store';
import { refusalOf } from './gate';
import { names } from './names';
import { commandWords } from './plain';

/** The server's reason for a refusal, in words: as a gated control says it (`refusalOf`). */
export function refusalText(n: NotSaved): string {
  return refusalOf({ ok: false, decision: n.decision, errors: n.errors } as CommandResult) || 'refused by the server';
}

/** What a command carried besides who, when and its id: the content that was not saved. */
function content(n: NotSaved): string {
  const { id: _id, type: _type, actor: _actor, at: _at, ...rest } = n.command;
  return JSON.stringify(rest, null, 2);
}

function Item({ item }: { item: NotSaved }) {
  const [copied, setCopied] = useState(false);
  const text = content(item);
  const c = item.command;
  return (
    <li data-testid="not-saved-item" data-command={c.id} data-type={c.type} data-code={item.decision?.code ?? 'invalid-request'}>
      <p>
        {commandWords(c.type)} by {names().user(c.actor)} at{' '}
        <time dateTime={c.at}>{c.at.replace('T', ' ').slice(0, 16)}</time>:{' '}
        <span data-testid="not-saved-reason">{refusalText(item)}</span>
      </p>
      <label class="field">
        <span>What it carried</span>
        <textarea readOnly rows={Math.min(10, text.split('\n').length)} data-testid="not-saved-content" value={text} />
      </label>
      <div class="row">
        <button
          type="button"
          class="btn btn-plain"
          data-testid="not-saved-copy"
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="btn btn-plain" data-testid="not-saved-dismiss" onClick={() => dismissNotSaved(c.id)}>
          Dismiss
        </button>
      </div>
    </li>
  );
}

export function NotSavedList({ state }: { state: State }) {
  const n = state.notSaved.length;
  if (n === 0) return null;
  return (
    <section class="notice notice-error not-saved" data-testid="not-saved" aria-labelledby="not-saved-title">
      <h2 id="not-saved-title">
        Not saved: the server refused {n} {n === 1 ? 'change' : 'changes'}
      </h2>
      <p class="muted">
        These were made while the organisation changed (for example offline). They are not applied and will not be sent
        again; copy what you need before dismissing them.
      </p>
      <ol>
        {state.notSaved.map((item) => (
          <Item key={item.command.id} item={item} />
        ))}
      </ol>
    </section>
  );
}
