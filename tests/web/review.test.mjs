// A manager's review of a person's assessment attempts (T10, issue 12):
// reachable from Training Insights, the person's record and the course,
// headed with the person's name, answers in words; refused with the engine's
// reason for a member; the learner's own URL opened by a manager is the
// review, not the quiz.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, openApp, openPage, saysPlainly, useApp } from './support.mjs';

const app = useApp();

async function reviewOf(page) {
  await page.waitForSelector('[data-testid="review"]');
  return {
    heading: (await page.textContent('[data-testid="review"] h1')).trim(),
    attempts: await page.$$eval('[data-testid="review-attempt"]', (els) => els.length),
    text: await page.textContent('[data-testid="review"]'),
  };
}

test('T10: Paula (personnel manager at north) reviews Lee\'s attempts from Insights, his record and the course', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  const expected = app.engine.attempts('u-pm', 'a-fire-nov:u-lee');
  assert.ok(expected.attempts.length > 0);

  await actAs(page, 'u-pm', 'north', 'insights');
  await page.click('[data-testid="insights-person"][data-user="u-lee"] [data-testid="review-link"]');
  const fromInsights = await reviewOf(page);
  assert.equal(fromInsights.heading, 'Assessment attempts of Lee Carter');
  assert.ok(fromInsights.attempts >= expected.attempts.length);
  assert.match(fromInsights.text, /Fire safety awareness/);
  assert.doesNotMatch(fromInsights.text, /Your attempts/);

  await actAs(page, 'u-pm', 'north', 'people/rec-lee');
  await page.click('[data-testid="record-training"] [data-testid="review-link"]');
  assert.equal((await reviewOf(page)).heading, 'Assessment attempts of Lee Carter');

  await actAs(page, 'u-pm', 'north', 'courses/c-fire');
  await page.click('[data-testid="assignment-row"][data-assignment="a-fire-nov"] [data-testid="review-link"]');
  assert.equal((await reviewOf(page)).heading, 'Assessment attempts of Lee Carter');

  // Lee's own URL, typed by Paula: the review, not "Your attempts" with the quiz form.
  await actAs(page, 'u-pm', 'north', 'learn/a-fire-nov:u-lee');
  const typed = await reviewOf(page);
  assert.equal(typed.heading, 'Assessment attempts of Lee Carter');
  assert.equal(await page.$('[data-testid="assessment-submit"]'), null);
  assert.deepEqual(problems, []);
  await context.close();
});

test('T10: a member may not review someone else\'s attempts: the engine\'s reason is shown', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  // Liz (personnel member at north) may see a colleague's training list (T4) but not their attempts (T10).
  let refusal;
  try {
    app.engine.attempts('u-liz', 'a-fire-nov:u-lee');
  } catch (e) {
    refusal = e.decision;
  }
  assert.ok(refusal && !refusal.allowed, 'the engine refuses Liz Lee\'s attempts');
  await actAs(page, 'u-liz', 'north', 'review/u-lee');
  await page.waitForSelector('[data-testid="review"] [data-denied]');
  assert.equal(await page.$('[data-testid="review-attempt"]'), null, 'no attempt is shown');
  const denied = page.locator('[data-testid="review-fulfillment"][data-fulfillment="a-fire-nov:u-lee"] [data-denied]');
  assert.equal(await denied.getAttribute('data-denied'), refusal.code);
  assert.ok(saysPlainly(await denied.textContent(), refusal.message), await denied.textContent());
  assert.deepEqual(problems, []);
  await context.close();
});
