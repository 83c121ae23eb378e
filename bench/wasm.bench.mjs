#!/usr/bin/env node
// Benchmark of the wasm build through the package's public JS API
// (js/index.js), in Node: prints figures and the targets met or not; asserts
// nothing.
//
//   node bench/wasm.bench.mjs [--sizes small,large] [--min-time SECONDS] [--loads N]
//
// Asks the same questions as the native bench (bench/data/requests-<size>.jsonl
// and capabilities-<size>.jsonl, written by `node bench/gen-org.mjs`).
// Sub-microsecond work is timed in batches (per-op = batch time / batch size).

import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dataDir = join(here, 'data');

const TARGETS = { loadMs: 150, canUs: 0.5, explainUs: 2, decideUs: 3, capabilitiesUs: 5, gzipKB: 200, memoryRatio: 3 };

// ---- options -----------------------------------------------------------------

const opt = { sizes: ['small', 'large'], minSeconds: 1, loads: null };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--sizes') opt.sizes = process.argv[++i].split(',');
  else if (a === '--min-time') opt.minSeconds = Number(process.argv[++i]);
  else if (a === '--loads') opt.loads = Math.max(1, Number(process.argv[++i]));
  else {
    console.error('usage: node bench/wasm.bench.mjs [--sizes small,large] [--min-time SECONDS] [--loads N]');
    process.exit(2);
  }
}

const wasmPath = join(root, 'dist/wasm/calm-access.wasm');
const gluePath = join(root, 'dist/wasm/calm-access.mjs');
const apiPath = join(root, 'js/index.js');
if (!existsSync(wasmPath) || !existsSync(gluePath)) {
  console.log('wasm bench: dist/wasm/calm-access.wasm is missing; run `npm run build` first');
  process.exit(1);
}

// ---- the wasm memory, observed (the API does not expose it) ------------------
// Every module instantiated from here on is noted, so that the size of its
// exported linear memory can be read. Measurement only: the call goes through.

const memories = [];
for (const name of ['instantiate', 'instantiateStreaming']) {
  const original = WebAssembly[name];
  if (typeof original !== 'function') continue;
  WebAssembly[name] = async function (...args) {
    const result = await original.apply(this, args);
    const instance = result instanceof WebAssembly.Instance ? result : result.instance;
    for (const value of Object.values(instance?.exports ?? {})) {
      if (value instanceof WebAssembly.Memory) memories.push(value);
    }
    return result;
  };
}
const wasmMemoryBytes = () => (memories.length ? memories[memories.length - 1].buffer.byteLength : undefined);

// ---- timing ------------------------------------------------------------------

let sinkValue = 0;
const sink = (v) => { sinkValue = (sinkValue + (typeof v === 'number' ? v : v ? 1 : 0)) | 0; };

function percentile(sorted, p) {
  if (!sorted.length) return 0;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * Times op(i) over items 0..n-1 in consecutive batches, in passes over every
 * item until minSeconds have passed (one untimed warm-up pass first). The
 * batch is chosen so that one takes about 20 us. Figures are in ns per op.
 */
function measure(n, op, minSeconds = opt.minSeconds) {
  if (!n) return null;
  const w0 = performance.now();
  for (let i = 0; i < n; i++) op(i);
  for (let i = 0; i < n; i++) op(i); // a second pass: let the JIT settle
  const warmNs = ((performance.now() - w0) * 1e6) / (2 * n);
  const batch = Math.min(256, Math.max(1, Math.ceil(20000 / Math.max(warmNs, 1))));
  const perOp = [];
  let total = 0;
  let ops = 0;
  const budget = minSeconds * 1e9;
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
  } while (total < budget);
  perOp.sort((a, b) => a - b);
  return { batch, median: percentile(perOp, 0.5), p99: percentile(perOp, 0.99), mean: total / ops, opsPerSecond: (ops * 1e9) / total };
}

