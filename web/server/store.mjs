// The server's database (SERVER.md R4, R5): one organisation per database,
// stored as a base snapshot plus the ordered log of the commands applied
// since, with their outcomes; the refused commands (a refusal is final); the
// audit trail (R8); the sessions (R1).
//
// Two stores with one interface: SQLite through better-sqlite3 (a file, WAL,
// synchronous=FULL: a commit is on disk before it returns) and PostgreSQL
// through pg. Every write goes through `write(fn)`, which holds the
// organisation's lock for the whole transaction (SQLite: BEGIN IMMEDIATE;
// PostgreSQL: SELECT ... FOR UPDATE on the organisation's row), so that
// several processes sharing one database apply commands one at a time, in the
// order the database commits them.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const TABLES = {
  org: `CREATE TABLE IF NOT EXISTS org (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    org_id TEXT NOT NULL,
    revision BIGINT NOT NULL,
    base_revision BIGINT NOT NULL,
    base TEXT NOT NULL,
    created_at TEXT NOT NULL)`,
  log: `CREATE TABLE IF NOT EXISTS log (
    seq BIGINT PRIMARY KEY,
    command_id TEXT NOT NULL UNIQUE,
    actor TEXT NOT NULL,
    type TEXT NOT NULL,
    command TEXT NOT NULL,
    outcome TEXT NOT NULL,
    stored_at TEXT NOT NULL)`,
  refusals: `CREATE TABLE IF NOT EXISTS refusals (
    command_id TEXT PRIMARY KEY,
    actor TEXT NOT NULL,
    command TEXT NOT NULL,
    outcome TEXT NOT NULL,
    stored_at TEXT NOT NULL)`,
  sessions: `CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at TEXT NOT NULL)`,
};
// The audit trail outlives compaction: it is not the log.
const AUDIT_SQLITE = `CREATE TABLE IF NOT EXISTS audit (
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  seq BIGINT, at TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
  command_id TEXT, type TEXT NOT NULL, events TEXT NOT NULL)`;
const AUDIT_PG = `CREATE TABLE IF NOT EXISTS audit (
  n BIGSERIAL PRIMARY KEY,
  seq BIGINT, at TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
  command_id TEXT, type TEXT NOT NULL, events TEXT NOT NULL)`;

/** The PostgreSQL channel a process notifies when it committed a revision. */
const CHANNEL = 'calm_revision';
// The advisory lock key that serialises schema creation and seeding.
const INIT_LOCK = 72430110;

const num = (v) => (v === null || v === undefined ? v : Number(v));
const orgRow = (row) =>
  row && {
    orgId: row.org_id,
    revision: num(row.revision),
    baseRevision: num(row.base_revision),
    base: row.base,
    createdAt: row.created_at,
  };
const auditRow = (row) => ({
  n: num(row.n),
  seq: num(row.seq),
  at: row.at,
  actor: row.actor,
  kind: row.kind,
  commandId: row.command_id,
  type: row.type,
  events: JSON.parse(row.events),
});

