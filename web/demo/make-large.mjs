#!/usr/bin/env node
// Writes web/demo/demo-org-large.json: the demo organisation (demo-org.json)
// scaled up for performance work in the web app, deterministically (a seeded
// PRNG, no clock, no Math.random): the same script always writes the same
// bytes.
//
// Everything in demo-org.json is kept exactly as it is, so the named demo
// people (u-owner, u-siteadmin, u-pm, u-lee, ...) can still be acted as and
// hold the same roles. The generated organisation hangs under Head Office in
// regions of its own (never under north / south), so only the people whose
// roles reach the whole tree (the owner, Sanjay's cascading grants at hq) see
// more than in the small demo.
//
// Usage:
//   node web/demo/make-large.mjs            # writes web/demo/demo-org-large.json
//   node web/demo/make-large.mjs out.json   # writes elsewhere
//   node web/demo/make-large.mjs --check    # also loads it into the engine and times the load
//
// The output is git-ignored (web/demo/.gitignore).

import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { mulberry32 } from '../../bench/gen-org.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const check = args.includes('--check');
const outArg = args.find((a) => !a.startsWith('--'));
const OUT = outArg ? resolve(outArg) : join(HERE, 'demo-org-large.json');

// ------------------------------------------------------------------ scale
const SCALE = {
  regions: 10, // sites directly under hq
  sites: 200, // generated sites in all, regions included
  users: 20000,
  groups: 400,
  courses: 2000,
  fulfillments: 40000,
  records: 10000,
  companies: 300,
  comments: 6000,
};
const SEED = 20261120;
const TODAY = '2026-11-20';

// -------------------------------------------------------- deterministic PRNG (bench/gen-org.mjs)
const rand = mulberry32(SEED);
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
const pick = (list) => list[Math.floor(rand() * list.length)];
const chance = (p) => rand() < p;
const pad = (n, w) => String(n).padStart(w, '0');

function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
function addMonths(date, months) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

// ------------------------------------------------------------- name lists
const FIRST = ['Aaron', 'Abigail', 'Adam', 'Aisha', 'Alex', 'Alice', 'Amir', 'Amy', 'Andrew', 'Anna', 'Ben', 'Bethany',
  'Callum', 'Chloe', 'Chris', 'Connor', 'Daniel', 'Deepa', 'Ella', 'Emily', 'Ethan', 'Fatima', 'Finn', 'Freya', 'George',
  'Grace', 'Hamza', 'Harry', 'Holly', 'Imran', 'Isla', 'Jack', 'Jade', 'James', 'Jessica', 'Joe', 'Josh', 'Kate', 'Kieran',
  'Laura', 'Leah', 'Liam', 'Lucy', 'Mason', 'Megan', 'Mohammed', 'Molly', 'Nathan', 'Niamh', 'Noah', 'Olivia', 'Oscar',
  'Priya', 'Rachel', 'Rhys', 'Rosie', 'Ryan', 'Sara', 'Sean', 'Sophie', 'Tom', 'Tyler', 'Yusuf', 'Zara', 'Zoe'];
const LAST = ['Ahmed', 'Ali', 'Allen', 'Bailey', 'Baker', 'Barnes', 'Bell', 'Bennett', 'Brown', 'Campbell', 'Clarke', 'Cole',
  'Cook', 'Cooper', 'Davies', 'Edwards', 'Evans', 'Fisher', 'Fletcher', 'Graham', 'Green', 'Hall', 'Harris', 'Hill',
  'Hughes', 'Hussain', 'Jackson', 'James', 'Jones', 'Khan', 'King', 'Lewis', 'Marshall', 'Martin', 'Mason', 'Mitchell',
  'Morgan', 'Murphy', 'Owen', 'Parker', 'Phillips', 'Price', 'Reid', 'Roberts', 'Robinson', 'Scott', 'Shah', 'Singh',
  'Smith', 'Stewart', 'Taylor', 'Thomas', 'Turner', 'Walker', 'Ward', 'Watson', 'White', 'Williams', 'Wilson', 'Wood',
  'Wright', 'Young'];
