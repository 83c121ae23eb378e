// The app's state: the signed-in person, one engine holding their viewer
// snapshot (what the server lets them see, SERVER.md V) with the commands
// made here and not yet answered by the server replayed on top, the site
// being looked at, and the commands the server refused ("not saved").
//
// The server is the authority (R1-R8): every command goes through `run`
// (engine.apply, so the screen answers at once, offline too), is saved to
// IndexedDB and queued; `sync` sends the queue, then loads the server's
// viewer snapshot and replays only the commands the server has not answered
// (R7). A refusal is final: the command leaves the queue for the "not saved"
// list with the engine's reason. A newer revision announced on /api/events
// is fetched at once (R6), and what the new snapshot leaves out is gone from
// the engine, the screens and IndexedDB.
//
// No permission logic lives here or anywhere in the app: screens ask the
// engine (useCan, useDecision, useDryRun, the engine's views).

import { createEngine, type Command, type CommandResult, type Engine, type Snapshot } from 'calm-access';
import { useEffect, useState } from 'preact/hooks';
import { exists, kv, wipe } from './idb';

/** The signed-in person, as the server's session says. */
export interface Person {
  id: string;
  name: string;
}

/** A command the server refused (R3: final), with the engine's reason. */
export interface NotSaved {
  command: Command;
  decision?: { code: string; message: string };
  errors?: { code?: string; path?: string; message: string }[];
}

/** The server's answer to one command (R3). */
export type Outcome =
  | { id: string; ok: true; events?: unknown[]; result?: unknown; duplicate?: boolean }
  | { id: string; ok: false; decision?: NotSaved['decision']; errors?: NotSaved['errors'] };

/**
 * What is kept in IndexedDB while a person is signed in: under `base`, their
 * viewer snapshot as the server sent it; under `state`, whose it is, its
 * revision, the queue, the not-saved list and the site looked at. Sign-out
 * deletes the database.
 */
interface Saved {
  user: Person;
  revision: number;
  queue: Command[];
  notSaved: NotSaved[];
  site: string;
}

export interface State {
  engine: Engine;
  /** The signed-in person (the session's user: every command's actor). */
  person: Person;
  /** Their id, for the engine's questions. */
  user: string;
  /** The site the screens are looking at. */
  site: string;
  /** The server's revision of the snapshot the engine holds (V5). */
  revision: number;
  /** Bumped on every load and applied command: memoised answers are redone. */
  version: number;
  /** Bumped when a snapshot took something away: the screens are mounted afresh, so no state of theirs keeps it. */
  epoch: number;
  /** Commands made here and not yet answered by the server, in order. */
  queue: Command[];
  /** Commands the server refused, newest last. */
  notSaved: NotSaved[];
  online: boolean;
}

/** What the app shows before the store holds a person's data. */
export type Boot =
  | { kind: 'ready' }
  | { kind: 'signed-out'; reason?: string; waiting?: { user: Person; queue: number } }
  | { kind: 'unavailable'; reason: string };

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
 * The viewer snapshot as the engine holds it now, for lists and names (never
 * to decide anything). Exported once per change of the data and shared by
 * every screen. Read-only.
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

// ---- the server ----------------------------------------------------------------

/** Thrown when the server cannot be reached (offline, or it is down). */
class Unreachable extends Error {}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(`./api/${path}`, { credentials: 'same-origin', cache: 'no-store', ...init, headers });
  } catch (error) {
    throw new Unreachable(error instanceof Error ? error.message : String(error));
  }
}

async function errorOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { error?: string; decision?: { message?: string } } | null;
  return body?.error ?? body?.decision?.message ?? `HTTP ${response.status}`;
}

/** The demo people a signed-out browser may pick from (names only). */
export async function signInChoices(): Promise<Person[]> {
  const response = await call('session/people');
  if (!response.ok) throw new Error(`the list of people did not load: ${await errorOf(response)}`);
  const { people } = (await response.json()) as { people: Person[] };
  return people;
}

