#!/usr/bin/env node
// calm-access next to CASL (@casl/ability), Cedar (@cedar-policy/cedar-wasm,
// the Rust engine compiled to wasm) and casbin (node-casbin) on one
// question they can all answer: "does user u hold at least role R for module m
// at site s?" (ACCESS.md A1-A7: direct grants, includeChildSites cascades,
// member implied on the parents, owners, entitlements) on the large org.
// Prints figures; asserts nothing.
//
//   (cd bench && npm install)   # @casl/ability, @cedar-policy/cedar-wasm and casbin, into bench/node_modules
//   node bench/compare.mjs [--size large|small] [--questions N] [--min-time SECONDS]
//
// What each engine computes, per question:
// - calm: `engine.can(user, action, site)` through the package's JS API, for an
//   action whose only rule is that role (e.g. `site.update` = site manager+,
//   `personnel.insights.view` = personnel manager+). The full decision
//   function runs (action table, section 11 order, entitlement, owners, the
//   role resolved from the raw grants and the site tree); the ids are known,
//   so the request goes into the wasm as indices (the package's id maps,
//   read once per load) and a code comes back (no JSON, no string). Load is
//   `engine.load(bytes)`: the snapshot's UTF-8 bytes straight into the wasm.
// - CASL: one `createMongoAbility` per user, with rules transcribed 1:1 from
//   that user's grants: a grant gives its role (and the roles below it) on
//   `{ id: site, module }`; a cascade also on `{ ancestors: site, module }`;
//   a grant of member or more gives member on `{ id: { $in: strict ancestors
//   of its site }, module }`; owners get every role on every entitled module;
//   grants of unentitled modules give nothing. `ability.can(role, subject)`
//   matches those rules against a prebuilt subject `{ id, module, ancestors }`.
// - Cedar (cedar-wasm 4, its `nodejs` entry): three policies, preparsed once
//   (`preparsePolicySet`), asked with `statefulIsAuthorized`; per question the
//   entities are the user and the site (Cedar takes the entities with each
//   request; they are built once per user and site, as CASL's abilities and
//   subjects are). A user's `held` set holds `module:level@site` for the
//   levels each grant gives at its site and member at its strict ancestors,
//   and `module:level@site/*` for a cascade; `owner` for owners. The request's
//   context names what is asked (`want` = `module:level@site`, `cascades` =
//   `module:level@ancestor/*` for the site's strict ancestors, `entitled`).
//   Policies: `held.contains(want)`, `held.containsAny(cascades)`,
//   `owner && entitled`. Grants of unentitled modules give nothing.
// - casbin: RBAC with domains; each grant becomes role links
//   `g, user, module:role, /path/of/site` (and `/path/of/site/*` for a
//   cascade, matched by casbin's domain matching function keyMatch; member
//   links for the strict ancestors), owners `g, owner, module:admin, *`;
//   policies say which role implies which level. `enforceSync(user,
//   /path/of/site, module, level)`.
// A deliberately naive resolver (walks the grants per question) is the
// reference all three are checked against; disagreements are printed.

import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mulberry32 } from './gen-org.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

const opt = { size: 'large', questions: 10000, minSeconds: 1 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--size') opt.size = process.argv[++i];
  else if (a === '--questions') opt.questions = Number(process.argv[++i]);
  else if (a === '--min-time') opt.minSeconds = Number(process.argv[++i]);
  else {
    console.error('usage: node bench/compare.mjs [--size large|small] [--questions N] [--min-time SECONDS]');
    process.exit(2);
  }
}

let casl;
let casbin;
let cedar;
try {
  casl = await import('@casl/ability');
  casbin = await import('casbin');
  cedar = await import('@cedar-policy/cedar-wasm/nodejs');
} catch {
  console.log('compare: @casl/ability, @cedar-policy/cedar-wasm or casbin is missing; run `(cd bench && npm install)` first');
  process.exit(1);
}

