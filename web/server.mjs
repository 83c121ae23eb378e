#!/usr/bin/env node
// Serves the built app (web/dist) on localhost, with the demo organisation,
// and stands in for CalmCompliance's server for the command queue:
//
//   POST /api/commands  { commands: Command[] } -> { accepted: string[] }
//       records each well-formed command once (by id) and acknowledges it;
//   GET  /api/commands  -> { commands: Command[] }, what it has received.
//
// It is a demo's server, not a backend: it keeps commands in memory and does
// not re-decide them (the real server would, with the same engine).
//
//   node web/server.mjs [--port 8080] [--host 127.0.0.1]

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = resolve(fileURLToPath(new URL('./dist/', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};
const MAX_BODY = 16 * 1024 * 1024;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** @type {Map<string, object>} */
const received = new Map();

function isCommand(c) {
  return (
    c !== null &&
    typeof c === 'object' &&
    ['id', 'type', 'actor', 'at'].every((k) => typeof c[k] === 'string' && c[k].length > 0)
  );
}

function send(res, status, body, type = 'application/json; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function api(req, res, path) {
  if (path !== '/api/commands') return send(res, 404, { error: 'no such endpoint' });
  if (req.method === 'GET') return send(res, 200, { commands: [...received.values()] });
  if (req.method !== 'POST') return send(res, 405, { error: 'GET or POST' });
  let body;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    return send(res, 400, { error: 'the body must be JSON: { commands: [...] }' });
  }
  if (!Array.isArray(body?.commands)) return send(res, 400, { error: '/commands must be an array' });
  const accepted = [];
  for (const c of body.commands) {
    if (!isCommand(c)) continue;
    if (!received.has(c.id)) received.set(c.id, c);
    accepted.push(c.id);
  }
  return send(res, 200, { accepted });
}

async function file(root, req, res, path) {
  let target = normalize(join(root, path));
  if (target !== root && !target.startsWith(root + sep)) return send(res, 403, 'forbidden', 'text/plain');
  let info = await stat(target).catch(() => null);
  if (info?.isDirectory()) {
    target = join(target, 'index.html');
    info = await stat(target).catch(() => null);
  }
  if (!info?.isFile()) return send(res, 404, 'not found', 'text/plain');
  const headers = {
    'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
    'content-length': info.size,
    // The service worker must always be checked for a new version.
    'cache-control': path.endsWith('sw.js') || path.endsWith('.html') || path === '/' ? 'no-cache' : 'max-age=3600',
  };
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return res.end();
  createReadStream(target).pipe(res);
}

/** Serves `root` (default: the built app) and the queue's API; resolves when listening. */
export function startServer({ port = 8080, host = '127.0.0.1', root = DIST } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const handle = path.startsWith('/api/') ? api(req, res, path) : file(base, req, res, path);
    handle.catch((error) => {
      if (!res.headersSent) send(res, 500, { error: String(error?.message ?? error) });
      else res.destroy();
    });
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolvePromise(server));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(option('port', process.env.PORT ?? '8080'));
  const host = option('host', '127.0.0.1');
  const server = await startServer({ port, host });
  const address = server.address();
  console.log(`CalmCompliance demo: http://${host}:${address.port}/`);
}
