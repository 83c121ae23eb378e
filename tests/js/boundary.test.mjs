// The package's boundary (issue 14): no input of any shape or size gets a
// wrong answer, a throw or an abort. Against the built wasm, no mocks.
//
// ACCESS.md section 11 step 1 (changed): strings are compared as given, never
// coerced or repaired; a value that is not a primitive string, or a string
// that is not well-formed Unicode, is `invalid-request` wherever an id or an
// action is expected; JSON text with bytes after its end (a NUL included) is
// malformed; past a documented size limit the answer is a clear error.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it, before } from 'node:test';

import { createEngine, ForbiddenError, QueryError } from 'calm-access';

const ROOT = new URL('../../', import.meta.url);
const demoText = await readFile(new URL('examples/demo-org.json', ROOT), 'utf8');

// The demo with ids that hold a character outside the BMP (a surrogate pair in
// JS): the owner is `u-👑`. `forge` swaps the crown for a lone high surrogate
// and `Q`, a different string that Emscripten's conversion used to merge back
// into the crown (U+1F451 = 0xD83D 0xDC51; 0xD83D then `Q` (0x51) encoded as
// one code point is U+1F451).
const CROWN = '👑';
const RENAMED = { 'u-olive': 'u-👑', 'r-leo': 'r-👑', 'c-fire': 'c-👑', 'f-leo-fire': 'f-👑', 'co-labtemps': 'co-👑' };
let crownText = demoText;
for (const [from, to] of Object.entries(RENAMED)) crownText = crownText.replaceAll(`"${from}"`, `"${to}"`);
const crown = JSON.parse(crownText);
const forge = (id) => id.replace(CROWN, '\ud83dQ');
const OWNER = 'u-👑';
const FORGED_OWNER = forge(OWNER);

function assertInvalidRequest(decision, what) {
  assert.equal(decision.code, 'invalid-request', `${what}: ${JSON.stringify(decision)}`);
  assert.equal(decision.allowed, false, what);
  assert.equal(decision.rule, 'ACCESS-11', what);
}

/** `call` throws a ForbiddenError whose decision is invalid-request. */
function assertRefusedInvalid(call, what) {
  assert.throws(
    call,
    (error) => error instanceof ForbiddenError && error.code === 'invalid-request',
    `${what} must be refused as invalid-request`,
  );
}

/** `call` throws a QueryError with `code`. */
function assertQueryError(call, code, what) {
  assert.throws(call, (error) => error instanceof QueryError && error.code === code, `${what}: QueryError ${code}`);
}

let engine;
before(async () => {
  engine = await createEngine();
  const loaded = engine.load(crown);
  assert.deepEqual(loaded.errors, []);
});

