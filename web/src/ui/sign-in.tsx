// The sign-in screen (R1): the demo signs in by choosing a person, without a
// password; the session lives on the server (an HttpOnly cookie). A
// signed-out browser gets the people's names from the server and nothing
// else of the organisation.

import { useEffect, useState } from 'preact/hooks';
import { signIn, signInChoices, type Person } from '../store';

export function SignIn({ waiting }: { waiting?: { user: Person; queue: number } }) {
  const [people, setPeople] = useState<Person[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  useEffect(() => {
    signInChoices().then(setPeople, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    document.documentElement.dataset.ready = 'signed-out';
  }, []);
  return (
    <main id="main" class="sign-in" data-testid="sign-in-screen">
      <h1>Sign in to CalmCompliance</h1>
      <p class="muted">This is a demo: choose who you are. The server keeps your session and decides what you may see and do.</p>
      {waiting && (
        <p class="notice" data-testid="sign-in-waiting">
          {waiting.queue} {waiting.queue === 1 ? 'change' : 'changes'} made here by {waiting.user.name} have not reached the
          server yet. Sign in as {waiting.user.name} to send them; signing in as anyone else deletes them from this
          browser.
        </p>
      )}
      {error !== null && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {people === null && error === null && <p class="muted">Loading the demo people…</p>}
      {people !== null && (
        <ul class="sign-in-people">
          {people.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                class="btn btn-plain"
                data-testid="sign-in"
                data-user={p.id}
                disabled={busy !== null}
                onClick={() => {
                  setBusy(p.id);
                  signIn(p.id).catch((e: unknown) => {
                    setBusy(null);
                    setError(e instanceof Error ? e.message : String(e));
                  });
                }}
              >
                {p.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
