#!/usr/bin/env node
// Viewer snapshots (SERVER.md section 1) through the package in Node (the wasm
// build): the time of engine.viewerSnapshot(user) on bench/data/org-large.json
// for a learner, a site manager and an owner (the same people the native
// calm_viewer_bench picks), and each snapshot's size in bytes beside the full
// one's. Prints figures; asserts nothing.
//
//   node bench/viewer.bench.mjs [--runs N]

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const file = join(here, 'data', 'org-large.json');
let runs = 7;
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--runs') runs = Math.max(1, Number(process.argv[++i]));
}
if (!existsSync(file) || !existsSync(join(root, 'dist/wasm/calm-access.wasm'))) {
  console.log('== viewer snapshot bench skipped: needs bench/data/org-large.json and dist/wasm (npm run build)');
  process.exit(0);
}

const { createEngine } = await import(pathToFileURL(join(root, 'js/index.js')).href);
const text = readFileSync(file, 'utf8');
const org = JSON.parse(text);
const engine = await createEngine();
if (!engine.load(text).ok) throw new Error('org-large.json does not load');
const fullBytes = Buffer.byteLength(JSON.stringify(engine.snapshot()));

// The same choice as bench/viewer/viewer_bench.cpp.
const owners = new Set(org.organisation.owners);
const grants = new Map();
for (const g of org.grants) grants.set(g.user, [...(grants.get(g.user) ?? []), g]);
let learner;
let manager;
for (const { id } of org.users) {
  const list = grants.get(id);
  if (owners.has(id) || !list) continue;
  const onlyMember = list.every(
    (g) => g.module === 'personnel' && g.role === 'member' && !g.includeChildSites && g.site === list[0].site,
  );
  if (!learner && onlyMember) learner = id;
  if (!manager && list.some((g) => g.module === 'site' && g.role === 'manager')) manager = id;
}
const viewers = [
  ['learner', learner],
  ['site manager', manager],
  ['owner', org.organisation.owners[0]],
].filter(([, user]) => user);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`== viewer snapshots through the package (wasm, Node ${process.version}), large organisation: full snapshot ${fullBytes} bytes`);
console.log(`${'viewer'.padEnd(13)} ${'user'.padEnd(9)} ${'bytes'.padStart(11)} ${'% of full'.padStart(9)} ${'median ms'.padStart(10)}`);
for (const [role, user] of viewers) {
  const times = [];
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const snapshot = engine.viewerSnapshot(user);
    times.push(performance.now() - t0);
    bytes = Buffer.byteLength(JSON.stringify(snapshot));
  }
  const share = (100 * bytes) / fullBytes;
  console.log(
    `${role.padEnd(13)} ${user.padEnd(9)} ${String(bytes).padStart(11)} ${share.toFixed(3).padStart(8)}% ${median(times).toFixed(2).padStart(10)}`,
  );
}
console.log('(median ms: engine.viewerSnapshot(user), the core computing and writing it plus JSON.parse in JS)');
engine.dispose();
