// Confirmation before a destructive command, and the outcome that stays on
// screen after it (issue 12). <ConfirmDialog> is a modal <dialog> opened with
// showModal(): the rest of the page is inert while it is open, focus starts on
// Cancel (the safe choice), Escape cancels, and focus goes back to the button
// that opened it. It names what will be lost: the people whose training is
// withdrawn, the blocks, contacts or records that go with it.

import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';

/** What a confirmation says: its title, what will be lost, and the confirming button's words. */
export interface Confirmation {
  title: string;
  /** What will be lost, in words (lists of names are welcome). */
  body: ComponentChildren;
  /** The confirming button, e.g. "Delete company". */
  confirm: string;
}

export function ConfirmDialog({
  confirmation,
  onConfirm,
  onCancel,
}: {
  confirmation: Confirmation;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const opener = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    cancelRef.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      opener?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="confirm"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      data-testid="confirm-dialog"
      onCancel={(e) => {
        // Escape: the browser would close the dialog itself; the owner decides.
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>{confirmation.title}</h2>
      <div id={bodyId} class="confirm-body">
        {confirmation.body}
      </div>
      <div class="row confirm-actions">
        <button ref={cancelRef} type="button" class="btn btn-plain" data-testid="confirm-cancel" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class="btn btn-danger-solid" data-testid="confirm-ok" onClick={onConfirm}>
          {confirmation.confirm}
        </button>
      </div>
    </dialog>
  );
}

// The last outcome, kept across a change of screen (deleting a company goes
// back to the list): shown once at the top of the next screen by <Flash>.
let flashed: { text: string; n: number } | null = null;
const listeners = new Set<() => void>();
let counter = 0;

/** Shows `text` as the outcome of what was just done, above the screen. */
export function flash(text: string): void {
  counter += 1;
  flashed = { text, n: counter };
  for (const listener of listeners) listener();
}

export function Flash() {
  const [shown, setShown] = useState(flashed);
  useEffect(() => {
    const update = () => setShown(flashed);
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return (
    <div class="flash-region" role="status" aria-live="polite" data-testid="flash">
      {shown && (
        <p class="notice notice-ok" key={shown.n}>
          {shown.text}{' '}
          <button
            type="button"
            class="btn btn-plain"
            onClick={() => {
              flashed = null;
              setShown(null);
            }}
          >
            Dismiss
          </button>
        </p>
      )}
    </div>
  );
}