const REGIONS = ['Yorkshire', 'North East', 'North West', 'Midlands', 'East Anglia', 'London', 'South East', 'South West',
  'Wales', 'Scotland', 'Northern Ireland', 'Cumbria'];
const TOWNS = ['Bradford', 'Halifax', 'Huddersfield', 'York', 'Harrogate', 'Durham', 'Sunderland', 'Gateshead', 'Preston',
  'Bolton', 'Wigan', 'Chester', 'Derby', 'Leicester', 'Coventry', 'Norwich', 'Ipswich', 'Cambridge', 'Croydon', 'Ealing',
  'Reading', 'Guildford', 'Bristol', 'Exeter', 'Swindon', 'Cardiff', 'Swansea', 'Glasgow', 'Dundee', 'Belfast', 'Carlisle',
  'Kendal', 'Lincoln', 'Hull', 'Doncaster', 'Stoke', 'Telford', 'Luton', 'Oxford', 'Plymouth'];
const KINDS = ['Depot', 'Warehouse', 'Office', 'Distribution Centre', 'Workshop', 'Yard', 'Lab', 'Store'];
const TOPICS = ['Fire safety', 'Manual handling', 'COSHH', 'First aid refresher', 'Working at height', 'Display screen equipment',
  'Lone working', 'Slips and trips', 'Forklift refresher', 'Legionella awareness', 'Noise at work', 'Asbestos awareness',
  'GDPR basics', 'Equality and diversity', 'Safeguarding', 'Vehicle checks', 'Permit to work', 'Confined spaces',
  'Electrical safety', 'Food hygiene', 'Stress awareness', 'Anti-bribery', 'Cyber security', 'PPE', 'Ladder safety'];
const BLOCK_TEMPLATES = [
  { type: 'employment', title: 'Employment', data: () => ({ contract: pick(['Permanent, full time', 'Permanent, part time', 'Fixed term', 'Agency']), startDate: addDays(TODAY, -int(30, 4000)), salary: `GBP ${int(20, 55)},${pad(int(0, 9) * 100, 3)}` }) },
  { type: 'emergency-contact', title: 'Emergency contact', data: () => ({ name: `${pick(FIRST)} ${pick(LAST)}`, relationship: pick(['Partner', 'Parent', 'Sibling', 'Friend']), phone: `07700 9${pad(int(0, 99999), 5)}` }) },
  { type: 'qualification', title: 'Forklift licence', data: () => ({ certificate: `RTITB-FLT-${pad(int(0, 99999), 5)}`, expires: addDays(TODAY, int(-200, 1500)) }) },
  { type: 'qualification', title: 'First aid at work', data: () => ({ certificate: `FAW-${pad(int(0, 99999), 5)}`, expires: addDays(TODAY, int(-100, 1100)) }) },
  { type: 'dbs', title: 'Basic DBS check', data: () => ({ certificateNumber: pad(int(0, 999999999), 12), outcome: 'Clear' }) },
  { type: 'right-to-work', title: 'Right to work', data: () => ({ document: pick(['British passport', 'Share code', 'Birth certificate and NI']), checked: addDays(TODAY, -int(30, 3000)) }) },
  { type: 'other', title: 'Occupational health', sensitive: true, data: () => ({ note: pick(['No restrictions', 'Annual hearing test', 'Reasonable adjustments agreed']) }) },
];

// ------------------------------------------------------------------ start
const small = JSON.parse(readFileSync(join(HERE, 'demo-org.json'), 'utf8'));
const org = structuredClone(small);
org.training ??= {};
org.personnel ??= {};
for (const key of ['courses', 'assignments', 'fulfillments', 'attempts', 'results']) org.training[key] ??= [];
for (const key of ['records', 'companies', 'comments']) org.personnel[key] ??= [];
org.groups ??= [];
org.settings ??= {};
org.integrations ??= {};
org.organisation.name = `${small.organisation.name} (large demo)`;