describe('lone surrogates never alias an id (ACCESS.md section 11 step 1)', () => {
  it('the owner is allowed and the forged id is a different, malformed string', () => {
    assert.equal(engine.can(OWNER, 'site.update', 'hq'), true);
    assert.notEqual(FORGED_OWNER, OWNER);
    assert.equal(FORGED_OWNER.isWellFormed(), false);
  });

  it('decisions: decide, decideJson (raw and escaped), can, explain, assertCan are invalid-request', () => {
    const request = { user: FORGED_OWNER, action: 'site.update', site: 'hq' };
    assertInvalidRequest(engine.decide(request), 'decide');
    const raw = `{"user":"${FORGED_OWNER}","action":"site.update","site":"hq"}`;
    assertInvalidRequest(JSON.parse(engine.decideJson(raw)), 'decideJson with a raw lone surrogate');
    assertInvalidRequest(JSON.parse(engine.decideJson(JSON.stringify(request))), 'decideJson with \\ud83d');
    assert.equal(engine.can(FORGED_OWNER, 'site.update', 'hq'), false);
    assertInvalidRequest(engine.explain(FORGED_OWNER, 'site.update', 'hq'), 'explain');
    assertRefusedInvalid(() => engine.assertCan(FORGED_OWNER, 'site.update', 'hq'), 'assertCan');
    // In the action, the site and a resource too.
    assertInvalidRequest(engine.explain(OWNER, forge('site.update👑'), 'hq'), 'a forged action');
    assertInvalidRequest(engine.explain(OWNER, 'site.update', forge('hq👑')), 'a forged site');
    assertInvalidRequest(engine.explain(OWNER, 'training.course.edit', { course: forge('c-👑') }), 'a forged course');
    assertInvalidRequest(
      engine.decide({ user: OWNER, action: 'training.course.edit', resource: { course: forge('c-👑') } }),
      'decide with a forged course',
    );
  });

  it('capabilities: every decision invalid-request; roles: a QueryError invalid-request', () => {
    const capabilities = engine.capabilities(FORGED_OWNER, 'hq');
    const decisions = Object.values(capabilities);
    assert.equal(decisions.length, engine.actions().length);
    for (const decision of decisions) assertInvalidRequest(decision, 'capabilities');
    for (const decision of Object.values(engine.capabilities(OWNER, forge('hq👑')))) {
      assertInvalidRequest(decision, 'capabilities at a forged site');
    }
    assertQueryError(() => engine.roles(FORGED_OWNER), 'invalid-request', 'roles');
  });

  it('every view refuses a forged viewer and a forged resource id (PW1, T2-T5)', () => {
    const views = [
      ['myCourses', (u, x) => engine.myCourses(u, x ?? '2026-06-01')],
      ['course', (u, x) => engine.course(u, x ?? 'c-👑')],
      ['attempts', (u, x) => engine.attempts(u, x ?? 'f-👑')],
      ['insights', (u, x) => engine.insights(u, x ?? 'hq', '2026-06-01')],
      ['trainingOf', (u, x) => engine.trainingOf(u, x ?? 'u-leo', '2026-06-01')],
      ['record', (u, x) => engine.record(u, x ?? 'r-👑')],
      ['people', (u, x) => engine.people(u, x ?? 'north-lab')],
      ['company', (u, x) => engine.company(u, x ?? 'co-👑')],
      ['comments', (u, x) => engine.comments(u, x ?? 'r-👑')],
      ['personnelSettings', (u, x) => engine.personnelSettings(u, x ?? 'north-lab')],
    ];
    for (const [name, view] of views) {
      assert.doesNotThrow(() => view(OWNER), `${name} answers the owner`);
      assertRefusedInvalid(() => view(FORGED_OWNER), `${name} by a forged owner`);
    }
    // The record itself (its DBS block) under a forged record id.
    assert.equal(engine.record(OWNER, 'r-👑').id, 'r-👑');
    for (const [name, view, id] of [
      ['course', views[1][1], 'c-👑'],
      ['attempts', views[2][1], 'f-👑'],
      ['record', views[5][1], 'r-👑'],
      ['company', views[7][1], 'co-👑'],
      ['comments', views[8][1], 'r-👑'],
    ]) {
      assertRefusedInvalid(() => view(OWNER, forge(id)), `${name} of a forged id`);
    }
    assertQueryError(() => engine.myCourses(OWNER, '2026-06-01\ud800'), 'invalid-date', 'a forged date');
  });

  it('questions: sitesWhere, whoCan and whatIf refuse forged ids (section 9, 10)', () => {
    assert.ok(engine.sitesWhere(OWNER, 'site.update').sites.length > 0);
    assertRefusedInvalid(() => engine.sitesWhere(FORGED_OWNER, 'site.update'), 'sitesWhere by a forged user');
    assertRefusedInvalid(() => engine.sitesWhere(OWNER, 'site.update\ud800'), 'sitesWhere of a forged action');
    assert.throws(
      () => engine.whoCan('site.update', forge('hq👑')),
      (e) => e instanceof QueryError || (e instanceof ForbiddenError && e.code === 'invalid-request'),
    );
    const change = { type: 'access.set', user: 'u-leo', site: 'north', module: 'site', role: 'member' };
    assert.equal(engine.whatIf(OWNER, change).allowed, true);
    assertRefusedInvalid(() => engine.whatIf(FORGED_OWNER, change), 'whatIf by a forged editor');
    assert.throws(() => engine.whatIf(OWNER, { ...change, user: forge('u-👑') }), QueryError);
  });

  it('commands and loads: {ok: false, errors}, nothing changed', () => {
    const before = JSON.stringify(engine.snapshot());
    const command = {
      id: 'cmd-forged',
      type: 'owner.set',
      actor: FORGED_OWNER,
      at: '2026-06-01T10:00:00Z',
      user: 'u-leo',
    };
    for (const answer of [engine.dryRun(command), engine.apply(command)]) {
      assert.equal(answer.ok, false);
      assert.ok(answer.errors.length > 0 || answer.decision?.code === 'invalid-request', JSON.stringify(answer));
    }
    assert.equal(JSON.stringify(engine.snapshot()), before);

    const broken = structuredClone(crown);
    broken.organisation.owners = [FORGED_OWNER];
    const probe = engine.load(broken);
    assert.equal(probe.ok, false, 'a forged owner id in a snapshot object');
    assert.equal(engine.load(crownText.replace('"u-👑"', `"${FORGED_OWNER}"`)).ok, false, 'raw in text');
    assert.equal(JSON.stringify(engine.snapshot()), before, 'a failed load keeps the snapshot');
  });
});

