// The app's frame: who is signed in (and Sign out), the site, the queue
// marker, the commands the server refused, the navigation, and the routed
// screen. Every navigation entry is gated by the engine.

import type { ActionId, Target } from 'calm-access';
import { AccessProvider } from 'calm-access/preact';
import { useEffect, useState } from 'preact/hooks';
import { href, useRoute } from './route';
import { AttemptsReview, CourseBuilder, CourseList, Inbox, Insights, TakeCourse } from './screens/training';
import { Companies, People, PersonnelSettings, RecordScreen } from './screens/personnel';
import { Integrations, UserManagement } from './screens/settings';
import { signOut, snapshotNow, useStore, viewSite, type State } from './store';
import { AuditLog } from './screens/audit';
import { NotSavedList } from './ui/not-saved';
import { GateLink } from './ui/gate';
import { Flash } from './ui/confirm';
import { commandWords } from './ui/plain';

interface NavEntry {
  path: string;
  label: string;
  action: ActionId;
  /** The target asked about; the site looked at when absent. */
  target?: (state: State) => Target;
}

const NAV: { section: string; entries: NavEntry[] }[] = [
  {
    section: 'Training',
    entries: [
      { path: 'inbox', label: 'My Courses', action: 'training.progress.view_own' },
      { path: 'courses', label: 'Courses', action: 'training.course.create' },
      { path: 'insights', label: 'Training Insights', action: 'training.insights.view' },
    ],
  },
  {
    section: 'Personnel',
    entries: [
      { path: 'people', label: 'People', action: 'personnel.record.view' },
      { path: 'companies', label: 'Companies', action: 'personnel.company.view' },
    ],
  },
  {
    section: 'Settings',
    entries: [
      { path: 'settings/personnel', label: 'Personnel', action: 'personnel.settings.view' },
      { path: 'settings/users', label: 'User Management', action: 'users.view' },
      { path: 'settings/integrations', label: 'Integrations', action: 'personnel.training.manage' },
      // The audit log is the owners' (R8): the engine says who is an owner by S2 (only an owner may make one).
      { path: 'audit', label: 'Audit log', action: 'users.owner.set', target: (s) => ({ target: s.user }) },
    ],
  },
];

function Screen({ route }: { route: string[] }) {
  const [first = 'inbox', second, third] = route;
  if (first === 'inbox') return <Inbox />;
  if (first === 'learn' && second) return <TakeCourse fulfillment={second} />;
  if (first === 'courses') return second ? <CourseBuilder course={second} /> : <CourseList />;
  if (first === 'insights') return <Insights />;
  if (first === 'review' && second) return <AttemptsReview person={second} />;
  if (first === 'people') return second ? <RecordScreen record={second} /> : <People />;
  if (first === 'companies') return <Companies company={second} />;
  if (first === 'settings' && second === 'personnel') return <PersonnelSettings />;
  if (first === 'settings' && second === 'users') return <UserManagement target={third} />;
  if (first === 'settings' && second === 'integrations') return <Integrations />;
  if (first === 'audit') return <AuditLog />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no screen at <code>{location.hash}</code>. <a href={href('inbox')}>Go to My Courses</a>.
      </p>
    </section>
  );
}

function QueueMarker({ state }: { state: State }) {
  const waiting = state.queue.length;
  return (
    <div class="queue" data-testid="queue" data-waiting={waiting} aria-live="polite">
      <span class={state.online ? 'dot dot-online' : 'dot dot-offline'} aria-hidden="true" />
      <span data-testid="network">{state.online ? 'Online' : 'Offline'}</span>
      {waiting === 0 ? (
        <span class="queue-empty">All changes sent</span>
      ) : (
        <details class="queue-list">
          <summary data-testid="queue-count">
            {waiting} {waiting === 1 ? 'change' : 'changes'} waiting to be sent
          </summary>
          <ol>
            {state.queue.map((c) => (
              <li key={c.id}>
                {commandWords(c.type)} <time dateTime={c.at}>{c.at.replace('T', ' ').slice(0, 16)}</time>
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}

function Header({ state, menuOpen, toggleMenu }: { state: State; menuOpen: boolean; toggleMenu: () => void }) {
  const snapshot = snapshotNow();
  const waiting = state.queue.length;
  return (
    <header class="top">
      {/* On a narrow screen the navigation folds away behind this button (styles.css). */}
      <button
        type="button"
        class="btn menu-button"
        data-testid="menu"
        aria-expanded={menuOpen ? 'true' : 'false'}
        aria-controls="main-nav"
        onClick={toggleMenu}
      >
        Menu
      </button>
      <a class="brand" href={href('inbox')}>
        CalmCompliance
      </a>
      <span class="signed-in" data-testid="signed-in" data-user={state.user}>
        Signed in as <strong>{state.person.name}</strong>
      </span>
      <button
        type="button"
        class="btn btn-plain"
        data-testid="sign-out"
        onClick={() => {
          const warn = `${waiting} ${waiting === 1 ? 'change has' : 'changes have'} not reached the server yet and will be lost. Sign out anyway?`;
          if (waiting === 0 || confirm(warn)) void signOut();
        }}
      >
        Sign out
      </button>
      <label>
        Site{' '}
        <select data-testid="site" value={state.site} onChange={(e) => viewSite((e.target as HTMLSelectElement).value)}>
          {snapshot.sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name ?? s.id}
            </option>
          ))}
        </select>
      </label>
      <QueueMarker state={state} />
    </header>
  );
}

export function App() {
  const state = useStore();
  const route = useRoute();
  useEffect(() => {
    // The first gated screen is on the page: the bench (bench/web/) reads this.
    performance.mark('calm:first-screen');
    document.documentElement.dataset.ready = 'true';
  }, []);
  const active = route.join('/');
  // The menu (on a phone) is open on the screen it was opened on: choosing
  // another screen closes it in the same render, with no frame of the new
  // screen under an open menu.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const menuOpen = openOn === active;
  return (
    <AccessProvider engine={state.engine} user={state.user}>
      <Header state={state} menuOpen={menuOpen} toggleMenu={() => setOpenOn(menuOpen ? null : active)} />
      <div class="layout">
        <nav aria-label="Main" id="main-nav" class={menuOpen ? 'nav-open' : undefined}>
          {NAV.map(({ section, entries }) => (
            <div key={section} class="nav-section">
              <h2>{section}</h2>
              <ul>
                {entries.map((e) => (
                  <li key={e.path} class={active.startsWith(e.path) ? 'active' : undefined}>
                    <GateLink action={e.action} target={e.target?.(state) ?? state.site} href={href(...e.path.split('/'))}>
                      {e.label}
                    </GateLink>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <main id="main" key={`${state.user}@${state.site}#${state.epoch}`}>
          <NotSavedList state={state} />
          <Flash />
          <Screen key={active} route={route} />
        </main>
      </div>
    </AccessProvider>
  );
}