// ------------------------------------------------------------------ sites
const genSites = []; // { id, name, parent, depth }
for (let i = 1; i <= SCALE.regions; i++) {
  genSites.push({ id: `site-${pad(i, 3)}`, name: `${REGIONS[(i - 1) % REGIONS.length]} region`, parent: 'hq', depth: 1 });
}
for (let i = SCALE.regions + 1; i <= SCALE.sites; i++) {
  // A parent among the earlier generated sites, at most three levels deep.
  let parent;
  do parent = genSites[Math.floor(rand() * genSites.length)];
  while (parent.depth >= 3);
  genSites.push({ id: `site-${pad(i, 3)}`, name: `${pick(TOWNS)} ${pick(KINDS)} ${i}`, parent: parent.id, depth: parent.depth + 1 });
}
for (const s of genSites) org.sites.push({ id: s.id, name: s.name, parent: s.parent });
const leafish = genSites.filter((s) => s.depth >= 2); // where people work
for (const s of genSites) {
  if (chance(0.3)) org.settings[s.id] = { personnel: { restrictCommentViewing: chance(0.5), autoCreateRecords: chance(0.2) } };
}
const connected = new Set();
for (const s of leafish) {
  if (chance(0.1)) {
    connected.add(s.id);
    org.integrations[s.id] = { ihasco: { connected: true, mapping: { customFields: { Department: 'department' } } } };
  }
}

// ------------------------------------------------------------------ users
const usersAt = new Map(leafish.map((s) => [s.id, []])); // site -> users with personnel member+ there
const managersAt = new Map(leafish.map((s) => [s.id, []]));
const genUsers = [];
for (let i = 1; i <= SCALE.users; i++) {
  const id = `u-${pad(i, 5)}`;
  const first = pick(FIRST);
  const last = pick(LAST);
  const home = pick(leafish).id;
  genUsers.push({ id, name: `${first} ${last}`, email: `${first}.${last}.${i}@calmfacilities.example`.toLowerCase(), home });
  org.users.push({ id, name: `${first} ${last}`, email: `${first}.${last}.${i}@calmfacilities.example`.toLowerCase() });
  const r = rand();
  if (r < 0.9) {
    // Most people: personnel member (or manager) at their home site.
    const role = chance(0.05) ? 'manager' : chance(0.01) ? 'admin' : 'member';
    org.grants.push({ user: id, site: home, module: 'personnel', role });
    usersAt.get(home).push(id);
    if (role !== 'member') managersAt.get(home).push(id);
  } else if (r < 0.95) {
    org.grants.push({ user: id, site: home, module: 'documents', role: 'member' }); // no personnel role
  } // else: no grant at all
  if (chance(0.3)) org.grants.push({ user: id, site: home, module: 'premises', role: chance(0.1) ? 'manager' : 'member' });
  if (chance(0.01)) org.grants.push({ user: id, site: home, module: 'site', role: chance(0.3) ? 'admin' : 'manager', includeChildSites: chance(0.5) });
}

// ------------------------------------------------------------------ groups
for (let i = 1; i <= SCALE.groups; i++) {
  const site = pick(leafish).id;
  const pool = genUsers.filter((u) => u.home === site).map((u) => u.id);
  const members = [...new Set(Array.from({ length: Math.min(pool.length, int(5, 30)) }, () => pick(pool)))];
  org.groups.push({ id: `g-${pad(i, 4)}`, name: `${pick(['Day shift', 'Night shift', 'Drivers', 'Fire wardens', 'First aiders', 'Supervisors', 'Cleaners', 'Maintenance'])} ${i}`, site, members });
}

