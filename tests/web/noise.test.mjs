// Controls a person's role can never allow are kept out of the way (issue
// 12): a personnel member (P8, P10, T6 denied by role) sees no Delete, Edit,
// Add a block or New course on their own record and the course list, while a
// manager does; a control blocked by the state of things (an iHasco course:
// external-course) stays visible with its reason.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, openApp, openPage, useApp } from './support.mjs';

const app = useApp();
const MANAGE = ['record-delete', 'record-edit-open', 'block-add-open', 'block-remove', 'block-edit-open', 'file-add-open', 'file-remove', 'result-form-open'];
const present = (page) =>
  page.$$eval('[data-testid]', (els, ids) => [...new Set(els.map((e) => e.dataset.testid).filter((t) => ids.includes(t)))].sort(), MANAGE);

test('P8, P10, T9: a member sees no management control on a record; a manager sees them all', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  for (const action of ['personnel.record.delete', 'personnel.block.manage', 'training.result.record']) {
    assert.equal(app.engine.explain('u-lee', action, { record: 'rec-lee' }).code, 'missing-role');
  }
  await actAs(page, 'u-lee', 'north', 'people/rec-lee');
  await page.waitForSelector('[data-testid="record-profile"]');
  assert.deepEqual(await present(page), []);
  assert.equal(await page.$('.btn[aria-disabled="true"][data-testid="record-delete"]'), null);

  await actAs(page, 'u-pm', 'north', 'people/rec-lee');
  await page.waitForSelector('[data-testid="record-profile"]');
  const shown = await present(page);
  for (const id of ['record-delete', 'record-edit-open', 'block-add-open', 'block-remove', 'file-add-open', 'result-form-open']) {
    assert.ok(shown.includes(id), `a manager sees ${id}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('T6: a member\'s course list has no New course form; a state-blocked control (iHasco course) stays visible with its reason', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-lee', 'north', 'courses');
  await page.waitForSelector('[data-testid="course-list"]');
  assert.equal(await page.$('[data-testid="course-list"] form'), null, 'no New course form');
  assert.equal(await page.$('[data-gate="command"][aria-disabled="true"]'), null, 'no greyed management button');

  await actAs(page, 'u-pm', 'north', 'courses/ih:north:IH-100');
  const publish = await page.waitForSelector('[data-testid="publish"]');
  assert.equal(await publish.getAttribute('aria-disabled'), 'true');
  assert.equal(app.engine.dryRun(JSON.parse(await publish.getAttribute('data-command'))).decision.code, 'external-course');
  assert.deepEqual(problems, []);
  await context.close();
});