/** Wall time and the process's CPU time (user + system) of `count` calls, in ms. */
function timeRepeated(count, fn) {
  const v = [];
  const cpu = [];
  for (let i = 0; i < count; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    v.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  v.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { median: percentile(v, 0.5), min: v[0], max: v[v.length - 1], cpu: percentile(cpu, 0.5), count };
}

// ---- printing ----------------------------------------------------------------

function ns(v) {
  if (v < 1000) return `${v.toFixed(0)} ns`;
  if (v < 1e6) return `${(v / 1e3).toFixed(2)} us`;
  if (v < 1e9) return `${(v / 1e6).toFixed(2)} ms`;
  return `${(v / 1e9).toFixed(2)} s`;
}
const ms = (v) => ns(v * 1e6);
function rate(v) {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M/s`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k/s`;
  return `${v.toFixed(0)} /s`;
}
function mib(bytes) {
  if (bytes === undefined) return 'not exposed';
  const sign = bytes < 0 ? '-' : '';
  const b = Math.abs(bytes);
  return b < 10 * 1024 * 1024 ? `${sign}${(b / 1024).toFixed(0)} KiB` : `${sign}${(b / 1048576).toFixed(1)} MiB`;
}
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
function header() {
  console.log(`  ${pad('operation', 44)} ${lpad('batch', 6)} ${lpad('median/op', 11)} ${lpad('p99/op', 11)} ${lpad('mean/op', 11)} ${lpad('ops/s', 11)}`);
}
function row(name, s) {
  if (!s) { console.log(`  ${pad(name, 44)} (no items)`); return; }
  console.log(`  ${pad(name, 44)} ${lpad(s.batch, 6)} ${lpad(ns(s.median), 11)} ${lpad(ns(s.p99), 11)} ${lpad(ns(s.mean), 11)} ${lpad(rate(s.opsPerSecond), 11)}`);
}

// ---- the bench ---------------------------------------------------------------

const memory = () => process.memoryUsage();
const gc = () => { if (typeof globalThis.gc === 'function') globalThis.gc(); };

const tImport = performance.now();
const { createEngine } = await import(pathToFileURL(apiPath).href);
const importMs = performance.now() - tImport;
const tInit = performance.now();
const probe = await createEngine();
const initMs = performance.now() - tInit;
probe.dispose?.();

console.log('calm-access wasm bench (through js/index.js)');
console.log(`  node ${process.version} on ${process.platform}/${process.arch}; import ${ms(importMs)}, first createEngine() (compile + instantiate) ${ms(initMs)}`);
const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`  load average at start: ${loadAverage()} (other work on the machine shows in p99 and max)`);
console.log(`  per-op figures are over batches of consecutive requests (batch column); p99 is of batch means${globalThis.gc ? '' : '; run with --expose-gc for steadier memory figures'}`);

const results = {};

