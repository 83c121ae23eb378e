#!/usr/bin/env node
// Deterministic generator of benchmark organisations (SNAPSHOT.md, version 1)
// and of the request mixes asked of them (ACCESS.md section 8).
//
//   node bench/gen-org.mjs [small|large|all] [--out DIR] [--seed N] [--requests N]
//
// Writes, for each size, into DIR (default bench/data):
//   org-<size>.json            the snapshot
//   requests-<size>.jsonl      one decision request per line (the same
//                              questions for the native and the wasm bench)
//   capabilities-<size>.jsonl  one { user, site } pair per line
//
// The same seed gives byte-identical files on every machine: the only source
// of randomness is the seeded PRNG below, and every collection is iterated in
// insertion order. The sha256 of each file is printed so two runs can be
// compared.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// ---- sizes -----------------------------------------------------------------

export const SIZES = {
  small: {
    sites: 20, roots: 1, maxDepth: 3, users: 200, grants: 2000, owners: 2,
    groups: 10, courses: 30, assignments: 60, results: 150,
    records: 150, companies: 20, comments: 600, requests: 10000, pairs: 2000,
  },
  large: {
    sites: 1000, roots: 3, maxDepth: 6, users: 10000, grants: 100000, owners: 4,
    groups: 200, courses: 400, assignments: 1200, results: 3000,
    records: 6000, companies: 300, comments: 20000, requests: 10000, pairs: 2000,
  },
};

// ---- PRNG: mulberry32, seeded; nothing else is random ------------------------

/** A seeded PRNG (mulberry32): a function giving numbers in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) { this.next = mulberry32(seed); }
  /** Integer in [0, n). */
  int(n) { return Math.floor(this.next() * n); }
  /** Integer in [lo, hi]. */
  range(lo, hi) { return lo + this.int(hi - lo + 1); }
  chance(p) { return this.next() < p; }
  pick(array) { return array[this.int(array.length)]; }
  /** Picks a key of `weights` ({ key: weight }) with probability proportional to its weight. */
  weighted(weights) {
    const entries = Object.entries(weights);
    let total = 0;
    for (const [, w] of entries) total += w;
    let x = this.next() * total;
    for (const [k, w] of entries) {
      if ((x -= w) < 0) return k;
    }
    return entries[entries.length - 1][0];
  }
  /** `k` distinct elements of `array` (k clipped to its length). */
  sample(array, k) {
    const n = array.length;
    k = Math.min(k, n);
    const chosen = new Set();
    const out = [];
    while (out.length < k) {
      const i = this.int(n);
      if (!chosen.has(i)) { chosen.add(i); out.push(array[i]); }
    }
    return out;
  }
}

