// Destructive commands ask first (issue 12): a modal dialog that names what
// will be lost (the people whose training is withdrawn, W5 and PW3; a
// company's contacts, P13; a block), focus on Cancel, Escape cancels and
// focus returns to the button. Cancelled, nothing is sent; confirmed, the
// command is applied and its outcome stays on screen, even when the app
// moves to another screen (deleting a company goes back to the list).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, openApp, openPage, serverLog, useApp } from './support.mjs';

const app = useApp();

const dialog = '[data-testid="confirm-dialog"]';
const lost = (page) => page.$$eval(`${dialog} [data-testid="confirm-lost"] li`, (els) => els.map((e) => e.textContent.trim()));
const applied = async (type) => (await serverLog(app.url)).filter((e) => e.command?.type === type);
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));

test('W5: revoking an assignment names the people whose training is withdrawn; Cancel and Escape change nothing, confirming revokes', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-pm', 'north', 'courses/c-manual-handling');
  const revoke = '[data-testid="revoke"][data-assignment="a-mh-warehouse"]';
  await page.click(revoke);
  await page.waitForSelector(dialog);
  assert.equal(await page.getAttribute(dialog, 'role'), 'alertdialog');
  assert.match(await page.textContent(`${dialog} h2`), /Revoke this assignment of “Manual handling/);
  // Lee's is completed (kept); Liz's and Kim's are open (withdrawn).
  assert.deepEqual((await lost(page)).sort(), ['Kim Nguyen', 'Liz Moore']);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'confirm-cancel', 'focus starts on Cancel');

  await page.click('[data-testid="confirm-cancel"]');
  assert.equal(await page.$(dialog), null);
  assert.equal(await page.evaluate((s) => document.activeElement === document.querySelector(s), revoke), true, 'focus returns to Revoke');
  await page.click(revoke);
  await page.waitForSelector(dialog);
  await page.keyboard.press('Escape');
  await settle(page);
  assert.equal(await page.$(dialog), null, 'Escape cancels');
  assert.equal(await page.getAttribute('[data-testid="assignment-row"][data-assignment="a-mh-warehouse"]', 'data-revoked'), 'false');
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  assert.deepEqual(await applied('assignment.revoke'), [], 'nothing was sent');

  await page.click(revoke);
  await page.click('[data-testid="confirm-ok"]');
  await page.waitForSelector('[data-testid="assignment-row"][data-assignment="a-mh-warehouse"][data-revoked="true"]');
  assert.match(await page.textContent('[data-testid="flash"]'), /was revoked/);
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  assert.equal((await applied('assignment.revoke')).length, 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('P13: deleting a company names its contacts; cancelled it stays, confirmed it is gone and the list says so', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-owner', 'north', 'companies/co-brightline');
  await page.click('[data-testid="company-delete"]');
  await page.waitForSelector(dialog);
  assert.deepEqual(await lost(page), ['Mark Ellis', 'Amy Shaw']);
  await page.click('[data-testid="confirm-cancel"]');
  assert.equal(await page.$(dialog), null);
  assert.equal(await page.evaluate(() => location.hash), '#/companies/co-brightline');
  assert.deepEqual(await applied('company.delete'), []);

  await page.click('[data-testid="company-delete"]');
  await page.click('[data-testid="confirm-ok"]');
  await page.waitForFunction(() => location.hash === '#/companies');
  await page.waitForSelector('[data-testid="flash"] p');
  assert.match(await page.textContent('[data-testid="flash"]'), /Brightline Electrical Ltd was deleted\./);
  assert.equal(await page.$('a[href="#/companies/co-brightline"]'), null, 'no longer listed');
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  assert.equal((await applied('company.delete')).length, 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('P13: deleting a contact, and PW3: removing a block, ask first and name what goes', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-owner', 'north', 'companies/co-staffline');
  await page.click('[data-testid="contact-delete"]');
  await page.waitForSelector(dialog);
  assert.match(await page.textContent(dialog), /Joe Barker.* will be removed from Staffline Recruitment/);
  await page.click('[data-testid="confirm-cancel"]');
  assert.equal(await page.$$eval('[data-testid="contact"]', (els) => els.length), 1);
  await page.click('[data-testid="contact-delete"]');
  await page.click('[data-testid="confirm-ok"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="contact"]').length === 0);
  assert.match(await page.textContent('[data-testid="flash"]'), /Deleting Joe Barker: done\./);

  await actAs(page, 'u-owner', 'north', 'people/rec-liz');
  const block = '[data-testid="block"][data-block="b-first-aid"]';
  await page.click(`${block} [data-testid="block-remove"]`);
  await page.waitForSelector(dialog);
  assert.match(await page.textContent(`${dialog} h2`), /First aid at work/);
  await page.keyboard.press('Escape');
  await settle(page);
  assert.notEqual(await page.$(block), null, 'cancelled: the block is still there');
  await page.click(`${block} [data-testid="block-remove"]`);
  await page.click('[data-testid="confirm-ok"]');
  await page.waitForFunction((s) => document.querySelector(s) === null, block);
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  assert.equal((await applied('block.remove')).length, 1);
  assert.equal((await applied('contact.delete')).length, 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('PW3: deleting a record names the open training it withdraws; confirmed, the People list says it was deleted', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-owner', 'north', 'people/rec-kim');
  await page.click('[data-testid="record-delete"]');
  await page.waitForSelector(dialog);
  // Kim: Fire Safety (not started), Manual Handling (not started), COSHH (in progress) are open; the induction is completed.
  const open = await lost(page);
  assert.equal(open.length, 3, open.join(', '));
  assert.equal(open.some((t) => /induction/i.test(t)), false, 'completed training is not listed');
  await page.click('[data-testid="confirm-cancel"]');
  assert.equal(await page.evaluate(() => location.hash), '#/people/rec-kim');
  await page.click('[data-testid="record-delete"]');
  await page.click('[data-testid="confirm-ok"]');
  await page.waitForFunction(() => location.hash === '#/people');
  await page.waitForSelector('[data-testid="flash"] p');
  assert.match(await page.textContent('[data-testid="flash"]'), /Kim Nguyen's record was deleted\./);
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  assert.equal((await applied('record.delete')).length, 1);
  assert.deepEqual(problems, []);
  await context.close();
});