describe('text after the JSON value is malformed (section 11 step 1)', () => {
  const request = JSON.stringify({ user: OWNER, action: 'site.update', site: 'hq' });

  it('decideJson: a NUL and anything after it, or text after the value, is invalid-request', () => {
    assert.equal(JSON.parse(engine.decideJson(request)).allowed, true);
    for (const text of [`${request}\0`, `${request}\0garbage`, `${request} x`, `${request}{}`, `\0${request}`]) {
      assertInvalidRequest(JSON.parse(engine.decideJson(text)), JSON.stringify(text));
    }
    assertInvalidRequest(JSON.parse(engine.decideJson(new TextEncoder().encode(`${request}\0`))), 'as bytes');
  });

  it('load: a NUL after the snapshot is a load error', async () => {
    const fresh = await createEngine();
    assert.equal(fresh.load(`${crownText}\0`).ok, false);
    assert.equal(fresh.load(`${crownText}\0{}`).ok, false);
    assert.equal(fresh.load(crownText).ok, true);
  });
});

describe('no coercion (section 11 step 1; section 10)', () => {
  const coerced = [
    ['a String object', new String(OWNER)],
    ['an object with toJSON', { toJSON: () => OWNER }],
    ['a number', 42],
    ['an array', [OWNER]],
    ['a Date', new Date(0)],
  ];

  it('can, explain, decide: invalid-request for a coerced user, action, site or resource', () => {
    for (const [what, value] of coerced) {
      assert.equal(engine.can(value, 'site.update', 'hq'), false, what);
      assertInvalidRequest(engine.explain(value, 'site.update', 'hq'), `explain: user ${what}`);
      assertInvalidRequest(engine.explain(OWNER, value, 'hq'), `explain: action ${what}`);
      assertInvalidRequest(engine.explain(OWNER, 'site.update', value), `explain: site ${what}`);
      assertInvalidRequest(engine.explain(OWNER, 'site.update', { site: value }), `explain: { site } ${what}`);
      assertInvalidRequest(
        engine.explain(OWNER, 'training.course.edit', { course: value }),
        `explain: course ${what}`,
      );
      assertInvalidRequest(engine.decide({ user: value, action: 'site.update', site: 'hq' }), `decide: ${what}`);
      assertInvalidRequest(engine.decide(value), `decide of ${what}`);
    }
    assertInvalidRequest(engine.decide({ toJSON: () => ({ user: OWNER, action: 'site.update', site: 'hq' }) }), 'toJSON');
    assertInvalidRequest(engine.decide(Object.assign(new (class Request {})(), { user: OWNER })), 'a class instance');
  });

  it('capabilities, roles, views and questions refuse coerced ids', () => {
    for (const [what, value] of coerced) {
      for (const decision of Object.values(engine.capabilities(value, 'hq'))) {
        assertInvalidRequest(decision, `capabilities: ${what}`);
      }
      assertQueryError(() => engine.roles(value), 'invalid-request', `roles: ${what}`);
      assertRefusedInvalid(() => engine.record(value, 'r-👑'), `record: ${what}`);
      assertRefusedInvalid(() => engine.sitesWhere(value, 'site.update'), `sitesWhere: ${what}`);
      assertRefusedInvalid(() => engine.whatIf(value, []), `whatIf: ${what}`);
    }
  });

  it('whatIf by an unknown, empty or 130-byte editor is refused, with or without changes (section 10)', () => {
    const change = { type: 'access.set', user: 'u-leo', site: 'north', module: 'site', role: 'member' };
    for (const changes of [[], change, [change]]) {
      assert.throws(
        () => engine.whatIf('u-nobody', changes),
        (e) => e instanceof ForbiddenError && e.code === 'unknown-user',
      );
      assertRefusedInvalid(() => engine.whatIf('', changes), 'an empty editor');
      assertRefusedInvalid(() => engine.whatIf('x'.repeat(130), changes), 'a 130-byte editor');
    }
  });

  it('load of a detached ArrayBuffer, or of something that is not plain data, is {ok: false}', async () => {
    const fresh = await createEngine();
    const buffer = new TextEncoder().encode(crownText).buffer;
    structuredClone(buffer, { transfer: [buffer] }); // detaches it
    const detached = fresh.load(buffer);
    assert.equal(detached.ok, false);
    assert.ok(detached.errors.length > 0);
    assert.equal(fresh.load(new Map()).ok, false);
    assert.equal(fresh.load({ toJSON: () => crown }).ok, false);
    assert.equal(fresh.load(new TextEncoder().encode(crownText)).ok, true, 'bytes load');
    assert.equal(fresh.load(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(crownText)])).ok, true);
    // Bytes that are not UTF-8 are refused, not repaired into U+FFFD.
    const latin1 = new TextEncoder().encode(crownText.replace('"Northwind Care Group"', '"Caf\u00e9"'));
    const bad = latin1.slice();
    const at = bad.indexOf(0xc3);
    bad[at] = 0xe9; // `é` in Latin-1: not UTF-8
    bad.copyWithin(at + 1, at + 2);
    assert.equal(fresh.load(bad.subarray(0, bad.length - 1)).ok, false);
  });
});