const FIRST = ['Ada', 'Ben', 'Cara', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jo', 'Kim', 'Lea', 'Max', 'Nia', 'Oli', 'Pia', 'Raj', 'Sam', 'Tia', 'Uma', 'Vic', 'Wes', 'Yara', 'Zed'];
const LAST = ['Archer', 'Baker', 'Clark', 'Dunn', 'Evans', 'Fox', 'Grant', 'Hale', 'Irwin', 'Jones', 'Khan', 'Lowe', 'Moss', 'Nash', 'Owen', 'Patel', 'Quinn', 'Reid', 'Shaw', 'Todd', 'Urwin', 'Vale', 'Webb', 'Young'];
const PLACES = ['North', 'South', 'East', 'West', 'Central', 'Harbour', 'Hill', 'River', 'Park', 'Bridge', 'Mill', 'Field'];
const KINDS = ['Campus', 'Office', 'Depot', 'Site', 'Works', 'Store', 'Clinic', 'Lab'];

const ENTITLEMENTS = ['personnel', 'premises', 'documents'];
// `risks` is named by grants but not entitled: its checks are `not-entitled` (A7).
const GRANT_MODULES = { site: 30, personnel: 30, premises: 18, documents: 17, risks: 5 };
const ROLES = { none: 5, member: 50, manager: 30, admin: 15 };
const BLOCK_TYPES = ['employment', 'emergency-contact', 'qualification', 'dbs', 'right-to-work', 'financial', 'identity', 'other'];

// Every action of ACCESS.md section 8 with the resource keys it takes
// (`?` optional). Weights make the common screen checks more frequent.
export const ACTIONS = [
  ['training.course.complete', ['fulfillment'], 3],
  ['training.progress.view_own', [], 2],
  ['training.insights.view', [], 2],
  ['training.profile.view', ['record?'], 2],
  ['training.course.view', ['course'], 4],
  ['training.course.create', [], 1],
  ['training.course.edit', ['course'], 2],
  ['training.course.publish', ['course'], 1],
  ['training.course.archive', ['course'], 1],
  ['training.course.assign', ['course'], 1],
  ['training.course.delete', ['course'], 1],
  ['training.result.record', ['record?'], 1],
  ['training.assessment.review', ['course?'], 1],
  ['training.quiz.manage', ['course?'], 1],
  ['training.integration.connect', [], 1],
  ['training.integration.sync', [], 1],
  ['personnel.record.view', ['record?'], 6],
  ['personnel.record.view_assets', ['record?'], 2],
  ['personnel.record.edit', ['record?'], 2],
  ['personnel.record.delete', ['record?'], 1],
  ['personnel.record.create', [], 1],
  ['personnel.training.view', ['record?'], 2],
  ['personnel.comment.add', ['record?'], 2],
  ['personnel.file.view', ['record?'], 2],
  ['personnel.file.manage', ['record?'], 1],
  ['personnel.company.view', ['record?', 'company?'], 2],
  ['personnel.comment.view', ['thread'], 4],
  ['personnel.insights.view', [], 1],
  ['personnel.settings.view', [], 2],
  ['personnel.settings.edit', [], 1],
  ['personnel.training.manage', [], 1],
  ['personnel.block.view', ['record?', 'block?'], 4],
  ['personnel.block.manage', ['record?', 'block?'], 1],
  ['personnel.sensitive.view', ['record?', 'block?', 'company?'], 2],
  ['personnel.company.manage', ['company?'], 1],
  ['personnel.company.delete', ['company?'], 1],
  ['personnel.contact.delete', ['company?'], 1],
  ['site.update', [], 2],
  ['site.users.manage', [], 2],
  ['site.integrations.manage', [], 1],
  ['users.view', [], 2],
  ['users.access.view', ['target?'], 2],
  ['users.access.edit', ['target?'], 1],
  ['users.access.set', ['target', 'module', 'role'], 2],
  ['users.owner.set', ['target'], 1],
  ['users.owner.unset', ['target'], 1],
];

// ---- the organisation ------------------------------------------------------

function pad(n, width) { return String(n).padStart(width, '0'); }

export function generateOrg(size, seed) {
  const cfg = SIZES[size];
  const rng = new Rng(seed);
  const w = String(Math.max(cfg.users, cfg.sites, cfg.comments)).length;
  const id = (prefix, i) => `${prefix}-${pad(i, w)}`;

  // Sites: a forest of `roots` trees; each new site hangs under a uniformly
  // chosen earlier site whose depth leaves room (depth 0 = root).
  const sites = [];
  const siteDepth = [];
  const siteParent = [];
  const eligible = [];
  for (let i = 0; i < cfg.sites; i++) {
    const site = { id: id('s', i), name: `${rng.pick(PLACES)} ${rng.pick(KINDS)} ${i}` };
    let depth = 0;
    let parent = -1;
    if (i >= cfg.roots) {
      parent = rng.pick(eligible);
      depth = siteDepth[parent] + 1;
      site.parent = sites[parent].id;
    }
    sites.push(site);
    siteDepth.push(depth);
    siteParent.push(parent);
    if (depth < cfg.maxDepth) eligible.push(i);
  }
  const children = sites.map(() => []);
  siteParent.forEach((p, i) => { if (p >= 0) children[p].push(i); });
  const subtree = (root) => {
    const out = [];
    const stack = [root];
    while (stack.length) {
      const s = stack.pop();
      out.push(s);
      for (const c of children[s]) stack.push(c);
    }
    return out;
  };

  const users = [];
  for (let i = 0; i < cfg.users; i++) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    users.push({ id: id('u', i), name: `${first} ${last}`, email: `${first}.${last}.${i}@example.com`.toLowerCase() });
  }
  const owners = [];
  for (let i = 0; i < cfg.owners; i++) owners.push(users[i].id);

  // Grants: each user has a home site and most of their grants fall in the
  // subtree of its parent (people work near home); unique per
  // (user, site, module). A few heavy users (regional managers) hold many.
  const grants = [];
  const grantKeys = new Set();
  const home = users.map(() => rng.int(cfg.sites));
  const neighbourhood = home.map((h) => subtree(siteParent[h] >= 0 ? siteParent[h] : h));
  const grantsAtSite = sites.map(() => []); // user indices
  let guard = 0;
  while (grants.length < cfg.grants && guard++ < cfg.grants * 20) {
    const heavy = rng.chance(0.1);
    const u = heavy ? rng.int(Math.max(1, Math.floor(cfg.users / 50))) + cfg.owners : rng.int(cfg.users);
    if (u >= cfg.users) continue;
    const s = rng.chance(0.8) ? rng.pick(neighbourhood[u]) : rng.int(cfg.sites);
    const module = rng.weighted(GRANT_MODULES);
    const key = `${u}|${s}|${module}`;
    if (grantKeys.has(key)) continue;
    grantKeys.add(key);
    const grant = { user: users[u].id, site: sites[s].id, module, role: rng.weighted(ROLES) };
    if (rng.chance(0.1)) grant.includeChildSites = true;
    grants.push(grant);
    grantsAtSite[s].push(u);
  }

  const groups = [];
  for (let i = 0; i < cfg.groups; i++) {
    const s = rng.int(cfg.sites);
    const pool = grantsAtSite[s].length >= 3 ? grantsAtSite[s] : users.map((_, j) => j);
    const members = [...new Set(rng.sample(pool, rng.range(2, 12)))].map((u) => users[u].id);
    groups.push({ id: id('g', i), name: `Group ${i}`, site: sites[s].id, members });
  }

  const templates = [
    { id: 'tpl-hr', name: 'HR lead', roles: { personnel: 'admin', site: 'member' } },
    { id: 'tpl-site-manager', name: 'Site manager', roles: { site: 'manager', personnel: 'manager', premises: 'manager' } },
    { id: 'tpl-facilities', name: 'Facilities', roles: { premises: 'admin', documents: 'member' } },
    { id: 'tpl-viewer', name: 'Viewer', roles: { site: 'member', personnel: 'member', premises: 'member', documents: 'member' } },
  ];

  const settings = {};
  const integrations = {};
  const connected = [];
  for (let s = 0; s < cfg.sites; s++) {
    if (rng.chance(0.25)) {
      settings[sites[s].id] = {
        personnel: {
          restrictCommentViewing: rng.chance(0.6),
          autoCreateRecords: rng.chance(0.3),
          inboundEmailComments: rng.chance(0.3),
          notifications: { email: rng.chance(0.5), digest: rng.pick(['daily', 'weekly']) },
        },
      };
    }
    if (rng.chance(0.15)) {
      const on = rng.chance(0.7);
      integrations[sites[s].id] = { ihasco: { connected: on, mapping: on ? { department: 'customFields.department' } : {} } };
      if (on) connected.push(s);
    }
  }

  // Training.
  const courses = [];
  const courseSite = [];
  const courseSteps = [];
  const publishedCourses = [];
  for (let i = 0; i < cfg.courses; i++) {
    // iHasco courses live where the integration is connected, when any is.
    const external = rng.chance(0.25);
    const s = external && connected.length ? rng.pick(connected) : rng.int(cfg.sites);
    const status = rng.weighted({ published: 70, draft: 20, archived: 10 });
    const steps = [];
    const nSteps = rng.range(1, 4);
    for (let k = 0; k < nSteps; k++) {
      const type = rng.weighted({ content: 3, video: 2, document: 1 });
      const step = { id: `st-${k}`, type, title: `Step ${k + 1}` };
      if (type === 'content') step.body = 'Read this carefully.';
      if (type === 'video') step.url = `https://video.example.com/${i}/${k}`;
      if (type === 'document') step.file = `doc-${i}-${k}.pdf`;
      steps.push(step);
    }
    if (rng.chance(0.4)) {
      const questions = [];
      const nq = rng.range(2, 4);
      for (let q = 0; q < nq; q++) {
        const kind = rng.chance(0.7) ? 'single' : 'multiple';
        const options = [0, 1, 2, 3].map((o) => ({ id: `o${o}`, text: `Option ${o}` }));
        const correct = kind === 'single' ? [`o${rng.int(4)}`] : ['o0', `o${rng.range(1, 3)}`];
        questions.push({ id: `q${q}`, text: `Question ${q + 1}?`, kind, options, correct });
      }
      steps.push({
        id: `st-${nSteps}`, type: 'assessment', title: 'Assessment',
        assessment: { passMark: rng.pick([60, 70, 80, 100]), maxAttempts: rng.pick([0, 3]), questions },
      });
    }
    const course = {
      id: id('c', i), site: sites[s].id, title: `Course ${i}`, description: 'Generated for benchmarks',
      source: external ? 'ihasco' : 'calm', status, steps,
    };
    if (external) course.externalId = `ih-${i}`;
    else course.createdBy = users[rng.int(cfg.users)].id;
    if (rng.chance(0.5)) course.validityMonths = rng.pick([6, 12, 24, 36]);
    course.updatedAt = `2026-0${rng.range(1, 9)}-1${rng.int(10)}T09:00:00Z`;
    courses.push(course);
    courseSite.push(s);
    courseSteps.push(steps);
    if (status !== 'draft') publishedCourses.push(i);
  }

  const assignments = [];
  const fulfillments = [];
  const attempts = [];
  const fulfillmentUser = [];
  const fulfillmentCourse = [];
  const fulfillmentKeys = new Set();
  for (let i = 0; i < cfg.assignments && publishedCourses.length; i++) {
    const c = rng.pick(publishedCourses);
    const s = courseSite[c];
    const pool = grantsAtSite[s].length ? grantsAtSite[s] : null;
    const people = [];
    const n = rng.range(1, 8);
    for (let k = 0; k < n; k++) {
      const u = pool && rng.chance(0.8) ? rng.pick(pool) : rng.int(cfg.users);
      if (!people.includes(u)) people.push(u);
    }
    const assignment = { id: id('a', i), course: courses[c].id, people: people.map((u) => users[u].id), groups: [] };
    if (rng.chance(0.6)) assignment.dueDate = `2026-1${rng.int(3)}-0${rng.range(1, 9)}`;
    assignments.push(assignment);
    for (const u of people) {
      const key = `${c}|${u}`;
      if (fulfillmentKeys.has(key)) continue; // one open fulfillment per course and person (T14)
      fulfillmentKeys.add(key);
      const steps = courseSteps[c];
      const status = rng.weighted({ not_started: 35, in_progress: 30, completed: 30, withdrawn: 5 });
      const f = { id: `${assignment.id}:${users[u].id}`, course: courses[c].id, user: users[u].id, assignment: assignment.id, status };
      if (assignment.dueDate) f.dueDate = assignment.dueDate;
      if (status === 'in_progress') f.stepsDone = steps.slice(0, rng.range(1, steps.length)).map((st) => st.id).slice(0, steps.length - 1);
      if (status === 'completed') {
        f.stepsDone = steps.map((st) => st.id);
        f.completedAt = `2026-0${rng.range(1, 9)}-2${rng.int(8)}T10:00:00Z`;
      }
      const assessment = steps.find((st) => st.type === 'assessment');
      if (assessment && status !== 'not_started' && rng.chance(0.7)) {
        const answers = {};
        for (const q of assessment.assessment.questions) answers[q.id] = [q.options[rng.int(q.options.length)].id];
        const score = rng.range(20, 100);
        attempts.push({
          id: `${f.id}:t1`, fulfillment: f.id, step: assessment.id, answers,
          score, passed: score >= assessment.assessment.passMark, at: '2026-06-01T12:00:00Z',
        });
      }
      fulfillments.push(f);
      fulfillmentUser.push(u);
      fulfillmentCourse.push(c);
    }
  }

  const results = [];
  for (let i = 0; i < cfg.results; i++) {
    const u = rng.int(cfg.users);
    const source = rng.weighted({ manual: 50, course: 30, ihasco: 20 });
    const r = { id: id('r', i), user: users[u].id, source, completedOn: `2025-${pad(rng.range(1, 12), 2)}-1${rng.int(10)}` };
    if (rng.chance(0.8)) r.course = courses[rng.int(cfg.courses)].id;
    else r.title = 'External first aid';
    r.title ??= `Course result ${i}`;
    if (rng.chance(0.6)) r.score = rng.range(50, 100);
    if (rng.chance(0.5)) r.expiresOn = `2027-${pad(rng.range(1, 12), 2)}-01`;
    if (source === 'manual') r.recordedBy = users[rng.int(cfg.users)].id;
    if (source === 'ihasco') r.externalId = `ihr-${i}`;
    results.push(r);
  }

  // Personnel.
  const companies = [];
  const companySite = [];
  const companiesAtSite = sites.map(() => []);
  for (let i = 0; i < cfg.companies; i++) {
    const s = rng.int(cfg.sites);
    const contacts = [];
    for (let k = 0, n = rng.range(0, 3); k < n; k++) {
      contacts.push({ id: `ct-${k}`, name: `${rng.pick(FIRST)} ${rng.pick(LAST)}`, email: `contact${k}@company${i}.example.com`, phone: `0100 000 ${pad(k, 3)}` });
    }
    const company = { id: id('co', i), site: sites[s].id, name: `Company ${i} Ltd`, details: { address: `${i} High Street` }, contacts };
    if (rng.chance(0.5)) company.sensitive = { bankAccount: `${pad(rng.int(1e8), 8)}` };
    companies.push(company);
    companySite.push(s);
    companiesAtSite[s].push(i);
  }

  const records = [];
  const recordSite = [];
  const recordBlocks = [];
  const recordCompanies = [];
  const recordsAtSite = sites.map(() => []);
  const userPool = users.map((_, j) => j);
  const recordUsers = rng.sample(userPool, Math.min(cfg.records, cfg.users));
  for (let i = 0; i < cfg.records; i++) {
    // Records sit at a site where the company pool is not empty half the time,
    // so that record + company requests can agree on their site.
    const s = rng.chance(0.5) && cfg.companies ? companySite[rng.int(cfg.companies)] : rng.int(cfg.sites);
    const u = i < recordUsers.length && rng.chance(0.9) ? recordUsers[i] : -1;
    const blocks = [];
    for (let k = 0, n = rng.range(0, 5); k < n; k++) {
      const type = rng.pick(BLOCK_TYPES);
      const block = { id: `b-${k}`, type, title: `${type} ${k}`, data: { note: 'generated' } };
      if (rng.chance(0.2)) block.sensitive = rng.chance(0.5);
      if (rng.chance(0.1)) block.revealRequired = rng.chance(0.5);
      blocks.push(block);
    }
    const files = [];
    for (let k = 0, n = rng.range(0, 3); k < n; k++) files.push({ id: `f-${k}`, name: `file-${k}.pdf`, sensitive: rng.chance(0.3) });
    const linked = [];
    if (companiesAtSite[s].length && rng.chance(0.7)) linked.push(rng.pick(companiesAtSite[s]));
    if (cfg.companies && rng.chance(0.2)) {
      const other = rng.int(cfg.companies);
      if (!linked.includes(other)) linked.push(other);
    }
    const name = u >= 0 ? users[u].name : `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
    const record = { id: id('p', i), site: sites[s].id, name, status: rng.pick(['active', 'active', 'active', 'leaver']), blocks, files, companies: linked.map((c) => companies[c].id) };
    if (u >= 0) { record.user = users[u].id; record.email = users[u].email; }
    if (rng.chance(0.3)) record.assets = [{ id: 'as-0', name: 'Laptop', location: sites[s].name, since: '2025-01-01' }];
    if (rng.chance(0.2)) record.customFields = { department: rng.pick(['Ops', 'HR', 'Finance']) };
    records.push(record);
    recordSite.push(s);
    recordBlocks.push(blocks);
    recordCompanies.push(linked);
    recordsAtSite[s].push(i);
  }

  const comments = [];
  const rootComments = [];
  const commentsOfRecord = records.map(() => []);
  for (let i = 0; i < cfg.comments && records.length; i++) {
    const r = rng.int(records.length);
    const s = recordSite[r];
    const author = grantsAtSite[s].length && rng.chance(0.8) ? rng.pick(grantsAtSite[s]) : rng.int(cfg.users);
    const comment = { id: id('cm', i), record: records[r].id, author: users[author].id, body: `Comment ${i}`, createdAt: `2026-05-${pad(rng.range(1, 28), 2)}T08:00:00Z` };
    const siblings = commentsOfRecord[r];
    if (siblings.length && rng.chance(0.6)) comment.parent = comments[rng.pick(siblings)].id;
    else rootComments.push(i);
    comments.push(comment);
    siblings.push(i);
  }

  const snapshot = {
    version: 1,
    issuedAt: '2026-11-01T00:00:00Z',
    validUntil: '2026-12-01T00:00:00Z',
    organisation: { id: `org-${size}`, name: `Bench ${size} organisation`, entitlements: ENTITLEMENTS, owners },
    sites, users, grants, groups, templates, settings, integrations,
    training: { courses, assignments, fulfillments, attempts, results },
    personnel: { records, companies, comments },
  };

  const world = {
    cfg, sites, users, grants, owners, grantsAtSite, courses, courseSite, fulfillments, fulfillmentUser,
    fulfillmentCourse, records, recordSite, recordBlocks, recordCompanies, companies, companySite,
    comments, rootComments, siteParent,
  };
  return { snapshot, world };
}

// ---- the request mix -------------------------------------------------------

export function generateRequests(world, count, seed) {
  const rng = new Rng(seed);
  const { sites, users, grantsAtSite, owners } = world;
  const totalWeight = ACTIONS.reduce((t, a) => t + a[2], 0);
  const pickAction = () => {
    let x = rng.next() * totalWeight;
    for (const a of ACTIONS) if ((x -= a[2]) < 0) return a;
    return ACTIONS[ACTIONS.length - 1];
  };
  // A user likely to hold something at site s: someone with a grant there,
  // sometimes an owner, otherwise anyone.
  const userFor = (s) => {
    const x = rng.next();
    if (x < 0.55 && grantsAtSite[s].length) return users[rng.pick(grantsAtSite[s])].id;
    if (x < 0.58) return rng.pick(owners);
    return users[rng.int(users.length)].id;
  };

  const out = [];
  for (let n = 0; n < count; n++) {
    const [action, keys] = pickAction();
    const req = { user: '', action };
    const resource = {};
    let site = -1;
    const has = (k) => keys.includes(k) || (keys.includes(`${k}?`) && rng.chance(0.75));

    if (has('fulfillment') && world.fulfillments.length) {
      const f = rng.int(world.fulfillments.length);
      resource.fulfillment = world.fulfillments[f].id;
      site = world.courseSite[world.fulfillmentCourse[f]];
      // Half of completions are asked by the fulfillment's holder (T1).
      if (rng.chance(0.5)) req.user = users[world.fulfillmentUser[f]].id;
    }
    if (has('course') && world.courses.length) {
      const c = rng.int(world.courses.length);
      resource.course = world.courses[c].id;
      site = world.courseSite[c];
    }
    if (has('record') && world.records.length) {
      const r = rng.int(world.records.length);
      site = world.recordSite[r];
      resource.record = world.records[r].id;
      if (keys.includes('block?') && world.recordBlocks[r].length && rng.chance(0.7)) {
        resource.block = { record: world.records[r].id, block: rng.pick(world.recordBlocks[r]).id };
      }
      if (keys.includes('company?') && rng.chance(0.4)) {
        const same = world.recordCompanies[r].filter((c) => world.companySite[c] === site);
        if (same.length) resource.company = world.companies[rng.pick(same)].id;
      }
    } else if (keys.includes('block?') && world.records.length && rng.chance(0.5)) {
      // A block without its record key.
      const r = rng.int(world.records.length);
      if (world.recordBlocks[r].length) {
        site = world.recordSite[r];
        resource.block = { record: world.records[r].id, block: rng.pick(world.recordBlocks[r]).id };
      }
    }
    if (has('thread') && world.rootComments.length) {
      const cm = world.comments[rng.pick(world.rootComments)];
      resource.thread = cm.id;
      site = world.recordSite[Number(cm.record.slice(2))];
      if (rng.chance(0.3)) req.user = cm.author;
    }
    if (resource.company === undefined && site < 0 && has('company') && world.companies.length) {
      const c = rng.int(world.companies.length);
      resource.company = world.companies[c].id;
      site = world.companySite[c];
    }
    if (has('target')) resource.target = users[rng.int(users.length)].id;
    if (keys.includes('module')) resource.module = rng.weighted({ site: 30, personnel: 30, premises: 20, documents: 15, risks: 5 });
    if (keys.includes('role')) resource.role = rng.weighted({ none: 10, member: 40, manager: 30, admin: 20 });

    const orgLevel = action.startsWith('users.owner.');
    if (site < 0) site = rng.int(sites.length);
    if (!req.user) req.user = userFor(site);
    // Resource-bearing requests leave `site` out a third of the time
    // (section 8: the resource's site is used).
    const hasSiteResource = resource.course || resource.fulfillment || resource.record || resource.thread || resource.company || resource.block;
    if (!orgLevel && !(hasSiteResource && rng.chance(0.33))) req.site = sites[site].id;
    if (Object.keys(resource).length) req.resource = resource;

    // About 5% are malformed or name unknown ids; they are still questions a
    // client may ask, and the engine must answer them fast and closed.
    const bad = rng.next();
    let line;
    if (bad < 0.01) req.user = `ghost-${n}`;
    else if (bad < 0.02) req.site = `nowhere-${n}`;
    else if (bad < 0.025) req.action = `training.course.fly`;
    else if (bad < 0.03) req.resource = { ...(req.resource || {}), colour: 'blue' };
    else if (bad < 0.035 && req.resource) {
      const k = Object.keys(req.resource)[0];
      if (typeof req.resource[k] === 'string') req.resource[k] = `missing-${n}`;
    } else if (bad < 0.04 && !orgLevel) req.site = sites[(site + 1) % sites.length].id; // disagrees with the resource when one is given
    else if (bad < 0.043) req.user = 42;
    else if (bad < 0.045) line = rng.pick(['null', '"site.update"', '[]', '{}', '{"user":"u-1"}']);
    out.push(line ?? JSON.stringify(req));
  }
  return out;
}

export function generatePairs(world, count, seed) {
  const rng = new Rng(seed);
  const { sites, users, grants } = world;
  const out = [];
  for (let n = 0; n < count; n++) {
    let pair;
    if (rng.chance(0.6) && grants.length) {
      const g = grants[rng.int(grants.length)];
      pair = { user: g.user, site: g.site };
    } else if (rng.chance(0.05)) {
      pair = { user: rng.pick(world.owners), site: sites[rng.int(sites.length)].id };
    } else {
      pair = { user: users[rng.int(users.length)].id, site: sites[rng.int(sites.length)].id };
    }
    out.push(JSON.stringify(pair));
  }
  return out;
}

// ---- main ------------------------------------------------------------------

function sha256(text) { return createHash('sha256').update(text).digest('hex').slice(0, 16); }

function main(argv) {
  let out = join(here, 'data');
  let seed = 20261123;
  let requests;
  const which = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = resolve(argv[++i]);
    else if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '--requests') requests = Number(argv[++i]);
    else if (a === 'all') which.push('small', 'large');
    else if (a in SIZES) which.push(a);
    else {
      console.error(`usage: node bench/gen-org.mjs [small|large|all] [--out DIR] [--seed N] [--requests N]`);
      process.exit(2);
    }
  }
  if (!which.length) which.push('small', 'large');
  mkdirSync(out, { recursive: true });
  for (const size of which) {
    const t0 = performance.now();
    const sizeSeed = (seed ^ (size === 'small' ? 0x5a11 : 0x1a26e)) >>> 0;
    const { snapshot, world } = generateOrg(size, sizeSeed);
    const text = JSON.stringify(snapshot);
    const reqs = generateRequests(world, requests ?? SIZES[size].requests, sizeSeed + 1).join('\n') + '\n';
    const pairs = generatePairs(world, SIZES[size].pairs, sizeSeed + 2).join('\n') + '\n';
    const files = [[`org-${size}.json`, text], [`requests-${size}.jsonl`, reqs], [`capabilities-${size}.jsonl`, pairs]];
    for (const [name, body] of files) writeFileSync(join(out, name), body);
    const t = snapshot.training;
    const p = snapshot.personnel;
    const depth = Math.max(...world.siteParent.map((_, i) => { let d = 0; for (let s = i; world.siteParent[s] >= 0; s = world.siteParent[s]) d++; return d; }));
    const cascades = snapshot.grants.filter((g) => g.includeChildSites).length;
    console.log(`${size}: ${snapshot.sites.length} sites (max depth ${depth}), ${snapshot.users.length} users, ` +
      `${snapshot.grants.length} grants (${cascades} includeChildSites), ${snapshot.organisation.owners.length} owners, ` +
      `${snapshot.groups.length} groups, ${Object.keys(snapshot.settings).length} sites with settings, ` +
      `${Object.keys(snapshot.integrations).length} with integrations`);
    console.log(`  training: ${t.courses.length} courses, ${t.assignments.length} assignments, ${t.fulfillments.length} fulfillments, ` +
      `${t.attempts.length} attempts, ${t.results.length} results`);
    console.log(`  personnel: ${p.records.length} records, ${p.companies.length} companies, ${p.comments.length} comments`);
    for (const [name, body] of files) {
      console.log(`  ${join(out, name)}  ${(Buffer.byteLength(body) / 1024).toFixed(0)} KiB  sha256:${sha256(body)}`);
    }
    console.log(`  generated in ${(performance.now() - t0).toFixed(0)} ms`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