/** Signs in as `user` (the demo's sign-in: a person, no password); the page then starts again as them. */
export async function signIn(user: string): Promise<void> {
  const response = await call('session', { method: 'POST', body: JSON.stringify({ user }) });
  if (!response.ok) throw new Error(`sign-in refused: ${await errorOf(response)}`);
  const saved = (await exists()) ? await kv.get<Saved>('state').catch(() => undefined) : undefined;
  // Another person's data never stays in this browser.
  if (saved !== undefined && saved.user.id !== user) await forget();
  location.reload();
}

/**
 * Deletes everything of the signed-in person from this browser: IndexedDB,
 * caches holding organisation data, and memory (the page starts again).
 */
async function forget(): Promise<void> {
  // No write may reopen the database after this: wait for the last one, then delete it.
  forgotten = true;
  await saving;
  if (state !== undefined) {
    state.engine.dispose();
    state = undefined;
  }
  exported = undefined;
  events?.close();
  await wipe();
  if ('caches' in globalThis) {
    // The app's own files carry no organisation data; anything else cached goes.
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const path = new URL(request.url).pathname;
        if (path.includes('/api/') || path.includes('/demo/')) await cache.delete(request);
      }
    }
  }
}

/** Signs out: the server ends the session, and this browser forgets the person's data. */
export async function signOut(): Promise<void> {
  await call('session', { method: 'DELETE' }).catch(() => undefined);
  await forget();
  location.replace(location.pathname);
}

/** Whose session this browser has: a person, nobody (401), or no answer (offline). */
async function session(): Promise<Person | null | 'unreachable'> {
  try {
    const response = await call('session');
    // Signed out: `{ user: null }` (or a 401).
    if (response.status === 401) return null;
    if (!response.ok) return 'unreachable';
    const body = (await response.json()) as { user: Person | null };
    return body.user ?? null;
  } catch (error) {
    if (error instanceof Unreachable) return 'unreachable';
    throw error;
  }
}

/**
 * A viewer snapshot as the server sent it: its UTF-8 bytes, which the engine
 * loads and IndexedDB keeps as they are (no stringify, no structured clone of
 * the whole tree), and the object the screens read names and lists from.
 */
interface Base {
  bytes: Uint8Array;
  snapshot: Snapshot;
}

function baseOf(bytes: Uint8Array): Base {
  return { bytes, snapshot: JSON.parse(new TextDecoder().decode(bytes)) as Snapshot };
}

/** The kept base (bytes; an object as kept by an earlier version of the app), or undefined. */
async function keptBase(): Promise<Base | undefined> {
  const kept = await kv.get<ArrayBuffer | Snapshot>('base');
  if (kept === undefined) return undefined;
  if (kept instanceof ArrayBuffer) return baseOf(new Uint8Array(kept));
  return { bytes: new TextEncoder().encode(JSON.stringify(kept)), snapshot: kept };
}

/** The viewer snapshot, or null when the server says the one held (`revision`) is current (304). */
async function fetchSnapshot(revision: number | undefined): Promise<Base | null> {
  const headers: Record<string, string> = revision === undefined ? {} : { 'if-none-match': `"${revision}"` };
  const response = await call('snapshot', { headers });
  if (response.status === 304) return null;
  if (response.status === 401) throw new SignedOut();
  if (!response.ok) throw new Error(`the snapshot did not load: ${await errorOf(response)}`);
  return baseOf(new Uint8Array(await response.arrayBuffer()));
}

class SignedOut extends Error {}

function revisionOf(snapshot: Snapshot): number {
  const revision = (snapshot as Snapshot & { revision?: unknown }).revision;
  return typeof revision === 'number' ? revision : 0;
}

// ---- boot ------------------------------------------------------------------------

function firstSite(snapshot: Snapshot): string {
  return snapshot.sites.find((s) => s.parent === undefined)?.id ?? snapshot.sites[0]?.id ?? '';
}

/**
 * Starts the app: who is signed in (the server's session), then their
 * snapshot (from IndexedDB at once when kept here, and from the server).
 * Offline, a person signed in here before works on what is kept.
 */