// ------------------------------------------------------------------ courses
function makeSteps(topic, withQuiz) {
  const steps = [
    { id: 's-intro', type: 'content', title: `About ${topic.toLowerCase()}`, body: `Why ${topic.toLowerCase()} matters on site, and what the law expects of us.` },
  ];
  if (chance(0.6)) steps.push({ id: 's-video', type: 'video', title: `${topic}: the video`, url: `https://videos.calmfacilities.example/${topic.toLowerCase().replace(/[^a-z]+/g, '-')}.mp4` });
  if (chance(0.4)) steps.push({ id: 's-doc', type: 'document', title: `${topic} policy`, file: `files/${topic.toLowerCase().replace(/[^a-z]+/g, '-')}-policy.pdf` });
  if (withQuiz) {
    const n = int(2, 5);
    const questions = [];
    for (let q = 1; q <= n; q++) {
      const multiple = chance(0.3);
      questions.push({
        id: `q${q}`,
        text: `${topic}: question ${q}`,
        kind: multiple ? 'multiple' : 'single',
        options: [{ id: 'a', text: 'Option A' }, { id: 'b', text: 'Option B' }, { id: 'c', text: 'Option C' }],
        correct: multiple ? ['a', 'c'] : [pick(['a', 'b', 'c'])],
      });
    }
    steps.push({ id: 's-quiz', type: 'assessment', title: `${topic} check`, assessment: { passMark: pick([60, 70, 75, 80, 100]), maxAttempts: pick([0, 3, 5]), questions } });
  }
  return steps;
}
const genCourses = []; // { id, site, status, steps, validityMonths, source }
for (let i = 1; i <= SCALE.courses; i++) {
  const site = pick(leafish).id;
  const topic = pick(TOPICS);
  if (connected.has(site) && chance(0.3)) {
    const ext = `IH-${pad(i, 4)}`;
    const c = { id: `ih:${site}:${ext}`, site, title: `${topic} (iHasco)`, description: `iHasco: ${topic.toLowerCase()}`, source: 'ihasco', externalId: ext, status: 'published', validityMonths: 12, createdBy: 'system', updatedAt: `${addDays(TODAY, -int(1, 300))}T02:00:00Z`, steps: [] };
    org.training.courses.push(c);
    genCourses.push(c);
    continue;
  }
  const r = rand();
  const status = r < 0.8 ? 'published' : r < 0.92 ? 'draft' : 'archived';
  const c = {
    id: `c-${pad(i, 4)}`, site, title: `${topic} (${i})`, description: `${topic} for ${org.sites.find((s) => s.id === site)?.name ?? site}`,
    source: 'calm', status, validityMonths: pick([12, 12, 24, 36]), createdBy: pick(managersAt.get(site)) ?? 'u-siteadmin',
    updatedAt: `${addDays(TODAY, -int(1, 700))}T09:00:00Z`, steps: makeSteps(topic, chance(0.6)),
  };
  if (chance(0.1)) delete c.validityMonths;
  org.training.courses.push(c);
  genCourses.push(c);
}
const coursesAt = new Map();
for (const c of genCourses) {
  if (c.status === 'draft') continue;
  if (!coursesAt.has(c.site)) coursesAt.set(c.site, []);
  coursesAt.get(c.site).push(c);
}

