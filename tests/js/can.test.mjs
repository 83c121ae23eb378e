// `can` gives exactly `explain(...).allowed`, whichever path answers it (the
// indexed fast path for simple requests, the full decision otherwise): on every
// corpus request and on seeded random requests over the corpus and demo
// snapshots, with known, unknown, malformed and mixed ids.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';

import { createEngine } from 'calm-access';

import { readCorpus } from './support/corpus-files.mjs';
import { mulberry32 as random } from '../../bench/gen-org.mjs';

const corpus = await readCorpus();
const demo = JSON.parse(await readFile(new URL('../../examples/demo-org.json', import.meta.url), 'utf8'));
const snapshots = [{ file: 'examples/demo-org.json', snapshot: demo }].concat(
  corpus.map(({ file, data }) => ({ file, snapshot: data.snapshot })),
);


function idsOf(snapshot) {
  const list = (value) => (Array.isArray(value) ? value.map((x) => x?.id).filter((x) => typeof x === 'string') : []);
  return {
    users: list(snapshot.users),
    sites: list(snapshot.sites),
    courses: list(snapshot.training?.courses),
    fulfillments: list(snapshot.training?.fulfillments),
    records: list(snapshot.personnel?.records),
    comments: list(snapshot.personnel?.comments),
    companies: list(snapshot.personnel?.companies),
    // [record, block] of every block.
    blocks: (snapshot.personnel?.records ?? []).flatMap((r) => list(r.blocks).map((b) => [r.id, b])),
  };
}

/** The request `explain` stands for, as `decide` takes it (js/index.js `toRequest`). */
function requestOf(user, action, target) {
  const request = { user, action };
  if (target === undefined || target === null) return request;
  if (typeof target !== 'object' || Array.isArray(target)) return { ...request, site: target };
  const { site, ...resource } = target;
  if (site !== undefined) request.site = site;
  if (Object.keys(resource).length > 0) request.resource = resource;
  return request;
}

// can = explain().allowed, and explain (indexed when every id is known) =
// decide (the JSON path), field for field and message for message.
function assertSame(engine, user, action, target, where) {
  const decision = engine.explain(user, action, target);
  const question = JSON.stringify([user, action, target]);
  assert.equal(engine.can(user, action, target), decision.allowed, `${where}: can(${question})`);
  assert.equal(engine.check(user, action, target), decision.code, `${where}: check(${question})`);
  const viaJson = JSON.parse(engine.decideJson(JSON.stringify(requestOf(user, action, target)) ?? ''));
  assert.deepEqual(decision, viaJson, `${where}: explain(${question})`);
}

