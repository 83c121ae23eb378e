// The app on the real server (issue 10), two browser contexts, two people:
// - R6: a manager revokes a learner's personnel role; within seconds, without
//   a reload, the learner's app no longer holds that data: not in the DOM,
//   not in the page's JavaScript heap, not in IndexedDB;
// - R7: a learner offline completes steps and submits an assessment while a
//   manager deletes the course; back online, the server refuses them and the
//   app lists them as "not saved" with the engine's reason and what they
//   carried (the answers), never sending them again;
// - sign-out leaves no organisation data in IndexedDB or the caches.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, apiSession, demo, demoEngine, openApp, openPage, serverLog, saysPlainly, signOut, useApp } from './support.mjs';

const app = useApp();
const org = demo();

/** Every string (at least 8 characters) inside a value. */
function strings(value, out = []) {
  if (typeof value === 'string') {
    if (value.length >= 8) out.push(value);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) strings(v, out);
  }
  return out;
}

/** Everything in the page's IndexedDB databases, as one JSON text (bytes as the UTF-8 text they hold). */
function indexedDbText(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const store of db.objectStoreNames) {
        const values = await new Promise((resolve, reject) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        out.push({ name, store, values });
      }
      db.close();
    }
    const text = (bytes) => new TextDecoder().decode(bytes);
    return JSON.stringify(out, (_, v) => (v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? text(v) : v));
  });
}

/** Which of `needles` are in the page's JavaScript heap (a V8 heap snapshot, after a garbage collection). */
async function inHeap(page, needles) {
  const cdp = await page.context().newCDPSession(page);
  const chunks = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => chunks.push(e.chunk));
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  const text = chunks.join('');
  return needles.filter((s) => text.includes(s));
}

test('a manager revokes a learner\'s personnel role: within seconds, without a reload, the data leaves the learner\'s DOM, heap and IndexedDB (R6)', async () => {
  const record = org.personnel.records.find((r) => r.user === 'u-lee');
  // What Lee sees of his own record as a personnel member at north (P1, P9), and only there.
  const seen = app.engine.record('u-lee', record.id);
  const secrets = [
    ...seen.blocks.filter((b) => !b.masked).flatMap((b) => strings(b.data)),
    ...strings(seen.customFields),
  ].filter((s) => !JSON.stringify(org.users).includes(s));
  assert.ok(secrets.length >= 2, `Lee sees values of his record: ${secrets}`);

  const learner = await openPage(app.browser);
  await openApp(learner.page, app.url);
  await actAs(learner.page, 'u-lee', 'north', `people/${record.id}`);
  // Handles are let go at once: a handle held by the test would keep its element (and its data) in the page heap.
  await (await learner.page.waitForSelector('[data-testid="record"] [data-testid="block"]')).dispose();
  const html = await learner.page.content();
  for (const s of secrets) assert.ok(html.includes(s), `before: ${s} is on Lee's page`);
  assert.deepEqual(await inHeap(learner.page, secrets), secrets, 'before: the values are in the page heap (the check can fail)');
  await learner.page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  const kept = await indexedDbText(learner.page);
  for (const s of secrets) assert.ok(kept.includes(s), `before: ${s} is kept in IndexedDB`);
  await learner.page.evaluate(() => {
    window.__notReloaded = true;
  });

  // Sanjay (site admin, manage-users at north) removes Lee's personnel role there.
  const manager = await openPage(app.browser);
  await openApp(manager.page, app.url);
  await actAs(manager.page, 'u-siteadmin', 'north', 'settings/users/u-lee');
  await manager.page.selectOption('[data-testid="role-select"][data-module="personnel"]', 'none');
  await manager.page.waitForSelector('[data-testid="whatif"][data-allowed="true"]');
  await manager.page.click('[data-testid="access-save"]');
  await manager.page.waitForSelector('[data-testid="access-result"][data-ok="true"]');
  await manager.page.waitForSelector('[data-testid="queue"][data-waiting="0"]');

  // Lee's open app: the record is gone, without a reload.
  await (await learner.page.waitForSelector('[data-testid="record"] [data-denied]', { timeout: 10_000 })).dispose();
  assert.equal(await learner.page.evaluate(() => window.__notReloaded), true, 'the page was not reloaded');
  const after = await learner.page.content();
  for (const s of secrets) assert.ok(!after.includes(s), `after: ${s} is not in the DOM`);
  assert.equal((await learner.page.$$('[data-testid="block"]')).length, 0, 'no block of the record is shown');
  // The record is not in Lee's snapshot any more: unknown to his engine (V1 allows unknown-* for an absent id).
  assert.match(await learner.page.getAttribute('[data-testid="record"] [data-denied]', 'data-denied'), /^(missing-role|unknown-resource)$/);
  assert.deepEqual(await inHeap(learner.page, secrets), [], 'after: none of the values is in the page heap');
  await learner.page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  const keptAfter = await indexedDbText(learner.page);
  assert.ok(keptAfter.includes('u-lee'), 'IndexedDB still holds Lee\'s (new) snapshot');
  for (const s of secrets) assert.ok(!keptAfter.includes(s), `after: ${s} is not in IndexedDB`);
  // The engine in Node agrees: Lee may no longer view the record.
  assert.ok((await serverLog(app.url)).some((e) => e.actor === 'u-siteadmin' && e.kind === 'command'));

  assert.deepEqual(learner.problems, []);
  assert.deepEqual(manager.problems, []);
  await learner.context.close();
  await manager.context.close();
});