// ------------------------------------------- assignments and fulfillments
// One assignment per (course, batch); a fulfillment is `<assignment>:<user>`.
const assignments = new Map(); // id -> assignment
const held = new Set(); // `${course}|${user}`
const sitesWithWork = leafish.filter((s) => coursesAt.has(s.id) && usersAt.get(s.id).length > 0).map((s) => s.id);
let made = 0;
let guard = 0;
while (made < SCALE.fulfillments && guard++ < SCALE.fulfillments * 20) {
  const site = pick(sitesWithWork);
  const course = pick(coursesAt.get(site));
  const user = pick(usersAt.get(site));
  const key = `${course.id}|${user}`;
  if (held.has(key)) continue;
  held.add(key);
  const batch = int(1, 3);
  const isExternal = course.source === 'ihasco';
  const aid = `ga-${course.id.replace(/^ih:/, 'ih-').replace(/:/g, '-')}-${batch}`;
  const assignedAt = addDays(TODAY, -int(5, 400));
  const dueDate = addDays(TODAY, int(-60, 90));
  if (!isExternal && !assignments.has(aid)) {
    assignments.set(aid, { id: aid, course: course.id, people: [], groups: [], dueDate, assignedBy: pick(managersAt.get(site)) ?? 'u-siteadmin', assignedAt: `${assignedAt}T09:00:00Z` });
  }
  const a = assignments.get(aid);
  const fid = isExternal ? `ihf-${pad(made + 1, 5)}` : `${aid}:${user}`;
  const r = rand();
  // Archived courses only keep open work from before they were archived.
  const status = r < 0.45 ? 'completed' : r < 0.7 ? 'in_progress' : r < 0.97 ? 'not_started' : 'withdrawn';
  const nonQuiz = course.steps.filter((s) => s.type !== 'assessment').map((s) => s.id);
  const quiz = course.steps.find((s) => s.type === 'assessment');
  const f = { id: fid, course: course.id, user, status, completedSteps: [] };
  if (a) {
    a.people.push(user);
    f.assignment = a.id;
    f.dueDate = a.dueDate;
  }
  if (status === 'completed') {
    f.completedSteps = nonQuiz;
    const on = addDays(TODAY, -int(1, 500));
    f.completedAt = `${on}T${pad(int(7, 17), 2)}:${pad(int(0, 59), 2)}:00Z`;
    let score;
    if (quiz) {
      score = 100;
      org.training.attempts.push({ id: `at-${pad(org.training.attempts.length + 1, 6)}`, fulfillment: fid, step: quiz.id,
        answers: Object.fromEntries(quiz.assessment.questions.map((q) => [q.id, q.correct])), status: 'graded', score, passed: true, at: f.completedAt });
    }
    const result = { id: `${fid}:result`, user, course: course.id, title: course.title, completedOn: on, source: isExternal ? 'ihasco' : 'course' };
    if (score !== undefined) result.score = score;
    if (course.validityMonths) result.expiresOn = addMonths(on, course.validityMonths);
    if (isExternal) result.externalId = `R-${pad(made + 1, 6)}`;
    org.training.results.push(result);
  } else if (status === 'in_progress') {
    f.completedSteps = nonQuiz.slice(0, Math.max(1, int(0, nonQuiz.length - 1)));
    if (quiz && chance(0.3)) {
      org.training.attempts.push({ id: `at-${pad(org.training.attempts.length + 1, 6)}`, fulfillment: fid, step: quiz.id,
        answers: Object.fromEntries(quiz.assessment.questions.map((q) => [q.id, ['b']])), status: 'graded', score: 0, passed: false, at: `${addDays(TODAY, -int(1, 30))}T10:00:00Z` });
    }
  }
  org.training.fulfillments.push(f);
  made++;
}
for (const a of assignments.values()) org.training.assignments.push(a);
// Some manual results (external certificates) too.
for (let i = 1; i <= 2000; i++) {
  const u = pick(genUsers);
  const on = addDays(TODAY, -int(30, 1400));
  const res = { id: `r-manual-${pad(i, 5)}`, user: u.id, title: pick(['First aid at work', 'IOSH Managing Safely', 'CSCS card', 'Driver CPC', 'Mental health first aid']), completedOn: on, expiresOn: addMonths(on, pick([12, 36, 60])), source: 'manual' };
  const mgr = pick(managersAt.get(u.home) ?? []);
  if (mgr) res.recordedBy = mgr;
  org.training.results.push(res);
}