describe('can agrees with explain, and explain with decide', () => {
  it('on every corpus request', async () => {
    let checked = 0;
    for (const { file, data } of corpus) {
      const engine = await createEngine();
      assert.equal(engine.load(data.snapshot).ok, true, file);
      for (const { request } of data.cases ?? []) {
        if (request === null || typeof request !== 'object' || Array.isArray(request)) continue;
        const { user, action, site, resource } = request;
        const target = resource && typeof resource === 'object' ? { ...resource } : {};
        if (site !== undefined) target.site = site;
        assertSame(engine, user, action, target, file);
        if (resource === undefined) assertSame(engine, user, action, site, file);
        checked += 1;
      }
      engine.dispose();
    }
    assert.ok(checked > 0, 'the corpus has object requests');
  });

  it('on seeded random requests over every snapshot', async () => {
    const next = random(20261123);
    const pick = (list) => list[Math.floor(next() * list.length)];
    const engine = await createEngine();
    const actions = engine.actions();
    const odd = ['', 'x'.repeat(129), 'nobody', 42, null, true, ['hq'], { id: 'hq' }, undefined];
    for (const { file, snapshot } of snapshots) {
      assert.equal(engine.load(snapshot).ok, true, file);
      const ids = idsOf(snapshot);
      const anyId = () => {
        const r = next();
        if (r < 0.1) return pick(odd);
        if (r < 0.2) return pick(Object.values(ids).flat().concat(['nobody']));
        return undefined;
      };
      const id = (collection) => anyId() ?? pick(ids[collection].length ? ids[collection] : ['nobody']);
      const keys = [
        ['course', 'courses'],
        ['fulfillment', 'fulfillments'],
        ['record', 'records'],
        ['thread', 'comments'],
        ['company', 'companies'],
        ['target', 'users'],
      ];
      for (let i = 0; i < 4000; i++) {
        const user = next() < 0.05 ? pick(odd) : id('users');
        const action = next() < 0.05 ? pick(['site.explode', '', 7]) : pick(actions);
        let target;
        const shape = next();
        if (shape < 0.25) target = id('sites');
        else if (shape < 0.3) target = next() < 0.5 ? undefined : pick(odd);
        else {
          target = {};
          if (next() < 0.6) target.site = id('sites');
          const count = next() < 0.8 ? 1 : next() < 0.5 ? 0 : 2;
          for (let k = 0; k < count; k++) {
            const [key, collection] = pick(keys);
            target[key] = id(collection);
          }
          if (next() < 0.1) {
            const [record, block] = next() < 0.8 && ids.blocks.length ? pick(ids.blocks) : [id('records'), pick(['b-1', '', 'nope'])];
            target.block = { record, block };
          } else if (next() < 0.02) {
            target.block = id('records'); // not `{ record, block }`
          }
          if (next() < 0.1) target.module = pick(['site', 'personnel', 'premises', 'nope']);
          if (next() < 0.1) target.role = pick(['none', 'member', 'admin', 'root']);
          if (next() < 0.02) target.extra = 'x';
        }
        assertSame(engine, user, action, target, file);
      }
    }
    engine.dispose();
  });

  it('explain in parts gives the bytes of decide for quoted ids of every kind of character (issue 13)', async () => {
    const engine = await createEngine();
    const odd = ['caf\u00e9', '\u{1F512} lock', 'tab\there', 'nl\nline', 'q"uote\\', '\u0001\u007f', 'x'.repeat(70) + '\u{1F512}', '\u00e9'.repeat(40), 'a\u0000b'];
    const org = structuredClone(demo);
    org.sites.push({ id: odd[1], name: 'Lock', parent: org.sites[0].id });
    org.users.push({ id: odd[0], name: 'Cafe', email: 'cafe@example.org' });
    assert.equal(engine.load(org).ok, true);
    const actions = ['site.update', 'training.course.view', 'personnel.record.view', 'users.access.set', 'no.such\u00e9'];
    let checked = 0;
    for (const id of odd.concat(['u-leo', 'north'])) {
      for (const action of actions) {
        for (const [user, target] of [
          [id, 'north'],
          ['u-leo', id],
          ['u-leo', { course: id }],
          ['u-leo', { record: id, site: 'north' }],
          [odd[0], { site: odd[1] }],
          ['u-olive', { module: id, target: 'u-leo', role: 'member', site: 'north' }],
        ]) {
          const decision = engine.explain(user, action, target);
          const viaJson = engine.decideJson(JSON.stringify(requestOf(user, action, target)));
          assert.equal(JSON.stringify(decision), viaJson, JSON.stringify([user, action, target]));
          checked += 1;
        }
      }
    }
    assert.ok(checked > 300);
    engine.dispose();
  });

  it('after a command removes a block, every block is still asked by its id (issue 13)', async () => {
    // A record's blocks are renumbered when one is removed: the indexed
    // request names the block by its id, so the answers follow the block.
    const engine = await createEngine();
    assert.equal(engine.load(demo).ok, true);
    const users = demo.users.map((u) => u.id);
    const actions = engine.actions().filter((a) => a.startsWith('personnel.block.') || a === 'personnel.sensitive.view');
    const blocks = ['b-quals', 'b-dbs', 'b-emergency', 'b-nope'];
    const answers = () => {
      const seen = new Map();
      for (const user of users) {
        for (const action of actions) {
          for (const block of blocks) {
            const ref = { record: 'r-leo', block };
            for (const target of [{ block: ref }, { record: 'r-leo', block: ref }, { site: 'north-lab', block: ref }]) {
              assertSame(engine, user, action, target, 'demo');
            }
            seen.set(`${user} ${action} ${block}`, engine.check(user, action, { block: ref }));
          }
        }
      }
      return seen;
    };
    const before = answers();
    // Some person is answered differently for the two blocks that move (one is sensitive, P11).
    assert.ok(users.some((u) => before.get(`${u} personnel.block.view b-dbs`) !== before.get(`${u} personnel.block.view b-emergency`)));
    const removed = engine.apply({ id: 'rm-1', type: 'block.remove', actor: 'u-olive', at: '2026-03-02T09:00:00Z', record: 'r-leo', block: 'b-quals' });
    assert.equal(removed.ok, true, JSON.stringify(removed));
    const after = answers();
    for (const [question, code] of before) {
      if (question.endsWith(' b-quals')) assert.equal(after.get(question), 'unknown-resource', question);
      else assert.equal(after.get(question), code, question);
    }
    engine.dispose();
  });

  it('after a load replaces the snapshot (the id index follows the snapshot)', async () => {
    const engine = await createEngine();
    assert.equal(engine.load(demo).ok, true);
    assert.equal(engine.can('u-leo', 'training.course.view', { course: 'c-fire' }), true);
    const moved = structuredClone(demo);
    moved.training.courses.reverse();
    moved.users.reverse();
    moved.sites.reverse();
    assert.equal(engine.load(moved).ok, true);
    assert.equal(engine.can('u-leo', 'training.course.view', { course: 'c-fire' }), true);
    assert.equal(engine.can('u-sam', 'site.update', 'north-lab'), true);
    assert.equal(engine.can('u-leo', 'site.update', 'north-lab'), false);
    const fewer = structuredClone(demo);
    fewer.grants = fewer.grants.filter((g) => g.user !== 'u-sam');
    assert.equal(engine.load(fewer).ok, true);
    assert.equal(engine.can('u-sam', 'site.update', 'north-lab'), false);
    assert.equal(engine.load('{').ok, false);
    assert.equal(engine.can('u-sam', 'site.update', 'north-lab'), false);
    engine.dispose();
  });

  it('after commands add and delete ids (indices only ever appended; new ids take the other path)', async () => {
    const engine = await createEngine();
    assert.equal(engine.load(demo).ok, true);
    const site = demo.sites[1].id;
    const owner = demo.organisation.owners[0];
    const actions = engine.actions();
    const people = demo.users.map((u) => u.id);
    const everyone = (what, target) => {
      for (const user of people) {
        for (const action of actions) assertSame(engine, user, action, target, what);
      }
    };
    everyone('before', { course: demo.training.courses[0].id }); // builds the id index
    const at = '2026-03-02T09:00:00Z';
    for (const command of [
      { id: 'i-1', type: 'course.create', site, course: { id: 'c-new', title: 'New course', steps: [{ id: 's-1', type: 'content', title: 'Read', body: 'Text.' }] } },
      { id: 'i-2', type: 'course.publish', course: 'c-new' },
      { id: 'i-3', type: 'course.assign', course: 'c-new', assignment: 'a-new', people },
      { id: 'i-4', type: 'record.create', record: { id: 'r-new', site, name: 'New Person' } },
      { id: 'i-5', type: 'company.create', company: { id: 'co-new', site, name: 'New Co' } },
      { id: 'i-6', type: 'course.delete', course: demo.training.courses[0].id },
    ]) {
      const result = engine.apply({ actor: owner, at, ...command });
      assert.equal(result.ok, true, `${command.type}: ${JSON.stringify(result)}`);
    }
    everyone('new course', { course: 'c-new' });
    everyone('new course at its site', { course: 'c-new', site });
    everyone('new fulfillment', { fulfillment: `a-new:${people[2]}` });
    everyone('new record', { record: 'r-new' });
    everyone('new company', { company: 'co-new' });
    everyone('deleted course', { course: demo.training.courses[0].id });
    everyone('an old record', { record: demo.personnel.records[0].id });
    engine.dispose();
  });
});
