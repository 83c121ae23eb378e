// calm-access: the JavaScript face of the C++ engine (core/), compiled to
// wasm (wasm/bindings.cpp). This file only marshals: values go to the core as
// JSON text and come back as JSON text. It holds no access rule; every answer,
// including the answer to a malformed request, is the core's.
//
// The types and the documentation of every export are in index.d.ts.

import createCalmModule from '../dist/wasm/calm-access.mjs';

const WASM_FILE = 'calm-access.wasm';
// A literal `new URL(..., import.meta.url)`: bundlers (Vite, webpack 5, Rollup
// plugins) see it, copy the .wasm into the build and rewrite the URL.
const WASM_URL = new URL('../dist/wasm/calm-access.wasm', import.meta.url);
// Kept out of bundlers' sight: only Node ever loads it.
const NODE_FS = 'node:fs/promises';

// Text that is not JSON: the core answers it with an `invalid-request`
// decision (or a load error). Used when a JS value has no JSON form at all
// (a cycle, a BigInt, `undefined`, a function).
const NOT_JSON = '';

const isNode = typeof process !== 'undefined' && process.versions?.node != null;

/** @type {Promise<any> | undefined} */
let defaultModule;

async function readNodeFile(url) {
  const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS);
  return readFile(url);
}

/**
 * Instantiates the Emscripten module. In Node the `-sENVIRONMENT=web,worker`
 * build cannot read files itself, so the bytes are read here and handed over;
 * in a browser or worker the module fetches the .wasm beside its .mjs (or
 * where `locateFile` says).
 */
async function instantiate(options) {
  const moduleOptions = {};
  if (options.wasmBinary) {
    moduleOptions.wasmBinary = options.wasmBinary;
  } else if (isNode) {
    let url = WASM_URL;
    if (options.locateFile) {
      const located = options.locateFile(WASM_FILE, new URL('.', WASM_URL).href);
      url = located instanceof URL || /^[a-z][a-z0-9+.-]+:/i.test(located) ? new URL(located) : located;
    }
    const bytes = await readNodeFile(url);
    moduleOptions.wasmBinary = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } else {
    // Browser or worker: Emscripten asks where the .wasm is, with the folder
    // of its .mjs; by default it is WASM_URL (wherever a bundler put it).
    moduleOptions.locateFile =
      options.locateFile ?? ((path, prefix) => (path === WASM_FILE ? WASM_URL.href : prefix + path));
  }
  return createCalmModule(moduleOptions);
}

function loadModule(options) {
  if (options.wasmBinary || options.locateFile) return instantiate(options);
  if (!defaultModule) {
    defaultModule = instantiate(options);
    // A failed load is not cached: the next createEngine() tries again.
    defaultModule.catch(() => {
      defaultModule = undefined;
    });
  }
  return defaultModule;
}

/** JSON text of any value, or text that is not JSON when it has no JSON form. */
function toJsonText(value) {
  try {
    const text = JSON.stringify(value);
    return typeof text === 'string' ? text : NOT_JSON;
  } catch {
    return NOT_JSON;
  }
}

/** The text of a snapshot given as text, bytes or a value. */
function snapshotText(snapshot) {
  if (typeof snapshot === 'string') return snapshot;
  if (snapshot instanceof Uint8Array) return new TextDecoder().decode(snapshot);
  if (snapshot instanceof ArrayBuffer) return new TextDecoder().decode(new Uint8Array(snapshot));
  return toJsonText(snapshot);
}

/**
 * The request of `can`, `explain` and `assertCan`: a target is a site id, or
 * an object whose `site` becomes the request's site and whose other keys
 * become its resource. Anything else is passed on as the site, for the core to
 * judge.
 */
function toRequest(user, action, target) {
  const request = { user, action };
  if (target === undefined || target === null) return request;
  if (typeof target !== 'object' || Array.isArray(target)) {
    request.site = target;
    return request;
  }
  const { site, ...resource } = target;
  if (site !== undefined) request.site = site;
  if (Object.keys(resource).length > 0) request.resource = resource;
  return request;
}

// The fast path of `can` (when the wasm build has it): ids are looked up in
// the snapshot's index here and the core decides on dense indices. Only the
// lookup is here; the decision is the core's. Absent is 0xFFFFFFFF; an id the
// snapshot does not hold is out of range (0xFFFFFFFE), which the core denies
// as unknown, exactly as it denies the id itself.
const ABSENT = 0xffffffff;
const UNKNOWN = 0xfffffffe;
// The resource keys the fast path takes: the key's bit (access.hpp
// `IndexedRequest`) and the collection of `index()` its id is looked up in.
const FAST_KEYS = {
  course: [1, 'courses'],
  fulfillment: [2, 'fulfillments'],
  record: [4, 'records'],
  thread: [16, 'comments'],
  company: [32, 'companies'],
  target: [64, 'users'],
};

