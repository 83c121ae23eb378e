#!/usr/bin/env node
// Load test of the server (issue 10), from this process against the real
// server as a second process on loopback. Bounded: a fixed number of
// requests, each store in turn; prints figures, asserts none.
//
//   commands: C clients signed in as the owner send `course.create` commands
//     (one per request, each stored before it is answered) to the demo
//     organisation, with SQLite and with PostgreSQL (a throwaway cluster);
//     commands per second sustained, p50 / p99 latency of a request.
//   snapshots: GET /api/snapshot for a learner (u-lee) and a manager (u-pm)
//     on the large organisation (web/demo/make-large.mjs), full answers and
//     304 revalidations; requests per second, p50 / p99.
//
//   node bench/server/load.mjs [--commands 2000] [--clients 4] [--snapshots 400]
//                              [--stores sqlite,postgres] [--no-large]

import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, courseCreate, startPostgres, startServerProcess, tempDir } from '../../tests/server/support.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LARGE = join(ROOT, 'web/demo/demo-org-large.json');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const totalCommands = Number(option('commands', '2000'));
const clients = Number(option('clients', '4'));
const snapshotRequests = Number(option('snapshots', '400'));
const stores = option('stores', 'sqlite,postgres').split(',');
const large = !process.argv.includes('--no-large');

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (v) => `${v.toFixed(1)} ms`;

/** Runs `total` calls of `fn(client)` over the clients, `clients.length` at a time; latencies and wall time. */
async function drive(pool, total, fn) {
  const latencies = [];
  let issued = 0;
  const start = performance.now();
  await Promise.all(
    pool.map(async (client) => {
      while (issued < total) {
        issued += 1;
        const t = performance.now();
        await fn(client);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { seconds, rate: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function signedIn(url, user, n) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const c = new Client(url);
      await c.signIn(user);
      return c;
    }),
  );
}

async function benchCommands(label, db) {
  const server = await startServerProcess({ db });
  try {
    const pool = await signedIn(server.url, 'u-owner', clients);
    let n = 0;
    const r = await drive(pool, totalCommands, async (client) => {
      const [o] = await client.commands([courseCreate('u-owner', `c-bench-${process.pid}-${n++}`)]);
      if (!o.ok) throw new Error(`refused: ${JSON.stringify(o)}`);
    });
    console.log(
      `commands, ${label}: ${totalCommands} commands, ${clients} clients, 1 per request: ${r.rate.toFixed(0)} commands/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}`,
    );
  } finally {
    await server.stop();
  }
}

async function benchSnapshots(db) {
  if (!existsSync(LARGE)) execFileSync(process.execPath, [join(ROOT, 'web/demo/make-large.mjs')], { stdio: 'inherit' });
  const started = performance.now();
  const server = await startServerProcess({ db, org: LARGE });
  console.log(`large organisation: seeded and loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  try {
    for (const user of ['u-lee', 'u-pm']) {
      const pool = await signedIn(server.url, user, clients);
      const first = performance.now();
      const probe = await pool[0].request('/api/snapshot');
      if (probe.status !== 200) {
        console.log(`snapshots, ${user}: ${probe.status} ${probe.text.slice(0, 200)}`);
        continue;
      }
      const firstMs = performance.now() - first;
      const etag = probe.headers.get('etag');
      const full = await drive(pool, snapshotRequests, async (c) => {
        const r = await c.request('/api/snapshot');
        if (r.status !== 200) throw new Error(`snapshot: ${r.status}`);
      });
      const same = await drive(pool, snapshotRequests, async (c) => {
        const r = await c.request('/api/snapshot', { headers: { 'if-none-match': etag } });
        if (r.status !== 304) throw new Error(`revalidation: ${r.status}`);
      });
      console.log(
        `snapshots, ${user} (${(probe.text.length / 1024).toFixed(0)} KB, first ${ms(firstMs)} to compute): ` +
          `${full.rate.toFixed(0)} requests/s full (p50 ${ms(full.p50)}, p99 ${ms(full.p99)}), ` +
          `${same.rate.toFixed(0)} requests/s 304 (p50 ${ms(same.p50)}, p99 ${ms(same.p99)})`,
      );
    }
  } finally {
    await server.stop();
  }
}

const dir = tempDir('calm-bench-');
let pg = null;
try {
  console.log(`# server load test (Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)})`);
  if (stores.includes('sqlite')) await benchCommands('SQLite (WAL, synchronous=FULL)', join(dir, 'commands.sqlite'));
  if (stores.includes('postgres')) {
    pg = await startPostgres();
    await benchCommands('PostgreSQL', await pg.database('bench'));
  }
  if (large) await benchSnapshots(join(dir, 'large.sqlite'));
} finally {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
}
