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

/**
 * What is kept in IndexedDB: under `base`, the organisation as loaded; under
 * `state`, the commands applied since (replayed on the next start; the engine
 * is deterministic and takes its time from the command), the unsent queue,
 * and who and where the app was looking. Saving a command writes only the
 * small `state`, never the whole organisation (an export of the large demo
 * org takes seconds).
 */
interface Saved {
  org: OrgSize;
  applied: Command[];
  queue: Command[];
  user: string;
  site: string;
}

/** After this many applied commands the state is folded into a new base. */
const COMPACT_AFTER = 500;

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

let dataVersion = 0;
let exported: { dataVersion: number; snapshot: Snapshot } | undefined;

/**
 * The organisation as the engine holds it now, for lists and names (never to
 * decide anything). Exported once per change of the data and shared by every
 * screen: switching who or where does not export again. Read-only.
 */
export function snapshotNow(): Snapshot {
  const s = current();
  if (exported?.dataVersion !== dataVersion) exported = { dataVersion, snapshot: s.engine.snapshot() };
  return exported.snapshot;
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
  const base = saved?.org === org ? await kv.get<Snapshot>('base').catch(() => undefined) : undefined;
  const fresh = saved === undefined || base === undefined || !Array.isArray(saved.applied);
  const snapshot = fresh ? await fetchDemo(org) : base;
  const loaded = engine.load(snapshot);
  if (!loaded.ok) {
    const first = loaded.errors[0];
    throw new Error(`the organisation did not load: ${first?.path} ${first?.message}`);
  }
  // Replay what was done here since: the same commands give the same state.
  const applied: Command[] = [];
  for (const c of fresh ? [] : saved!.applied) {
    if (engine.apply(c).ok) applied.push(c);
    else console.warn(`calm: a saved command no longer applies and was dropped: ${c.type} ${c.id}`);
  }
  state = {
    engine,
    org,
    user: fresh ? firstUser(snapshot) : saved!.user,
    site: fresh ? firstSite(snapshot) : saved!.site,
    version: 1,
    queue: fresh ? [] : saved!.queue,
    online: navigator.onLine,
  };
  appliedSinceBase = applied;
  dataVersion += 1;
  // Nothing replayed: the object just loaded is the state, no export needed.
  if (applied.length === 0) exported = { dataVersion, snapshot };
  if (fresh) void saveBase(snapshot);
  window.addEventListener('online', () => {
    set({ online: true });
    void flush();
  });
  window.addEventListener('offline', () => set({ online: false }));
  void flush();
  return state;
}

let appliedSinceBase: Command[] = [];
let saving: Promise<void> = Promise.resolve();

/** Runs the writes to IndexedDB one after another, in order: the last one wins. */
function queueWrite(write: () => Promise<void>): Promise<void> {
  saving = saving.then(write).catch((error) => console.error('calm: saving to IndexedDB failed', error));
  return saving;
}

/** Saves the small part of the state (applied commands, queue, who, where). */
function save(): Promise<void> {
  const s = current();
  const saved: Saved = { org: s.org, applied: appliedSinceBase, queue: s.queue, user: s.user, site: s.site };
  return queueWrite(() => kv.set('state', saved));
}

/** Makes `snapshot` the new base: the commands applied so far are in it. */
function saveBase(snapshot: Snapshot): Promise<void> {
  appliedSinceBase = [];
  const s = current();
  const saved: Saved = { org: s.org, applied: [], queue: s.queue, user: s.user, site: s.site };
  return queueWrite(async () => {
    await kv.set('base', snapshot);
    await kv.set('state', saved);
  });
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
  if (result.ok && result.duplicate !== true) {
    appliedSinceBase.push(made);
    dataVersion += 1;
    set({ version: s.version + 1, queue: [...s.queue, made] });
    const write = appliedSinceBase.length >= COMPACT_AFTER ? saveBase(s.engine.snapshot()) : save();
    void write.then(flush);
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
  const snapshot = structuredClone(snapshotNow());
  const entitlements = new Set(snapshot.organisation.entitlements ?? []);
  if (on) entitlements.add(module);
  else entitlements.delete(module);
  snapshot.organisation.entitlements = [...entitlements];
  const loaded = s.engine.load(snapshot);
  if (!loaded.ok) throw new Error(`entitlement change refused: ${loaded.errors[0]?.message}`);
  dataVersion += 1;
  set({ version: s.version + 1 });
  void saveBase(snapshot);
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