for (const size of opt.sizes) {
  const orgPath = join(dataDir, `org-${size}.json`);
  if (!existsSync(orgPath)) {
    console.log(`\n== ${size}: missing ${orgPath} (run \`node bench/gen-org.mjs\`) ==`);
    continue;
  }
  const bytes = readFileSync(orgPath);
  const text = bytes.toString('utf8');
  const lines = readFileSync(join(dataDir, `requests-${size}.jsonl`), 'utf8').split('\n').filter((l) => l.length);
  const pairs = readFileSync(join(dataDir, `capabilities-${size}.jsonl`), 'utf8').split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
  const object = JSON.parse(text);

  // Memory of one engine with the snapshot loaded, and the first load's time.
  gc();
  const before = memory();
  const memBefore = wasmMemoryBytes();
  const engine = await createEngine();
  const tFirst = performance.now();
  const loaded = engine.load(bytes);
  const firstLoadMs = performance.now() - tFirst;
  // The peak of one load: linear memory never shrinks, so its size right after
  // the first load into this engine is the high-water mark of that load.
  const peakWasm = wasmMemoryBytes();
  gc();
  const after = memory();
  if (!loaded.ok) {
    console.log(`\n== ${size}: the snapshot does not load ==`);
    console.log(loaded.errors.slice(0, 10));
    continue;
  }
  const s = object;
  const cascades = s.grants.filter((g) => g.includeChildSites).length;
  console.log(`\n== ${size} org: ${s.sites.length} sites, ${s.users.length} users, ${s.grants.length} grants (${cascades} cascade), ` +
    `${s.training.courses.length} courses, ${s.training.fulfillments.length} fulfillments, ${s.personnel.records.length} records, ` +
    `${s.personnel.comments.length} comments; ${(text.length / 1048576).toFixed(1)} MiB of JSON ==`);

  const loads = opt.loads ?? (size === 'large' ? 7 : 31);
  const scratch = await createEngine();
  const parseOnly = timeRepeated(loads, () => sink(JSON.parse(text).version));
  const stringifyOnly = timeRepeated(loads, () => sink(JSON.stringify(object).length));
  const loadBytes = timeRepeated(loads, () => sink(scratch.load(bytes).ok));
  const loadText = timeRepeated(loads, () => sink(scratch.load(text).ok));
  const loadObject = timeRepeated(loads, () => sink(scratch.load(object).ok));
  // The access part alone (no training, no personnel): what role questions need.
  const { training: _t, personnel: _p, ...accessObject } = object;
  const accessText = JSON.stringify(accessObject);
  const loadAccess = timeRepeated(loads, () => sink(scratch.load(accessText).ok));
  const parseAccess = timeRepeated(loads, () => sink(JSON.parse(accessText).version));
  scratch.dispose?.();
  console.log(`load (N = ${loads})${' '.repeat(loads < 10 ? 39 : 38)}${lpad('median', 11)} ${lpad('min', 11)} ${lpad('max', 11)} ${lpad('cpu median', 11)}`);
  const loadRow = (name, t) => console.log(`  ${pad(name, 50)} ${lpad(ms(t.median), 11)} ${lpad(ms(t.min), 11)} ${lpad(ms(t.max), 11)} ${lpad(ms(t.cpu), 11)}`);
  loadRow('JSON.parse(text) in JS (reference)', parseOnly);
  loadRow('JSON.stringify(object) in JS (reference)', stringifyOnly);
  loadRow('engine.load(bytes)  (UTF-8 straight into wasm)', loadBytes);
  loadRow('engine.load(text)', loadText);
  loadRow('engine.load(object)  (stringify + load)', loadObject);
  loadRow(`engine.load(access part only, ${(accessText.length / 1048576).toFixed(1)} MiB text)`, loadAccess);
  loadRow('JSON.parse(access part) in JS (reference)', parseAccess);
  console.log(`  ${pad('first load (bytes) into a fresh engine (memory grows)', 50)} ${lpad(ms(firstLoadMs), 11)}`);

  console.log('memory (process.memoryUsage, one engine loaded)');
  console.log(`  ${pad('rss', 44)} ${lpad(mib(after.rss), 11)} (+${mib(after.rss - before.rss)} for the engine and its load)`);
  console.log(`  ${pad('heapUsed (JS)', 44)} ${lpad(mib(after.heapUsed), 11)} (${after.heapUsed >= before.heapUsed ? '+' : ''}${mib(after.heapUsed - before.heapUsed)})`);
  console.log(`  ${pad('external + arrayBuffers', 44)} ${lpad(mib(after.external), 11)} / ${mib(after.arrayBuffers)}`);
  const wasmNow = wasmMemoryBytes();
  console.log(`  ${pad('wasm linear memory after the first load', 44)} ${lpad(mib(peakWasm), 11)}${memBefore !== undefined ? ` (was ${mib(memBefore)} before this size)` : ''}`);
  console.log(`  ${pad('... after the repeated loads (never shrinks)', 44)} ${lpad(mib(wasmNow), 11)} (a second engine loaded again and again while the first holds its snapshot)`);

  // The questions.
  const requests = lines.map((l) => { try { return JSON.parse(l); } catch { return l; } });
  const canArgs = [];
  for (const r of requests) {
    if (!r || typeof r !== 'object' || Array.isArray(r) || typeof r.user !== 'string' || typeof r.action !== 'string') continue;
    const target = r.resource && typeof r.resource === 'object' ? { ...(r.site !== undefined ? { site: r.site } : {}), ...r.resource } : r.site;
    canArgs.push([r.user, r.action, target]);
  }
  const outcome = new Map();
  let allowedCount = 0;
  for (const r of requests) {
    const d = engine.decide(r);
    outcome.set(d.code, (outcome.get(d.code) ?? 0) + 1);
    if (d.allowed) allowedCount++;
  }
  const outcomes = [...outcome.entries()].sort((a, b) => b[1] - a[1]).map(([c, k]) => `${c} ${((100 * k) / lines.length).toFixed(1)}%`).join(' ');
  console.log(`requests: ${lines.length} lines (${canArgs.length} usable by can()); outcomes: ${outcomes}`);

  header();
  const can = measure(canArgs.length, (i) => sink(engine.can(canArgs[i][0], canArgs[i][1], canArgs[i][2])));
  row('can(user, action, target) -> boolean', can);
  const explain = measure(canArgs.length, (i) => sink(engine.explain(canArgs[i][0], canArgs[i][1], canArgs[i][2]).allowed));
  row('explain(user, action, target) -> decision', explain);
  const decide = measure(requests.length, (i) => sink(engine.decide(requests[i]).allowed));
  row('decide(request object) -> decision', decide);
  const decideJson = engine.decideJson ? measure(lines.length, (i) => sink(engine.decideJson(lines[i]).length)) : null;
  if (engine.decideJson) row('decideJson(text) -> text', decideJson);
  const caps = measure(pairs.length, (i) => {
    try { sink(Object.keys(engine.capabilities(pairs[i].user, pairs[i].site)).length); } catch { sink(-1); }
  });
  row('capabilities(user, site) -> map', caps);
  const capCodes = engine.capabilityCodes
    ? measure(pairs.length, (i) => sink(engine.capabilityCodes(pairs[i].user, pairs[i].site)[0]))
    : null;
  if (capCodes) row('capabilityCodes(user, site) -> Uint8Array', capCodes);
  const check = engine.check ? measure(canArgs.length, (i) => sink(engine.check(canArgs[i][0], canArgs[i][1], canArgs[i][2]).length)) : null;
  if (check) row('check(user, action, target) -> code', check);
  const roles = measure(pairs.length, (i) => {
    try { sink(engine.roles(pairs[i].user).length); } catch { sink(-1); }
  });
  row('roles(user) -> rows', roles);
  console.log(`  decisions per second: ${rate(can?.opsPerSecond ?? 0)} (can), ${rate(decide.opsPerSecond)} (decide)`);
  console.log(`  allowed: ${((100 * allowedCount) / lines.length).toFixed(1)}% of all lines`);

  results[size] = { loadBytes, loadText, loadObject, can, explain, decide, decideJson, caps, capCodes, peakWasm, snapshotBytes: bytes.length };
  engine.dispose?.();
}

