// The server's storage against the real server (child processes on
// loopback), with SQLite and with a real PostgreSQL (a throwaway cluster
// started here): the same commands give the same state in both (R4); kill -9
// in the middle of a stream of commands loses no acknowledged command and
// half-applies none (R3, R4); two processes on one PostgreSQL keep one order
// (R5).

import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, command, courseCreate, readState, startPostgres, startServerProcess, tempDir } from './support.mjs';

let dir;
let pg;

before(async () => {
  dir = tempDir();
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
const sqlite = () => join(dir, `calm-${++files}.sqlite`);

/** A sequence of commands by several people, allowed and refused, of most kinds. */
function sequence() {
  let n = 0;
  const c = (actor, type, fields) => ({ id: `seq-${++n}`, type, actor, at: `2026-11-21T10:${String(n).padStart(2, '0')}:00Z`, ...fields });
  return [
    c('u-owner', 'course.create', { site: 'north', course: { id: 'c-seq', title: 'Sequence', steps: [{ id: 's1', type: 'content', title: 'One', body: 'b' }] } }),
    c('u-owner', 'course.publish', { course: 'c-seq' }),
    c('u-owner', 'course.assign', { course: 'c-seq', assignment: 'a-seq', people: ['u-lee', 'u-liz'] }),
    c('u-lee', 'step.complete', { fulfillment: 'a-seq:u-lee', step: 's1' }),
    c('u-lee', 'course.delete', { course: 'c-seq' }),
    c('u-lee', 'assessment.submit', {
      fulfillment: 'a-fire-nov:u-lee',
      step: 's-quiz',
      attempt: 'att-seq',
      answers: { q1: ['water'], q2: ['leave'], q3: ['warden'], q4: ['twice'] },
    }),
    c('u-owner', 'access.set', { user: 'u-lee', site: 'south', module: 'personnel', role: 'member' }),
    c('u-pm', 'comment.add', { comment: { id: 'cm-seq', record: 'rec-lee', body: 'Checked the forklift licence' } }),
    c('u-owner', 'record.create', { record: { id: 'rec-seq', site: 'south', name: 'Sequence Person' } }),
    c('u-hr', 'block.add', { record: 'rec-seq', block: { id: 'b-seq', type: 'qualification', title: 'First aid', data: { level: '1' } } }),
    c('u-siteadmin', 'owner.set', { user: 'u-siteadmin' }),
    c('u-owner', 'owner.set', { user: 'u-siteadmin' }),
    c('u-owner', 'course.update', { course: 'c-seq', changes: { title: 'Sequence, renamed' } }),
    c('u-lee', 'step.complete', { fulfillment: 'a-seq:u-lee', step: 's1' }),
  ];
}

/** Sends each command as its actor, one request each, and returns the outcomes. */
async function run(url, commands) {
  const clients = new Map();
  const outcomes = [];
  for (const cmd of commands) {
    if (!clients.has(cmd.actor)) {
      const client = new Client(url);
      await client.signIn(cmd.actor);
      clients.set(cmd.actor, client);
    }
    outcomes.push(...(await clients.get(cmd.actor).commands([cmd])));
  }
  return outcomes;
}

describe('R4 SQLite and PostgreSQL', () => {
  test('the same command sequence through SQLite and PostgreSQL gives the same outcomes, log and state', async () => {
    const dbs = [sqlite(), await pg.database('same')];
    const results = [];
    for (const db of dbs) {
      const server = await startServerProcess({ db });
      try {
        results.push(await run(server.url, sequence()));
      } finally {
        await server.stop();
      }
    }
    const [lite, post] = results;
    assert.deepEqual(post, lite);
    // The sequence is not trivial: some were applied, some refused.
    assert.ok(lite.filter((o) => o.ok).length >= 9, JSON.stringify(lite));
    assert.equal(lite[4].decision.code, 'missing-role');
    assert.equal(lite[10].ok, false);
    assert.deepEqual(lite[5].result, { score: 50, passed: false });
    const [a, b] = await Promise.all(dbs.map(readState));
    assert.equal(a.revision, lite.filter((o) => o.ok && !o.duplicate).length);
    assert.equal(b.revision, a.revision);
    assert.deepEqual(
      b.log.map((e) => [e.seq, e.commandId, JSON.parse(e.outcome)]),
      a.log.map((e) => [e.seq, e.commandId, JSON.parse(e.outcome)]),
    );
    assert.deepEqual(b.snapshot, a.snapshot);
    assert.deepEqual(a.snapshot.organisation.owners, ['u-owner', 'u-siteadmin']);
  });

  test('the sync history (GET /api/syncs) reads the same from SQLite and PostgreSQL, for those the engine allows T13 only', async () => {
    const payload = JSON.parse(readFileSync(new URL('../../web/demo/ihasco-payload.json', import.meta.url), 'utf8'));
    const histories = [];
    for (const db of [sqlite(), await pg.database('syncs')]) {
      const server = await startServerProcess({ db });
      try {
        const pm = new Client(server.url);
        await pm.signIn('u-pm');
        const [first] = await pm.commands([command('u-pm', 'integration.sync', { site: 'north', payload })]);
        assert.equal(first.ok, true, JSON.stringify(first));
        await pm.commands([command('u-pm', 'integration.sync', { site: 'north', payload })]);
        const history = await pm.request('/api/syncs?site=north');
        assert.equal(history.status, 200);
        histories.push(history.json.entries.map((e) => ({ actor: e.actor, report: e.report })));
        assert.equal((await pm.request('/api/syncs?site=south')).status, 403, 'Paula may not run syncs at south');
        const owner = new Client(server.url);
        await owner.signIn('u-owner');
        // South has no iHasco connection: syncs there are refused (T13 needs it), and so is its history.
        const south = await owner.request('/api/syncs?site=south');
        assert.equal(south.status, 403);
        assert.equal(south.json.decision.code, 'integration-not-connected');
        assert.equal((await owner.request('/api/syncs?site=north')).json.entries.length, 2);
        const lee = new Client(server.url);
        await lee.signIn('u-lee');
        assert.equal((await lee.request('/api/syncs?site=north')).status, 403);
      } finally {
        await server.stop();
      }
    }
    const [lite, post] = histories;
    assert.deepEqual(post, lite);
    assert.equal(lite.length, 2, 'newest first, both syncs');
    assert.equal(lite[0].report.courses.created, 0, 'the second sync created nothing');
    assert.equal(lite[1].report.courses.created, 2);
  });
});

/**
 * Streams commands from 4 concurrent clients (one to three commands per
 * request), kills the server with SIGKILL after `killAfter` acknowledged ones
 * while requests are in flight, and checks the database; then restarts and
 * sends every command again.
 */
async function killInTheMiddle(db, { killAfter = 60, compactEvery = 15 } = {}) {
  const server = await startServerProcess({ db, extra: ['--compact-every', String(compactEvery)] });
  const acknowledged = new Map();
  const sent = [];
  let killed = false;
  let next = 0;
  const worker = async (w) => {
    const client = new Client(server.url);
    await client.signIn('u-owner');
    while (!killed) {
      const batch = Array.from({ length: 1 + (next % 3) }, () => courseCreate('u-owner', `c-kill-${w}-${next++}`));
      sent.push(...batch);
      try {
        const outcomes = await client.commands(batch);
        for (const o of outcomes) {
          assert.equal(o.ok, true, JSON.stringify(o));
          acknowledged.set(o.id, o);
        }
      } catch {
        return; // the server is gone: this request was not acknowledged
      }
      if (acknowledged.size >= killAfter && !killed) {
        killed = true;
        await server.kill9();
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
  assert.ok(acknowledged.size >= killAfter);

  // Every acknowledged command is there; every course there is whole.
  const stored = await readState(db);
  const courses = new Map(stored.snapshot.training.courses.filter((c) => c.id.startsWith('c-kill-')).map((c) => [c.id, c]));
  const byCourse = new Map(sent.map((c) => [c.course.id, c]));
  for (const id of acknowledged.keys()) {
    const cmd = sent.find((c) => c.id === id);
    assert.ok(courses.has(cmd.course.id), `acknowledged ${id} is stored`);
  }
  for (const course of courses.values()) {
    assert.deepEqual(course.steps.map((s) => s.id), ['s1', 's2'], `${course.id} is whole`);
    assert.equal(course.title, byCourse.get(course.id).course.title);
  }
  const applied = new Set((stored.snapshot.appliedCommands ?? []).map((a) => a.id));
  assert.equal(courses.size, sent.filter((c) => applied.has(c.id)).length, 'one course per applied command, no more');

  // After a restart: every command sent again is a duplicate (it was stored) or applies now; none is refused.
  const again = await startServerProcess({ db, org: null });
  try {
    const client = new Client(again.url);
    await client.signIn('u-owner');
    const outcomes = await client.commands(sent);
    for (const [i, o] of outcomes.entries()) {
      assert.equal(o.ok, true, JSON.stringify(o));
      if (acknowledged.has(o.id) || applied.has(o.id)) assert.equal(o.duplicate, true, `${sent[i].id} was stored`);
      else assert.equal(o.duplicate, undefined, `${sent[i].id} was not stored`);
    }
    // The audit holds each applied command once.
    const audit = await client.request('/api/audit?limit=200');
    const audited = audit.json.entries.filter((e) => e.command?.id?.startsWith('t-'));
    assert.equal(new Set(audited.map((e) => e.command.id)).size, audited.length);
  } finally {
    await again.stop();
  }
  const final = await readState(db);
  assert.equal(final.snapshot.training.courses.filter((c) => c.id.startsWith('c-kill-')).length, new Set(sent.map((c) => c.course.id)).size);
  return { acknowledged: acknowledged.size, sent: sent.length };
}

describe('R3, R4 kill -9 in the middle of a stream of commands', () => {
  test('SQLite: every acknowledged command is there after a restart, none half-applied', async () => {
    await killInTheMiddle(sqlite());
  });

  test('PostgreSQL: every acknowledged command is there after a restart, none half-applied', async () => {
    await killInTheMiddle(await pg.database('kill'));
  });
});

describe('R5 two server processes on one PostgreSQL', () => {
  test('interleaved commands keep one order: each catches up from the log before it applies', async () => {
    const db = await pg.database('two');
    const a = await startServerProcess({ db });
    const b = await startServerProcess({ db, org: null });
    try {
      const ca = new Client(a.url);
      const cb = new Client(b.url);
      await ca.signIn('u-owner');
      await cb.signIn('u-owner');
      const rounds = 12;
      const received = new Map();
      for (let i = 0; i < rounds; i += 1) {
        // Both processes are asked, at the same time, to create the same course: exactly one may.
        const x = courseCreate('u-owner', `c-race-${i}`, `from A ${i}`);
        const y = courseCreate('u-owner', `c-race-${i}`, `from B ${i}`);
        const [[ox], [oy]] = await Promise.all([ca.commands([x]), cb.commands([y])]);
        assert.equal([ox, oy].filter((o) => o.ok).length, 1, JSON.stringify([ox, oy]));
        for (const o of [ox, oy]) received.set(o.id, o);
        // Each process sees what the other applied: publishing on the other side works at once.
        const other = ox.ok ? cb : ca;
        const [published] = await other.commands([command('u-owner', 'course.publish', { course: `c-race-${i}` })]);
        assert.equal(published.ok, true, JSON.stringify(published));
        received.set(published.id, published);
      }
      const stored = await readState(db);
      assert.deepEqual(stored.log.map((e) => e.seq), Array.from({ length: rounds * 2 }, (_, i) => i + 1), 'one gapless order');
      for (const entry of stored.log) assert.deepEqual(JSON.parse(entry.outcome), received.get(entry.commandId), 'what was answered is what was stored');
      for (let i = 0; i < rounds; i += 1) {
        const course = stored.snapshot.training.courses.find((c) => c.id === `c-race-${i}`);
        assert.equal(course.status, 'published');
        const winner = [...received.values()].find((o) => o.ok && o.events?.[0]?.subject === `c-race-${i}` && o.events[0].type === 'training.course.created');
        assert.equal(course.title, winner.events[0].details.title);
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