test('a learner offline completes steps and submits answers while a manager deletes the course: back online they are "not saved", with the reason and the answers (R7)', async () => {
  const fulfillment = org.training.fulfillments.find((f) => f.user === 'u-kim' && f.course === 'c-fire' && f.status !== 'completed');
  const fire = org.training.courses.find((c) => c.id === 'c-fire');
  const steps = fire.steps.filter((s) => s.type !== 'assessment');
  const quiz = fire.steps.find((s) => s.type === 'assessment');

  const learner = await openPage(app.browser);
  await openApp(learner.page, app.url);
  await learner.page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await actAs(learner.page, 'u-kim', 'north', `learn/${fulfillment.id}`);
  await learner.page.waitForSelector('[data-testid="take-course"]');

  // Kim goes offline and works through the course.
  await learner.context.setOffline(true);
  await learner.page.waitForSelector('[data-testid="network"]:text("Offline")');
  for (const step of steps) {
    await learner.page.click(`[data-testid="step-complete"][data-step="${step.id}"]`);
    await learner.page.waitForSelector(`[data-testid="step-done"][data-step="${step.id}"]`);
  }
  const answers = {};
  for (const q of quiz.assessment.questions) {
    answers[q.id] = q.correct;
    for (const o of q.correct) await learner.page.check(`[data-testid="question"][data-question="${q.id}"] input[value="${o}"]`);
  }
  await learner.page.click('[data-testid="assessment-submit"]');
  const queued = steps.length + 1;
  await learner.page.waitForSelector(`[data-testid="queue"][data-waiting="${queued}"]`);

  // Meanwhile Paula (personnel manager at north) deletes the course.
  const manager = await openPage(app.browser);
  await openApp(manager.page, app.url);
  await actAs(manager.page, 'u-pm', 'north', 'courses/c-fire');
  await manager.page.click('[data-testid="delete"]');
  await manager.page.click('[data-testid="confirm-ok"]');
  await manager.page.waitForSelector('[data-testid="queue"][data-waiting="0"]');

  // What the engine says to Kim's commands once the course is deleted.
  const probe = await demoEngine();
  assert.equal(probe.apply({ id: 'del', type: 'course.delete', actor: 'u-pm', at: new Date().toISOString(), course: 'c-fire' }).ok, true);
  const refusal = probe.dryRun({ id: 'k', type: 'step.complete', actor: 'u-kim', at: new Date().toISOString(), fulfillment: fulfillment.id, step: steps[0].id });
  probe.dispose();
  assert.equal(refusal.ok, false);

  // Kim back online: the queue is sent, refused, and listed as not saved.
  await learner.context.setOffline(false);
  await learner.page.waitForSelector('[data-testid="queue"][data-waiting="0"]', { timeout: 20_000 });
  await learner.page.waitForSelector('[data-testid="not-saved"]');
  const items = await learner.page.$$eval('[data-testid="not-saved-item"]', (els) =>
    els.map((e) => ({
      type: e.dataset.type,
      code: e.dataset.code,
      reason: e.querySelector('[data-testid="not-saved-reason"]').textContent,
      content: e.querySelector('[data-testid="not-saved-content"]').value,
    })),
  );
  assert.deepEqual(items.map((i) => i.type), [...steps.map(() => 'step.complete'), 'assessment.submit']);
  const first = items[0];
  if (refusal.decision) {
    assert.equal(first.code, refusal.decision.code);
    assert.ok(saysPlainly(first.reason, refusal.decision.message, { start: true }), `the engine's reason: ${first.reason}`);
  } else {
    assert.ok(refusal.errors.some((e) => saysPlainly(first.reason, e.message)), `the engine's reason: ${first.reason}`);
  }
  const submitted = JSON.parse(items[items.length - 1].content);
  assert.deepEqual(submitted.answers, answers, 'the answers can be copied from the list');
  // The course is gone from Kim's app (the server's snapshot), and nothing of it was applied.
  await learner.page.evaluate(() => {
    location.hash = '#/inbox';
  });
  await learner.page.waitForFunction((f) => !document.querySelector(`[data-testid="inbox-item"][data-fulfillment="${f}"][data-status="in_progress"]`), fulfillment.id);
  const log = await serverLog(app.url);
  assert.deepEqual(log.filter((e) => e.actor === 'u-kim'), [], 'none of Kim\'s commands was applied');

  // Refusals are final: kept across a reload, never sent again.
  await learner.page.reload();
  await learner.page.waitForSelector('html[data-ready="true"]');
  await learner.page.waitForSelector(`[data-testid="not-saved-item"]:nth-child(${items.length})`);
  await learner.page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
  assert.deepEqual((await serverLog(app.url)).filter((e) => e.actor === 'u-kim'), []);
  await learner.page.click('[data-testid="not-saved-item"] [data-testid="not-saved-dismiss"]');
  await learner.page.waitForFunction((n) => document.querySelectorAll('[data-testid="not-saved-item"]').length === n, items.length - 1);

  const problems = learner.problems.filter((p) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(p));
  assert.deepEqual(problems, []);
  assert.deepEqual(manager.problems, []);
  await learner.context.close();
  await manager.context.close();
});