describe('size limits (section 11 step 1: past a documented limit, a clear error)', () => {
  const MiB = 1 << 20;

  it('limits() documents the limits', () => {
    assert.deepEqual(engine.limits(), { snapshot: 64 * MiB, request: MiB, command: 16 * MiB, question: MiB });
  });

  it('a snapshot past 64 MiB is refused with too-large, as text, bytes or a value, and nothing changes', async () => {
    const fresh = await createEngine();
    assert.equal(fresh.load(crown).ok, true);
    const big = `{"version":1,"pad":"${'x'.repeat(64 * MiB)}"}`;
    for (const input of [big, new TextEncoder().encode(big), { version: 1, pad: 'x'.repeat(64 * MiB) }]) {
      const answer = fresh.load(input);
      assert.equal(answer.ok, false);
      assert.equal(answer.errors[0].code, 'too-large');
      assert.match(answer.errors[0].message, /64 MiB/);
    }
    assert.equal(fresh.can(OWNER, 'site.update', 'hq'), true, 'the previous snapshot stays in force');
  });

  it('a request, command or question past its limit gets its refusal, not an abort', () => {
    const pad = 'x'.repeat(MiB);
    const decision = engine.decide({ user: OWNER, action: 'site.update', site: 'hq', pad });
    assertInvalidRequest(decision, 'an oversized request');
    assert.match(decision.message, /1 MiB/);
    assertInvalidRequest(JSON.parse(engine.decideJson(`${' '.repeat(MiB)}{}`)), 'oversized text');
    const command = { id: 'c', type: 'owner.set', actor: OWNER, at: '2026-06-01T10:00:00Z', user: 'u-leo' };
    for (const answer of [
      engine.dryRun({ ...command, pad: 'x'.repeat(16 * MiB) }),
      engine.apply({ ...command, pad: 'x'.repeat(16 * MiB) }),
    ]) {
      assert.equal(answer.ok, false);
      assert.equal(answer.errors[0].code, 'too-large');
    }
    assertQueryError(() => engine.whoCan('site.update', 'hq', { pad }), 'too-large', 'whoCan');
    assertQueryError(() => engine.whatIf(OWNER, [{ pad }]), 'too-large', 'whatIf');
    // Still answering.
    assert.equal(engine.decide({ user: OWNER, action: 'site.update', site: 'hq' }).allowed, true);
  });

  it('refused input does not grow the wasm memory', async () => {
    // A fresh module (its own wasm memory), whose Memory is caught as it is instantiated.
    const wasmBinary = await readFile(new URL('dist/wasm/calm-access.wasm', ROOT));
    const instantiate = WebAssembly.instantiate;
    let memory;
    WebAssembly.instantiate = async (...args) => {
      const result = await instantiate.apply(WebAssembly, args);
      const exports = (result.instance ?? result).exports;
      memory = Object.values(exports).find((value) => value instanceof WebAssembly.Memory);
      return result;
    };
    let own;
    try {
      own = await createEngine({ wasmBinary });
    } finally {
      WebAssembly.instantiate = instantiate;
    }
    assert.ok(memory instanceof WebAssembly.Memory, 'the wasm memory was caught');
    assert.equal(own.load(crown).ok, true);
    const start = memory.buffer.byteLength;
    const huge = 'x'.repeat(80 * MiB);
    const hugeBytes = new Uint8Array(80 * MiB);
    for (let i = 0; i < 3; i++) {
      assert.equal(own.load(huge).ok, false);
      assert.equal(own.load(hugeBytes).ok, false);
      assertInvalidRequest(JSON.parse(own.decideJson(huge)), 'an 80 MiB request');
      assertInvalidRequest(own.decide({ user: OWNER, action: 'site.update', pad: huge }), 'an 80 MiB request');
      assert.equal(own.dryRun({ pad: huge }).ok, false);
      assert.throws(() => own.whoCan('site.update', 'hq', { pad: huge }), QueryError);
    }
    assert.equal(memory.buffer.byteLength, start, 'the wasm memory did not grow');
    assert.equal(own.can(OWNER, 'site.update', 'hq'), true);
    own.dispose();
  });
});

