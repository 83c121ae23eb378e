// The package's JS API against the built wasm (no mocks), on the demo
// organisation (examples/demo-org.json).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, it, before, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { createEngine, ForbiddenError, QueryError } from 'calm-access';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url);
const demoText = await readFile(new URL('examples/demo-org.json', ROOT), 'utf8');
const demo = JSON.parse(demoText);

const DECISION_KEYS = ['allowed', 'code', 'message', 'requires', 'rule'];

function assertDecisionShape(decision) {
  assert.deepEqual(Object.keys(decision).sort(), DECISION_KEYS);
  assert.equal(typeof decision.allowed, 'boolean');
  assert.equal(typeof decision.code, 'string');
  assert.equal(typeof decision.message, 'string');
  assert.equal(typeof decision.rule, 'string');
  assert.equal(typeof decision.requires, 'object');
  assert.equal(decision.allowed, decision.code === 'allowed');
}

/** The demo with one grant's role replaced by something that is not a role. */
function demoWithBadGrant(index) {
  const broken = structuredClone(demo);
  broken.grants[index].role = 'superuser';
  return broken;
}

describe('createEngine', () => {
  it('loads the wasm and returns an engine with no snapshot (every user unknown)', async () => {
    const engine = await createEngine();
    const decision = engine.decide({ user: 'u-sam', action: 'site.update', site: 'hq' });
    assertDecisionShape(decision);
    assert.equal(decision.allowed, false);
    assert.equal(decision.code, 'unknown-user');
    engine.dispose();
  });

  it('accepts the wasm bytes (wasmBinary)', async () => {
    const bytes = await readFile(new URL('dist/wasm/calm-access.wasm', ROOT));
    const engine = await createEngine({ wasmBinary: bytes });
    assert.equal(engine.load(demo).ok, true);
    assert.equal(engine.can('u-sam', 'site.update', 'north-lab'), true);
    engine.dispose();
  });

  it('accepts locateFile, given the file name and the folder of the module', async () => {
    const seen = [];
    const engine = await createEngine({
      locateFile: (path, prefix) => {
        seen.push(path);
        return new URL(path, prefix).href;
      },
    });
    assert.ok(seen.includes('calm-access.wasm'));
    assert.equal(engine.load(demo).ok, true);
    engine.dispose();
  });

  it('engines are independent: each holds its own snapshot', async () => {
    const a = await createEngine();
    const b = await createEngine();
    assert.equal(a.load(demo).ok, true);
    assert.equal(a.can('u-sam', 'site.update', 'hq'), true);
    assert.equal(b.explain('u-sam', 'site.update', 'hq').code, 'unknown-user');
    a.dispose();
    b.dispose();
  });
});