export async function boot(): Promise<Boot> {
  const who = await session();
  const saved = (await exists()) ? await kv.get<Saved>('state').catch(() => undefined) : undefined;
  if (who === null) {
    // The session ended (not a sign-out here): what this person did offline waits for them to sign in again.
    const waiting = saved !== undefined && saved.queue.length > 0 ? { user: saved.user, queue: saved.queue.length } : undefined;
    if (waiting === undefined && (await exists())) await forget();
    return { kind: 'signed-out', waiting };
  }
  if (who === 'unreachable' && saved === undefined) {
    return { kind: 'unavailable', reason: 'The server cannot be reached, and nobody has signed in on this browser before.' };
  }
  const person = who === 'unreachable' ? saved!.user : who;
  if (saved !== undefined && saved.user.id !== person.id) {
    // Someone else's data was kept here: gone before this person's arrives.
    await forget();
    forgotten = false;
  }
  const mine = saved?.user.id === person.id ? saved : undefined;
  const base = mine === undefined ? undefined : await keptBase().catch(() => undefined);

  const engine = await createEngine();
  let held = base;
  if (held === undefined) {
    if (who === 'unreachable') return { kind: 'unavailable', reason: 'The server cannot be reached and nothing is kept here.' };
    held = (await fetchSnapshot(undefined))!;
  }
  const { snapshot } = held;
  const loaded = engine.load(held.bytes);
  if (!loaded.ok) {
    const first = loaded.errors[0];
    throw new Error(`the snapshot did not load: ${first?.path} ${first?.message}`);
  }
  state = {
    engine,
    person,
    user: person.id,
    site: mine?.site && snapshot.sites.some((s) => s.id === mine.site) ? mine.site : firstSite(snapshot),
    revision: revisionOf(snapshot),
    version: 1,
    epoch: 0,
    queue: mine?.queue ?? [],
    notSaved: mine?.notSaved ?? [],
    online: navigator.onLine,
  };
  replay(engine, state.queue);
  dataVersion += 1;
  if (state.queue.length === 0) exported = { dataVersion, snapshot };
  if (base === undefined) void saveBase(held.bytes);
  else void save();
  window.addEventListener('online', () => {
    set({ online: true });
    listen();
    void sync();
  });
  window.addEventListener('offline', () => set({ online: false }));
  listen();
  void sync();
  setInterval(() => void sync(), 30_000);
  return { kind: 'ready' };
}

// ---- IndexedDB -----------------------------------------------------------------

let saving: Promise<void> = Promise.resolve();
/** Set by sign-out (and sign-in as someone else): nothing is written to IndexedDB any more. */
let forgotten = false;

/** Runs the writes to IndexedDB one after another, in order: the last one wins. */
function queueWrite(write: () => Promise<void>): Promise<void> {
  if (forgotten) return saving;
  saving = saving.then(() => (forgotten ? undefined : write())).catch((error) => console.error('calm: saving to IndexedDB failed', error));
  return saving;
}

function savedNow(): Saved {
  const s = current();
  return { user: s.person, revision: s.revision, queue: s.queue, notSaved: s.notSaved, site: s.site };
}

/** Saves the small part of the state (who, revision, queue, not saved, where). */
function save(): Promise<void> {
  if (state === undefined || forgotten) return saving;
  const saved = savedNow();
  return queueWrite(() => kv.set('state', saved));
}

/** Makes `bytes` (the server's snapshot, for this person) the kept base, replacing the previous one. */
function saveBase(bytes: Uint8Array): Promise<void> {
  if (state === undefined || forgotten) return saving;
  const saved = savedNow();
  // The bytes alone (not a view of a larger buffer).
  const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  return queueWrite(async () => {
    await kv.set('base', copy);
    await kv.set('state', saved);
  });
}

// ---- commands --------------------------------------------------------------------

let counter = 0;

function commandId(): string {
  counter += 1;
  const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
  return `web-${random}-${counter}`;
}

/** The fields of a command other than those the app fills in. */
export type CommandFields = { type: string } & Record<string, unknown>;

/** A full command from its fields, made by the signed-in person now. */
export function command(fields: CommandFields, id = commandId()): Command {
  return { ...fields, id, actor: current().user, at: now() } as Command;
}

