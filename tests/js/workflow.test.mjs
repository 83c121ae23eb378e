// The training workflow and the personnel/access views through the JS API,
// against the built wasm (issue 3 and 4: exposed through wasm and the JS API).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';

import { createEngine, ForbiddenError } from 'calm-access';

import { replayJourney } from './support/journey.mjs';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const journey = JSON.parse(await readFile(new URL('learner-journey.json', FIXTURES), 'utf8'));
const trainingOrg = await readFile(new URL(journey.snapshot, FIXTURES), 'utf8');
const personnelOrg = await readFile(new URL('personnel-org.json', FIXTURES), 'utf8');

it('the whole learner journey goes as TRAINING.md says (W7, W8, W10, W15, T1, T14, T15)', async () => {
  assert.deepEqual(await replayJourney(createEngine, journey, trainingOrg), []);
});

it('a refused command changes nothing and says why; the same command id twice is a duplicate', async () => {
  const engine = await createEngine();
  engine.load(trainingOrg);
  const before = JSON.stringify(engine.snapshot());
  const denied = engine.apply({ id: 'x-1', type: 'course.publish', actor: 'u-kim', at: '2026-03-02T09:00:00Z', course: 'c-manual-handling' });
  assert.equal(denied.ok, false);
  assert.equal(denied.decision.code, 'missing-role');
  assert.equal(JSON.stringify(engine.snapshot()), before);
  const command = { id: 'x-2', type: 'course.publish', actor: 'u-pm', at: '2026-03-02T09:00:00Z', course: 'c-manual-handling' };
  assert.equal(engine.dryRun(command).ok, true);
  assert.equal(JSON.stringify(engine.snapshot()), before, 'a dry run changes nothing');
  assert.equal(engine.apply(command).ok, true);
  const again = engine.apply(command);
  assert.equal(again.ok, true);
  assert.equal(again.duplicate, true);
  assert.deepEqual(again.events, []);
  engine.dispose();
});

it('views are shaped for the viewer and denials throw ForbiddenError with the decision (PW1, P17, T3)', async () => {
  const engine = await createEngine();
  assert.equal(engine.load(personnelOrg).ok, true);
  const snapshot = JSON.parse(personnelOrg);
  const users = snapshot.users.map((u) => u.id);
  const sites = snapshot.sites.map((s) => s.id);
  let denials = 0;
  let views = 0;
  for (const user of users) {
    for (const site of sites) {
      try {
        engine.personnelSettings(user, site);
        views++;
      } catch (error) {
        assert.ok(error instanceof ForbiddenError);
        if (error.decision.code === 'missing-role') {
          assert.equal(error.decision.message, "You don't have permission to view personnel settings. Please contact your administrator.");
        }
        denials++;
      }
      const allowed = engine.can(user, 'personnel.settings.view', site);
      assert.equal(allowed, engine.explain(user, 'personnel.settings.view', site).allowed);
    }
  }
  assert.ok(views > 0 && denials > 0);
  for (const record of snapshot.personnel.records) {
    for (const user of users) {
      let view;
      try {
        view = engine.record(user, record.id);
      } catch (error) {
        assert.ok(error instanceof ForbiddenError);
        continue;
      }
      for (const block of view.blocks) {
        const decision = engine.explain(user, 'personnel.block.view', { record: record.id, block: { record: record.id, block: block.id } });
        assert.equal(decision.allowed, true, `${user} was shown block ${block.id}`);
      }
    }
  }
  engine.dispose();
});

it('whoCan and sitesWhere list exactly whom and where decide allows (section 9)', async () => {
  const engine = await createEngine();
  engine.load(personnelOrg);
  const snapshot = JSON.parse(personnelOrg);
  for (const action of ['personnel.record.create', 'training.insights.view', 'site.users.manage', 'personnel.settings.edit']) {
    for (const site of snapshot.sites.map((s) => s.id)) {
      const listed = new Set(engine.whoCan(action, site).users.map((u) => u.user));
      for (const user of snapshot.users.map((u) => u.id)) {
        assert.equal(listed.has(user), engine.can(user, action, site), `${action} ${site} ${user}`);
        const where = new Set(engine.sitesWhere(user, action).sites.map((s) => s.site));
        assert.equal(where.has(site), engine.can(user, action, site));
      }
    }
  }
  engine.dispose();
});

it('whatIf previews an Edit Access change without applying it (section 9, S2)', async () => {
  const engine = await createEngine();
  engine.load(personnelOrg);
  const snapshot = JSON.parse(personnelOrg);
  const owner = snapshot.organisation.owners[0];
  const site = snapshot.sites[0].id;
  const target = snapshot.users.find((u) => !engine.can(u.id, 'site.integrations.manage', site)).id;
  const before = JSON.stringify(engine.snapshot());
  const preview = engine.whatIf(owner, { type: 'access.set', user: target, site, module: 'site', role: 'admin' });
  assert.equal(preview.allowed, true);
  assert.ok(preview.changes.some((c) => c.user === target && c.gained.includes('site.integrations.manage')));
  assert.equal(JSON.stringify(engine.snapshot()), before);
  const refused = engine.whatIf(target, { type: 'owner.set', user: target });
  assert.equal(refused.allowed, false);
  assert.equal(refused.decision.code, 'escalation');
  engine.dispose();
});
