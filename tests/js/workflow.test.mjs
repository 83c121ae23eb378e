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

it('access.batch applies several Edit Access changes whole or refuses them whole; whatIf previews their sum (section 10)', async () => {
  const engine = await createEngine();
  engine.load(personnelOrg);
  const at = '2026-03-02T09:00:00Z';
  const changes = [
    { type: 'access.set', site: 'north', module: 'personnel', role: 'member' },
    { type: 'access.set', site: 'north', module: 'premises', role: 'manager' },
    { type: 'access.applyTemplate', site: 'south', template: 'tpl-staff', includeChildSites: true },
  ];
  const preview = engine.whatIf('u-siteadmin', { user: 'u-newbie', changes });
  assert.equal(preview.allowed, true);
  assert.ok(preview.changes.some((c) => c.site === 'south' && c.gained.includes('personnel.record.view')));
  const saved = engine.apply({ id: 'b-1', type: 'access.batch', actor: 'u-siteadmin', at, user: 'u-newbie', changes });
  assert.equal(saved.ok, true, JSON.stringify(saved));
  assert.equal(saved.events.filter((e) => e.type === 'site.access.changed').length, 3);
  const roles = engine.roles('u-newbie').filter((r) => r.role !== 'none').map((r) => `${r.site} ${r.module} ${r.role}`);
  for (const row of ['north personnel member', 'north premises manager', 'south personnel member', 'south premises member']) {
    assert.ok(roles.includes(row), `${row} in ${roles}`);
  }

  // The last change escalates: the preview says so with its path, and the batch changes nothing.
  const escalating = [...changes.slice(0, 2), { type: 'access.set', site: 'north', module: 'site', role: 'admin' }];
  const refusedPreview = engine.whatIf('u-pm', { user: 'u-kim', changes: escalating });
  assert.equal(refusedPreview.allowed, false);
  assert.equal(refusedPreview.decision.code, 'escalation');
  assert.equal(refusedPreview.path, '/changes/2');
  const before = JSON.stringify(engine.snapshot().grants);
  const refused = engine.apply({ id: 'b-2', type: 'access.batch', actor: 'u-pm', at, user: 'u-kim', changes: escalating });
  assert.equal(refused.ok, false);
  assert.equal(refused.decision.code, 'escalation');
  assert.equal(refused.path, '/changes/2');
  assert.equal(JSON.stringify(engine.snapshot().grants), before);

  // An editor who is not a known user is refused like any request naming one.
  assert.throws(() => engine.whatIf('u-ghost', { user: 'u-kim', changes }), (e) => e instanceof ForbiddenError && e.decision.code === 'unknown-user');
  engine.dispose();
});