// ------------------------------------------------- companies and records
for (let i = 1; i <= SCALE.companies; i++) {
  const site = pick(leafish).id;
  const name = `${pick(LAST)} ${pick(['Electrical', 'Cleaning', 'Recruitment', 'Security', 'Plumbing', 'Logistics', 'Catering'])} Ltd`;
  const slug = name.toLowerCase().replace(/[^a-z]+/g, '-').replace(/-$/, '');
  org.personnel.companies.push({
    id: `co-${pad(i, 4)}`, site, name,
    details: { address: `${int(1, 200)} ${pick(TOWNS)} Road`, phone: `01${int(100, 999)} 496 ${pad(int(0, 9999), 4)}` },
    sensitive: { vatNumber: `GB ${int(100, 999)} ${int(1000, 9999)} ${int(10, 99)}`, insurancePolicy: `PL-${int(1000, 9999)}` },
    contacts: [{ id: 'ct-1', name: `${pick(FIRST)} ${pick(LAST)}`, email: `office@${slug}.example` }, ...(chance(0.5) ? [{ id: 'ct-2', name: `${pick(FIRST)} ${pick(LAST)}`, phone: `07700 9${pad(int(0, 99999), 5)}` }] : [])],
  });
}
const companiesAt = new Map();
for (const c of org.personnel.companies) {
  if (!c.id.startsWith('co-0')) continue;
  if (!companiesAt.has(c.site)) companiesAt.set(c.site, []);
  companiesAt.get(c.site).push(c.id);
}
const genRecords = [];
for (let i = 0; i < SCALE.records; i++) {
  const u = genUsers[i * 2]; // every other generated user has a record at their home site
  const blocks = [];
  const used = new Set();
  for (let k = int(1, 4); k > 0; k--) {
    const t = pick(BLOCK_TEMPLATES);
    if (used.has(t.title)) continue;
    used.add(t.title);
    const b = { id: `b-${used.size}`, type: t.type, title: t.title, data: t.data() };
    if (t.sensitive) b.sensitive = true;
    blocks.push(b);
  }
  const rec = {
    id: `rec-${u.id.slice(2)}`, site: u.home, user: u.id, name: u.name, email: u.email, status: chance(0.95) ? 'active' : 'left',
    customFields: { department: pick(['Warehouse', 'Transport', 'Office', 'Maintenance', 'Cleaning']) },
    companies: chance(0.1) && companiesAt.has(u.home) ? [pick(companiesAt.get(u.home))] : [],
    blocks,
    files: chance(0.4) ? [{ id: 'f-1', name: `${u.name.toLowerCase().replace(/ /g, '-')}-contract.pdf`, sensitive: true }] : [],
  };
  if (chance(0.2)) rec.assets = [{ id: 'as-1', name: `Locker key L-${int(1, 400)}`, location: 'Changing room', since: addDays(TODAY, -int(10, 1500)) }];
  org.personnel.records.push(rec);
  genRecords.push(rec);
}
// Comment threads on records, by people of the record's site (or its managers), with replies.
const authorsAt = (site) => usersAt.get(site) ?? [];
let comments = 0;
while (comments < SCALE.comments) {
  const rec = pick(genRecords);
  const authors = authorsAt(rec.site);
  if (authors.length === 0) continue;
  const root = `cm-${pad(comments + 1, 6)}`;
  const at = addDays(TODAY, -int(0, 200));
  org.personnel.comments.push({ id: root, record: rec.id, author: pick(authors), body: pick(['Shift swap request', 'Annual leave request', 'Training reminder sent', 'Return to work meeting booked', 'PPE replaced']), createdAt: `${at}T08:00:00Z` });
  comments++;
  for (let k = int(0, 2); k > 0 && comments < SCALE.comments; k--) {
    org.personnel.comments.push({ id: `cm-${pad(comments + 1, 6)}`, record: rec.id, author: pick(managersAt.get(rec.site)?.length ? managersAt.get(rec.site) : authors), parent: root, body: pick(['Noted, thanks.', 'Approved.', 'Done.', 'Can we talk on Monday?']), createdAt: `${at}T${pad(9 + k, 2)}:00:00Z` });
    comments++;
  }
}

// ------------------------------------------------------------------ write
const text = JSON.stringify(org);
writeFileSync(OUT, text);
const bytes = statSync(OUT).size;
console.log(`${OUT}: ${(bytes / 1048576).toFixed(1)} MiB (${bytes} bytes)`);
console.log(`  sites ${org.sites.length}, users ${org.users.length}, grants ${org.grants.length}, groups ${org.groups.length}, ` +
  `courses ${org.training.courses.length}, assignments ${org.training.assignments.length}, fulfillments ${org.training.fulfillments.length}, ` +
  `attempts ${org.training.attempts.length}, results ${org.training.results.length}, records ${org.personnel.records.length}, ` +
  `companies ${org.personnel.companies.length}, comments ${org.personnel.comments.length}`);

if (check) {
  const { createEngine } = await import(new URL('../../js/index.js', import.meta.url).href);
  const engine = await createEngine();
  const t0 = performance.now();
  const r = engine.load(text);
  const ms = performance.now() - t0;
  if (!r.ok) {
    console.error('load failed:', JSON.stringify(r.errors.slice(0, 10), null, 1));
    process.exit(1);
  }
  console.log(`  loads in the engine in ${ms.toFixed(0)} ms (from JSON text)`);
  engine.dispose();
}