describe('nesting is bounded at 128 levels in every entry point (README limits; the wasm has a 1 MiB stack)', () => {
  // `k` arrays inside an object member: the text is nested 1 + k levels deep.
  const arrays = (k) => `${'['.repeat(k)}${']'.repeat(k)}`;
  const TOO_DEEP = /nested (too deeply|at most 128 levels)/;

  it('a snapshot nested 128 levels loads; 129 levels, or 100,000, is too-deep, as text, bytes or a value, and nothing changes', async () => {
    const fresh = await createEngine();
    const withIgnored = (k) => `${crownText.trimEnd().slice(0, -1)},"ignored":${arrays(k)}}`;
    const asValue = (k) => ({ ...crown, ignored: JSON.parse(arrays(k)) });
    for (const input of [withIgnored(127), new TextEncoder().encode(withIgnored(127)), asValue(127)]) {
      assert.deepEqual(fresh.load(input).errors, [], 'a snapshot nested 128 levels loads');
    }
    const revision = fresh.revision;
    for (const k of [128, 100000]) {
      for (const input of [withIgnored(k), new TextEncoder().encode(withIgnored(k)), asValue(k)]) {
        const answer = fresh.load(input);
        assert.equal(answer.ok, false, `${1 + k} levels`);
        assert.deepEqual(answer.errors.map((e) => [e.code, e.path]), [['too-deep', '']], `${1 + k} levels`);
        assert.match(answer.errors[0].message, TOO_DEEP);
      }
    }
    assert.equal(fresh.revision, revision, 'the refused loads changed nothing');
    assert.equal(fresh.can(OWNER, 'site.update', 'hq'), true);
    fresh.dispose();
  });

  it('a request nested 128 levels is decided on its shape; 129 levels, or 100,000, is invalid-request for its nesting', () => {
    const request = (k) => `{"user":"${OWNER}","action":"site.update","site":"hq","resource":{"x":${arrays(k)}}}`;
    // 1 (request) + 1 (resource) + k.
    const shaped = JSON.parse(engine.decideJson(request(126)));
    assertInvalidRequest(shaped, '128 levels');
    assert.doesNotMatch(shaped.message, TOO_DEEP, 'refused for its shape, not its depth');
    for (const k of [127, 100000]) {
      const decision = JSON.parse(engine.decideJson(request(k)));
      assertInvalidRequest(decision, `${2 + k} levels`);
      assert.match(decision.message, TOO_DEEP);
      const bytes = JSON.parse(engine.decideJson(new TextEncoder().encode(request(k))));
      assert.deepEqual(bytes, decision, 'the same as bytes');
    }
    assert.equal(engine.decide({ user: OWNER, action: 'site.update', site: 'hq' }).allowed, true);
  });

  it('a command is nested at most 123 levels, so that the state it makes (and each viewer snapshot) loads again', async () => {
    // Built as values (JSON.parse is iterative); the package writes them as JSON text.
    const nested = (k) => JSON.parse(arrays(k));
    const command = { id: 'deep', type: 'owner.set', actor: OWNER, at: '2026-06-01T10:00:00Z', user: 'u-leo' };
    // 1 (command) + k: an unknown member is kept with the command, in the snapshot's appliedCommands.
    assert.equal(engine.dryRun({ ...command, x: nested(122) }).ok, true, 'a command 123 levels deep');
    for (const k of [123, 127]) {
      const answer = engine.dryRun({ ...command, x: nested(k) });
      assert.deepEqual(answer.errors.map((e) => e.code), ['too-deep'], `a command ${1 + k} levels deep`);
      assert.equal(answer.errors[0].path, `/x${'/0'.repeat(122)}`, 'the path of level 124');
      assert.match(answer.errors[0].message, /at most 123 levels/);
    }
    // A block's data sits 7 levels down in a snapshot: at the limit, the state still exports and reloads.
    const owner = await createEngine();
    assert.equal(owner.load(crown).ok, true);
    const record = crown.personnel.records[0];
    let data = {};
    for (let i = 0; i < 120; i++) data = { x: data }; // 121 levels: the command (1) > block (2) > data (3) ... 123
    const add = { id: 'deep-block', type: 'block.add', actor: OWNER, at: '2026-06-01T10:00:00Z', record: record.id };
    assert.equal(owner.apply({ ...add, block: { id: 'b-deep', type: 'other', title: 'Deep', data } }).ok, true);
    const refused = owner.apply({ ...add, id: 'deeper-block', block: { id: 'b-deeper', type: 'other', title: 'Deeper', data: { x: data } } });
    assert.deepEqual(refused.errors.map((e) => e.code), ['too-deep']);
    const again = await createEngine();
    assert.deepEqual(again.load(owner.snapshot()).errors, [], 'the state reloads');
    assert.deepEqual(again.load(owner.viewerSnapshot(OWNER)).errors, [], "the owner's viewer snapshot loads");
    owner.dispose();
    again.dispose();
  });

  it('a question nested 128 levels is read on its shape; a question or command past that is too-deep, refused whole', () => {
    const nested = (k) => JSON.parse(arrays(k));
    const command = { id: 'deep', type: 'owner.set', actor: OWNER, at: '2026-06-01T10:00:00Z', user: 'u-leo' };
    const codeOf = (call) => {
      try {
        call();
      } catch (error) {
        assert.ok(error instanceof QueryError || error instanceof ForbiddenError, String(error));
        return error.code;
      }
      return 'answered';
    };
    // whoCan: 1 (request) + 1 (resource) + k; whatIf: 1 (changes) + 1 (change) + k.
    assert.equal(codeOf(() => engine.whoCan('site.update', 'hq', { x: nested(126) })), 'invalid-request');
    assert.equal(codeOf(() => engine.whatIf(OWNER, [{ x: nested(126) }])), 'unknown-command');
    for (const k of [128, 100000]) {
      for (const answer of [engine.dryRun({ ...command, x: nested(k) }), engine.apply({ ...command, x: nested(k) })]) {
        assert.equal(answer.ok, false, `a command ${1 + k} levels deep`);
        assert.deepEqual(answer.errors.map((e) => e.code), ['too-deep'], `a command ${1 + k} levels deep`);
        assert.equal(answer.errors[0].path, '', 'refused as text, before it is parsed');
      }
    }
    // Past what JSON.stringify can write (100,000 levels) the package hands the core text as deep.
    for (const k of [127, 100000]) {
      assert.equal(codeOf(() => engine.whoCan('site.update', 'hq', { x: nested(k) })), 'too-deep', `whoCan, ${2 + k} levels`);
      assert.equal(codeOf(() => engine.whatIf(OWNER, [{ x: nested(k) }])), 'too-deep', `whatIf, ${2 + k} levels`);
      const decision = engine.decide({ user: OWNER, action: 'site.update', site: 'hq', resource: { x: nested(k) } });
      assertInvalidRequest(decision, `decide, ${2 + k} levels`);
      assert.match(decision.message, TOO_DEEP);
    }
    // The refusals changed nothing: the command without the nesting is still new, and applies.
    assert.equal(engine.dryRun(command).duplicate, undefined);
    assert.equal(engine.can(OWNER, 'site.update', 'hq'), true);
  });
});