test('sign-out leaves no organisation data in IndexedDB or the caches, and the sign-in screen shows names only (R1, R7)', async () => {
  const raw = org.personnel.records.find((r) => r.id === 'rec-lee');
  const secrets = [
    ...strings(raw.blocks.map((b) => b.data)),
    ...org.personnel.comments.filter((c) => c.record === raw.id).map((c) => c.body),
    ...org.users.map((u) => u.email).filter(Boolean),
    ...org.training.courses.map((c) => c.title),
  ];
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await actAs(page, 'u-pm', 'north', 'people/rec-lee');
  await page.waitForSelector('[data-testid="record"]');
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  const before = await indexedDbText(page);
  assert.ok(secrets.some((s) => before.includes(s)), 'signed in, the person\'s data is kept in IndexedDB (the check can fail)');

  await signOut(page);
  const kept = await indexedDbText(page);
  for (const s of secrets) assert.ok(!kept.includes(s), `IndexedDB holds nothing of the organisation: ${s}`);
  const cached = await page.evaluate(async () => {
    const out = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const response = await cache.match(request);
        out.push({ url: request.url, text: await response.text() });
      }
    }
    return out;
  });
  assert.ok(cached.length > 0, 'the app itself is cached (offline)');
  for (const entry of cached) {
    assert.ok(!entry.url.includes('/api/') && !entry.url.includes('/demo/'), `no organisation data is cached: ${entry.url}`);
    for (const s of secrets) assert.ok(!entry.text.includes(s), `${entry.url} holds nothing of the organisation: ${s}`);
  }
  // Signed out, the page shows who may sign in, and nothing else of the organisation.
  const html = await page.content();
  for (const s of secrets) assert.ok(!html.includes(s), `the sign-in screen holds no organisation data: ${s}`);
  const names = await page.$$eval('[data-testid="sign-in"]', (els) => els.map((e) => e.textContent));
  assert.deepEqual(names.sort(), org.users.map((u) => u.name).sort());
  assert.deepEqual(problems, []);
  await context.close();
});

test('the audit log shows owners who did what and when, the events in words, newest first, a page at a time; others get the server\'s refusal (R8)', async () => {
  // 30 comments by the owner and one reveal by Paula, through the API.
  const owner = await apiSession(app.url, 'u-owner');
  const at = new Date().toISOString();
  const commands = Array.from({ length: 30 }, (_, i) => ({
    id: `audit-${i}`,
    type: 'comment.add',
    actor: 'u-owner',
    at,
    comment: { id: `cm-audit-${i}`, record: 'rec-lee', body: `Audit comment ${i}` },
  }));
  const { outcomes } = await owner.post('commands', { commands });
  assert.ok(outcomes.every((o) => o.ok), JSON.stringify(outcomes.find((o) => !o.ok)));
  const masked = app.engine.record('u-pm', 'rec-lee').blocks.find((b) => b.masked && b.canReveal);
  await (await apiSession(app.url, 'u-pm')).post('reveal', { record: 'rec-lee', block: masked.id });

  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-owner', 'hq', 'audit');
  await page.waitForSelector('[data-testid="audit-entry"]');
  const first = await page.$$eval('[data-testid="audit-entry"]', (els) => els.map((e) => ({ seq: Number(e.dataset.seq), type: e.dataset.type, actor: e.dataset.actor, text: e.textContent })));
  assert.equal(first[0].type, 'block.reveal', 'the newest entry first: the reveal');
  assert.equal(first[0].actor, 'u-pm');
  assert.match(first[0].text, /Paula Nowak/, 'who, by name');
  assert.ok(first.every((e, i) => i === 0 || e.seq < first[i - 1].seq), 'newest first');
  assert.ok(first.length < 31, 'one page at a time');
  assert.match(first[1].text, /comment/i, 'what, in words');
  await page.click('[data-testid="audit-older"]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="audit-entry"]').length > n, first.length);
  const all = await page.$$eval('[data-testid="audit-entry"]', (els) => els.map((e) => Number(e.dataset.seq)));
  assert.ok(all.length >= 31, `every entry can be reached: ${all.length}`);
  assert.ok(all.every((s, i) => i === 0 || s < all[i - 1]), 'older pages follow, still newest first');

  // Paula is not an owner: the nav entry says why, and the server refuses the log.
  await actAs(page, 'u-pm', 'north', 'audit');
  const denied = await page.waitForSelector('[data-testid="audit-error"]');
  assert.match(await denied.textContent(), /owner/i);
  assert.equal(await page.getAttribute('nav [data-gate="users.owner.set"]', 'aria-disabled'), 'true');
  assert.deepEqual(problems.filter((p) => !/status of 403/.test(p)), []);
  await context.close();
});