describe('actions', () => {
  it('lists the action table, the same ids as the ActionId type of index.d.ts', async () => {
    const engine = await createEngine();
    const actions = engine.actions();
    assert.ok(Array.isArray(actions));
    assert.equal(new Set(actions).size, actions.length, 'action ids are unique');
    const dts = await readFile(new URL('js/index.d.ts', ROOT), 'utf8');
    const union = dts.match(/export type ActionId =([^;]*);/)[1];
    const typed = [...union.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual([...actions].sort(), [...typed].sort());
    engine.dispose();
  });

  it('returns a fresh array each time', async () => {
    const engine = await createEngine();
    const first = engine.actions();
    first.length = 0;
    assert.ok(engine.actions().length > 0);
    engine.dispose();
  });
});

describe('load', () => {
  let engine;
  beforeEach(async () => {
    engine = await createEngine();
  });

  it('loads a snapshot given as an object', () => {
    const result = engine.load(demo);
    assert.equal(result.ok, true);
    assert.deepEqual(result.errors, []);
    assert.equal(typeof result.stats, 'object');
  });

  it('loads a snapshot given as JSON text', () => {
    const result = engine.load(demoText);
    assert.equal(result.ok, true);
    assert.equal(engine.can('u-priya', 'training.course.edit', { course: 'c-fire' }), true);
  });

  it('loads a snapshot given as UTF-8 bytes', () => {
    assert.equal(engine.load(new TextEncoder().encode(demoText)).ok, true);
    assert.equal(engine.can('u-sam', 'site.update', 'north-lab'), true);
  });

  it('reports errors with a code, a JSON path and a message', () => {
    const result = engine.load(demoWithBadGrant(3));
    assert.equal(result.ok, false);
    assert.equal('stats' in result, false);
    assert.ok(result.errors.length >= 1);
    const error = result.errors.find((e) => e.path === '/grants/3/role');
    assert.ok(error, `an error names /grants/3/role: ${JSON.stringify(result.errors)}`);
    assert.equal(typeof error.code, 'string');
    assert.equal(typeof error.message, 'string');
    assert.ok(error.message.length > 0);
  });

  it('a failed load leaves the previous snapshot in force', () => {
    assert.equal(engine.load(demo).ok, true);
    const requests = [
      { user: 'u-priya', action: 'training.course.edit', resource: { course: 'c-fire' } },
      { user: 'u-nina', action: 'personnel.settings.view', site: 'south' },
      { user: 'u-sam', action: 'site.integrations.manage', site: 'north-lab' },
    ];
    const before = requests.map((r) => engine.decide(r));
    const roles = engine.roles('u-priya');
    for (const bad of [demoWithBadGrant(0), '{ not json', '', { version: 2 }, 42, null]) {
      assert.equal(engine.load(bad).ok, false, `load(${JSON.stringify(bad)?.slice(0, 40)}) fails`);
      assert.deepEqual(
        requests.map((r) => engine.decide(r)),
        before,
      );
      assert.deepEqual(engine.roles('u-priya'), roles);
    }
  });

  it('a failed first load leaves the engine empty', () => {
    assert.equal(engine.load('{ not json').ok, false);
    assert.equal(engine.explain('u-sam', 'site.update', 'hq').code, 'unknown-user');
  });

  it('a value with no JSON form fails to load and does not throw', () => {
    const cyclic = structuredClone(demo);
    cyclic.self = cyclic;
    for (const bad of [cyclic, { version: 1n }, undefined, () => {}]) {
      const result = engine.load(bad);
      assert.equal(result.ok, false);
      assert.ok(result.errors.length >= 1);
    }
  });

  it('a later good load replaces the snapshot', () => {
    assert.equal(engine.load(demo).ok, true);
    const smaller = structuredClone(demo);
    smaller.grants = smaller.grants.filter((g) => g.user !== 'u-sam');
    assert.equal(engine.can('u-sam', 'site.update', 'hq'), true);
    assert.equal(engine.load(smaller).ok, true);
    assert.equal(engine.can('u-sam', 'site.update', 'hq'), false);
    assert.equal(engine.explain('u-sam', 'site.update', 'hq').code, 'missing-site-permission');
  });
});

describe('decide', () => {
  let engine;
  before(async () => {
    engine = await createEngine();
    assert.equal(engine.load(demo).ok, true);
  });

  it('answers a request with an explained decision', () => {
    const allowed = engine.decide({ user: 'u-priya', action: 'training.course.edit', resource: { course: 'c-fire' } });
    assertDecisionShape(allowed);
    assert.equal(allowed.allowed, true);
    assert.equal(allowed.code, 'allowed');

    const denied = engine.decide({ user: 'u-leo', action: 'training.insights.view', site: 'north-lab' });
    assertDecisionShape(denied);
    assert.equal(denied.allowed, false);
    assert.equal(denied.code, 'missing-role');
    assert.ok(denied.rule.length > 0);
  });

  it('a malformed request is an invalid-request decision, never an exception', () => {
    const cyclic = { user: 'u-sam', action: 'site.update', site: 'hq' };
    cyclic.resource = cyclic;
    const malformed = [
      42,
      null,
      undefined,
      'u-sam',
      [],
      true,
      {},
      { user: 'u-sam' },
      { user: 42, action: 'site.update', site: 'hq' },
      { user: 'u-sam', action: 'site.update', site: '' },
      { user: 'u-sam', action: 'site.update', site: 'x'.repeat(129) },
      { user: 'u-sam', action: 'site.update', site: 'hq', resource: 'c-fire' },
      cyclic,
      { user: 'u-sam', action: 'site.update', site: 'hq', extra: 1n },
      () => {},
      Symbol('request'),
    ];
    for (const request of malformed) {
      const decision = engine.decide(request);
      assertDecisionShape(decision);
      assert.equal(decision.allowed, false);
      assert.equal(decision.code, 'invalid-request', `decide(${String(request?.toString?.() ?? request)})`);
    }
  });

  it('unknown ids are named, in the order of section 11', () => {
    assert.equal(engine.decide({ user: 'u-sam', action: 'site.explode', site: 'hq' }).code, 'unknown-action');
    assert.equal(engine.decide({ user: 'u-ghost', action: 'site.update', site: 'hq' }).code, 'unknown-user');
    assert.equal(engine.decide({ user: 'u-sam', action: 'site.update', site: 'mars' }).code, 'unknown-site');
    assert.equal(
      engine.decide({ user: 'u-priya', action: 'training.course.edit', resource: { course: 'c-none' } }).code,
      'unknown-resource',
    );
  });

  it('handles ids in any script (UTF-8 across the boundary)', () => {
    const snapshot = structuredClone(demo);
    snapshot.sites.push({ id: 'zürich-😀', name: 'Zürich', parent: 'hq' });
    snapshot.users.push({ id: 'u-日本' });
    snapshot.grants.push({ user: 'u-日本', site: 'zürich-😀', module: 'site', role: 'manager' });
    const local = engine;
    assert.equal(local.load(snapshot).ok, true);
    assert.equal(local.can('u-日本', 'site.update', 'zürich-😀'), true);
    assert.equal(local.can('u-日本', 'site.update', 'hq'), false);
    const roles = local.roles('u-日本');
    assert.ok(roles.some((r) => r.site === 'zürich-😀' && r.module === 'site' && r.role === 'manager'));
    assert.equal(local.load(demo).ok, true);
  });

  it('decideJson takes and returns JSON text', () => {
    const text = engine.decideJson('{"user":"u-sam","action":"site.update","site":"north"}');
    assert.equal(typeof text, 'string');
    assert.deepEqual(JSON.parse(text), engine.decide({ user: 'u-sam', action: 'site.update', site: 'north' }));
    assert.equal(JSON.parse(engine.decideJson('not json')).code, 'invalid-request');
    assert.equal(JSON.parse(engine.decideJson(42)).code, 'invalid-request');
  });
});

describe('can, explain, assertCan', () => {
  let engine;
  before(async () => {
    engine = await createEngine();
    assert.equal(engine.load(demo).ok, true);
  });

  it('a string target is the site', () => {
    assert.equal(engine.can('u-sam', 'site.integrations.manage', 'north-lab'), true);
    assert.equal(engine.can('u-priya', 'site.update', 'north'), false);
    assert.deepEqual(
      engine.explain('u-priya', 'site.update', 'north'),
      engine.decide({ user: 'u-priya', action: 'site.update', site: 'north' }),
    );
  });

  it('an object target gives the site and the resource', () => {
    assert.deepEqual(
      engine.explain('u-priya', 'users.access.set', { site: 'north', target: 'u-leo', module: 'personnel', role: 'member' }),
      engine.decide({
        user: 'u-priya',
        action: 'users.access.set',
        site: 'north',
        resource: { target: 'u-leo', module: 'personnel', role: 'member' },
      }),
    );
    assert.equal(engine.can('u-priya', 'training.course.edit', { course: 'c-fire' }), true);
    assert.equal(engine.can('u-leo', 'training.course.complete', { fulfillment: 'f-leo-fire' }), true);
    assert.equal(engine.can('u-priya', 'training.course.complete', { fulfillment: 'f-leo-fire' }), false);
    assert.equal(engine.explain('u-priya', 'training.course.complete', { fulfillment: 'f-leo-fire' }).code, 'not-own-fulfillment');
    assert.equal(engine.can('u-leo', 'personnel.block.view', { block: { record: 'r-leo', block: 'b-quals' } }), true);
    assert.equal(
      engine.explain('u-priya', 'personnel.block.view', { block: { record: 'r-leo', block: 'b-quals' } }).code,
      'missing-role',
      'a manager at north holds nothing at north-lab (A2)',
    );
  });

  it('no target asks without a site (only organisation-level actions have none)', () => {
    assert.equal(engine.can('u-olive', 'users.owner.set', { target: 'u-sam' }), true);
    assert.equal(engine.can('u-sam', 'users.owner.set', { target: 'u-sam' }), false);
    assert.equal(engine.explain('u-sam', 'site.update').code, 'invalid-request');
  });

  it('a target of the wrong type is decided by the core as invalid', () => {
    assert.equal(engine.explain('u-sam', 'site.update', 42).code, 'invalid-request');
    assert.equal(engine.explain('u-sam', 'site.update', ['hq']).code, 'invalid-request');
    assert.equal(engine.can(42, 'site.update', 'hq'), false);
  });

  it('can agrees with explain on every action for every demo user at every site', () => {
    for (const user of demo.users.map((u) => u.id)) {
      for (const site of demo.sites.map((s) => s.id)) {
        for (const action of engine.actions()) {
          assert.equal(engine.can(user, action, site), engine.explain(user, action, site).allowed);
        }
      }
    }
  });

  it('assertCan returns the decision when allowed', () => {
    const decision = engine.assertCan('u-sam', 'site.update', 'south');
    assert.equal(decision.allowed, true);
    assert.equal(decision.code, 'allowed');
  });

  it('assertCan throws a ForbiddenError carrying the denial', () => {
    const expected = engine.explain('u-nina', 'personnel.settings.view', 'south');
    assert.throws(
      () => engine.assertCan('u-nina', 'personnel.settings.view', 'south'),
      (error) => {
        assert.ok(error instanceof ForbiddenError);
        assert.ok(error instanceof Error);
        assert.equal(error.name, 'ForbiddenError');
        assert.deepEqual(error.decision, expected);
        assert.equal(error.code, expected.code);
        assert.equal(error.message, expected.message);
        return true;
      },
    );
  });

  it('the P17 message reaches JS unchanged', () => {
    const decision = engine.explain('u-nina', 'personnel.settings.view', 'south');
    assert.equal(decision.allowed, false);
    assert.equal(
      decision.message,
      "You don't have permission to view personnel settings. Please contact your administrator.",
    );
  });
});

describe('capabilities', () => {
  let engine;
  before(async () => {
    engine = await createEngine();
    assert.equal(engine.load(demo).ok, true);
  });

  it('maps every action id to a decision', () => {
    const capabilities = engine.capabilities('u-priya', 'north');
    assert.deepEqual(Object.keys(capabilities).sort(), [...engine.actions()].sort());
    for (const decision of Object.values(capabilities)) assertDecisionShape(decision);
    assert.equal(capabilities['training.insights.view'].allowed, true);
    assert.equal(capabilities['site.update'].allowed, false);
  });

  it('agrees with explain on actions that need no resource', () => {
    const capabilities = engine.capabilities('u-leo', 'north-lab');
    for (const action of ['training.insights.view', 'training.progress.view_own', 'site.update', 'users.view']) {
      assert.deepEqual(capabilities[action], engine.explain('u-leo', action, 'north-lab'), action);
    }
  });

  it('an unknown user or site is denied action by action, naming the unknown id (A8)', () => {
    for (const [user, site, code] of [
      ['u-ghost', 'north', 'unknown-user'],
      ['u-leo', 'mars', 'unknown-site'],
    ]) {
      const capabilities = engine.capabilities(user, site);
      assert.deepEqual(Object.keys(capabilities).sort(), [...engine.actions()].sort());
      for (const decision of Object.values(capabilities)) {
        assert.equal(decision.allowed, false);
        assert.equal(decision.code, code);
      }
    }
  });

  it('capabilityCodes is the same map as one typed array, each entry rendered on demand by capability (issue 13)', () => {
    const names = engine.reasonCodes();
    assert.equal(names.length, new Set(names).size);
    assert.ok(names.includes('allowed') && names.includes('missing-role'));
    const actions = engine.actions();
    const people = [...demo.users.map((u) => u.id), 'u-ghost', 42];
    const sites = [...demo.sites.map((s) => s.id), 'mars'];
    let allowed = 0;
    for (const user of people) {
      for (const site of sites) {
        const map = engine.capabilities(user, site);
        const codes = engine.capabilityCodes(user, site);
        assert.ok(codes instanceof Uint8Array);
        assert.equal(codes.length, actions.length);
        actions.forEach((action, i) => {
          assert.equal(names[codes[i]], map[action].code, `${user} at ${site}: ${action}`);
          if (names[codes[i]] === 'allowed') allowed += 1;
        });
        for (const action of [actions[0], 'training.insights.view', 'site.update']) {
          assert.deepEqual(engine.capability(user, site, action), map[action], `${user} at ${site}: ${action}`);
        }
      }
    }
    assert.ok(allowed > 0, 'some capability is allowed');
    assert.equal(engine.capability('u-leo', 'north', 'no.such.action').code, 'unknown-action');
  });

  it('check gives the code of explain without its message (issue 13)', () => {
    for (const [user, action, target] of [
      ['u-priya', 'training.insights.view', 'north'],
      ['u-leo', 'site.update', 'north-lab'],
      ['u-ghost', 'site.update', 'north'],
      ['u-leo', 'no.such.action', 'north'],
      [42, 'site.update', 'north'],
      ['u-leo', 'training.course.edit', { course: demo.training.courses[0].id }],
    ]) {
      assert.equal(engine.check(user, action, target), engine.explain(user, action, target).code);
    }
  });

  it('ids that are not strings make every decision invalid-request, never a throw (ACCESS.md section 11 step 1)', () => {
    for (const [user, site] of [
      [42, 'north'],
      ['u-leo', undefined],
      [new String('u-leo'), 'north'],
    ]) {
      for (const decision of Object.values(engine.capabilities(user, site))) {
        assert.equal(decision.allowed, false);
        assert.equal(decision.code, 'invalid-request');
      }
    }
  });
});

describe('roles', () => {
  let engine;
  before(async () => {
    engine = await createEngine();
    assert.equal(engine.load(demo).ok, true);
  });

  function row(rows, site, module) {
    return rows.find((r) => r.site === site && r.module === module);
  }

  it('rows have a site, a module, a role, entitlement and sources', () => {
    const rows = engine.roles('u-priya');
    assert.ok(rows.length > 0);
    for (const r of rows) {
      assert.deepEqual(Object.keys(r).sort(), ['entitled', 'module', 'role', 'site', 'sources']);
      for (const source of r.sources) {
        assert.ok(['direct', 'cascade', 'implied', 'owner'].includes(source.kind));
        assert.ok(['none', 'member', 'manager', 'admin'].includes(source.role));
      }
    }
  });

  it('shows direct grants and the member role they imply on parent sites (A1, A4)', () => {
    const rows = engine.roles('u-priya');
    const direct = row(rows, 'north', 'personnel');
    assert.equal(direct.role, 'manager');
    assert.ok(direct.sources.some((s) => s.kind === 'direct' && s.role === 'manager'));
    const implied = row(rows, 'hq', 'personnel');
    assert.equal(implied.role, 'member');
    assert.ok(implied.sources.some((s) => s.kind === 'implied' && s.from === 'north'));
    assert.equal(row(rows, 'north-lab', 'personnel'), undefined, 'no downward inheritance (A2)');
  });

  it('shows cascades with the site they come from (A3)', () => {
    const rows = engine.roles('u-sam');
    const lab = row(rows, 'north-lab', 'site');
    assert.equal(lab.role, 'admin');
    assert.ok(lab.sources.some((s) => s.kind === 'cascade' && s.from === 'hq'));
  });

  it('shows owners as admin of every module everywhere (A6)', () => {
    const rows = engine.roles('u-olive');
    for (const site of demo.sites.map((s) => s.id)) {
      const r = row(rows, site, 'personnel');
      assert.equal(r.role, 'admin');
      assert.ok(r.sources.some((s) => s.kind === 'owner'));
    }
  });

  it('throws a QueryError for an unknown user', () => {
    assert.throws(
      () => engine.roles('u-ghost'),
      (error) => error instanceof QueryError && error.code === 'unknown-user',
    );
    assert.throws(
      () => engine.roles(undefined),
      (error) => error instanceof QueryError && error.code === 'invalid-request',
    );
  });
});

describe('dispose', () => {
  it('frees the engine; later calls throw; a second dispose is harmless', async () => {
    const engine = await createEngine();
    assert.equal(engine.load(demo).ok, true);
    engine.dispose();
    engine.dispose();
    assert.throws(() => engine.decide({ user: 'u-sam', action: 'site.update', site: 'hq' }), /disposed/);
    assert.throws(() => engine.load(demo), /disposed/);
  });

  it('is also Symbol.dispose, for `using`', async () => {
    const engine = await createEngine();
    if (typeof Symbol.dispose === 'symbol') {
      assert.equal(engine[Symbol.dispose], engine.dispose);
    }
    engine.dispose();
  });
});

describe('the README example', () => {
  const quickstart = fileURLToPath(new URL('examples/quickstart.mjs', ROOT));

  it('examples/quickstart.mjs runs and prints what the README says', async () => {
    const { stdout } = await run(process.execPath, [quickstart], { cwd: fileURLToPath(ROOT) });
    const readme = await readFile(new URL('README.md', ROOT), 'utf8');
    const printed = readme.match(/```text quickstart-output\n([\s\S]*?)```/);
    assert.ok(printed, 'README.md has a ```text quickstart-output block');
    assert.equal(stdout, printed[1]);
  });

  it('README.md shows examples/quickstart.mjs verbatim', async () => {
    const readme = await readFile(new URL('README.md', ROOT), 'utf8');
    const source = await readFile(quickstart, 'utf8');
    assert.ok(readme.includes('```js\n' + source + '```'), 'the README js block equals examples/quickstart.mjs');
  });
});

