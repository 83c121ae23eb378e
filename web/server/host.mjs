// The organisation's host: the authoritative state in the package's engine
// (the same wasm engine as the browser), kept equal to the database's base
// snapshot plus its log (R4), changed only inside the store's write lock after
// catching up with what other processes committed (R5).

import { randomUUID } from 'node:crypto';
import { createEngine } from 'calm-access';

/** After this many log entries past the base, the log is compacted into a new base (R4). */
export const COMPACT_EVERY = 1000;
const SNAPSHOT_CACHE = 64;
/** At most this many requests share one transaction. */
const GROUP_COMMIT = 32;

/** A refusal that is not the engine's: `{ allowed: false, code, rule, message, requires }`. */
const denial = (code, rule, message, requires = {}) => ({ allowed: false, code, rule, message, requires });

const ACTOR_NOT_SIGNED_IN = denial('invalid-request', 'R1', 'actor must be the signed-in user');
const REVEAL_IS_A_REQUEST = denial(
  'invalid-request',
  'V7',
  'a reveal is a request to the server (POST /api/reveal), not a command to queue',
);

/** The JSON text of a value with its object keys sorted: equal for equal values. */
function canonical(value) {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** A promise chain: one function at a time, in call order. */
class Mutex {
  #tail = Promise.resolve();
  run(fn) {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => {});
    return result;
  }
}

async function loadEngine(store) {
  const org = await store.org();
  if (!org) throw new Error('the database holds no organisation: start once with --org SNAPSHOT.json to seed it');
  const engine = await createEngine();
  const loaded = engine.load(org.base);
  if (!loaded.ok) {
    const e = loaded.errors[0];
    throw new Error(`the stored base snapshot does not load: ${e.path || '/'}: ${e.message}`);
  }
  let revision = org.baseRevision;
  for (const entry of await store.logAfter(revision)) {
    replay(engine, entry);
    revision = entry.seq;
  }
  return { engine, revision, org };
}

/** Applies a stored log entry again; it was applied once on the same state, so it must apply again. */
function replay(engine, entry) {
  const outcome = engine.apply(JSON.parse(entry.command));
  if (!outcome.ok || outcome.duplicate) {
    throw new Error(`log entry ${entry.seq} does not apply again: ${JSON.stringify(outcome).slice(0, 300)}`);
  }
}

export class OrgHost {
  /** Opens the organisation held by `store` (seeded before). */
  static async open(store, { compactEvery = COMPACT_EVERY } = {}) {
    const host = new OrgHost(store, compactEvery);
    await host.#reload();
    return host;
  }

  constructor(store, compactEvery) {
    this.store = store;
    this.compactEvery = compactEvery;
    this.mutex = new Mutex();
    this.engine = null;
    // The engine that serves reveals (V7): the same state, plus the reveals
    // applied to it, which the main engine never sees (its viewer snapshots
    // stay masked). Made on the first reveal, kept in step after that.
    this.revealEngine = null;
    this.revision = 0;
    this.baseRevision = 0;
    this.snapshots = new Map();
    this.listeners = new Set();
    /** Requests waiting for the next transaction (group commit). */
    this.pending = [];
    this.flushing = false;
  }

