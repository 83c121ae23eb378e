// Settings in the browser (issue 5, issue 11): the P17 message, View Access
// with where each role came from, an Edit Access what-if preview (allowed, and
// refused for escalation) before saving, Edit Access keeping several changes
// and saving them with one access.batch (all or nothing), and an iHasco sync
// with its report. Every
// expectation is computed by a Node engine holding the same organisation.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { actAs, serverLog, demoEngine, openApp, openPage, saysPlainly, useApp } from './support.mjs';

const P17 = "You don't have permission to view personnel settings. Please contact your administrator.";

const app = useApp();

async function fresh() {
  const opened = await openPage(app.browser);
  await openApp(opened.page, app.url);
  return opened;
}

test('Settings > Personnel without any personnel role shows exactly the P17 message (P14, P17)', async () => {
  const { context, page, problems } = await fresh();
  for (const [user, site] of [
    ['u-pia', 'north'],
    ['u-nora', 'hq'],
  ]) {
    await actAs(page, user, site, 'settings/personnel');
    const denial = await page.waitForSelector('[data-denied]');
    assert.equal(await denial.getAttribute('data-denied'), 'missing-role');
    assert.equal((await page.textContent('.denied-message')).trim(), P17);
    assert.throws(() => app.engine.personnelSettings(user, site), (e) => e.decision.message === P17);
    assert.equal(await page.$('[data-testid="settings-save"]'), null, 'no settings form is shown');
  }
  await actAs(page, 'u-pm', 'north', 'settings/personnel');
  assert.equal(await page.$('[data-denied]'), null, 'a personnel manager sees the settings');
  assert.deepEqual(problems, []);
  await context.close();
});