const orgPath = join(here, 'data', `org-${opt.size}.json`);
if (!existsSync(orgPath)) {
  console.log(`compare: ${orgPath} is missing; run \`node bench/gen-org.mjs\` first`);
  process.exit(1);
}
const bytes = readFileSync(orgPath);
const org = JSON.parse(bytes.toString('utf8'));

// ---- the world, as plain data ---------------------------------------------------

const LEVELS = ['member', 'manager', 'admin'];
const RANK = { none: 0, member: 1, manager: 2, admin: 3 };
// The indexes every engine's build here starts from: entitled modules (site
// always), owners, each site's strict ancestors (nearest first), grants by user.
function worldOf(o) {
  const parent = new Map(o.sites.map((s) => [s.id, s.parent]));
  const ancestorsOf = new Map();
  for (const s of o.sites) {
    const list = [];
    for (let p = s.parent; p !== undefined; p = parent.get(p)) list.push(p);
    ancestorsOf.set(s.id, list);
  }
  const grantsByUser = new Map();
  for (const g of o.grants) {
    if (!grantsByUser.has(g.user)) grantsByUser.set(g.user, []);
    grantsByUser.get(g.user).push(g);
  }
  return {
    entitled: new Set(['site', ...o.organisation.entitlements]),
    owners: new Set(o.organisation.owners),
    ancestorsOf,
    grantsByUser,
  };
}
const { entitled, owners, ancestorsOf, grantsByUser } = worldOf(org);
const pathOf = new Map(org.sites.map((s) => [s.id, '/' + [...ancestorsOf.get(s.id)].reverse().concat(s.id).join('/')]));

// CASL's abilities, one per user, with rules transcribed 1:1 from the user's
// grants (see the top of this file).
function caslAbilities(users, world) {
  const { createMongoAbility } = casl;
  const entitledList = [...world.entitled];
  const abilities = new Map();
  for (const u of users) {
    const rules = [];
    if (world.owners.has(u.id)) rules.push({ action: LEVELS, subject: 'Site', conditions: { module: { $in: entitledList } } });
    for (const g of world.grantsByUser.get(u.id) ?? []) {
      const r = RANK[g.role];
      if (r === 0 || !world.entitled.has(g.module)) continue;
      const levels = LEVELS.slice(0, r);
      rules.push({ action: levels, subject: 'Site', conditions: { id: g.site, module: g.module } });
      if (g.includeChildSites) rules.push({ action: levels, subject: 'Site', conditions: { ancestors: g.site, module: g.module } });
      const up = world.ancestorsOf.get(g.site);
      if (up.length) rules.push({ action: 'member', subject: 'Site', conditions: { id: { $in: up }, module: g.module } });
    }
    abilities.set(u.id, createMongoAbility(rules));
  }
  return abilities;
}

// The questions: (user, site, module, level) for the combinations that one
// calm action asks alone.
const ACTION_FOR = {
  'personnel:member': 'training.progress.view_own',
  'personnel:manager': 'personnel.insights.view',
  'personnel:admin': 'personnel.company.delete',
  'site:manager': 'site.update',
  'site:admin': 'site.integrations.manage',
};
const COMBOS = Object.keys(ACTION_FOR).map((k) => k.split(':'));

const rnd = mulberry32(0xc0ffee);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const questions = [];
for (let i = 0; i < opt.questions; i++) {
  let user;
  let site;
  const x = rnd();
  if (x < 0.6) {
    const g = pick(org.grants); // someone with a grant, at or near its site
    user = g.user;
    const near = [g.site, ...ancestorsOf.get(g.site)];
    site = rnd() < 0.7 ? g.site : pick(near);
  } else if (x < 0.62) {
    user = pick(org.organisation.owners);
    site = pick(org.sites).id;
  } else {
    user = pick(org.users).id;
    site = pick(org.sites).id;
  }
  const [module, level] = pick(COMBOS);
  questions.push({ user, site, module, level, action: ACTION_FOR[`${module}:${level}`] });
}

