// Property tests of the package's boundary (issue 14), with fast-check,
// seeded and bounded so that they take a few seconds:
//   1. arbitrary values in every argument position of every method: no throw
//      where the README says "never throws", only ForbiddenError or
//      QueryError where it documents them;
//   2. no allow on anything malformed (ACCESS.md section 11 step 1, changed:
//      a coerced value or a lone surrogate where an id or action is expected
//      is `invalid-request`);
//   3. the answer to a well-formed request is the same whichever entry point
//      asks it: can, explain, decide, decideJson, capabilities and the
//      command line `calm-access decide`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, before, after } from 'node:test';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';

import { createEngine, ForbiddenError, QueryError } from 'calm-access';

const ROOT = new URL('../../', import.meta.url);
const CLI = fileURLToPath(new URL('js/cli.js', ROOT));
const demoText = await readFile(new URL('examples/demo-org.json', ROOT), 'utf8');
const demo = JSON.parse(demoText);

const SEED = 14;
const RUNS = 300;

const USERS = demo.users.map((u) => u.id);
const SITES = demo.sites.map((s) => s.id);
const COURSES = demo.training.courses.map((c) => c.id);
const RECORDS = demo.personnel.records.map((r) => r.id);
const IDS = [...USERS, ...SITES, ...COURSES, ...RECORDS, 'u-ghost', 'nowhere'];

let engine;
let ACTIONS;
before(async () => {
  engine = await createEngine();
  assert.equal(engine.load(demo).ok, true);
  ACTIONS = engine.actions();
});
after(() => engine.dispose());

// ---- Hostile values ----

/** A string with a lone surrogate somewhere in it. */
const loneSurrogate = fc
  .tuple(
    fc.constantFrom(...IDS),
    fc.integer({ min: 0xd800, max: 0xdfff }),
    fc.nat(),
    fc.constantFrom('', 'Q', 'x'),
  )
  .map(([id, unit, at, after]) => {
    const i = at % (id.length + 1);
    return id.slice(0, i) + String.fromCharCode(unit) + after + id.slice(i);
  })
  .filter((s) => !s.isWellFormed());

/** What stands for an id without being a well-formed primitive string. */
function coercedFrom(id) {
  return fc.constantFrom(
    new String(id),
    { toJSON: () => id },
    [id],
    Object.assign(Object.create({ toString: () => id }), {}),
    { valueOf: () => id, toString: () => id },
  );
}
const coercedId = fc.constantFrom(...IDS, ...(['site.update', 'training.course.edit'])).chain(coercedFrom);

/**
 * Values whose reading throws (a getter, a proxy) and a detached buffer. The
 * arbitrary gives a printable stand-in (fast-check prints counterexamples);
 * `materialize` makes the value inside the property.
 */
const THROWING = Symbol.for('calm.throwing');
const throwing = fc.constantFrom('getter', 'proxy', 'detached').map((kind) => ({ [THROWING]: kind }));
function materialize(value) {
  switch (value?.[THROWING]) {
    case 'getter':
      return Object.defineProperty({}, 'user', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      });
    case 'proxy':
      return new Proxy(
        {},
        {
          getPrototypeOf() {
            throw new Error('proxy');
          },
          ownKeys() {
            throw new Error('proxy');
          },
          get() {
            throw new Error('proxy');
          },
        },
      );
    case 'detached': {
      const buffer = new ArrayBuffer(8);
      structuredClone(buffer, { transfer: [buffer] });
      return buffer;
    }
    default:
      return value;
  }
}

const hostile = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
    withObjectString: true,
  }),
  fc.string({ unit: 'binary' }),
  loneSurrogate,
  coercedId,
  throwing,
  fc.constantFrom(...IDS, ...['site.update', 'training.course.edit', '2026-06-01']),
);

// ---- 1. Never throws, or throws only the documented errors ----