  async #reload() {
    const { engine, revision, org } = await loadEngine(this.store);
    this.engine?.dispose();
    this.revealEngine?.dispose();
    this.revealEngine = null;
    this.engine = engine;
    this.orgId = org.orgId;
    this.baseRevision = org.baseRevision;
    this.#setRevision(revision);
    // The people of the demo's sign-in (no command adds or removes users).
    const base = JSON.parse(org.base);
    this.people = (Array.isArray(base.users) ? base.users : []).map((u) => ({ id: u.id, name: u.name ?? u.id }));
    this.userIds = new Set(this.people.map((p) => p.id));
  }

  #setRevision(revision) {
    if (revision === this.revision && this.engine) return;
    this.revision = revision;
    this.snapshots.clear();
    for (const listener of this.listeners) listener(revision);
  }

  /** Calls `listener(revision)` whenever this process learns of a newer revision. */
  onRevision(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Brings the engine up to the database's revision (inside a write, the locked one). */
  async #catchUp(tx) {
    const { revision, baseRevision } = await tx.revision();
    if (revision === this.revision) return;
    if (baseRevision > this.revision || revision < this.revision) {
      // Compacted past us (or a database replaced under us): start from its base.
      await this.#reload();
      if (this.revision !== revision) throw new Error(`reloaded at revision ${this.revision}, the database is at ${revision}`);
      return;
    }
    for (const entry of await tx.logAfter(this.revision)) {
      replay(this.engine, entry);
      if (this.revealEngine) replay(this.revealEngine, entry);
      this.#setRevision(entry.seq);
    }
    this.baseRevision = baseRevision;
  }

  /** Catches up with the database outside a write (reads, notifications from other processes). */
  refresh() {
    return this.mutex.run(async () => {
      const revision = await this.store.revision();
      if (revision === this.revision) return;
      const entries = await this.store.logAfter(this.revision);
      if (entries.length === 0 || entries[0].seq !== this.revision + 1) return this.#reload();
      for (const entry of entries) {
        replay(this.engine, entry);
        if (this.revealEngine) replay(this.revealEngine, entry);
        this.#setRevision(entry.seq);
      }
    });
  }

  /**
   * Runs `fn(tx)` holding this process's mutex and the database's lock, after
   * catching up. If anything fails, the transaction rolls back and the engine
   * is loaded again from the database, so it never holds what was not stored.
   */
  #write(fn) {
    return this.mutex.run(async () => {
      try {
        return await this.store.write(async (tx) => {
          await this.#catchUp(tx);
          return fn(tx);
        });
      } catch (error) {
        await this.#reload().catch((e) => console.error(`reload after a failed write: ${e.message}`));
        throw error;
      }
    });
  }

  /**
   * R3: applies `commands` in order for the signed-in `user`; one outcome per
   * command, answered after the transaction that stores them committed.
   * Requests that arrive while a transaction is being written wait for the
   * next one and share it (group commit: one disk flush for all of them), in
   * the order they arrived.
   */
  submit(user, commands) {
    return new Promise((resolve, reject) => {
      this.pending.push({ user, commands, resolve, reject });
      if (!this.flushing) this.#flush();
    });
  }

  async #flush() {
    this.flushing = true;
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, GROUP_COMMIT);
      try {
        const { answers, revision } = await this.#write(async (tx) => {
          const ids = group.flatMap((r) => r.commands.filter((c) => typeof c?.id === 'string').map((c) => c.id));
          const refused = await tx.refusals([...new Set(ids)]);
          const at = new Date().toISOString();
          let next = this.revision;
          const refuse = async (command, outcome) => {
            const text = canonical(command);
            refused.set(command.id, { command: text, outcome: JSON.stringify(outcome) });
            await tx.refuse({ id: command.id, actor: String(command.actor ?? ''), command: text, outcome: JSON.stringify(outcome), at });
            return outcome;
          };
          const context = { tx, refused, refuse, at, next: () => ++next };
          const out = [];
          for (const request of group) {
            const outcomes = [];
            for (const command of request.commands) outcomes.push(await this.#one(request.user, command, context));
            out.push(outcomes);
          }
          if (next !== this.revision) await tx.setRevision(next);
          return { answers: out, revision: next };
        });
        this.#setRevision(revision);
        group.forEach((request, i) => request.resolve({ outcomes: answers[i], revision }));
      } catch (error) {
        for (const request of group) request.reject(error);
      }
      if (this.revision - this.baseRevision >= this.compactEvery) await this.compact().catch((e) => console.error(`compaction: ${e.message}`));
    }
    this.flushing = false;
  }

  async #one(user, command, { tx, refused, refuse, at, next }) {
    if (command === null || typeof command !== 'object' || Array.isArray(command)) {
      return { id: null, ok: false, errors: [{ code: 'wrong-type', path: '', message: 'expected a command object' }] };
    }
    if (typeof command.id !== 'string' || command.id.length === 0) {
      return { id: null, ok: false, errors: [{ code: 'missing-field', path: '/id', message: 'expected a non-empty string `id`' }] };
    }
    const id = command.id;
    const previous = refused.get(id);
    if (previous) {
      // A refusal is final: the same command gets the same answer, another one reusing its id is refused.
      if (previous.command === canonical(command)) return JSON.parse(previous.outcome);
      return { id, ok: false, errors: [{ code: 'duplicate-command-id', path: '/id', message: `command id \`${id}\` was already used by a different command` }] };
    }
    let refusal = null;
    if (command.actor !== user) refusal = ACTOR_NOT_SIGNED_IN;
    else if (command.type === 'block.reveal') refusal = REVEAL_IS_A_REQUEST;
    if (refusal) {
      const outcome = { id, ok: false, decision: refusal };
      // An id that an applied command holds stays that command's: the refusal is answered, not stored.
      const probe = this.engine.dryRun(command);
      const taken = probe.duplicate || probe.errors?.some((e) => e.code === 'duplicate-command-id');
      return taken ? outcome : refuse(command, outcome);
    }
    const result = this.engine.apply(command);
    if (result.ok && result.duplicate) return { id, ok: true, duplicate: true, ...(result.result ? { result: result.result } : {}) };
    if (!result.ok) {
      const outcome = { id, ok: false, ...(result.decision ? { decision: result.decision } : {}), ...(result.errors ? { errors: result.errors } : {}) };
      if (result.errors?.some((e) => e.code === 'duplicate-command-id')) return outcome;
      return refuse(command, outcome);
    }
    if (this.revealEngine) {
      const again = this.revealEngine.apply(command);
      if (!again.ok) {
        this.revealEngine.dispose();
        this.revealEngine = null;
      }
    }
    const seq = next();
    const outcome = { id, ok: true, events: result.events, ...(result.result ? { result: result.result } : {}) };
    const text = JSON.stringify(outcome);
    await tx.append({ seq, id, actor: user, type: command.type, command: JSON.stringify(command), outcome: text, at });
    await tx.audit({ seq, at, actor: user, kind: 'command', commandId: id, type: String(command.type), events: JSON.stringify(result.events) });
    return outcome;
  }

  /** V7, R8: reveals a block for `user` if the engine allows it, and logs the reveal. */
  async reveal(user, record, block) {
    return this.#write(async (tx) => {
      if (!this.revealEngine) this.revealEngine = (await loadEngine(this.store)).engine;
      const at = new Date().toISOString();
      const command = { id: `reveal-${randomUUID()}`, type: 'block.reveal', actor: user, at, record, block };
      const result = this.revealEngine.apply(command);
      if (!result.ok) return { ok: false, decision: result.decision, errors: result.errors };
      const view = this.revealEngine.record(user, record);
      const found = Array.isArray(view?.blocks) ? view.blocks.find((b) => b?.id === block) : undefined;
      await tx.audit({ seq: null, at, actor: user, kind: 'reveal', commandId: command.id, type: 'block.reveal', events: JSON.stringify(result.events) });
      return { ok: true, record, block, data: found?.data ?? {}, event: result.events[0] };
    });
  }

  /** R2, V5: the viewer snapshot of `user` at the current revision, as JSON text. */
  async snapshotText(user) {
    await this.refresh();
    return this.mutex.run(() => {
      const key = `${this.revision}\u0000${user}`;
      let text = this.snapshots.get(key);
      if (text === undefined) {
        const snapshot = this.engine.viewerSnapshot(user, { revision: this.revision, issuedAt: new Date().toISOString() });
        text = JSON.stringify(snapshot);
        if (this.snapshots.size >= SNAPSHOT_CACHE) this.snapshots.delete(this.snapshots.keys().next().value);
        this.snapshots.set(key, text);
      }
      return { revision: this.revision, text };
    });
  }

  /** Whether `user` is an owner of the organisation (A6), as the engine's effective roles say. */
  /** The engine's decision on `action` at `target` for `user` (the server decides again, never trusting the browser). */
  decide(user, action, target) {
    return this.mutex.run(() => this.engine.explain(user, action, target));
  }

  isOwner(user) {
    return this.mutex.run(() => this.engine.roles(user).some((r) => r.sources?.some((s) => s.kind === 'owner')));
  }

  /** R4: writes the current state as the new base and drops the log entries it holds; the audit stays. */
  compact() {
    return this.#write(async (tx) => {
      const base = JSON.stringify(this.engine.snapshot());
      await tx.compact(base, this.revision);
      this.baseRevision = this.revision;
    });
  }

  /** Session writes share the mutex: SQLite has one connection, whose open transaction they must not join. */
  addSession(idHash, user) {
    return this.mutex.run(() => this.store.addSession(idHash, user));
  }

  dropSession(idHash) {
    return this.mutex.run(() => this.store.dropSession(idHash));
  }

  async close() {
    await this.mutex.run(async () => {
      this.engine?.dispose();
      this.revealEngine?.dispose();
      this.engine = null;
      this.revealEngine = null;
      await this.store.close();
    });
  }
}