// ---- download size -----------------------------------------------------------

console.log('\ndownload (what a browser fetches)          raw        gzip -9      brotli');
let gzTotal = 0;
let rawTotal = 0;
let brTotal = 0;
for (const [name, path] of [['dist/wasm/calm-access.wasm', wasmPath], ['dist/wasm/calm-access.mjs', gluePath], ['js/index.js', apiPath]]) {
  const bytes = readFileSync(path);
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  rawTotal += bytes.length;
  gzTotal += gz;
  brTotal += br;
  console.log(`  ${pad(name, 38)} ${lpad((bytes.length / 1024).toFixed(1) + ' KB', 10)} ${lpad((gz / 1024).toFixed(1) + ' KB', 12)} ${lpad((br / 1024).toFixed(1) + ' KB', 11)}`);
}
console.log(`  ${pad('total', 38)} ${lpad((rawTotal / 1024).toFixed(1) + ' KB', 10)} ${lpad((gzTotal / 1024).toFixed(1) + ' KB', 12)} ${lpad((brTotal / 1024).toFixed(1) + ' KB', 11)}   (KB = 1024 bytes)`);

// ---- targets -----------------------------------------------------------------

console.log('\ntargets (large org, wasm in Node)');
const verdict = (ok) => (ok ? 'met' : 'NOT MET');
const large = results.large;
const line = (name, value, target, ok) => console.log(`  ${pad(name, 44)} ${lpad(value, 11)}  target ${pad(target, 10)} ${ok === undefined ? 'not measured' : verdict(ok)}`);
if (large) {
  line('load(bytes), median', ms(large.loadBytes.median), `<= ${TARGETS.loadMs} ms`, large.loadBytes.median <= TARGETS.loadMs);
  line('load(text), median', ms(large.loadText.median), `<= ${TARGETS.loadMs} ms`, large.loadText.median <= TARGETS.loadMs);
  line('load(object), median', ms(large.loadObject.median), `<= ${TARGETS.loadMs} ms`, large.loadObject.median <= TARGETS.loadMs);
  line('can(), median per call', large.can ? ns(large.can.median) : 'n/a', `<= ${TARGETS.canUs} us`, large.can ? large.can.median <= TARGETS.canUs * 1000 : undefined);
  line('explain(), median per call', large.explain ? ns(large.explain.median) : 'n/a', `<= ${TARGETS.explainUs} us`, large.explain ? large.explain.median <= TARGETS.explainUs * 1000 : undefined);
  line('decide(request object), median', ns(large.decide.median), `<= ${TARGETS.decideUs} us`, large.decide.median <= TARGETS.decideUs * 1000);
  if (large.decideJson) line('decideJson(text) (JSON text in and out), median', ns(large.decideJson.median), `<= ${TARGETS.decideUs} us`, large.decideJson.median <= TARGETS.decideUs * 1000);
  const ratio = large.peakWasm / large.snapshotBytes;
  line('peak wasm memory / snapshot bytes', `${ratio.toFixed(1)}x`, `<= ${TARGETS.memoryRatio}x`, large.peakWasm === undefined ? undefined : ratio <= TARGETS.memoryRatio);
  line('capabilityCodes() one typed array, median', large.capCodes ? ns(large.capCodes.median) : 'n/a', `<= ${TARGETS.capabilitiesUs} us`, large.capCodes ? large.capCodes.median <= TARGETS.capabilitiesUs * 1000 : undefined);
  if (large.caps) console.log(`  ${pad('capabilities() explained map, median', 44)} ${lpad(ns(large.caps.median), 11)}  (every message rendered: no target)`);
} else {
  console.log('  (the large org was not run: load, can and capabilities not measured)');
}
line('gzipped download (.wasm + .mjs + index.js)', `${(gzTotal / 1024).toFixed(1)} KB`, `< ${TARGETS.gzipKB} KB`, gzTotal / 1024 < TARGETS.gzipKB);
console.log(`\nload average at the end: ${loadAverage()}`);
console.log(`(sink ${sinkValue & 0xff})`);
