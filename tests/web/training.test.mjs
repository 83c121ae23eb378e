// Training in the browser (issue 5): the learner journey end to end (My
// Courses, every step, a failed then a passed assessment, marking the course
// as done, the result), and a manager assigning a course to a group and
// seeing the skipped list. Expectations come from the demo organisation and a
// Node engine replaying the same commands.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, serverLog, demo, demoEngine, openApp, openPage, saysPlainly, useApp } from './support.mjs';

const app = useApp();

const org = demo();
const course = (id) => org.training.courses.find((c) => c.id === id);

/** The reason a disabled control gives (its aria-describedby text). */
function whyOf(page, selector) {
  return page.$eval(selector, (e) => document.getElementById(e.getAttribute('aria-describedby'))?.textContent ?? '');
}

/** Answers every question of `step`: correct ones, or the first wrong option of each. */
async function answer(page, step, correct) {
  for (const q of step.assessment.questions) {
    const wrong = q.options.find((o) => !q.correct.includes(o.id));
    const pick = correct ? q.correct : [wrong.id];
    for (const o of q.options) {
      const input = `[data-testid="question"][data-question="${q.id}"] input[value="${o.id}"]`;
      const want = pick.includes(o.id);
      if ((await page.isChecked(input)) !== want) await page.click(input);
    }
  }
}