// ---- the naive reference ----------------------------------------------------------

function referenceRole(user, site, module) {
  if (!entitled.has(module)) return 0;
  if (owners.has(user)) return 3;
  let best = 0;
  for (const g of grantsByUser.get(user) ?? []) {
    if (g.module !== module) continue;
    const r = RANK[g.role];
    if (g.site === site) best = Math.max(best, r);
    else if (g.includeChildSites && ancestorsOf.get(site).includes(g.site)) best = Math.max(best, r);
    else if (r >= 1 && ancestorsOf.get(g.site).includes(site)) best = Math.max(best, 1);
  }
  return best;
}
const expected = questions.map((q) => referenceRole(q.user, q.site, q.module) >= RANK[q.level]);

// ---- timing helpers ---------------------------------------------------------------

let sinkValue = 0;
const sink = (v) => { sinkValue = (sinkValue + (v ? 1 : 0)) | 0; };
function percentile(sorted, p) {
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
function measure(n, op) {
  for (let i = 0; i < n; i++) op(i);
  const w0 = performance.now();
  for (let i = 0; i < n; i++) op(i);
  const warmNs = ((performance.now() - w0) * 1e6) / n;
  const batch = Math.min(256, Math.max(1, Math.ceil(20000 / Math.max(warmNs, 1))));
  const perOp = [];
  let total = 0;
  let ops = 0;
  do {
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      const t0 = performance.now();
      for (let i = start; i < end; i++) op(i);
      const ns = (performance.now() - t0) * 1e6;
      perOp.push(ns / (end - start));
      total += ns;
      ops += end - start;
    }
  } while (total < opt.minSeconds * 1e9);
  perOp.sort((a, b) => a - b);
  return { batch, median: percentile(perOp, 0.5), p99: percentile(perOp, 0.99), opsPerSecond: (ops * 1e9) / total };
}
function ns(v) {
  if (v < 1000) return `${v.toFixed(0)} ns`;
  if (v < 1e6) return `${(v / 1e3).toFixed(2)} us`;
  if (v < 1e9) return `${(v / 1e6).toFixed(1)} ms`;
  return `${(v / 1e9).toFixed(2)} s`;
}
function rate(v) {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M/s`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k/s`;
  return `${v.toFixed(0)} /s`;
}
const gc = () => { if (typeof globalThis.gc === 'function') globalThis.gc(); };
const memNow = () => { gc(); const m = process.memoryUsage(); return { heap: m.heapUsed, rss: m.rss }; };
const memSince = (a) => { const b = memNow(); return { heap: b.heap - a.heap, rss: b.rss - a.rss }; };
function agreement(answers) {
  let wrong = 0;
  let first;
  answers.forEach((a, i) => {
    if (a !== expected[i]) {
      wrong++;
      first ??= { ...questions[i], expected: expected[i], got: a };
    }
  });
  return { wrong, first };
}

const rows = [];

// ---- calm (wasm, through js/index.js) -------------------------------------------

const wasmPath = join(root, 'dist/wasm/calm-access.wasm');
if (existsSync(wasmPath)) {
  const { createEngine } = await import(pathToFileURL(join(root, 'js/index.js')).href);
  const h0 = memNow();
  const engine = await createEngine();
  const t0 = performance.now();
  const loaded = engine.load(bytes);
  const loadMs = performance.now() - t0;
  if (!loaded.ok) {
    console.log('calm: the snapshot does not load', loaded.errors.slice(0, 3));
  } else {
    const heapDelta = memSince(h0);
    const check = agreement(questions.map((q) => engine.can(q.user, q.action, q.site)));
    const s = measure(questions.length, (i) => { const q = questions[i]; sink(engine.can(q.user, q.action, q.site)); });
    rows.push(['calm-access (wasm, JS API can)', loadMs, heapDelta, s, check, 'the snapshot\'s UTF-8 bytes -> wasm engine (load from bytes)']);
  }
} else {
  console.log('calm: dist/wasm/calm-access.wasm is missing (run `npm run build`); comparing CASL and casbin only');
}