/** Opens the store named by `spec`: a `postgres://` / `postgresql://` URL, `:memory:`, or a SQLite file path. */
export async function openStore(spec) {
  if (/^postgres(ql)?:\/\//i.test(spec)) return PgStore.open(spec);
  return SqliteStore.open(spec);
}

class SqliteStore {
  static async open(file) {
    const { default: Database } = await import('better-sqlite3');
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 10000');
    for (const sql of [...Object.values(TABLES), AUDIT_SQLITE]) db.exec(sql);
    return new SqliteStore(db, file);
  }

  constructor(db, file) {
    this.kind = 'sqlite';
    this.label = file === ':memory:' ? 'SQLite (in memory)' : `SQLite ${resolve(file)}`;
    this.db = db;
    const q = (sql) => db.prepare(sql);
    this.q = {
      org: q('SELECT * FROM org WHERE id = 1'),
      revision: q('SELECT revision, base_revision FROM org WHERE id = 1'),
      seed: q('INSERT INTO org (id, org_id, revision, base_revision, base, created_at) VALUES (1, ?, 0, 0, ?, ?)'),
      logAfter: q('SELECT seq, command FROM log WHERE seq > ? ORDER BY seq'),
      logAll: q('SELECT seq, command_id, command, outcome FROM log ORDER BY seq'),
      append: q('INSERT INTO log (seq, command_id, actor, type, command, outcome, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      setRevision: q('UPDATE org SET revision = ? WHERE id = 1'),
      refusal: q('SELECT command, outcome FROM refusals WHERE command_id = ?'),
      refuse: q('INSERT INTO refusals (command_id, actor, command, outcome, stored_at) VALUES (?, ?, ?, ?, ?)'),
      audit: q('INSERT INTO audit (seq, at, actor, kind, command_id, type, events) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      auditPage: q('SELECT * FROM audit WHERE n < ? ORDER BY n DESC LIMIT ?'),
      auditOfType: q('SELECT * FROM audit WHERE type = ? ORDER BY n DESC LIMIT ?'),
      compact: q('UPDATE org SET base = ?, base_revision = ? WHERE id = 1'),
      dropLog: q('DELETE FROM log WHERE seq <= ?'),
      session: q('SELECT user_id FROM sessions WHERE id_hash = ?'),
      addSession: q('INSERT INTO sessions (id_hash, user_id, created_at) VALUES (?, ?, ?)'),
      dropSession: q('DELETE FROM sessions WHERE id_hash = ?'),
    };
    this.tx = {
      revision: async () => {
        const r = this.q.revision.get();
        return { revision: num(r.revision), baseRevision: num(r.base_revision) };
      },
      logAfter: async (seq) => this.q.logAfter.all(seq).map((r) => ({ seq: num(r.seq), command: r.command })),
      refusals: async (ids) => {
        const found = new Map();
        for (const id of ids) {
          const row = this.q.refusal.get(id);
          if (row) found.set(id, row);
        }
        return found;
      },
      append: async (e) => {
        this.q.append.run(e.seq, e.id, e.actor, e.type, e.command, e.outcome, e.at);
      },
      refuse: async (e) => {
        this.q.refuse.run(e.id, e.actor, e.command, e.outcome, e.at);
      },
      audit: async (a) => {
        this.q.audit.run(a.seq, a.at, a.actor, a.kind, a.commandId, a.type, a.events);
      },
      setRevision: async (revision) => {
        this.q.setRevision.run(revision);
      },
      compact: async (base, revision) => {
        this.q.compact.run(base, revision);
        this.q.dropLog.run(revision);
      },
    };
  }

  /** Seeds an empty database with `snapshotText`; false when it already holds an organisation. */
  async seed(orgId, snapshotText) {
    return this.db.transaction(() => {
      if (this.q.org.get()) return false;
      this.q.seed.run(orgId, snapshotText, new Date().toISOString());
      return true;
    }).immediate();
  }

  async org() {
    return orgRow(this.q.org.get());
  }

  async revision() {
    const r = this.q.revision.get();
    return r ? num(r.revision) : 0;
  }

  /** The log (every entry still there, oldest first): `{ seq, commandId, command, outcome }` (JSON text). */
  async log() {
    return this.q.logAll.all().map((r) => ({ seq: num(r.seq), commandId: r.command_id, command: r.command, outcome: r.outcome }));
  }

  async logAfter(seq) {
    return this.tx.logAfter(seq);
  }

  /** Runs `fn(tx)` in one transaction holding the organisation's lock; commits when it returns. */
  async write(fn) {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const value = await fn(this.tx);
      this.db.exec('COMMIT');
      return value;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async auditPage(before, limit) {
    return this.q.auditPage.all(before, limit).map(auditRow);
  }

  /** The newest `limit` audit entries of one command type (the sync history). */
  async auditOfType(type, limit) {
    return this.q.auditOfType.all(type, limit).map(auditRow);
  }

  async sessionUser(idHash) {
    return this.q.session.get(idHash)?.user_id ?? null;
  }

  async addSession(idHash, user) {
    this.q.addSession.run(idHash, user, new Date().toISOString());
  }

  async dropSession(idHash) {
    this.q.dropSession.run(idHash);
  }

  /** SQLite has one writing process: nothing to listen to. */
  async listen() {}

  async close() {
    if (this.db.open) this.db.close();
  }
}

class PgStore {
  static async open(url) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, max: 6 });
    // A connection that breaks while idle must not take the process down.
    pool.on('error', (error) => console.error(`postgres: ${error.message}`));
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [INIT_LOCK]);
      for (const sql of [...Object.values(TABLES), AUDIT_PG]) await client.query(sql);
      await client.query('SELECT pg_advisory_unlock($1)', [INIT_LOCK]);
    } finally {
      client.release();
    }
    return new PgStore(pg, pool, url);
  }

  constructor(pg, pool, url) {
    this.kind = 'postgres';
    const where = new URL(url);
    this.label = `PostgreSQL ${where.host}${where.pathname}`;
    this.pg = pg;
    this.pool = pool;
    this.url = url;
    this.listener = null;
  }

  async seed(orgId, snapshotText) {
    return this.#transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [INIT_LOCK]);
      const { rows } = await c.query('SELECT 1 FROM org WHERE id = 1');
      if (rows.length > 0) return false;
      await c.query(
        'INSERT INTO org (id, org_id, revision, base_revision, base, created_at) VALUES (1, $1, 0, 0, $2, $3)',
        [orgId, snapshotText, new Date().toISOString()],
      );
      return true;
    });
  }

  async org() {
    const { rows } = await this.pool.query('SELECT * FROM org WHERE id = 1');
    return orgRow(rows[0]);
  }

  async revision() {
    const { rows } = await this.pool.query('SELECT revision FROM org WHERE id = 1');
    return rows[0] ? num(rows[0].revision) : 0;
  }

  async log() {
    const { rows } = await this.pool.query('SELECT seq, command_id, command, outcome FROM log ORDER BY seq');
    return rows.map((r) => ({ seq: num(r.seq), commandId: r.command_id, command: r.command, outcome: r.outcome }));
  }

  async logAfter(seq) {
    const { rows } = await this.pool.query('SELECT seq, command FROM log WHERE seq > $1 ORDER BY seq', [seq]);
    return rows.map((r) => ({ seq: num(r.seq), command: r.command }));
  }

  async #transaction(fn) {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const value = await fn(c);
      await c.query('COMMIT');
      return value;
    } catch (error) {
      await c.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      c.release();
    }
  }

  async write(fn) {
    return this.#transaction(async (c) => {
      let committed = null;
      const tx = {
        revision: async () => {
          // The organisation's row is the lock: a second process waits here
          // until the first commits, then reads the revision it committed.
          const { rows } = await c.query('SELECT revision, base_revision FROM org WHERE id = 1 FOR UPDATE');
          return { revision: num(rows[0].revision), baseRevision: num(rows[0].base_revision) };
        },
        logAfter: async (seq) => {
          const { rows } = await c.query('SELECT seq, command FROM log WHERE seq > $1 ORDER BY seq', [seq]);
          return rows.map((r) => ({ seq: num(r.seq), command: r.command }));
        },
        refusals: async (ids) => {
          const { rows } = await c.query('SELECT command_id, command, outcome FROM refusals WHERE command_id = ANY($1)', [ids]);
          return new Map(rows.map((r) => [r.command_id, r]));
        },
        append: async (e) => {
          await c.query(
            'INSERT INTO log (seq, command_id, actor, type, command, outcome, stored_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
            [e.seq, e.id, e.actor, e.type, e.command, e.outcome, e.at],
          );
        },
        refuse: async (e) => {
          const values = [e.id, e.actor, e.command, e.outcome, e.at];
          await c.query('INSERT INTO refusals (command_id, actor, command, outcome, stored_at) VALUES ($1, $2, $3, $4, $5)', values);
        },
        audit: async (a) => {
          const values = [a.seq, a.at, a.actor, a.kind, a.commandId, a.type, a.events];
          await c.query('INSERT INTO audit (seq, at, actor, kind, command_id, type, events) VALUES ($1, $2, $3, $4, $5, $6, $7)', values);
        },
        setRevision: async (revision) => {
          await c.query('UPDATE org SET revision = $1 WHERE id = 1', [revision]);
          committed = revision;
        },
        compact: async (base, revision) => {
          await c.query('UPDATE org SET base = $1, base_revision = $2 WHERE id = 1', [base, revision]);
          await c.query('DELETE FROM log WHERE seq <= $1', [revision]);
        },
      };
      const value = await fn(tx);
      // Delivered to the listeners when (and only if) the transaction commits.
      if (committed !== null) await c.query('SELECT pg_notify($1, $2)', [CHANNEL, String(committed)]);
      return value;
    });
  }

  async auditPage(before, limit) {
    const { rows } = await this.pool.query('SELECT * FROM audit WHERE n < $1 ORDER BY n DESC LIMIT $2', [before, limit]);
    return rows.map(auditRow);
  }

  /** The newest `limit` audit entries of one command type (the sync history). */
  async auditOfType(type, limit) {
    const { rows } = await this.pool.query('SELECT * FROM audit WHERE type = $1 ORDER BY n DESC LIMIT $2', [type, limit]);
    return rows.map(auditRow);
  }

  async sessionUser(idHash) {
    const { rows } = await this.pool.query('SELECT user_id FROM sessions WHERE id_hash = $1', [idHash]);
    return rows[0]?.user_id ?? null;
  }

  async addSession(idHash, user) {
    await this.pool.query('INSERT INTO sessions (id_hash, user_id, created_at) VALUES ($1, $2, $3)', [
      idHash,
      user,
      new Date().toISOString(),
    ]);
  }

  async dropSession(idHash) {
    await this.pool.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  /** Calls `onRevision(n)` when any process commits revision n (LISTEN/NOTIFY). */
  async listen(onRevision) {
    const client = new this.pg.Client({ connectionString: this.url });
    client.on('error', (error) => console.error(`postgres listener: ${error.message}`));
    client.on('notification', (m) => {
      if (m.channel === CHANNEL) onRevision(Number(m.payload));
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  async close() {
    await this.listener?.end().catch(() => {});
    this.listener = null;
    await this.pool.end().catch(() => {});
  }
}