function isPlainObject(value) {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The options of `viewerSnapshot` as JSON text for the core ('' when none); a TypeError when not an object. */
function viewerOptions(options) {
  if (options === undefined || options === null) return '';
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('options must be an object `{ revision?, issuedAt? }`');
  }
  const picked = {};
  if (options.revision !== undefined) picked.revision = options.revision;
  if (options.issuedAt !== undefined) picked.issuedAt = options.issuedAt;
  return JSON.stringify(picked);
}

/** `value` when it is a string; a TypeError otherwise (as `capabilities` and `roles` do). */
function id(name, value) {
  requireId(name, value);
  return value;
}

function requireId(name, value) {
  if (typeof value !== 'string') {
    throw new TypeError(`${name} must be a string id, got ${value === null ? 'null' : typeof value}`);
  }
}

/**
 * The answer of a view or query: its value; a denial throws ForbiddenError
 * (with the decision), a malformed argument QueryError (with the errors).
 */
function unwrap(text) {
  const answer = JSON.parse(text);
  if (answer.ok) return answer.value;
  if (answer.decision) throw new ForbiddenError(answer.decision);
  throw new QueryError(answer.errors ?? []);
}

/** Thrown by `assertCan` when the decision is a denial. */
export class ForbiddenError extends Error {
  constructor(decision) {
    super(decision.message);
    this.name = 'ForbiddenError';
    this.code = decision.code;
    this.decision = decision;
  }
}

/** Thrown by `capabilities` and `roles` when the core cannot answer (e.g. an unknown user). */
export class QueryError extends Error {
  constructor(errors) {
    const first = errors[0] ?? { code: 'unknown', path: '', message: 'the query failed' };
    super(first.message);
    this.name = 'QueryError';
    this.code = first.code;
    this.errors = errors;
  }
}

// Frees the C++ engine of a JS engine that was dropped without dispose().
const finalizer =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((native) => {
        if (!native.isDeleted()) native.delete();
      })
    : undefined;

class Engine {
  #module;
  #native;
  /** Whether the wasm build has the indexed `can` (and `index`). */
  #fast;
  /** Whether it has the indexed `explain` too. */
  #fastExplain;
  /** action id -> index, for the fast path. */
  #actionIndex;
  /** collection -> (id -> index) of the loaded snapshot; rebuilt after a load. */
  #ids;
  /** The indices of the request being asked (reused: `can` is the hot path). */
  #q = [0, 0, 0, 0, 0];

  constructor(module) {
    this.#module = module;
    this.#native = new module.Engine();
    this.#fast = typeof this.#native.can === 'function' && typeof this.#native.index === 'function';
    this.#fastExplain = this.#fast && typeof this.#native.explain === 'function';
    finalizer?.register(this, this.#native, this);
  }

  #index() {
    if (this.#ids === undefined) {
      const raw = JSON.parse(this.#engine().index());
      this.#ids = {};
      for (const [collection, ids] of Object.entries(raw)) {
        this.#ids[collection] = new Map(ids.map((id, index) => [id, index]));
      }
    }
    return this.#ids;
  }

  /**
   * The request as indices `[user, action, site, key, resource]` (in a reused
   * array) for the fast paths of `can` and `explain`, or undefined when it is
   * not one they take
   * (then the JSON path answers): a non-string id, a non-plain target, a key
   * other than `site` and one simple resource key.
   */
  #indices(user, action, target) {
    if (typeof user !== 'string' || typeof action !== 'string') return undefined;
    let site = ABSENT;
    let key = 0;
    let resource = ABSENT;
    let siteId;
    let resourceKey;
    if (typeof target === 'string') {
      siteId = target;
    } else if (isPlainObject(target)) {
      for (const name of Object.keys(target)) {
        const value = target[name];
        if (value === undefined) continue; // as JSON.stringify drops it
        if (typeof value !== 'string') return undefined;
        if (name === 'site') {
          siteId = value;
        } else if (Object.hasOwn(FAST_KEYS, name) && resourceKey === undefined) {
          resourceKey = name;
        } else {
          return undefined;
        }
      }
    } else if (target !== undefined && target !== null) {
      return undefined;
    }
    const ids = this.#index();
    if (siteId !== undefined) site = ids.sites.get(siteId) ?? UNKNOWN;
    if (resourceKey !== undefined) {
      const [bit, collection] = FAST_KEYS[resourceKey];
      key = bit;
      resource = ids[collection].get(target[resourceKey]) ?? UNKNOWN;
    }
    if (this.#actionIndex === undefined) {
      this.#actionIndex = new Map(this.actions().map((id, index) => [id, index]));
    }
    const q = this.#q;
    q[0] = ids.users.get(user) ?? UNKNOWN;
    q[1] = this.#actionIndex.get(action) ?? UNKNOWN;
    q[2] = site;
    q[3] = key;
    q[4] = resource;
    return q;
  }

  #engine() {
    if (this.#native === undefined) throw new Error('this engine has been disposed');
    return this.#native;
  }