test('the learner journey: My Courses, every step, fail then pass the assessment, mark as done, see the result (T1, T2, W7-W10)', async () => {
  const fulfillment = org.training.fulfillments.find((f) => f.user === 'u-kim' && f.course === 'c-fire' && f.status !== 'completed');
  assert.ok(fulfillment, 'Kim has an open Fire safety fulfillment in the demo');
  const fire = course('c-fire');
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-kim', 'north', 'inbox');

  // My Courses lists it; open it.
  const item = `[data-testid="inbox-item"][data-fulfillment="${fulfillment.id}"]`;
  await page.waitForSelector(item);
  await page.click(`${item} a`);
  await page.waitForSelector('[data-testid="take-course"]');

  // Marking the course as done before the steps is refused by the engine (W9).
  assert.equal(await page.getAttribute('[data-testid="course-complete"]', 'aria-disabled'), 'true');

  for (const step of fire.steps.filter((s) => s.type !== 'assessment')) {
    await page.click(`[data-testid="step-complete"][data-step="${step.id}"]`);
    await page.waitForSelector(`[data-testid="step-done"][data-step="${step.id}"]`);
  }
  const quiz = fire.steps.find((s) => s.type === 'assessment');

  // Submit waits until every question is answered; the engine's dry run says which is not (W10).
  const unanswered = app.engine.dryRun({
    id: 'probe', type: 'assessment.submit', actor: 'u-kim', at: '2026-11-23T10:00:00Z',
    fulfillment: fulfillment.id, step: quiz.id, attempt: 'probe', answers: {},
  });
  assert.equal(unanswered.ok, false);
  assert.equal(unanswered.errors[0].path, `/answers/${quiz.assessment.questions[0].id}`);
  assert.equal(await page.getAttribute('[data-testid="assessment-submit"]', 'aria-disabled'), 'true');
  assert.ok(saysPlainly(await whyOf(page, '[data-testid="assessment-submit"]'), unanswered.errors[0].message));

  // The learner's snapshot has no answer key (V4): the server grades (V6) and the graded attempt arrives with the next snapshot.
  await answer(page, quiz, false);
  await page.click('[data-testid="assessment-submit"]');
  await page.waitForSelector('[data-testid="attempt"][data-passed="false"]', { timeout: 10_000 });
  assert.equal(await page.getAttribute('[data-testid="course-complete"]', 'aria-disabled'), 'true', 'not done after a fail');

  await answer(page, quiz, true);
  await page.click('[data-testid="assessment-submit"]');
  const passed = await page.waitForSelector('[data-testid="attempt"][data-passed="true"]', { timeout: 10_000 });
  assert.match(await passed.textContent(), /100%/);
  assert.equal((await page.$$('[data-testid="attempt"]')).length, 2, 'both attempts are listed');

  await page.click('[data-testid="course-complete"]');
  const result = await page.waitForSelector('[data-testid="course-result"]');
  const completedOn = await result.getAttribute('data-completed-on');
  const expiresOn = await result.getAttribute('data-expires-on');
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(completedOn, today);
  const expiry = new Date(`${today}T00:00:00Z`);
  expiry.setUTCMonth(expiry.getUTCMonth() + fire.validityMonths);
  assert.equal(expiresOn, expiry.toISOString().slice(0, 10), `valid for ${fire.validityMonths} months (W10)`);

  // The inbox shows it completed, and the server applied the commands (its audit log, R8).
  await actAs(page, 'u-kim', 'north', 'inbox');
  await page.waitForSelector(`[data-testid="inbox-item"][data-fulfillment="${fulfillment.id}"][data-status="completed"]`);
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  const log = await serverLog(app.url);
  const mine = log.filter((e) => e.actor === 'u-kim' && e.kind === 'command').map((e) => e.type);
  assert.deepEqual(mine, ['step.complete', 'step.complete', 'assessment.submit', 'assessment.submit', 'course.complete']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a manager assigns a course to a group and sees who was assigned and who was skipped, with why (T6, W5, W6)', async () => {
  const group = org.groups.find((g) => g.site === 'north') ?? org.groups[0];
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-pm', 'north', 'courses/c-fire');
  await page.waitForSelector('[data-testid="assign-panel"]');
  await page.check(`[data-testid="assign-group"][value="${group.id}"]`);
  await page.fill('[data-testid="assign-due"]', '2026-12-31');
  await page.click('[data-testid="assign"]');
  await page.waitForSelector('[data-testid="skipped"]');

  const assigned = await page.$$eval('[data-testid="assigned-row"]', (els) => els.map((e) => e.dataset.user));
  const skipped = await page.$$eval('[data-testid="skipped-row"]', (els) =>
    els.map((e) => ({ user: e.dataset.user, reason: e.dataset.reason, text: e.textContent })),
  );
  // The same command in a Node engine gives the same lists.
  const probe = await demoEngine();
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  assert.ok((await serverLog(app.url)).some((e) => e.type === 'course.assign' && e.actor === 'u-pm'), 'the server applied the assignment');
  const expected = probe.apply({ id: 'x', type: 'course.assign', actor: 'u-pm', at: '2026-11-23T09:00:00Z', course: 'c-fire', assignment: 'a-x', groups: [group.id], dueDate: '2026-12-31' });
  probe.dispose();
  assert.equal(expected.ok, true);
  assert.deepEqual(assigned.sort(), expected.result.assigned.map((a) => a.user).sort());
  assert.deepEqual(
    skipped.map(({ user, reason }) => ({ user, reason })).sort((a, b) => a.user.localeCompare(b.user)),
    expected.result.skipped.map(({ user, reason }) => ({ user, reason })).sort((a, b) => a.user.localeCompare(b.user)),
  );
  assert.ok(skipped.length > 0, 'the demo group has people who are skipped');
  assert.ok(skipped.some((s) => s.reason === 'no-personnel-access'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('marking an iHasco course as done is disabled with the engine\'s reason: it completes when its result arrives by sync (W8)', async () => {
  const fulfillment = org.training.fulfillments.find((f) => f.course.startsWith('ih:') && f.status !== 'completed');
  assert.ok(fulfillment, 'the demo has an open iHasco fulfillment');
  const dry = app.engine.dryRun({ id: 'probe', type: 'course.complete', actor: fulfillment.user, at: '2026-11-23T10:00:00Z', fulfillment: fulfillment.id });
  assert.equal(dry.ok, false);
  assert.equal(dry.decision.code, 'invalid-state');
  assert.equal(dry.decision.rule, 'W8');
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, fulfillment.user, 'north', `learn/${fulfillment.id}`);
  await page.waitForSelector('[data-testid="take-course"]');
  assert.equal(await page.getAttribute('[data-testid="course-complete"]', 'aria-disabled'), 'true');
  assert.ok(saysPlainly(await whyOf(page, '[data-testid="course-complete"]'), dry.decision.message));
  await page.click('[data-testid="course-complete"]', { force: true });
  assert.equal(await page.$('[data-testid="course-result"]'), null, 'no result is made');
  assert.equal(await page.getAttribute('[data-testid="queue"]', 'data-waiting'), '0');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the result form refuses a completion date in the future with the engine\'s message (W12)', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-pm', 'north', 'people/rec-lee');
  await page.click('[data-testid="result-form-open"]');
  await page.fill('[data-testid="result-title"]', 'Manual handling refresher');
  assert.equal(await page.getAttribute('[data-testid="result-record"]', 'aria-disabled'), null, 'today is allowed');
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await page.fill('[data-testid="result-completed-on"]', tomorrow);
  await page.waitForSelector('[data-testid="result-record"][aria-disabled="true"]');
  const dry = app.engine.dryRun({
    id: 'probe', type: 'result.record', actor: 'u-pm', at: new Date().toISOString(),
    result: { id: 'probe', user: 'u-lee', title: 'Manual handling refresher', completedOn: tomorrow },
  });
  assert.equal(dry.ok, false);
  assert.equal(dry.errors[0].path, '/result/completedOn');
  assert.ok(saysPlainly(await whyOf(page, '[data-testid="result-record"]'), dry.errors[0].message.split(' (`')[0]));
  assert.equal(await page.getAttribute('[data-testid="queue"]', 'data-waiting'), '0');
  assert.deepEqual(problems, []);
  await context.close();
});