test('View Access shows each effective role with where it came from (A1-A6)', async () => {
  const { context, page, problems } = await fresh();
  await actAs(page, 'u-owner', 'hq', 'settings/users/u-siteadmin');
  await page.waitForSelector('[data-testid="view-access"]');
  const cells = await page.$$eval('[data-testid="role-cell"]', (els) =>
    els.map((e) => ({ site: e.dataset.site, module: e.dataset.module, role: e.dataset.role, text: e.textContent })),
  );
  const roles = app.engine.roles('u-siteadmin');
  assert.ok(roles.length > 0);
  for (const r of roles) {
    const cell = cells.find((c) => c.site === r.site && c.module === r.module);
    assert.ok(cell, `a cell for ${r.module} at ${r.site}`);
    assert.equal(cell.role, r.role, `${r.module} at ${r.site}`);
    for (const source of r.sources) {
      if (source.kind === 'cascade') assert.match(cell.text, /cascade/i, `${r.module} at ${r.site} says it cascades`);
    }
  }
  assert.ok(roles.some((r) => r.sources.some((s) => s.kind === 'cascade')), 'the site admin holds cascading roles');
  // Edit Access shows whether each direct grant at this site cascades (roles: includeChildSites).
  for (const r of roles.filter((x) => x.site === 'hq')) {
    const direct = r.sources.find((x) => x.kind === 'direct');
    if (!direct) continue;
    const box = `[data-testid="include-children"][data-module="${r.module}"]`;
    assert.equal(await page.isChecked(box), direct.includeChildSites === true, `${r.module} at hq: include child sites`);
  }
  assert.equal(await page.isChecked('[data-testid="include-children"][data-module="personnel"]'), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('Edit Access previews the change with whatIf before saving, then saves it (S1, S2, section 10)', async () => {
  const { context, page, problems } = await fresh();
  await actAs(page, 'u-siteadmin', 'north', 'settings/users/u-lee');
  await page.selectOption('[data-testid="role-select"][data-module="personnel"]', 'manager');
  const preview = await page.waitForSelector('[data-testid="whatif"]');
  assert.equal(await preview.getAttribute('data-allowed'), 'true');
  const expected = app.engine.whatIf('u-siteadmin', {
    type: 'access.set',
    user: 'u-lee',
    site: 'north',
    module: 'personnel',
    role: 'manager',
    includeChildSites: false,
  });
  assert.equal(expected.allowed, true);
  const rows = await page.$$eval('[data-testid="whatif-change"]', (els) =>
    els.map((e) => ({ user: e.dataset.user, site: e.dataset.site, gained: Number(e.dataset.gained), lost: Number(e.dataset.lost) })),
  );
  assert.deepEqual(
    rows,
    expected.changes.map((c) => ({ user: c.user, site: c.site, gained: c.gained.length, lost: c.lost.length })),
  );
  assert.ok(rows.some((r) => r.gained > 0), 'the preview lists actions gained');
  // Nothing is applied by the preview.
  assert.equal(await page.getAttribute('[data-testid="queue"]', 'data-waiting'), '0');
  await page.click('[data-testid="access-save"]');
  await page.waitForSelector('[data-testid="access-result"][data-ok="true"]');
  await page.waitForSelector('[data-testid="role-cell"][data-site="north"][data-module="personnel"][data-role="manager"]');
  assert.deepEqual(problems, []);
  await context.close();
});

test('Edit Access offers only the roles the editor may give (S2); Set All beyond them is disabled with the engine\'s reason', async () => {
  const { context, page, problems } = await fresh();
  await actAs(page, 'u-sm', 'south-yard', 'settings/users/u-sam');
  // Steve holds personnel member at south-yard: the personnel choices stop at member.
  const offered = await page.$$eval('[data-testid="role-select"][data-module="personnel"] option', (els) => els.map((e) => e.value));
  assert.deepEqual(offered, ['none', 'member']);
  for (const role of ['manager', 'admin']) {
    assert.equal(app.engine.explain('u-sm', 'users.access.set', { site: 'south-yard', target: 'u-sam', module: 'personnel', role }).code, 'escalation');
  }
  // Set All to manager would make personnel manager: disabled, saying why (an escalation is a condition, so it stays visible).
  await page.selectOption('[data-testid="set-all-role"]', 'manager');
  const setAll = '[data-testid="access-set-all"]';
  await page.waitForSelector(`${setAll}[aria-disabled="true"]`);
  const command = JSON.parse(await page.getAttribute(setAll, 'data-command'));
  const expected = app.engine.dryRun(command);
  assert.equal(expected.ok, false);
  assert.equal(expected.decision.code, 'escalation');
  const why = await page.$eval(setAll, (e) => document.getElementById(e.getAttribute('aria-describedby'))?.textContent ?? '');
  assert.ok(saysPlainly(why, expected.decision.message), `Set All says why: ${why}`);
  await page.click(setAll, { force: true });
  assert.equal(await page.$('[data-testid="pending-change"]'), null, 'a denied Set All stages nothing');
  assert.equal(await page.getAttribute('[data-testid="queue"]', 'data-waiting'), '0');
  assert.deepEqual(problems, []);
  await context.close();
});
async function previewRows(page) {
  return page.$$eval('[data-testid="whatif-change"]', (els) =>
    els.map((e) => ({ user: e.dataset.user, site: e.dataset.site, gained: Number(e.dataset.gained), lost: Number(e.dataset.lost) })),
  );
}
const rowsOf = (whatIf) => whatIf.changes.map((c) => ({ user: c.user, site: c.site, gained: c.gained.length, lost: c.lost.length }));

test('Edit Access keeps three changes across two modules, two sites and a template, previews their sum and saves them with one access.batch (section 10)', async () => {
  const { context, page, problems } = await fresh();
  await actAs(page, 'u-siteadmin', 'north', 'settings/users/u-lee');
  await page.selectOption('[data-testid="role-select"][data-module="personnel"]', 'manager');
  await page.selectOption('[data-testid="role-select"][data-module="premises"]', 'member');
  await page.check('[data-testid="include-children"][data-module="premises"]');
  // Another site, from the header: the pending changes stay.
  await page.selectOption('[data-testid="site"]', 'south');
  await page.waitForFunction(() => document.querySelector('.edit-access h3')?.textContent?.includes('South'));
  await page.click('[data-testid="access-template"][data-template="tpl-learner"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pending-change"]').length === 3);
  const batch = {
    user: 'u-lee',
    changes: [
      { type: 'access.set', site: 'north', module: 'personnel', role: 'manager', includeChildSites: false },
      { type: 'access.set', site: 'north', module: 'premises', role: 'member', includeChildSites: true },
      { type: 'access.applyTemplate', site: 'south', template: 'tpl-learner', includeChildSites: false },
    ],
  };
  const expected = app.engine.whatIf('u-siteadmin', batch);
  assert.equal(expected.allowed, true);
  assert.equal(await page.getAttribute('[data-testid="whatif"]', 'data-allowed'), 'true');
  const rows = await previewRows(page);
  assert.deepEqual(rows, rowsOf(expected), 'the preview is whatIf of the batch');
  for (const site of ['north', 'south']) assert.ok(rows.some((r) => r.site === site && r.gained > 0), `gains at ${site}`);
  assert.equal(await page.getAttribute('[data-testid="queue"]', 'data-waiting'), '0', 'a preview applies nothing');

  const sentBefore = (await serverLog(app.url)).length;
  await page.click('[data-testid="access-save"]');
  await page.waitForSelector('[data-testid="access-result"][data-ok="true"]');
  assert.equal(await page.$('[data-testid="pending-change"]'), null, 'saved changes leave the pending list');
  // View Access shows all three.
  for (const [site, module, role] of [
    ['north', 'personnel', 'manager'],
    ['north', 'premises', 'member'],
    ['north-lab', 'premises', 'member'],
    ['south', 'personnel', 'member'],
  ]) {
    await page.waitForSelector(`[data-testid="role-cell"][data-site="${site}"][data-module="${module}"][data-role="${role}"]`);
  }
  // One command reached the server and was applied: the batch (its audit entry, R8).
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  const sent = (await serverLog(app.url)).slice(sentBefore);
  assert.equal(sent.length, 1, JSON.stringify(sent));
  assert.equal(sent[0].type, 'access.batch');
  assert.equal(sent[0].actor, 'u-siteadmin');
  assert.deepEqual(problems, []);
  await context.close();
});

test('Edit Access: a role beyond the editor\'s own is not offered; a batch of allowed changes previews and saves whole (S2, section 10)', async () => {
  const { context, page, problems } = await fresh();
  await actAs(page, 'u-siteadmin', 'north', 'settings/users/u-lee');
  // The site admin holds documents only at hq, without child sites: documents member here is beyond their own role.
  assert.equal(app.engine.explain('u-siteadmin', 'users.access.set', { site: 'north', target: 'u-lee', module: 'documents', role: 'member' }).code, 'escalation');
  const documents = await page.$$eval('[data-testid="role-select"][data-module="documents"] option', (els) => els.map((e) => e.value));
  assert.deepEqual(documents, ['none']);
  await page.selectOption('[data-testid="role-select"][data-module="personnel"]', 'manager');
  await page.selectOption('[data-testid="role-select"][data-module="premises"]', 'member');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="pending-change"]').length === 2);
  const batch = {
    user: 'u-lee',
    changes: [
      { type: 'access.set', site: 'north', module: 'personnel', role: 'manager', includeChildSites: false },
      { type: 'access.set', site: 'north', module: 'premises', role: 'member', includeChildSites: false },
    ],
  };
  const expected = app.engine.whatIf('u-siteadmin', batch);
  assert.equal(expected.allowed, true);
  await page.waitForSelector('[data-testid="whatif"][data-allowed="true"]');
  assert.deepEqual(await previewRows(page), rowsOf(expected));
  await page.click('[data-testid="access-save"]');
  await page.waitForSelector('[data-testid="access-result"][data-ok="true"]');
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  const saved = (await serverLog(app.url)).filter((e) => e.command?.type === 'access.batch');
  assert.equal(saved.length, 1, 'one access.batch, applied whole');
  assert.deepEqual(problems, []);
  await context.close();
});
test('Integrations: a personnel manager runs an iHasco sync and sees its report (T13, W16-W19)', async () => {
  const { context, page, problems } = await fresh();
  await actAs(page, 'u-pm', 'north', 'settings/integrations');
  // Connecting and the mapping need T12, which a personnel manager's role never gives: the mapping is
  // shown read-only with the reason, and there is no field to type into and no Connect button.
  assert.equal(app.engine.explain('u-pm', 'training.integration.connect', 'north').allowed, false);
  await page.waitForSelector('[data-testid="ihasco-mapping-readonly"]');
  assert.equal(await page.$('[data-testid="ihasco-connect"]'), null);
  assert.equal(await page.$$eval('[data-testid="ihasco"] input[type="text"]', (els) => els.length), 0);
  assert.match(await page.textContent('[data-testid="ihasco-why-readonly"]'), /Allowed with/);
  await page.click('[data-testid="ihasco-sync"]');
  await page.waitForSelector('[data-testid="sync-report"]');
  const payload = JSON.parse(readFileSync(new URL('../../web/demo/ihasco-payload.json', import.meta.url), 'utf8'));
  const probe = await demoEngine();
  const result = probe.apply({ id: 's', type: 'integration.sync', actor: 'u-pm', at: '2026-11-23T10:00:00Z', site: 'north', payload });
  probe.dispose();
  assert.equal(result.ok, true);
  const report = await page.textContent('[data-testid="sync-report"]');
  for (const person of result.result.unmatched ?? []) {
    const id = person.externalId ?? person.id;
    if (typeof id === 'string') assert.ok(report.includes(id), `the report names ${id}`);
  }
  // The command reached the queue and the server applied it.
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  const log = await serverLog(app.url);
  assert.ok(log.some((e) => e.type === 'integration.sync' && e.actor === 'u-pm' && e.events.some((v) => v.site === 'north')));
  // The last sync time and the history (from the server, GET /api/syncs).
  await page.waitForSelector('[data-testid="sync-entry"]');
  assert.match(await page.textContent('[data-testid="sync-last"]'), /^Last sync: .+ by Paula Nowak\.$/);
  assert.match(await page.textContent('[data-testid="sync-entry"]'), /courses: 2 created/);
  // The server decides who may read it (T13): a member is refused, a missing site is a bad request.
  const lee = await fetch(`${app.url}api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: new URL(app.url).origin }, body: JSON.stringify({ user: 'u-lee' }) });
  const cookie = lee.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const refused = await fetch(`${app.url}api/syncs?site=north`, { headers: { cookie } });
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).decision.code, 'missing-role');
  assert.equal((await fetch(`${app.url}api/syncs`, { headers: { cookie } })).status, 400);
  assert.deepEqual(problems, []);
  await context.close();
});