// Methods the README says never throw (load, decide, decideJson) or that
// answer every input with a value (can, explain, capabilities, apply, dryRun,
// freshness).
const NEVER_THROWS = {
  load: 1,
  decide: 1,
  decideJson: 1,
  can: 3,
  check: 3,
  explain: 3,
  capabilities: 2,
  capabilityCodes: 2,
  capability: 3,
  apply: 1,
  dryRun: 1,
  freshness: 1,
};
// Methods that throw ForbiddenError (a denial) or QueryError (a malformed argument) only.
const TYPED_ERRORS = {
  assertCan: 3,
  roles: 1,
  myCourses: 2,
  course: 2,
  attempts: 2,
  insights: 4,
  trainingOf: 3,
  record: 2,
  people: 2,
  company: 2,
  comments: 2,
  personnelSettings: 2,
  whoCan: 3,
  sitesWhere: 2,
  whatIf: 2,
};

describe('arbitrary values in every argument position (README "never throws")', () => {
  for (const [method, arity] of Object.entries(NEVER_THROWS)) {
    it(`${method} never throws`, async () => {
      const target = await createEngine();
      assert.equal(target.load(demo).ok, true);
      fc.assert(
        fc.property(fc.array(hostile, { minLength: arity, maxLength: arity }), (given) => {
          const answer = target[method](...given.map(materialize));
          if (method === 'decideJson') assert.equal(typeof JSON.parse(answer).allowed, 'boolean');
          if (method === 'can') assert.equal(typeof answer, 'boolean');
          if (method === 'check') assert.ok(target.reasonCodes().includes(answer), String(answer));
          if (method === 'capabilityCodes') assert.equal(answer.length, target.actions().length);
          if (method === 'capability') assert.equal(typeof answer.allowed, 'boolean');
        }),
        { seed: SEED, numRuns: RUNS },
      );
      target.dispose();
    });
  }

  for (const [method, arity] of Object.entries(TYPED_ERRORS)) {
    it(`${method} throws only ForbiddenError or QueryError`, () => {
      fc.assert(
        fc.property(fc.array(hostile, { minLength: arity, maxLength: arity }), (given) => {
          try {
            engine[method](...given.map(materialize));
          } catch (error) {
            assert.ok(
              error instanceof ForbiddenError || error instanceof QueryError,
              `${method}(${fc.stringify(given)}) threw ${error?.stack ?? error}`,
            );
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
});

// ---- 2. No allow on anything malformed ----

/** Requests the owner is allowed, as [user, action, target]. */
function allowedRequests() {
  const out = [];
  for (const site of SITES) {
    for (const action of ACTIONS) {
      if (engine.can('u-olive', action, site)) out.push(['u-olive', action, site]);
    }
  }
  out.push(['u-olive', 'training.course.edit', { course: COURSES[0] }]);
  out.push(['u-olive', 'personnel.record.view', { record: RECORDS[0] }]);
  return out;
}

const malformed = (id) => fc.oneof(coercedFrom(id), loneSurrogate.map((s) => s), fc.constant(42), fc.constant(null));

describe('no allow on anything malformed (ACCESS.md section 11 step 1)', () => {
  it('an allowed request with one id or the action made malformed is invalid-request everywhere', () => {
    const allowed = allowedRequests();
    assert.ok(allowed.length > 20);
    const arb = fc
      .tuple(fc.constantFrom(...allowed), fc.constantFrom('user', 'action', 'site', 'resource'))
      .chain(([[user, action, target], where]) => {
        const id =
          where === 'user'
            ? user
            : where === 'action'
              ? action
              : typeof target === 'string'
                ? target
                : Object.values(target)[0];
        return malformed(id).map((bad) => {
          const request = [user, action, target];
          if (where === 'user') request[0] = bad;
          else if (where === 'action') request[1] = bad;
          else if (typeof target === 'string') request[2] = where === 'site' ? bad : { site: bad };
          else request[2] = { [Object.keys(target)[0]]: bad };
          return [...request, where];
        });
      });
    fc.assert(
      fc.property(arb, ([user, action, target, where]) => {
        assert.equal(engine.can(user, action, target), false);
        assert.equal(engine.check(user, action, target), 'invalid-request');
        const explained = engine.explain(user, action, target);
        assert.equal(explained.allowed, false);
        assert.equal(explained.code, 'invalid-request', JSON.stringify(explained));
        assert.throws(() => engine.assertCan(user, action, target), ForbiddenError);
        if (where === 'user' || where === 'site') {
          const capabilities = engine.capabilities(user, target);
          for (const decision of Object.values(capabilities)) assert.equal(decision.allowed, false);
          const names = engine.reasonCodes();
          for (const code of engine.capabilityCodes(user, target)) assert.notEqual(names[code], 'allowed');
          assert.equal(engine.capability(user, target, action).allowed, false);
        }
        const request = { user, action };
        if (typeof target === 'string' || (typeof target === 'object' && target !== null && 'site' in target)) {
          request.site = typeof target === 'string' ? target : target.site;
        } else if (target !== undefined) {
          request.resource = target;
        }
        const decided = engine.decide(request);
        assert.equal(decided.allowed, false);
        assert.equal(decided.code, 'invalid-request', JSON.stringify(decided));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('views and questions by a malformed viewer are refused, never answered', () => {
    fc.assert(
      fc.property(malformed('u-olive'), fc.constantFrom(...SITES), (viewer, site) => {
        for (const call of [
          () => engine.people(viewer, site),
          () => engine.personnelSettings(viewer, site),
          () => engine.insights(viewer, site, '2026-06-01'),
          () => engine.record(viewer, RECORDS[0]),
          () => engine.sitesWhere(viewer, 'site.update'),
          () => engine.whatIf(viewer, []),
          () => engine.roles(viewer),
        ]) {
          assert.throws(
            call,
            (e) => (e instanceof ForbiddenError || e instanceof QueryError) && e.code === 'invalid-request',
          );
        }
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

// ---- 3. One answer, whichever entry point asks ----

const wellFormed = fc
  .record({
    user: fc.constantFrom(...USERS, 'u-ghost', ''),
    action: fc.constantFrom(...['site.update', 'training.course.edit', 'personnel.record.view', 'no.such.action']),
    site: fc.option(fc.constantFrom(...SITES, 'nowhere'), { nil: undefined }),
    resource: fc.option(
      fc.oneof(
        fc.record({ course: fc.constantFrom(...COURSES, 'c-ghost') }),
        fc.record({ record: fc.constantFrom(...RECORDS) }),
      ),
      { nil: undefined },
    ),
  })
  .map(({ user, action, site, resource }) => {
    const request = { user, action };
    if (site !== undefined) request.site = site;
    if (resource !== undefined) request.resource = resource;
    return request;
  });

/** Runs `calm-access decide` on `lines`; resolves to its stdout lines. */
function cliDecide(snapshotFile, lines) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'decide', '--snapshot', snapshotFile], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`calm-access exited ${code}: ${stderr}`));
      else resolve(stdout.split('\n').slice(0, -1));
    });
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  });
}

describe('one answer whichever entry point asks (can, explain, decide, decideJson, capabilities, CLI)', () => {
  let tmp;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'calm-boundary-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('agree on every generated request', async () => {
    const asked = [];
    fc.assert(
      fc.property(wellFormed, (request) => {
        const decided = engine.decide(request);
        const text = JSON.stringify(request);
        assert.deepEqual(JSON.parse(engine.decideJson(text)), decided);
        const target = request.resource ? { ...request.resource, site: request.site } : request.site;
        if (target && typeof target === 'object' && target.site === undefined) delete target.site;
        assert.deepEqual(engine.explain(request.user, request.action, target), decided);
        assert.equal(engine.can(request.user, request.action, target), decided.allowed);
        assert.equal(engine.check(request.user, request.action, target), decided.code);
        if (request.resource === undefined && request.site !== undefined && decided.code !== 'invalid-request') {
          const capabilities = engine.capabilities(request.user, request.site);
          if (Object.hasOwn(capabilities, request.action)) {
            assert.deepEqual(capabilities[request.action], decided);
            assert.deepEqual(engine.capability(request.user, request.site, request.action), decided);
            const codes = engine.capabilityCodes(request.user, request.site);
            assert.equal(engine.reasonCodes()[codes[ACTIONS.indexOf(request.action)]], decided.code);
          }
        }
        asked.push([text, engine.decideJson(text)]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const file = join(tmp, 'demo.json');
    await writeFile(file, demoText);
    const answers = await cliDecide(
      file,
      asked.map(([text]) => text),
    );
    assert.equal(answers.length, asked.length, 'one answer line per request line');
    asked.forEach(([, expected], i) => assert.equal(answers[i], expected, asked[i][0]));
  });
});
