// Viewer snapshots through the package and the command line (SERVER.md
// section 1): engine.viewerSnapshot(user) and `calm-access viewer-snapshot`.
// The properties themselves (V1-V4 on random organisations) are proven by the
// native tests (tests/native/viewer_snapshot_test.cpp); these check the
// package's surface gives the core's answer, typed errors included.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, it, before, after } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createEngine, QueryError } from 'calm-access';

const ROOT = new URL('../../', import.meta.url);
const CLI = fileURLToPath(new URL('js/cli.js', ROOT));
const DEMO = fileURLToPath(new URL('web/demo/demo-org.json', ROOT));
const demo = JSON.parse(await readFile(DEMO, 'utf8'));

function cli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let full;
before(async () => {
  full = await createEngine();
  assert.equal(full.load(demo).ok, true);
});
after(() => full.dispose());

describe('engine.viewerSnapshot', () => {
  it('gives each person a snapshot that loads and answers their questions as the full state does (V1, V2)', async () => {
    for (const { id: user } of demo.users) {
      const snapshot = full.viewerSnapshot(user);
      const viewer = await createEngine();
      try {
        assert.equal(viewer.load(snapshot).ok, true, `${user}'s viewer snapshot loads`);
        assert.deepEqual(viewer.roles(user), full.roles(user));
        for (const { id: site } of demo.sites) {
          assert.deepEqual(viewer.capabilities(user, site), full.capabilities(user, site), `${user} at ${site}`);
        }
        assert.deepEqual(viewer.myCourses(user, '2026-11-23'), full.myCourses(user, '2026-11-23'));
      } finally {
        viewer.dispose();
      }
    }
  });

  it("holds none of a learner's forbidden values: salaries, DBS, bank, share codes, answer keys (V4)", () => {
    const text = JSON.stringify(full.viewerSnapshot('u-lee'));
    for (const secret of ['GBP', '001234567890', '55779911', 'W7X 9KP 2LM', '"correct"', 'olivia.hart@']) {
      assert.equal(text.includes(secret), false, `${secret} must not reach the learner`);
    }
    assert.ok(text.length * 2 < JSON.stringify(full.snapshot()).length);
  });

  it('carries the revision and issuedAt it is given, else the state’s (V5)', async () => {
    assert.equal(full.viewerSnapshot('u-lee').revision, undefined);
    const served = full.viewerSnapshot('u-lee', { revision: 7, issuedAt: '2026-11-23T09:00:00Z' });
    assert.equal(served.revision, 7);
    assert.equal(served.issuedAt, '2026-11-23T09:00:00Z');
    const engine = await createEngine();
    try {
      assert.equal(engine.load({ ...demo, revision: 12 }).ok, true);
      assert.equal(engine.viewerSnapshot('u-lee').revision, 12);
      assert.equal(engine.snapshot().revision, 12);
    } finally {
      engine.dispose();
    }
  });

  it('a reveal on the full state shows the data to that viewer only (PW2)', async () => {
    const engine = await createEngine();
    try {
      assert.equal(engine.load(demo).ok, true);
      const bank = (user) =>
        engine.viewerSnapshot(user).personnel.records.find((r) => r.id === 'rec-sam')?.blocks.find((b) => b.id === 'b-bank');
      assert.equal(bank('u-hr').data, undefined);
      const answer = engine.apply({
        id: 'reveal-1', type: 'block.reveal', actor: 'u-hr', at: '2026-11-23T09:00:00Z', record: 'rec-sam', block: 'b-bank',
      });
      assert.equal(answer.ok, true, JSON.stringify(answer));
      assert.deepEqual(bank('u-hr').data, { sortCode: '40-12-76', account: '55779911' });
      assert.equal(bank('u-owner').data, undefined);
    } finally {
      engine.dispose();
    }
  });

  it('an unknown or malformed user is a QueryError (a non-string or a lone surrogate too: ACCESS.md section 11 step 1); options that are not an object a TypeError', () => {
    assert.throws(() => full.viewerSnapshot('u-nobody'), (e) => e instanceof QueryError && e.code === 'unknown-user');
    for (const malformed of ['', 42, new String('u-lee'), 'u-lee\ud800']) {
      assert.throws(() => full.viewerSnapshot(malformed), (e) => e instanceof QueryError && e.code === 'invalid-id');
    }
    assert.throws(() => full.viewerSnapshot('u-lee', 'soon'), TypeError);
    assert.throws(() => full.viewerSnapshot('u-lee', { revision: -1 }), (e) => e instanceof QueryError);
    assert.throws(() => full.viewerSnapshot('u-lee', { issuedAt: 5 }), (e) => e instanceof QueryError);
  });
});

describe('calm-access viewer-snapshot', () => {
  it('prints the viewer snapshot as JSON, the package’s answer', async () => {
    const { code, stdout, stderr } = await cli(['viewer-snapshot', '--snapshot', DEMO, '--user', 'u-lee']);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), full.viewerSnapshot('u-lee'));
  });

  it('an unknown user: an error on stderr, exit 1, nothing on stdout', async () => {
    const { code, stdout, stderr } = await cli(['viewer-snapshot', '--snapshot', DEMO, '--user', 'u-nobody']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /u-nobody/);
  });

  it('without --user: a usage error, exit 2', async () => {
    const { code, stderr } = await cli(['viewer-snapshot', '--snapshot', DEMO]);
    assert.equal(code, 2);
    assert.match(stderr, /needs --user ID/);
  });
});
