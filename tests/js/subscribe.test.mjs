// engine.revision and engine.subscribe (issue 13): every change of what the
// engine holds (a successful load, an applied command) bumps the revision
// and tells every listener; refusals, dry runs, duplicates and failed loads
// do not. The shape useSyncExternalStore takes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { createEngine } from 'calm-access';

const org = JSON.parse(await readFile(new URL('../../web/demo/demo-org.json', import.meta.url), 'utf8'));
const at = '2026-12-01T09:00:00Z';

it('revision counts loads and applied commands; listeners hear each, until they stop', async () => {
  const engine = await createEngine();
  assert.equal(engine.revision, 0);
  const heard = [];
  const stop = engine.subscribe(() => heard.push(engine.revision));
  assert.equal(engine.load(org).ok, true);
  assert.deepEqual(heard, [1]);

  const create = { id: 'c1', type: 'course.create', actor: 'u-owner', at, site: 'north', course: { id: 'c-sub', title: 'Subscribed' } };
  assert.equal(engine.dryRun(create).ok, true);
  assert.deepEqual(heard, [1], 'a dry run changes nothing');
  assert.equal(engine.apply(create).ok, true);
  assert.deepEqual(heard, [1, 2]);
  assert.equal(engine.apply(create).duplicate, true);
  assert.deepEqual(heard, [1, 2], 'a duplicate changes nothing');
  const refused = engine.apply({ ...create, id: 'c2', actor: 'u-lee', course: { id: 'c-sub2', title: 'No' } });
  assert.equal(refused.ok, false);
  assert.deepEqual(heard, [1, 2], 'a refusal changes nothing');
  assert.equal(engine.load('{"not":"a snapshot"}').ok, false);
  assert.deepEqual(heard, [1, 2], 'a refused load changes nothing');

  stop();
  assert.equal(engine.load(org).ok, true);
  assert.equal(engine.revision, 3);
  assert.deepEqual(heard, [1, 2], 'a stopped listener hears nothing more');
  engine.dispose();
});

it('a listener that throws is reported and the others still hear the change; subscribe takes only a function', async () => {
  const engine = await createEngine();
  const heard = [];
  const reported = [];
  const original = console.error;
  console.error = (e) => reported.push(e);
  try {
    engine.subscribe(() => {
      throw new Error('listener bug');
    });
    engine.subscribe(() => heard.push('second'));
    assert.equal(engine.load(org).ok, true);
  } finally {
    console.error = original;
  }
  assert.deepEqual(heard, ['second']);
  assert.equal(reported.length, 1);
  assert.match(String(reported[0]), /listener bug/);
  assert.throws(() => engine.subscribe('nope'), TypeError);
  engine.dispose();
});