// ---- CASL -------------------------------------------------------------------------

{
  const { createMongoAbility, subject } = casl;
  const h0 = memNow();
  const t0 = performance.now();
  const subjects = new Map();
  for (const s of org.sites) {
    for (const module of ['site', 'personnel']) {
      subjects.set(`${s.id}|${module}`, subject('Site', { id: s.id, module, ancestors: ancestorsOf.get(s.id) }));
    }
  }
  const abilities = caslAbilities(org.users, { entitled, owners, ancestorsOf, grantsByUser });
  const buildMs = performance.now() - t0;
  const heapDelta = memSince(h0);
  const none = createMongoAbility([]);
  const ask = (q) => (abilities.get(q.user) ?? none).can(q.level, subjects.get(`${q.site}|${q.module}`));
  const check = agreement(questions.map(ask));
  const s = measure(questions.length, (i) => sink(ask(questions[i])));
  rows.push(['CASL 7 (createMongoAbility per user)', buildMs, heapDelta, s, check, 'abilities built from the parsed object']);
}

// ---- Cedar (wasm) ------------------------------------------------------------------

{
  const policies = `
permit (principal, action == Action::"hold", resource) when { principal.held.contains(context.want) };
permit (principal, action == Action::"hold", resource) when { principal.held.containsAny(context.cascades) };
permit (principal, action == Action::"hold", resource) when { principal.owner && context.entitled };`;
  const h0 = memNow();
  const t0 = performance.now();
  const parsed = cedar.preparsePolicySet('calm-compare', { staticPolicies: policies });
  if (parsed.type !== 'success') throw new Error(`cedar: ${JSON.stringify(parsed.errors)}`);
  const users = new Map();
  for (const u of org.users) {
    const held = new Set();
    for (const g of grantsByUser.get(u.id) ?? []) {
      const r = RANK[g.role];
      if (r === 0 || !entitled.has(g.module)) continue;
      for (const level of LEVELS.slice(0, r)) {
        held.add(`${g.module}:${level}@${g.site}`);
        if (g.includeChildSites) held.add(`${g.module}:${level}@${g.site}/*`);
      }
      for (const a of ancestorsOf.get(g.site)) held.add(`${g.module}:member@${a}`);
    }
    users.set(u.id, { uid: { type: 'User', id: u.id }, attrs: { owner: owners.has(u.id), held: [...held] }, parents: [] });
  }
  const sites = new Map(org.sites.map((s) => [s.id, { uid: { type: 'Site', id: s.id }, attrs: {}, parents: [] }]));
  const contexts = new Map();
  for (const s of org.sites) {
    for (const [module, level] of COMBOS) {
      contexts.set(`${s.id}|${module}|${level}`, {
        want: `${module}:${level}@${s.id}`,
        cascades: ancestorsOf.get(s.id).map((a) => `${module}:${level}@${a}/*`),
        entitled: entitled.has(module),
      });
    }
  }
  const buildMs = performance.now() - t0;
  const heapDelta = memSince(h0);
  const action = { type: 'Action', id: 'hold' };
  const nobody = { uid: { type: 'User', id: '' }, attrs: { owner: false, held: [] }, parents: [] };
  const ask = (q) => {
    const user = users.get(q.user) ?? nobody;
    const site = sites.get(q.site);
    const answer = cedar.statefulIsAuthorized({
      principal: user.uid,
      action,
      resource: site.uid,
      context: contexts.get(`${q.site}|${q.module}|${q.level}`),
      preparsedPolicySetId: 'calm-compare',
      entities: [user, site],
    });
    if (answer.type !== 'success') throw new Error(`cedar: ${JSON.stringify(answer.errors)}`);
    return answer.response.decision === 'allow';
  };
  const check = agreement(questions.map(ask));
  const s = measure(questions.length, (i) => sink(ask(questions[i])));
  rows.push([`Cedar ${cedar.getCedarVersion()} (cedar-wasm, statefulIsAuthorized)`, buildMs, heapDelta, s, check,
    'entities and contexts built from the parsed object, policies preparsed']);
}

