#!/usr/bin/env node
// CalmCompliance's server (SERVER.md section 2): serves the built app and the
// API of web/README.md. It holds the full organisation in the package's
// engine, stored in SQLite or PostgreSQL; browsers get viewer snapshots.
// Modules: server/http.mjs (plumbing, static files), server/api.mjs (routes),
// server/host.mjs (the engine and the write path), server/store.mjs (the
// databases).

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api } from './server/api.mjs';
import { HttpError, requestPath, sendError, serveFile } from './server/http.mjs';
import { COMPACT_EVERY, OrgHost } from './server/host.mjs';
import { openStore } from './server/store.mjs';

const DIST = resolve(fileURLToPath(new URL('./dist/', import.meta.url)));
export const DEMO_ORG = fileURLToPath(new URL('./demo/demo-org.json', import.meta.url));

const HELP = `Usage: node web/server.mjs [options]

Serves the CalmCompliance app (web/dist) and its API (web/README.md) on
http://HOST:PORT/, with the organisation stored in a database.

  --port N           port to listen on (default 8080; 0 picks a free one)
  --host HOST        address to listen on (default 127.0.0.1)
  --db FILE_OR_URL   the database: a SQLite file path (created if missing),
                     or a postgres:// URL (PostgreSQL, through pg)
                     (default data/calm.sqlite)
  --org SNAPSHOT     a snapshot (JSON) that seeds the database when it holds
                     no organisation yet; ignored once seeded
  --root DIR         the folder of static files (default web/dist)
  --compact-every N  compact the log into a new base after N commands
                     (default ${COMPACT_EVERY})
  --help             this text

Several processes may share one PostgreSQL database: they apply commands in
one order (each catches up from the log first). SQLite has one process.`;

/** Seeds the store with `org` (a path or a snapshot value) when it is empty; the engine must accept it. */
async function seed(store, org) {
  if (await store.org()) return false;
  const text = typeof org === 'string' ? readFileSync(org, 'utf8') : JSON.stringify(org);
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`--org: not JSON: ${error.message}`);
  }
  const { createEngine } = await import('calm-access');
  const engine = await createEngine();
  const loaded = engine.load(text);
  engine.dispose();
  if (!loaded.ok) throw new Error(`--org: the snapshot does not load: ${loaded.errors[0].path || '/'}: ${loaded.errors[0].message}`);
  return store.seed(value.organisation.id, text);
}

/**
 * Starts the server; resolves with the listening `http.Server` once it is
 * ready. `db` defaults to an in-memory SQLite database and `org` to the demo
 * organisation (what the browser tests use). `server.host` is the OrgHost.
 */
export async function startServer({
  port = 8080,
  host = '127.0.0.1',
  root = DIST,
  db = ':memory:',
  org = DEMO_ORG,
  compactEvery = COMPACT_EVERY,
} = {}) {
  const store = await openStore(db);
  let orgHost;
  try {
    if (org) await seed(store, org);
    orgHost = await OrgHost.open(store, { compactEvery });
    await store.listen((revision) => {
      if (revision > orgHost.revision) orgHost.refresh().catch((e) => console.error(`catching up: ${e.message}`));
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const api = new Api(orgHost);
  // Should a notification be lost (the listening connection dropped), the
  // log is still read every few seconds.
  const poll = store.kind === 'postgres' ? setInterval(() => orgHost.refresh().catch(() => {}), 5000) : null;
  poll?.unref();
  const base = resolve(root);
  // The full organisation leaves the server only as viewer snapshots (V):
  // an organisation file under the served folder is never sent.
  const deny = (path) => /(^|\/)demo-org[^/]*\.json$/i.test(path);
  const server = createServer((req, res) => {
    (async () => {
      const { path, query } = requestPath(req);
      if (path === '/api' || path.startsWith('/api/')) return api.handle(req, res, path, query);
      return serveFile(base, req, res, path, deny);
    })().catch((error) => sendError(res, error));
  });
  server.on('clientError', (error, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const text = JSON.stringify({ error: 'bad-request', message: `malformed request (${error.code ?? 'unreadable'})` });
    socket.end(`HTTP/1.1 ${status} Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  });
  server.host = orgHost;
  server.on('close', () => {
    clearInterval(poll);
    api.close();
    orgHost.close().catch(() => {});
  });
  const closeStreams = server.closeAllConnections?.bind(server);
  server.closeAllConnections = () => {
    api.close();
    closeStreams?.();
  };
  return new Promise((resolvePromise, reject) => {
    server.once('error', (error) => {
      orgHost.close().catch(() => {});
      reject(error);
    });
    server.listen(port, host, () => resolvePromise(server));
  });
}

function parseArgs(argv) {
  const options = {};
  const valued = new Set(['port', 'host', 'db', 'org', 'root', 'compact-every']);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    const name = arg.startsWith('--') ? arg.slice(2) : null;
    if (!name || !valued.has(name)) throw new Error(`unknown option \`${arg}\` (see --help)`);
    if (i + 1 >= argv.length) throw new Error(`${arg} needs a value (see --help)`);
    options[name] = argv[++i];
  }
  return options;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`server: ${error.message}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(HELP);
    return;
  }
  const port = Number(options.port ?? process.env.PORT ?? '8080');
  const compactEvery = Number(options['compact-every'] ?? COMPACT_EVERY);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail('--port: expected a port number');
  if (!Number.isInteger(compactEvery) || compactEvery < 1) return fail('--compact-every: expected a positive integer');
  let server;
  try {
    server = await startServer({
      port,
      host: options.host ?? '127.0.0.1',
      root: options.root ?? DIST,
      db: options.db ?? 'data/calm.sqlite',
      org: options.org ?? null,
      compactEvery,
    });
  } catch (error) {
    return fail(error.message);
  }
  const address = server.address();
  const host = options.host ?? '127.0.0.1';
  console.log(`CalmCompliance: http://${host}:${address.port}/ (${server.host.store.label}, revision ${server.host.revision})`);
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function fail(message) {
  console.error(`server: ${message}`);
  process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

export { HttpError };
