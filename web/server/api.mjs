// The server's HTTP API (web/README.md "The server's HTTP API"; SERVER.md
// R1-R8): sessions, viewer snapshots, commands, live revisions, reveals and
// the audit log. Every call but the sign-in ones needs a session.

import { createHash, randomBytes } from 'node:crypto';
import { HttpError, checkJsonType, checkSameOrigin, cookies, readJson, sendJson } from './http.mjs';

export const COOKIE = 'calm_session';
export const MAX_COMMANDS = 500;
const PING_MS = 20_000;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

const hashId = (id) => createHash('sha256').update(id).digest('base64url');
const cookie = (value, maxAge) => `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${maxAge === 0 ? '; Max-Age=0' : ''}`;
const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

export class Api {
  constructor(host) {
    this.host = host;
    /** Open event streams: `{ res, idHash }`. */
    this.streams = new Set();
    this.stopListening = host.onRevision((revision) => {
      for (const s of this.streams) s.res.write(`data: ${JSON.stringify({ revision })}\n\n`);
    });
    // A ping keeps proxies from closing an idle stream, and ends the streams
    // of a session that ended elsewhere (another process, on one database).
    this.ping = setInterval(() => {
      for (const s of this.streams) {
        s.res.write(': ping\n\n');
        this.host.store.sessionUser(s.idHash).then(
          (user) => user || s.res.end(),
          () => {},
        );
      }
    }, PING_MS);
    this.ping.unref();
  }

  /** The signed-in session of a request, or null. */
  async session(req) {
    const id = cookies(req).get(COOKIE);
    if (!id || !SESSION_ID.test(id)) return null;
    const idHash = hashId(id);
    const user = await this.host.store.sessionUser(idHash);
    return user && this.host.userIds.has(user) ? { user, idHash } : null;
  }

  async handle(req, res, path, query) {
    const method = req.method;
    const changes = method !== 'GET' && method !== 'HEAD';
    if (changes) checkSameOrigin(req);
    if (method === 'POST') checkJsonType(req);
    if (path === '/api/session/people') {
      only(method, ['GET']);
      return sendJson(res, 200, { people: this.host.people });
    }
    if (path === '/api/session') {
      only(method, ['GET', 'POST', 'DELETE']);
      if (method === 'POST') return this.signIn(req, res);
      const session = await this.session(req);
      if (method === 'DELETE') return this.signOut(res, session);
      if (!session) throw notSignedIn();
      return sendJson(res, 200, { user: this.person(session.user) });
    }
    const routes = {
      '/api/snapshot': ['GET', (s) => this.snapshot(req, res, s)],
      '/api/commands': ['POST', (s) => this.commands(req, res, s)],
      '/api/events': ['GET', (s) => this.events(req, res, s)],
      '/api/reveal': ['POST', (s) => this.reveal(req, res, s)],
      '/api/audit': ['GET', (s) => this.audit(res, s, query)],
      '/api/syncs': ['GET', (s) => this.syncs(res, s, query)],
    };
    const route = routes[path];
    if (!route) throw new HttpError(404, 'not-found', `no such endpoint: \`${path.slice(0, 100)}\``);
    only(method, [route[0]]);
    const session = await this.session(req);
    if (!session) throw notSignedIn();
    return route[1](session);
  }

  person(id) {
    return this.host.people.find((p) => p.id === id) ?? { id, name: id };
  }

  async signIn(req, res) {
    const body = await readJson(req, 4096);
    if (!isPlainObject(body) || typeof body.user !== 'string') throw new HttpError(400, 'bad-request', '/user: expected the id of a person to sign in as');
    if (!this.host.userIds.has(body.user)) throw new HttpError(400, 'bad-request', `/user: unknown user \`${body.user.slice(0, 80)}\``);
    const previous = await this.session(req);
    if (previous) await this.endSession(previous.idHash);
    const id = randomBytes(32).toString('base64url');
    await this.host.addSession(hashId(id), body.user);
    sendJson(res, 200, { user: this.person(body.user) }, { 'set-cookie': cookie(id) });
  }

  async signOut(res, session) {
    if (session) await this.endSession(session.idHash);
    res.writeHead(204, { 'set-cookie': cookie('', 0), 'cache-control': 'no-store' });
    res.end();
  }

  async endSession(idHash) {
    await this.host.dropSession(idHash);
    for (const s of this.streams) if (s.idHash === idHash) s.res.end();
  }

