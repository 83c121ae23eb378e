// The app's state: one engine holding the organisation, who the app acts as,
// at which site, and the commands made here that the server has not yet
// acknowledged. Every change goes through `run` (engine.apply: the engine
// checks it with the same decision function the UI gates ask), is saved to
// IndexedDB, and queued for the server.
//
// No permission logic lives here or anywhere in the app: screens ask the
// engine (useCan, useDecision, useDryRun, the engine's views).

import { createEngine, type Command, type CommandResult, type Engine, type Snapshot } from 'calm-access';
import { useEffect, useState } from 'preact/hooks';
import { kv } from './idb';

export type OrgSize = 'small' | 'large';

/** What is kept in IndexedDB under `state`. */
interface Saved {
  org: OrgSize;
  snapshot: Snapshot;
  queue: Command[];
  user: string;
  site: string;
}

export interface State {
  engine: Engine;
  org: OrgSize;
  /** The acting user (the demo's switcher). */
  user: string;
  /** The site the screens are looking at. */
  site: string;
  /** Bumped on every load and applied command: memoised answers are redone. */
  version: number;
  /** Commands made here and not yet acknowledged by the server. */
  queue: Command[];
  online: boolean;
  /** Set while the last save to IndexedDB has not finished. */
  saving: boolean;
}

let state: State | undefined;
const listeners = new Set<() => void>();

function set(patch: Partial<State>) {
  if (state === undefined) throw new Error('store used before boot');
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

export function current(): State {
  if (state === undefined) throw new Error('store used before boot');
  return state;
}

/** The state, re-rendering the component when it changes. */
export function useStore(): State {
  const [, force] = useState(0);
  useEffect(() => {
    const listener = () => force((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return current();
}

/** Today's date (YYYY-MM-DD) for the training views: the engine reads no clock. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function now(): string {
  return new Date().toISOString();
}

function demoUrl(org: OrgSize): string {
  return org === 'large' ? './demo/demo-org-large.json' : './demo/demo-org.json';
}

async function fetchDemo(org: OrgSize): Promise<Snapshot> {
  const response = await fetch(demoUrl(org));
  if (!response.ok) throw new Error(`cannot fetch the ${org} demo organisation: HTTP ${response.status}`);
  return (await response.json()) as Snapshot;
}

function firstUser(snapshot: Snapshot): string {
  return snapshot.organisation.owners?.[0] ?? snapshot.users[0]?.id ?? '';
}

function firstSite(snapshot: Snapshot): string {
  return snapshot.sites.find((s) => s.parent === undefined)?.id ?? snapshot.sites[0]?.id ?? '';
}

/** Loads the engine and the organisation: the saved one if there is one, else the demo. */
export async function boot(org: OrgSize): Promise<State> {
  const engine = await createEngine();
  const saved = await kv.get<Saved>('state').catch(() => undefined);
  let snapshot: Snapshot;
  let queue: Command[] = [];
  let user: string;
  let site: string;
  if (saved !== undefined && saved.org === org) {
    ({ snapshot, queue, user, site } = saved);
  } else {
    snapshot = await fetchDemo(org);
    user = firstUser(snapshot);
    site = firstSite(snapshot);
  }
  const loaded = engine.load(snapshot);
  if (!loaded.ok) {
    const first = loaded.errors[0];
    throw new Error(`the organisation did not load: ${first?.path} ${first?.message}`);
  }
  state = { engine, org, user, site, version: 1, queue, online: navigator.onLine, saving: false };
  if (saved === undefined || saved.org !== org) void save();
  window.addEventListener('online', () => {
    set({ online: true });
    void flush();
  });
  window.addEventListener('offline', () => set({ online: false }));
  void flush();
  return state;
}

let saving: Promise<void> = Promise.resolve();

/** Saves the state to IndexedDB; saves are serialised, the last one wins. */
function save(): Promise<void> {
  const s = current();
  const saved: Saved = { org: s.org, snapshot: s.engine.snapshot(), queue: s.queue, user: s.user, site: s.site };
  set({ saving: true });
  saving = saving
    .then(() => kv.set('state', saved))
    .catch((error) => console.error('calm: saving to IndexedDB failed', error))
    .finally(() => set({ saving: false }));
  return saving;
}

/** Resolves when every save so far has reached IndexedDB. */
export function saved(): Promise<void> {
  return saving;
}

let counter = 0;

function commandId(): string {
  counter += 1;
  const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
  return `web-${random}-${counter}`;
}

/** The fields of a command other than those the app fills in. */
export type CommandFields = { type: string } & Record<string, unknown>;

/** A full command from its fields, made by the acting user now. */
export function command(fields: CommandFields, id = commandId()): Command {
  return { ...fields, id, actor: current().user, at: now() } as Command;
}

/**
 * Applies a command made by the acting user: the engine decides; when it
 * applies, the new state is saved and the command queued for the server.
 */
export function run(fields: CommandFields): CommandResult {
  const made = command(fields);
  const s = current();
  const result = s.engine.apply(made);
  if (result.ok) {
    set({ version: s.version + 1, queue: [...s.queue, made] });
    void save().then(flush);
  }
  return result;
}

export function actAs(user: string) {
  set({ user, version: current().version + 1 });
  void save();
}

export function viewSite(site: string) {
  set({ site, version: current().version + 1 });
  void save();
}

/** Switches a module entitlement of the demo organisation (what the subscription would change). */
export function setEntitlement(module: string, on: boolean): void {
  const s = current();
  const snapshot = s.engine.snapshot();
  const entitlements = new Set(snapshot.organisation.entitlements ?? []);
  if (on) entitlements.add(module);
  else entitlements.delete(module);
  snapshot.organisation.entitlements = [...entitlements];
  const loaded = s.engine.load(snapshot);
  if (!loaded.ok) throw new Error(`entitlement change refused: ${loaded.errors[0]?.message}`);
  set({ version: s.version + 1 });
  void save();
}

/** Forgets everything saved here and starts again from the demo organisation. */
export async function reset(): Promise<void> {
  await kv.clear();
  location.reload();
}

let flushing = false;

/**
 * Sends the queue to the server. The server acknowledges the ids it has
 * recorded; those leave the queue. Offline, or with the server down, the
 * queue waits (and survives reloads in IndexedDB).
 */
export async function flush(): Promise<void> {
  const s = current();
  if (flushing || s.queue.length === 0) return;
  flushing = true;
  try {
    const response = await fetch('./api/commands', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ commands: s.queue }),
    });
    if (!response.ok) return;
    const { accepted } = (await response.json()) as { accepted: string[] };
    const done = new Set(accepted);
    set({ queue: current().queue.filter((c) => !done.has(c.id)) });
    await save();
  } catch {
    // Offline or the server is down: keep the queue.
  } finally {
    flushing = false;
  }
}

setInterval(() => {
  if (state !== undefined) void flush();
}, 5000);