// ---- casbin -----------------------------------------------------------------------

{
  const { newEnforcer, newModelFromString, Util } = casbin;
  const model = newModelFromString(`
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.obj == p.obj && r.act == p.act && g(r.sub, p.sub, r.dom)
`);
  const h0 = memNow();
  const t0 = performance.now();
  const enforcer = await newEnforcer(model);
  enforcer.enableLog?.(false);
  const policies = [];
  for (const module of entitled) {
    LEVELS.forEach((role, i) => {
      for (const level of LEVELS.slice(0, i + 1)) policies.push([`${module}:${role}`, module, level]);
    });
  }
  const links = [];
  for (const o of owners) for (const module of entitled) links.push([o, `${module}:admin`, '*']);
  for (const g of org.grants) {
    const r = RANK[g.role];
    if (r === 0 || !entitled.has(g.module)) continue;
    const path = pathOf.get(g.site);
    links.push([g.user, `${g.module}:${g.role}`, path]);
    if (g.includeChildSites) links.push([g.user, `${g.module}:${g.role}`, `${path}/*`]);
    for (const a of ancestorsOf.get(g.site)) links.push([g.user, `${g.module}:member`, pathOf.get(a)]);
  }
  await enforcer.addPolicies(policies);
  await enforcer.addNamedDomainMatchingFunc('g', Util.keyMatchFunc);
  await enforcer.addGroupingPolicies(links);
  const buildMs = performance.now() - t0;
  const heapDelta = memSince(h0);
  const ask = (q) => enforcer.enforceSync(q.user, pathOf.get(q.site), q.module, q.level);
  const sample = Math.min(questions.length, 2000);
  const t1 = performance.now();
  const answers = questions.slice(0, sample).map(ask);
  const firstPassNs = ((performance.now() - t1) * 1e6) / sample;
  const check = agreement(answers.concat(expected.slice(sample)));
  // casbin is slow enough here that the timed run uses the first questions only.
  const n = firstPassNs > 20000 ? Math.min(sample, 500) : questions.length;
  const s = measure(n, (i) => sink(ask(questions[i])));
  rows.push([`casbin 5 (RBAC with domains, keyMatch)${n < questions.length ? ` [${n} q]` : ''}`, buildMs, heapDelta, s, check,
    `${links.length} role links from the parsed object`]);
}

// ---- load, like for like -----------------------------------------------------------
// The table's load/build column is one run each, from what each engine is
// usually given: calm its snapshot's bytes (the whole organisation, training
// and personnel too, parsed and validated), the others the already parsed
// object (JSON.parse not counted) and indexes built by this script (not
// counted either). Here, medians of several runs, on the same inputs:
// - calm from the whole snapshot's bytes (after the first load: the wasm code
//   warm, memory already grown), and from the bytes of just what CASL is
//   given (version, organisation, sites, users, grants);
// - CASL from the parsed object (its indexes, then the abilities) and from
//   the same bytes (JSON.parse too).

