// Shared by the server's tests (tests/server/) and its load test
// (bench/server/): the real server as a child process on loopback, an HTTP
// client that keeps its session cookie, a throwaway PostgreSQL cluster, and
// the state a database holds, read back through the server's own modules.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrgHost } from '../../web/server/host.mjs';
import { openStore } from '../../web/server/store.mjs';

export const SERVER = fileURLToPath(new URL('../../web/server.mjs', import.meta.url));
export const DEMO_ORG = fileURLToPath(new URL('../../web/demo/demo-org.json', import.meta.url));

export function tempDir(prefix = 'calm-server-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `node web/server.mjs` with `args`; resolves when it listens. */
export function startServerProcess({ db, org = DEMO_ORG, port = 0, extra = [] }) {
  const args = [SERVER, '--port', String(port), '--db', db, ...(org ? ['--org', org] : []), ...extra];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (m) {
        child.stdout.off('data', onData);
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          child,
          output: () => output,
          /** SIGTERM, resolves when it exited. */
          stop: () => stopChild(child, 'SIGTERM'),
          /** kill -9: no chance to finish anything. */
          kill9: () => stopChild(child, 'SIGKILL'),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
  });
}

function stopChild(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** A signed-in (or not) client of one server, as a same-origin page would call it. */
export class Client {
  constructor(url) {
    this.url = url;
    this.cookie = null;
  }

  async request(path, { method = 'GET', body, headers = {} } = {}) {
    const h = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (body !== undefined && h['content-type'] === undefined) h['content-type'] = 'application/json';
    if (method !== 'GET' && h.origin === undefined) h.origin = this.url;
    const response = await fetch(this.url + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  async signIn(user) {
    const r = await this.request('/api/session', { method: 'POST', body: { user } });
    if (r.status !== 200) throw new Error(`sign-in as ${user}: ${r.status} ${r.text}`);
    this.cookie = r.headers.get('set-cookie').split(';')[0];
    this.user = user;
    return r;
  }

  /** POSTs commands; returns the outcomes (throws on any other answer). */
  async commands(commands) {
    const r = await this.request('/api/commands', { method: 'POST', body: { commands } });
    if (r.status !== 200) throw new Error(`POST /api/commands: ${r.status} ${r.text}`);
    return r.json.outcomes;
  }
}

let counter = 0;
/** A command by `actor` with a fresh id. */
export function command(actor, type, fields) {
  counter += 1;
  return { id: `t-${process.pid}-${Date.now()}-${counter}`, type, actor, at: '2026-11-21T10:00:00Z', ...fields };
}

/** An owner's `course.create` at hq with two steps, which either lands whole or not at all. */
export function courseCreate(actor, courseId, title = `Course ${courseId}`) {
  return command(actor, 'course.create', {
    site: 'hq',
    course: {
      id: courseId,
      title,
      steps: [
        { id: 's1', type: 'content', title: 'Read', body: 'text' },
        { id: 's2', type: 'content', title: 'Read more', body: 'more text' },
      ],
    },
  });
}

/** What a database holds: the state its base + log give (as the engine exports it) and the log. */
export async function readState(db) {
  const store = await openStore(db);
  const host = await OrgHost.open(store);
  try {
    const snapshot = host.engine.snapshot();
    delete snapshot.issuedAt;
    return { snapshot, revision: host.revision, log: await store.log() };
  } finally {
    await host.close();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The folder of PostgreSQL's programs (Debian's `postgresql`), or null. */
export function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : null;
}

/**
 * A throwaway PostgreSQL cluster: initdb in a temp folder, the server on a
 * free loopback port, run as the `postgres` user when this process is root
 * (PostgreSQL refuses to run as root). `database(name)` creates a database
 * and returns its URL; `stop()` stops the cluster and removes the folder.
 */
export async function startPostgres() {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (scripts/setup.sh installs Debian\'s postgresql)');
  const dir = tempDir('calm-pg-');
  const asRoot = process.getuid?.() === 0;
  const run = (program, args, options = {}) => {
    const file = join(bin, program);
    return asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args], options] : [file, args, options];
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  execFileSync(...run('initdb', ['-D', data, '-A', 'trust', '-U', 'calm', '--no-sync', '-E', 'UTF8', '--locale=C'], { stdio: 'pipe' }));
  const port = await freePort();
  const [file, args] = run('postgres', [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'max_connections=60', '-c', 'shared_buffers=32MB', '-c', 'logging_collector=off',
  ]);
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (c) => {
    log += c;
  });
  const base = `postgres://calm@127.0.0.1:${port}`;
  const pg = createRequire(new URL('../../web/package.json', import.meta.url))('pg');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`PostgreSQL did not start: ${error.message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  let n = 0;
  return {
    base,
    async database(prefix = 'calm') {
      n += 1;
      const name = `${prefix}_${n}`;
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return `${base}/${name}`;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        // `runuser` does not pass signals on to PostgreSQL: ask pg_ctl for a
        // fast shutdown, and kill what is left if it does not stop in time.
        try {
          execFileSync(...run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '20', 'stop'], { stdio: 'pipe' }));
        } catch {
          child.kill('SIGKILL');
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
