// Replays tests/fixtures/learner-journey.json (the whole learner journey of
// TRAINING.md, also replayed natively by tests/native/training_test.cpp)
// against any `createEngine`: the built wasm, or the package as installed.
// Returns a list of mismatches; empty means the journey went as expected.

function eventTypes(answer) {
  return (answer.events ?? []).map((e) => e.type).sort();
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Deep equality that ignores the order of object keys. */
function equal(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => equal(a[k], b[k]));
}

export async function replayJourney(createEngine, journey, snapshot) {
  const problems = [];
  const engine = await createEngine();
  const loaded = engine.load(snapshot);
  if (!loaded.ok) return [`the snapshot did not load: ${JSON.stringify(loaded.errors)}`];
  for (const [i, { command, expect }] of journey.steps.entries()) {
    const answer = engine.apply(command);
    const where = `step ${i + 1} (${command.type} by ${command.actor})`;
    if (answer.ok !== expect.ok) problems.push(`${where}: ok ${answer.ok}, expected ${expect.ok}: ${JSON.stringify(answer)}`);
    if (expect.code !== undefined && answer.decision?.code !== expect.code) {
      problems.push(`${where}: code ${answer.decision?.code}, expected ${expect.code}`);
    }
    if (expect.result !== undefined && !equal(answer.result, expect.result)) {
      problems.push(`${where}: result ${JSON.stringify(answer.result)}, expected ${JSON.stringify(expect.result)}`);
    }
    if ((answer.duplicate ?? false) !== (expect.duplicate ?? false)) problems.push(`${where}: duplicate ${answer.duplicate}`);
    for (const path of expect.errors ?? []) {
      if (!(answer.errors ?? []).some((e) => e.path === path)) {
        problems.push(`${where}: no error at ${path}: ${JSON.stringify(answer)}`);
      }
    }
    if (expect.events !== undefined && !same(eventTypes(answer), [...expect.events].sort())) {
      problems.push(`${where}: events ${eventTypes(answer)}, expected ${expect.events}`);
    }
  }
  const q = journey.insights;
  const insights = engine.insights(q.user, q.site, q.date, { includeChildSites: q.includeChildSites });
  if (!equal(insights.totals, q.totals)) {
    problems.push(`insights totals ${JSON.stringify(insights.totals)}, expected ${JSON.stringify(q.totals)}`);
  }
  // The round trip: the exported state loads and gives the same insights.
  const again = await createEngine();
  const reloaded = again.load(engine.snapshot());
  if (!reloaded.ok) problems.push(`the export did not load: ${JSON.stringify(reloaded.errors)}`);
  else if (!equal(again.insights(q.user, q.site, q.date).totals, insights.totals)) problems.push('the export answers differently');
  engine.dispose();
  again.dispose();
  return problems;
}
