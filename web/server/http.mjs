// HTTP plumbing of the server: answers, bounded JSON bodies, cookies, the
// same-origin check of state-changing calls (R1), and the static files of
// the built app. Bad input is answered with a 4xx and a clear message; it
// never throws out of a request.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

export const MAX_BODY = 4 * 1024 * 1024;

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

/** An error answered with `status` and `{ error: code, message, ...extra }`. */
export class HttpError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export function sendJson(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

export function sendError(res, error) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendJson(res, error.status, { error: error.code, message: error.message, ...error.extra }, error.status === 413 ? { connection: 'close' } : {});
    return;
  }
  console.error(error);
  sendJson(res, 500, { error: 'internal', message: 'the server failed to answer; nothing was changed by this request' });
}

/** The request's path, decoded; a malformed URL is a 400. */
export function requestPath(req) {
  let url;
  try {
    url = new URL(req.url ?? '/', 'http://server.invalid');
  } catch {
    throw new HttpError(400, 'bad-request', 'malformed URL');
  }
  let path;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    throw new HttpError(400, 'bad-request', `malformed URL: \`${url.pathname.slice(0, 80)}\` is not valid percent-encoding`);
  }
  if (path.includes('\0')) throw new HttpError(400, 'bad-request', 'malformed URL: NUL in the path');
  return { path, query: url.searchParams };
}

/** The cookies of a request; a malformed cookie header yields what can be read of it, never an error. */
export function cookies(req) {
  const out = new Map();
  const header = req.headers.cookie;
  if (typeof header !== 'string') return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

/**
 * R1: a state-changing call comes from the app's own origin. Browsers send
 * `Origin` (and `Sec-Fetch-Site`) with every POST and DELETE; a call that
 * carries neither is not from a browser page (a test, a script) and cannot be
 * a cross-site forgery.
 */
export function checkSameOrigin(req) {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (origin !== undefined) {
    if (typeof host !== 'string' || origin !== `http://${host}`) {
      throw new HttpError(403, 'forbidden-origin', `a state-changing call must come from this server's own pages (Origin \`${String(origin).slice(0, 100)}\` is another origin)`);
    }
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') {
    throw new HttpError(403, 'forbidden-origin', `a state-changing call must come from this server's own pages (Sec-Fetch-Site \`${String(site).slice(0, 40)}\`)`);
  }
}

/** R1: a body is sent as `application/json` (a form or `text/plain` post, which any page may send, is refused). */
export function checkJsonType(req) {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported-media-type', `the body must be sent as \`application/json\`, not \`${type.slice(0, 80) || 'nothing'}\``);
  }
}

/** Reads a JSON body of at most `limit` bytes, sent as `application/json`. */
export async function readJson(req, limit = MAX_BODY) {
  checkJsonType(req);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, 'too-large', `the body is over ${limit} bytes`);
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'too-large', `the body is over ${limit} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'bad-request', `the body is not JSON: ${error.message}`);
  }
}

/** Serves a file below `root` (index.html for a folder); `deny(path)` names paths never served. */
export async function serveFile(root, req, res, path, deny) {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method-not-allowed', 'only GET and HEAD are served here');
  if (deny?.(path)) throw new HttpError(404, 'not-found', 'not found');
  let target = normalize(join(root, path));
  if (target !== root && !target.startsWith(root + sep)) throw new HttpError(403, 'forbidden', 'outside the app');
  let info = await stat(target).catch(() => null);
  if (info?.isDirectory()) {
    target = join(target, 'index.html');
    info = await stat(target).catch(() => null);
  }
  if (!info?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
    'content-length': info.size,
    'x-content-type-options': 'nosniff',
    // The service worker and the page must always be checked for a new version.
    'cache-control': path.endsWith('sw.js') || path.endsWith('.html') || path.endsWith('/') ? 'no-cache' : 'max-age=3600',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(target);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