/**
 * Applies a command made by the signed-in person: the engine decides on the
 * snapshot held here; when it applies, it is saved and queued for the
 * server, which decides again on the authoritative state.
 */
export function run(fields: CommandFields): CommandResult {
  const made = command(fields);
  const s = current();
  const result = s.engine.apply(made);
  if (result.ok && result.duplicate !== true) {
    dataVersion += 1;
    set({ version: s.version + 1, queue: [...s.queue, made] });
    void save().then(sync);
  }
  return result;
}

/** Applies the queue on the engine's state; one that no longer applies here stays queued: the server decides. */
function replay(engine: Engine, queue: Command[]) {
  for (const c of queue) {
    const result = engine.apply(c);
    if (!result.ok) console.warn(`calm: a queued command does not apply on the new snapshot; the server will decide: ${c.type} ${c.id}`);
  }
}

export function viewSite(site: string) {
  set({ site, version: current().version + 1 });
  void save();
}

/** Removes a refused command from the not-saved list (after its content was copied). */
export function dismissNotSaved(id: string) {
  set({ notSaved: current().notSaved.filter((n) => n.command.id !== id) });
  void save();
}

// ---- sync --------------------------------------------------------------------------

let syncing = false;
let again = false;

/**
 * Sends the queue, then loads the server's viewer snapshot and replays what
 * the server has not answered (R7). One at a time; a call during a sync runs
 * the loop once more. Offline, or with the server down, everything waits.
 */
export async function sync(): Promise<void> {
  if (state === undefined) return;
  if (syncing) {
    again = true;
    return;
  }
  syncing = true;
  try {
    do {
      again = false;
      const answered = await send();
      await refresh(answered);
    } while (again);
  } catch (error) {
    if (error instanceof SignedOut) signedOut();
    else if (!(error instanceof Unreachable)) console.error('calm: sync failed', error);
  } finally {
    syncing = false;
  }
}

/** Sends the queue; the answered commands leave it (refused ones for "not saved"). Returns how many were answered. */
async function send(): Promise<number> {
  const sending = current().queue;
  if (sending.length === 0) return 0;
  const response = await call('commands', { method: 'POST', body: JSON.stringify({ commands: sending }) });
  if (response.status === 401) throw new SignedOut();
  if (!response.ok) {
    console.warn(`calm: the server did not take the queue: ${await errorOf(response)}`);
    return 0;
  }
  const { outcomes } = (await response.json()) as { outcomes: Outcome[] };
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const refused: NotSaved[] = [];
  for (const c of sending) {
    const o = byId.get(c.id);
    if (o !== undefined && !o.ok) refused.push({ command: c, decision: o.decision, errors: o.errors });
  }
  const s = current();
  set({ queue: s.queue.filter((c) => !byId.has(c.id)), notSaved: [...s.notSaved, ...refused] });
  await save();
  return byId.size;
}

/** The ids of the last snapshot loaded from the server (computed on the first refresh). */
let baseIds: Set<string> | undefined;

/** All `id` values anywhere in a snapshot: what it lets this person know of. */
function ids(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) ids(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'id' && typeof v === 'string') out.add(v);
      else if (typeof v === 'object') ids(v, out);
    }
  }
  return out;
}

/**
 * Fetches the viewer snapshot (304 when the revision held is current) and,
 * when it is new or commands were answered, rebases: the engine loads the
 * server's snapshot and the queue is replayed on top.
 */
