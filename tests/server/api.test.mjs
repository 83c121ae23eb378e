// The server's API against the real server (a child process on loopback,
// SQLite): sign-in and sessions (R1), refusals of forged, forbidden, reused
// and cross-origin commands (R1, R3), snapshots (R2, V5), grading (V6),
// reveals (V7), the audit (R8), events (R6), and bad input (issue 10).

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createEngine } from 'calm-access';

import { Client, command, courseCreate, readState, startServerProcess, tempDir } from './support.mjs';

let dir;
let server;

before(async () => {
  dir = tempDir();
  server = await startServerProcess({ db: join(dir, 'calm.sqlite') });
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const signedIn = async (user) => {
  const c = new Client(server.url);
  await c.signIn(user);
  return c;
};

/** The owner's view of the audit's newest entries (what was stored). */
async function auditTypes(limit = 200) {
  const owner = await signedIn('u-owner');
  const r = await owner.request(`/api/audit?limit=${limit}`);
  assert.equal(r.status, 200);
  return r.json.entries;
}

describe('R1 sign-in', () => {
  test('POST /api/session sets an HttpOnly SameSite=Strict cookie; GET says who; DELETE signs out on the server', async () => {
    const c = new Client(server.url);
    assert.equal((await c.request('/api/session')).status, 401);
    const people = await c.request('/api/session/people');
    assert.equal(people.status, 200);
    assert.deepEqual(people.json.people.find((p) => p.id === 'u-lee'), { id: 'u-lee', name: 'Lee Carter' });
    assert.ok(people.json.people.every((p) => Object.keys(p).join() === 'id,name'), 'names only');
    const r = await c.signIn('u-lee');
    const setCookie = r.headers.get('set-cookie');
    assert.match(setCookie, /^calm_session=[A-Za-z0-9_-]{43}; /);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.deepEqual((await c.request('/api/session')).json, { user: { id: 'u-lee', name: 'Lee Carter' } });
    const cookie = c.cookie;
    const out = await c.request('/api/session', { method: 'DELETE' });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
    // The old cookie no longer works: the session ended on the server.
    const stale = new Client(server.url);
    stale.cookie = cookie;
    assert.equal((await stale.request('/api/session')).status, 401);
    assert.equal((await stale.request('/api/snapshot')).status, 401);
  });

  test('signing in as an unknown user is refused', async () => {
    const c = new Client(server.url);
    const r = await c.request('/api/session', { method: 'POST', body: { user: 'u-nobody' } });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'bad-request');
    assert.equal((await c.request('/api/session', { method: 'POST', body: { user: 42 } })).status, 400);
  });

  test('every other /api/ call without a session is 401', async () => {
    const c = new Client(server.url);
    for (const [method, path, body] of [
      ['GET', '/api/snapshot'],
      ['POST', '/api/commands', { commands: [courseCreate('u-owner', 'c-r1-none')] }],
      ['GET', '/api/events'],
      ['POST', '/api/reveal', { record: 'rec-lee', block: 'b-passport' }],
      ['GET', '/api/audit'],
    ]) {
      const r = await c.request(path, { method, body });
      assert.equal(r.status, 401, `${method} ${path}`);
      assert.equal(r.json.error, 'not-signed-in');
    }
    // A forged or malformed cookie is no session either.
    c.cookie = 'calm_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    assert.equal((await c.request('/api/snapshot')).status, 401);
    c.cookie = 'calm_session="%%; =; ;;=x';
    assert.equal((await c.request('/api/snapshot')).status, 401);
    assert.ok(!(await auditTypes()).some((e) => e.command?.id && e.events.some((ev) => ev.subject === 'c-r1-none')));
  });
});

describe('R1, R3 refused commands', () => {
  test('a command whose actor is not the signed-in user is refused (invalid-request), also owner.set with a forged owner', async () => {
    const lee = await signedIn('u-lee');
    const forged = [courseCreate('u-owner', 'c-forged'), command('u-owner', 'owner.set', { user: 'u-lee' })];
    const outcomes = await lee.commands(forged);
    for (const [i, o] of outcomes.entries()) {
      assert.equal(o.id, forged[i].id);
      assert.equal(o.ok, false);
      assert.equal(o.decision.code, 'invalid-request');
      assert.equal(o.decision.message, 'actor must be the signed-in user');
    }
    // Final: sending it again gives the same refusal; nothing was applied.
    assert.deepEqual(await lee.commands(forged), outcomes);
    const { snapshot } = await readStateNow();
    assert.ok(!snapshot.training.courses.some((c) => c.id === 'c-forged'));
    assert.deepEqual(snapshot.organisation.owners, ['u-owner']);
  });

  test('a forbidden command (a learner deletes a course) is refused with the engine decision, finally', async () => {
    const lee = await signedIn('u-lee');
    const del = command('u-lee', 'course.delete', { course: 'c-fire' });
    const [o] = await lee.commands([del]);
    assert.equal(o.ok, false);
    assert.equal(o.decision.code, 'missing-role');
    assert.equal(o.decision.rule, 'T8');
    assert.deepEqual(await lee.commands([del]), [o], 'the same refusal again');
    // Its id cannot be reused for another command, even one that would be allowed.
    const owner = await signedIn('u-owner');
    const [reuse] = await owner.commands([{ ...courseCreate('u-owner', 'c-after-refusal'), id: del.id }]);
    assert.equal(reuse.ok, false);
    assert.equal(reuse.errors[0].code, 'duplicate-command-id');
    const { snapshot } = await readStateNow();
    assert.ok(snapshot.training.courses.some((c) => c.id === 'c-fire'));
    assert.ok(!snapshot.training.courses.some((c) => c.id === 'c-after-refusal'));
  });

  test('a reused id: the same content is a duplicate, other content is refused, never accepted', async () => {
    const owner = await signedIn('u-owner');
    const create = courseCreate('u-owner', 'c-reused');
    const [first] = await owner.commands([create]);
    assert.equal(first.ok, true);
    assert.equal(first.events[0].type, 'training.course.created');
    const [again] = await owner.commands([create]);
    assert.deepEqual(again, { id: create.id, ok: true, duplicate: true });
    const [other] = await owner.commands([{ ...create, course: { ...create.course, id: 'c-reused-2' } }]);
    assert.equal(other.ok, false);
    assert.equal(other.errors[0].code, 'duplicate-command-id');
    const [otherAt] = await owner.commands([{ ...create, at: '2026-11-22T10:00:00Z' }]);
    assert.equal(otherAt.ok, false);
    const { snapshot } = await readStateNow();
    assert.equal(snapshot.training.courses.filter((c) => c.id.startsWith('c-reused')).length, 1);
  });

  test('a reveal is not a command: block.reveal through /api/commands is refused (V7)', async () => {
    const pm = await signedIn('u-pm');
    const [o] = await pm.commands([command('u-pm', 'block.reveal', { record: 'rec-lee', block: 'b-passport' })]);
    assert.equal(o.ok, false);
    assert.equal(o.decision.rule, 'V7');
  });

  test('cross-origin, text/plain and form posts are refused before anything is read', async () => {
    const owner = await signedIn('u-owner');
    const body = { commands: [courseCreate('u-owner', 'c-csrf')] };
    const cases = [
      [{ origin: 'http://evil.example' }, 403, 'forbidden-origin'],
      [{ origin: 'null' }, 403, 'forbidden-origin'],
      [{ 'sec-fetch-site': 'cross-site' }, 403, 'forbidden-origin'],
      [{ 'sec-fetch-site': 'same-site' }, 403, 'forbidden-origin'],
      [{ 'content-type': 'text/plain' }, 415, 'unsupported-media-type'],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported-media-type'],
      [{ 'content-type': 'multipart/form-data; boundary=x' }, 415, 'unsupported-media-type'],
    ];
    for (const [headers, status, error] of cases) {
      const r = await owner.request('/api/commands', { method: 'POST', body: JSON.stringify(body), headers });
      assert.equal(r.status, status, JSON.stringify(headers));
      assert.equal(r.json.error, error);
    }
    // Signing out from another origin is refused too.
    assert.equal((await owner.request('/api/session', { method: 'DELETE', headers: { origin: 'http://evil.example' } })).status, 403);
    assert.equal((await owner.request('/api/session')).status, 200);
    const { snapshot } = await readStateNow();
    assert.ok(!snapshot.training.courses.some((c) => c.id === 'c-csrf'));
  });
});

describe('V6 grading on the server', () => {
  test("a learner's assessment.submit is graded when it arrives, never pending", async () => {
    const lee = await signedIn('u-lee');
    const [o] = await lee.commands([
      command('u-lee', 'assessment.submit', {
        fulfillment: 'a-fire-nov:u-lee',
        step: 's-quiz',
        attempt: `att-${Date.now()}`,
        answers: { q1: ['co2'], q2: ['leave', 'assemble'], q3: ['warden'], q4: ['never'] },
      }),
    ]);
    assert.equal(o.ok, true, JSON.stringify(o));
    assert.deepEqual(o.result, { score: 75, passed: true });
  });
});

describe('R2, V5 snapshot', () => {
  test('GET /api/snapshot is the viewer snapshot with revision and ETag; 304 when unchanged', async () => {
    const lee = await signedIn('u-lee');
    const r = await lee.request('/api/snapshot');
    assert.equal(r.status, 200);
    assert.equal(typeof r.json.revision, 'number');
    assert.equal(r.headers.get('etag'), `"${r.json.revision}"`);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.ok(r.json.issuedAt);
    // Lee's snapshot is not the organisation: no correct options, not every record.
    assert.ok(!r.text.includes('"correct"'));
    assert.ok(!r.json.personnel.records.some((x) => x.id === 'rec-hr'));
    const same = await lee.request('/api/snapshot', { headers: { 'if-none-match': r.headers.get('etag') } });
    assert.equal(same.status, 304);
    assert.equal(same.text, '');
    const owner = await signedIn('u-owner');
    await owner.commands([courseCreate('u-owner', `c-rev-${Date.now()}`)]);
    const next = await lee.request('/api/snapshot', { headers: { 'if-none-match': r.headers.get('etag') } });
    assert.equal(next.status, 200);
    assert.ok(next.json.revision > r.json.revision);
  });
});

describe('V7, R8 reveal and audit', () => {
  test('a reveal is checked by the engine, logged, and returns the data; a learner is refused', async () => {
    const pm = await signedIn('u-pm');
    const r = await pm.request('/api/reveal', { method: 'POST', body: { record: 'rec-lee', block: 'b-passport' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.record, 'rec-lee');
    assert.ok(Object.keys(r.json.data).length > 0, 'the block data');
    assert.equal(r.json.event.type, 'personnel.block.revealed');
    assert.equal(r.json.event.actor, 'u-pm');
    const lee = await signedIn('u-lee');
    const denied = await lee.request('/api/reveal', { method: 'POST', body: { record: 'rec-pm', block: 'b-employment' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.json.decision.allowed, false);
    assert.equal((await lee.request('/api/reveal', { method: 'POST', body: { record: 'rec-nope', block: 'b' } })).status, 403);
    assert.equal((await lee.request('/api/reveal', { method: 'POST', body: { record: 1 } })).status, 400);
    const entries = await auditTypes();
    const reveal = entries.find((e) => e.kind === 'reveal');
    assert.equal(reveal.actor, 'u-pm');
    assert.equal(reveal.events[0].details.block, 'b-passport');
  });

  test('GET /api/audit: owners only, newest first, paged', async () => {
    const owner = await signedIn('u-owner');
    const ids = [];
    for (let i = 0; i < 3; i += 1) {
      const c = courseCreate('u-owner', `c-audit-${Date.now()}-${i}`);
      ids.push(c.id);
      await owner.commands([c]);
    }
    const page1 = await owner.request('/api/audit?limit=2');
    assert.equal(page1.status, 200);
    assert.deepEqual(page1.json.entries.map((e) => e.command.id), [ids[2], ids[1]]);
    const e = page1.json.entries[0];
    assert.equal(e.actor, 'u-owner');
    assert.equal(e.kind, 'command');
    assert.equal(e.type, 'course.create');
    assert.ok(Date.parse(e.at));
    assert.equal(e.events[0].type, 'training.course.created');
    const page2 = await owner.request(`/api/audit?limit=2&before=${page1.json.next}`);
    assert.equal(page2.json.entries[0].command.id, ids[0]);
    assert.ok(page2.json.entries[0].seq < page1.json.entries[1].seq);
    const lee = await signedIn('u-lee');
    const refused = await lee.request('/api/audit');
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error, 'not-owner');
    assert.equal((await owner.request('/api/audit?limit=0')).status, 400);
    assert.equal((await owner.request('/api/audit?before=x')).status, 400);
  });
});

describe('R6 events', () => {
  test('a signed-in app hears of a newer revision; signing out ends the stream', async () => {
    const lee = await signedIn('u-lee');
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/events`, { headers: { cookie: lee.cookie }, signal: controller.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /text\/event-stream/);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextRevision = async () => {
      for (;;) {
        const m = /data: (\{[^\n]*\})\n\n/.exec(buffer);
        if (m) {
          buffer = buffer.slice(m.index + m[0].length);
          return JSON.parse(m[1]).revision;
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += decoder.decode(value);
      }
    };
    const first = await nextRevision();
    assert.equal(typeof first, 'number');
    const owner = await signedIn('u-owner');
    await owner.commands([courseCreate('u-owner', `c-live-${Date.now()}`)]);
    assert.equal(await nextRevision(), first + 1);
    await lee.request('/api/session', { method: 'DELETE' });
    assert.equal(await nextRevision(), null, 'the stream ends with the session');
    controller.abort();
  });
});

describe('bad input never stops the server', () => {
  test('malformed URLs, bodies, cookies and oversized requests get a 4xx with a message', async () => {
    const owner = await signedIn('u-owner');
    const raw = (text) =>
      new Promise((resolve) => {
        const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
        let out = '';
        socket.on('data', (d) => {
          out += d;
        });
        socket.on('close', () => resolve(out));
        socket.on('error', () => resolve(out));
        socket.end(text);
      });
    assert.match(await raw('GET /% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1.1 400/);
    assert.match(await raw('GET /api/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1.1 400/);
    assert.match(await raw('NONSENSE\r\n\r\n'), /^HTTP\/1.1 400/);
    assert.match(await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`), /^HTTP\/1.1 431/);
    for (const [body, status] of [
      ['{', 400],
      ['[]', 400],
      ['{"commands": "x"}', 400],
      ['{"commands": []}', 400],
      [JSON.stringify({ commands: Array.from({ length: 501 }, () => ({})) }), 413],
    ]) {
      const r = await owner.request('/api/commands', { method: 'POST', body });
      assert.equal(r.status, status, body.slice(0, 40));
      assert.ok(r.json.message.length > 0);
    }
    // Commands that are not commands get an outcome each, and are not stored.
    const outcomes = await owner.commands([null, 7, { id: 3 }, { id: `x-no-type-${Date.now()}`, actor: 'u-owner' }]);
    assert.deepEqual(outcomes.map((o) => o.ok), [false, false, false, false]);
    assert.equal(outcomes[0].id, null);
    assert.ok(outcomes[3].errors.some((e) => e.path === '/type'), JSON.stringify(outcomes[3]));
    // Over 4 MiB: 413 (the server stops reading).
    const big = await new Promise((resolve) => {
      const req = httpRequest(`${server.url}/api/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: owner.cookie, 'content-length': 5 * 1024 * 1024 },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', () => resolve('reset'));
      req.end();
    });
    assert.equal(big, 413);
    assert.equal((await owner.request('/api/nope')).status, 404);
    assert.equal((await owner.request('/api/snapshot', { method: 'PUT', body: {} })).status, 405);
    // Still serving.
    assert.equal((await owner.request('/api/session')).status, 200);
    assert.equal(server.child.exitCode, null);
  });
});

describe('a command cannot make a state that does not load', () => {
  test('a command nested 124 levels is refused; at 123 it applies, and the snapshot the server then sends loads', async () => {
    // An accepted command is kept in the state (appliedCommands) and in its
    // actor's viewer snapshot: nested deeper, it would make every later
    // snapshot, and the compacted base, fail to load (README limits).
    const owner = await signedIn('u-owner');
    const nested = (k) => JSON.parse(`${'['.repeat(k)}${']'.repeat(k)}`);
    const [refused] = await owner.commands([{ ...courseCreate('u-owner', 'c-deep-no'), note: nested(123) }]);
    assert.equal(refused.ok, false);
    assert.deepEqual(refused.errors.map((e) => [e.code, e.path]), [['too-deep', `/note${'/0'.repeat(122)}`]]);
    const [applied] = await owner.commands([{ ...courseCreate('u-owner', 'c-deep-ok'), note: nested(122) }]);
    assert.equal(applied.ok, true, JSON.stringify(applied));
    const snapshot = await owner.request('/api/snapshot');
    assert.equal(snapshot.status, 200);
    const engine = await createEngine();
    assert.deepEqual(engine.load(snapshot.json).errors, [], "the owner's snapshot loads");
    assert.ok(engine.snapshot().training.courses.some((c) => c.id === 'c-deep-ok'));
    assert.ok(!engine.snapshot().training.courses.some((c) => c.id === 'c-deep-no'));
    engine.dispose();
  });
});

/** The state stored in the database now (the server keeps running: SQLite WAL allows a reader). */
async function readStateNow() {
  return readState(join(dir, 'calm.sqlite'));
}