  load(snapshot) {
    const answer = JSON.parse(this.#engine().load(snapshotText(snapshot)));
    if (answer.ok) {
      this.#ids = undefined;
      return { ok: true, errors: [], stats: answer.stats };
    }
    return { ok: false, errors: answer.errors };
  }

  decideJson(requestText) {
    return this.#engine().decide(typeof requestText === 'string' ? requestText : NOT_JSON);
  }

  decide(request) {
    return JSON.parse(this.#engine().decide(toJsonText(request)));
  }

  // The same answer as `explain(...).allowed`, without rendering a decision
  // when the request is a simple one.
  can(user, action, target) {
    const q = this.#fast ? this.#indices(user, action, target) : undefined;
    if (q !== undefined) return this.#engine().can(q[0], q[1], q[2], q[3], q[4]) === true;
    return this.explain(user, action, target).allowed === true;
  }

  // The same decision as `decide`; when every id is known the core takes it
  // by indices and writes the decision, without a request to write and parse.
  explain(user, action, target) {
    const q = this.#fastExplain ? this.#indices(user, action, target) : undefined;
    if (q !== undefined) {
      const text = this.#engine().explain(q[0], q[1], q[2], q[3], q[4]);
      if (text !== '') return JSON.parse(text);
    }
    return this.decide(toRequest(user, action, target));
  }

  assertCan(user, action, target) {
    const decision = this.explain(user, action, target);
    if (decision.allowed !== true) throw new ForbiddenError(decision);
    return decision;
  }

  capabilities(user, site) {
    requireId('user', user);
    requireId('site', site);
    const answer = JSON.parse(this.#engine().capabilities(user, site));
    if (!answer.ok) throw new QueryError(answer.errors);
    return answer.value;
  }

  roles(user) {
    requireId('user', user);
    const answer = JSON.parse(this.#engine().roles(user));
    if (!answer.ok) throw new QueryError(answer.errors);
    return answer.value;
  }

  actions() {
    return JSON.parse(this.#module.actions());
  }

  // ---- Workflow commands (TRAINING.md, PERSONNEL.md, ACCESS.md section 10) ----

  apply(command) {
    this.#ids = undefined; // a command may add or remove ids
    return JSON.parse(this.#engine().apply(toJsonText(command)));
  }

  dryRun(command) {
    return JSON.parse(this.#engine().dryRun(toJsonText(command)));
  }

  snapshot() {
    return JSON.parse(this.#engine().snapshot());
  }

  viewerSnapshot(user, options) {
    return unwrap(this.#engine().viewerSnapshot(id('user', user), viewerOptions(options)));
  }

  freshness(date) {
    requireId('date', date);
    return this.#engine().freshness(date);
  }

  // ---- Views shaped for the viewer, and the access questions of section 9 ----

  myCourses(user, date) {
    return unwrap(this.#engine().myCourses(id('user', user), id('date', date)));
  }

  course(user, course) {
    return unwrap(this.#engine().course(id('user', user), id('course', course)));
  }

  attempts(user, fulfillment) {
    return unwrap(this.#engine().attempts(id('user', user), id('fulfillment', fulfillment)));
  }

  insights(user, site, date, options = {}) {
    const children = options?.includeChildSites === true;
    return unwrap(this.#engine().insights(id('user', user), id('site', site), id('date', date), children));
  }

  trainingOf(user, person, date) {
    return unwrap(this.#engine().trainingOf(id('user', user), id('person', person), id('date', date)));
  }

  record(user, record) {
    return unwrap(this.#engine().record(id('user', user), id('record', record)));
  }

  people(user, site) {
    return unwrap(this.#engine().people(id('user', user), id('site', site)));
  }

  company(user, company) {
    return unwrap(this.#engine().company(id('user', user), id('company', company)));
  }

  comments(user, record) {
    return unwrap(this.#engine().comments(id('user', user), id('record', record)));
  }

  personnelSettings(user, site) {
    return unwrap(this.#engine().personnelSettings(id('user', user), id('site', site)));
  }

  whoCan(action, site, resource) {
    const request = { action };
    if (site !== undefined && site !== null) request.site = site;
    if (resource !== undefined && resource !== null) request.resource = resource;
    return unwrap(this.#engine().whoCan(toJsonText(request)));
  }

  sitesWhere(user, action) {
    return unwrap(this.#engine().sitesWhere(id('user', user), id('action', action)));
  }

  whatIf(editor, change) {
    return unwrap(this.#engine().whatIf(id('editor', editor), toJsonText(change)));
  }

  dispose() {
    if (this.#native === undefined) return;
    finalizer?.unregister(this);
    this.#native.delete();
    this.#native = undefined;
  }
}

if (typeof Symbol.dispose === 'symbol') {
  Engine.prototype[Symbol.dispose] = Engine.prototype.dispose;
}

export async function createEngine(options = {}) {
  const module = await loadModule(options ?? {});
  return new Engine(module);
}