  async snapshot(req, res, session) {
    const { revision, text } = await this.host.snapshotText(session.user);
    const etag = `"${revision}"`;
    const held = String(req.headers['if-none-match'] ?? '')
      .split(',')
      .map((t) => t.trim().replace(/^W\//, ''));
    if (held.includes(etag)) {
      res.writeHead(304, { etag, 'cache-control': 'no-store' });
      return res.end();
    }
    sendJson(res, 200, text, { etag });
  }

  async commands(req, res, session) {
    const body = await readJson(req);
    if (!isPlainObject(body) || !Array.isArray(body.commands)) throw new HttpError(400, 'bad-request', '/commands: expected an array of commands');
    if (body.commands.length === 0) throw new HttpError(400, 'bad-request', '/commands: expected at least one command');
    if (body.commands.length > MAX_COMMANDS) throw new HttpError(413, 'too-large', `/commands: at most ${MAX_COMMANDS} commands in one request`);
    const answer = await this.host.submit(session.user, body.commands);
    sendJson(res, 200, answer);
  }

  events(req, res, session) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\ndata: ${JSON.stringify({ revision: this.host.revision })}\n\n`);
    const stream = { res, idHash: session.idHash };
    this.streams.add(stream);
    const drop = () => this.streams.delete(stream);
    req.on('close', drop);
    res.on('close', drop);
    // Another process may be ahead: catch up, which tells this stream if so.
    this.host.refresh().catch(() => {});
  }

  async reveal(req, res, session) {
    const body = await readJson(req, 4096);
    if (!isPlainObject(body) || typeof body.record !== 'string' || typeof body.block !== 'string') {
      throw new HttpError(400, 'bad-request', 'expected `{ "record": id, "block": id }`');
    }
    const answer = await this.host.reveal(session.user, body.record, body.block);
    if (answer.ok) return sendJson(res, 200, { record: answer.record, block: answer.block, data: answer.data, event: answer.event });
    if (answer.decision) throw new HttpError(403, 'denied', answer.decision.message, { decision: answer.decision });
    throw new HttpError(400, 'bad-request', answer.errors?.[0]?.message ?? 'the reveal was refused', { errors: answer.errors ?? [] });
  }

  async audit(res, session, query) {
    if (!(await this.host.isOwner(session.user))) {
      const decision = { allowed: false, code: 'missing-role', rule: 'R8', message: 'only an owner of the organisation may read the audit log', requires: { owner: true } };
      throw new HttpError(403, 'not-owner', decision.message, { decision });
    }
    const limit = integer(query, 'limit', 50, 1, 200);
    const before = integer(query, 'before', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER);
    const rows = await this.host.store.auditPage(before, limit + 1);
    const entries = rows.slice(0, limit).map((r) => ({
      seq: r.n,
      at: r.at,
      actor: r.actor,
      kind: r.kind,
      type: r.type,
      command: r.commandId ? { id: r.commandId, type: r.type } : null,
      revision: r.seq,
      events: r.events,
    }));
    sendJson(res, 200, { entries, next: rows.length > limit ? entries[entries.length - 1].seq : null });
  }

  /**
   * The iHasco sync history of a site (GET /api/syncs?site=): the newest
   * syncs applied there, for those who may run them (T13, decided by the
   * engine for the session's person): when, by whom, and the sync's report.
   */
  async syncs(res, session, query) {
    const site = query.get('site');
    if (typeof site !== 'string' || site === '' || site.length > 128) throw new HttpError(400, 'bad-request', 'expected `site`: a site id');
    const decision = await this.host.decide(session.user, 'training.integration.sync', site);
    if (!decision.allowed) throw new HttpError(403, 'denied', decision.message, { decision });
    const limit = integer(query, 'limit', 20, 1, 100);
    const entries = [];
    // Newest first; the audit holds every site's syncs, so read more than asked and keep this site's.
    for (const row of await this.host.store.auditOfType('integration.sync', 1000)) {
      const events = row.events;
      const synced = Array.isArray(events) ? events.find((e) => e?.type === 'training.integration.synced' && e.site === site) : undefined;
      if (synced === undefined) continue;
      entries.push({ at: row.at, actor: row.actor, report: synced.details ?? {} });
      if (entries.length === limit) break;
    }
    sendJson(res, 200, { site, entries });
  }

  close() {
    clearInterval(this.ping);
    this.stopListening();
    for (const s of this.streams) s.res.end();
    this.streams.clear();
  }
}

function only(method, allowed) {
  if (!allowed.includes(method)) throw new HttpError(405, 'method-not-allowed', `allowed here: ${allowed.join(', ')}`);
}

function notSignedIn() {
  return new HttpError(401, 'not-signed-in', 'sign in first (POST /api/session)');
}

function integer(query, name, fallback, min, max) {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, 'bad-request', `?${name}: expected an integer from ${min} to ${max}`);
  return n;
}