const likeForLike = [];
function medianMs(runs, op) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const t0 = performance.now();
    sink(op());
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
{
  const RUNS = 5;
  const accessOnly = Buffer.from(JSON.stringify({
    version: org.version, organisation: org.organisation, sites: org.sites, users: org.users, grants: org.grants,
  }));
  const mib = (b) => `${(b.length / 1048576).toFixed(1)} MiB`;
  if (existsSync(wasmPath)) {
    const { createEngine } = await import(pathToFileURL(join(root, 'js/index.js')).href);
    const engine = await createEngine();
    engine.load(bytes); // memory grown, code warm
    likeForLike.push([`calm: the whole snapshot's bytes (${mib(bytes)})`, medianMs(RUNS, () => engine.load(bytes).ok)]);
    likeForLike.push([`calm: the bytes of what CASL is given (${mib(accessOnly)})`, medianMs(RUNS, () => engine.load(accessOnly).ok)]);
    engine.dispose();
  }
  likeForLike.push(['CASL: from the parsed object (its indexes counted)', medianMs(RUNS, () => caslAbilities(org.users, worldOf(org)).size > 0)]);
  likeForLike.push([`CASL: from the same bytes (${mib(accessOnly)}: JSON.parse, indexes, abilities)`,
    medianMs(RUNS, () => {
      const o = JSON.parse(accessOnly.toString('utf8'));
      return caslAbilities(o.users, worldOf(o)).size > 0;
    })]);
}

// ---- report -----------------------------------------------------------------------

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const cascades = org.grants.filter((g) => g.includeChildSites).length;
console.log(`compare: "does u hold at least R for module m at site s?" on the ${opt.size} org ` +
  `(${org.sites.length} sites, ${org.users.length} users, ${org.grants.length} grants, ${cascades} cascades), ` +
  `${questions.length} questions, ${expected.filter(Boolean).length} of them allowed by the reference`);
console.log(`node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; per-op figures over batches; JS heap and RSS = growth after gc while building (RSS includes wasm memory)${globalThis.gc ? '' : ' (run with --expose-gc)'}`);
console.log(`  ${pad('engine', 50)} ${lpad('load/build', 11)} ${lpad('JS heap', 9)} ${lpad('RSS', 10)} ${lpad('median/q', 10)} ${lpad('p99/q', 10)} ${lpad('q/s', 10)}  agrees with reference`);
for (const [name, buildMs, heapDelta, s, check] of rows) {
  const agree = check.wrong ? `NO: ${check.wrong} differ, e.g. ${JSON.stringify(check.first)}` : 'yes, every question';
  const mb = (b) => `${(b / 1048576).toFixed(1)} MiB`;
  console.log(`  ${pad(name, 50)} ${lpad(`${buildMs.toFixed(0)} ms`, 11)} ${lpad(mb(heapDelta.heap), 9)} ${lpad(mb(heapDelta.rss), 10)} ` +
    `${lpad(ns(s.median), 10)} ${lpad(ns(s.p99), 10)} ${lpad(rate(s.opsPerSecond), 10)}  ${agree}`);
}
for (const [name, , , , , note] of rows) console.log(`  ${pad(name, 50)} load: ${note}`);
const calmRow = rows.find((r) => r[0].startsWith('calm'));
if (calmRow) {
  console.log('calm-access against the others (targets of issue 13: >= 8x CASL\'s checks per second, load >= 4x faster than CASL\'s build)');
  for (const [name, buildMs, , s] of rows) {
    if (name === calmRow[0]) continue;
    console.log(`  vs ${pad(name, 47)} checks/s ${(calmRow[3].opsPerSecond / s.opsPerSecond).toFixed(1)}x, load ${(buildMs / calmRow[1]).toFixed(1)}x faster`);
  }
}
if (likeForLike.length) {
  console.log('load, like for like (medians of 5 runs; the wasm warm and grown):');
  for (const [name, ms] of likeForLike) console.log(`  ${pad(name, 75)} ${lpad(`${ms.toFixed(0)} ms`, 8)}`);
  const find = (prefix) => likeForLike.find(([name]) => name.startsWith(prefix))?.[1];
  const calmAccess = find('calm: the bytes');
  const caslBytes = find('CASL: from the same bytes');
  const caslObject = find('CASL: from the parsed');
  if (calmAccess !== undefined) {
    console.log(`  calm on CASL's data is ${(caslBytes / calmAccess).toFixed(1)}x faster than CASL from the same bytes, ` +
      `${(caslObject / calmAccess).toFixed(1)}x than CASL from the parsed object`);
  }
}
console.log(`(sink ${sinkValue & 0xff})`);
