// Every view and access question of the package, asked of one loaded engine
// with the ids of its own snapshot (and a few it does not hold), so that a
// test sees the real answers: the drift test checks them against the types
// of index.d.ts, scripts/view-outputs.mjs prints them to compare two builds
// byte for byte.

/** The answer of a throwing view: its value, or what it threw (decision or errors). */
function settle(call) {
  try {
    return { value: call() };
  } catch (error) {
    if (error?.decision) return { decision: error.decision };
    if (error?.errors) return { errors: error.errors };
    throw error;
  }
}

const ids = (list) => (Array.isArray(list) ? list.map((item) => item.id) : []);

/**
 * The calls to make: `{ view, args, type }`, `type` being the index.d.ts type
 * of the value. `limit` bounds how many ids of each collection are used.
 */
export function viewCalls(engine, { dates = ['2026-11-20'], limit = Infinity } = {}) {
  const s = engine.snapshot();
  const take = (list) => ids(list).slice(0, limit);
  const users = [...take(s.users), 'u-ghost'];
  const sites = [...take(s.sites), 's-ghost'];
  const courses = [...take(s.training?.courses), 'c-ghost'];
  const fulfillments = [...take(s.training?.fulfillments), 'f-ghost'];
  const records = [...take(s.personnel?.records), 'rec-ghost'];
  const companies = [...take(s.personnel?.companies), 'co-ghost'];
  const threads = take(s.personnel?.comments);
  const actions = engine.actions();
  const calls = [];
  const add = (view, type, ...args) => calls.push({ view, type, args });
  for (const date of dates) add('freshness', 'Freshness', date);
  for (const user of users) {
    add('roles', 'EffectiveRole[]', user);
    for (const date of dates) add('myCourses', 'MyCourses', user, date);
    for (const course of courses) add('course', 'CourseView', user, course);
    for (const f of fulfillments) add('attempts', 'Attempts', user, f);
    for (const person of users) add('trainingOf', 'TrainingOf', user, person, dates[0]);
    for (const record of records) {
      add('record', 'RecordView', user, record);
      add('comments', 'Comments', user, record);
    }
    for (const company of companies) add('company', 'CompanyView', user, company);
    for (const site of sites) {
      add('capabilities', 'Capabilities', user, site);
      add('people', 'People', user, site);
      add('personnelSettings', 'PersonnelSettingsView', user, site);
      add('insights', 'Insights', user, site, dates[0]);
      add('insights', 'Insights', user, site, dates[0], { includeChildSites: true });
    }
    for (const action of actions) add('sitesWhere', 'SitesWhere', user, action);
  }
  add('myCourses', 'MyCourses', users[0], 'not-a-date'); // the errors of a malformed argument
  for (const action of actions) {
    add('whoCan', 'WhoCan', action);
    for (const site of sites) add('whoCan', 'WhoCan', action, site);
  }
  for (const record of records) add('whoCan', 'WhoCan', 'personnel.sensitive.view', undefined, { record });
  for (const thread of threads) add('whoCan', 'WhoCan', 'personnel.comment.view', undefined, { thread });
  for (const course of courses) add('whoCan', 'WhoCan', 'training.course.edit', undefined, { course });
  const modules = ['site', 'personnel', 'premises', 'documents', 'operations'];
  const editors = users.slice(0, Math.min(users.length, 6));
  users.forEach((user, i) => {
    const site = sites[i % sites.length];
    const module = modules[i % modules.length];
    const role = ['viewer', 'member', 'manager', 'admin', 'none'][i % 5];
    const changes = [
      { type: 'access.set', user, site, module, role, includeChildSites: i % 2 === 0 },
      { type: 'access.remove', user, site, module },
      { type: 'owner.set', user },
      [{ type: 'access.setAll', user, site, role }, { type: 'owner.unset', user }],
      { user, changes: [{ type: 'access.set', site, module, role }] },
    ];
    for (const editor of editors) for (const change of changes) add('whatIf', 'WhatIf', editor, change);
  });
  return calls;
}

/** Asks `engine` one call: `{ view, args, type, answer }` (`answer` as `settle` gives it). */
export function ask(engine, call) {
  return { ...call, answer: settle(() => engine[call.view](...call.args)) };
}