async function refresh(answered: number): Promise<void> {
  const held = current();
  const fetched = await fetchSnapshot(held.revision);
  if (fetched === null && answered === 0) return;
  const kept = fetched === null || baseIds === undefined ? await keptBase() : undefined;
  const next = fetched ?? kept;
  if (next === undefined) return;
  const base = next.snapshot;
  // What the held snapshot let this person know of (from the kept copy the first time: no export of the engine's state).
  const before = fetched === null ? undefined : (baseIds ?? ids(kept?.snapshot));
  const s = current();
  const loaded = s.engine.load(next.bytes);
  if (!loaded.ok) {
    console.error('calm: the server sent a snapshot that does not load', loaded.errors[0]);
    return;
  }
  replay(s.engine, s.queue);
  dataVersion += 1;
  exported = undefined;
  // Something this person could see is gone (a revoked role, a deleted course): remount the screens.
  const after = fetched === null ? undefined : ids(fetched.snapshot);
  const removed = before !== undefined && after !== undefined && [...before].some((id) => !after.has(id));
  if (after !== undefined) baseIds = after;
  if (removed) revealed.clear();
  set({
    revision: revisionOf(base),
    version: s.version + 1,
    epoch: removed ? s.epoch + 1 : s.epoch,
    site: base.sites.some((x) => x.id === s.site) ? s.site : firstSite(base),
  });
  if (fetched !== null) await saveBase(fetched.bytes);
}

function signedOut() {
  // The server no longer knows this session: start again (the queue is kept for the same person).
  location.reload();
}

let events: EventSource | undefined;

/** Listens to /api/events: a newer revision than the one held is fetched at once (R6). */
function listen() {
  if (typeof EventSource === 'undefined' || (events !== undefined && events.readyState !== EventSource.CLOSED)) return;
  events = new EventSource('./api/events');
  events.onmessage = (message) => {
    const revision = (JSON.parse(String(message.data)) as { revision?: unknown }).revision;
    if (state !== undefined && (typeof revision !== 'number' || revision > state.revision)) void sync();
  };
  // The stream ended for good (a 401: the session was ended elsewhere; or a server error): a little later a sync
  // finds out (a sign-out starts the page again) and the stream is opened again.
  events.onerror = () => {
    if (events?.readyState === EventSource.CLOSED) setTimeout(() => void sync().then(listen), 3000);
  };
}

// ---- reveal (V7) -------------------------------------------------------------------

/** Blocks revealed in this page (V7): `record/block` -> data. Memory only, for this session. */
const revealed = new Map<string, Record<string, unknown>>();

export function revealedData(record: string, block: string): Record<string, unknown> | undefined {
  return revealed.get(`${record}/${block}`);
}

/**
 * Reveals a block (PW2) through the server, which checks the rule, records
 * the reveal in the audit log and returns the block's data. Offline it
 * cannot: the data is not in this browser.
 */
export async function reveal(record: string, block: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  let response: Response;
  try {
    response = await call('reveal', { method: 'POST', body: JSON.stringify({ record, block }) });
  } catch (error) {
    if (error instanceof Unreachable) return { ok: false, reason: 'the server cannot be reached: reveal needs it' };
    throw error;
  }
  if (!response.ok) return { ok: false, reason: await errorOf(response) };
  const { data } = (await response.json()) as { data: Record<string, unknown> };
  revealed.set(`${record}/${block}`, data);
  set({ version: current().version + 1 });
  void sync();
  return { ok: true };
}

// ---- audit (R8) ------------------------------------------------------------------

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  kind: string;
  type: string;
  command?: { id: string; type: string } | null;
  events?: { type: string; subject?: string; site?: string | null; details?: Record<string, unknown> }[];
}

/** A page of the audit log, newest first (owners). */
/** One iHasco sync applied at a site, as the server recorded it (GET /api/syncs, T13). */
export interface SyncEntry {
  at: string;
  actor: string;
  report: Record<string, unknown>;
}

/** The newest syncs applied at `site` (the server decides whether this person may see them). */
export async function syncHistory(site: string): Promise<SyncEntry[]> {
  const response = await call(`syncs?${new URLSearchParams({ site, limit: '20' })}`);
  if (!response.ok) throw new Error(await errorOf(response));
  return ((await response.json()) as { entries: SyncEntry[] }).entries;
}

export async function auditPage(before?: number, limit = 25): Promise<{ entries: AuditEntry[]; next?: number | null }> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (before !== undefined) query.set('before', String(before));
  const response = await call(`audit?${query}`);
  if (!response.ok) throw new Error(await errorOf(response));
  return (await response.json()) as { entries: AuditEntry[]; next?: number | null };
}
