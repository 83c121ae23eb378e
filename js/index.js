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
// decision (or a load error). Used when a JS value is not plain data (a cycle,
// a BigInt, `undefined`, a String object, an object with `toJSON`, a class
// instance, a getter that throws): ACCESS.md section 11 step 1 (changed).
const NOT_JSON = '';
// JSON.stringify ran out of string length: the value is past every limit.
const TOO_LARGE = Symbol('too large');
// One byte that is not UTF-8: what goes in where an id, an action or a date is
// expected and the argument is not a primitive string (or is far longer than
// any id). The core refuses it as it refuses any malformed id.
const MALFORMED = Uint8Array.of(0xff);
// Ids are 1 to 128 UTF-8 bytes, so a longer string is malformed whatever it holds.
const MAX_ID_UNITS = 128;

// Strings go into the wasm as UTF-8. Emscripten's conversion merges a lone
// surrogate with the character after it (`'u-\ud83dQ'` arrived as `u-👑`),
// so a string that is not well-formed Unicode goes in as the bytes it stands
// for, each surrogate encoded alone (WTF-8): not UTF-8, which the core
// refuses (ids, actions, JSON text) instead of reading another string.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed =
  typeof String.prototype.isWellFormed === 'function'
    ? (text) => text.isWellFormed()
    : (text) => !LONE_SURROGATE.test(text);

/** The WTF-8 bytes of `text` (UTF-8, with a lone surrogate as its own 3 bytes). */
function wtf8(text) {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return out.subarray(0, n);
}

/** What goes into the wasm for `text`: itself when well-formed, else its WTF-8 bytes. */
function wire(text) {
  return isWellFormed(text) ? text : wtf8(text);
}

/**
 * An id or date argument as it goes into the wasm: a primitive string as
 * given; anything else (a String object, a number, an object with `toJSON`)
 * is never coerced but sent as malformed (section 11 step 1).
 */
function arg(value) {
  if (typeof value !== 'string' || value.length > MAX_ID_UNITS) return MALFORMED;
  return wire(value);
}

/**
 * An action argument: as `arg`, except that a long string is still a string
 * (an unknown action, not a malformed one); the core only ever shows the
 * first 64 bytes of one, so the first 256 UTF-16 units stand for it.
 */
function actionArg(value) {
  if (typeof value !== 'string') return MALFORMED;
  if (value.length <= 256) return wire(value);
  const end = value.charCodeAt(255) >= 0xd800 && value.charCodeAt(255) <= 0xdbff ? 255 : 256;
  return wire(value.slice(0, end));
}

const NON_ASCII = /[\u0080-\uffff]+/g;

/**
 * The UTF-8 length of `text` when it may matter: its length when that alone
 * decides (past `limit`, or within it even at 3 bytes a unit); else counted,
 * visiting only the runs that are not ASCII.
 */
function utf8Length(text, limit) {
  if (text.length > limit || text.length * 3 <= limit) return text.length;
  let bytes = text.length;
  for (const [run] of text.matchAll(NON_ASCII)) {
    for (let i = 0; i < run.length; i++) {
      const c = run.charCodeAt(i);
      bytes += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1; // a surrogate: 2 of a pair's 4
    }
  }
  return bytes;
}

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

class NotPlainData extends Error {}

// JSON.stringify's replacer sees each value after `toJSON` and before String,
// Number and Boolean objects are unwrapped; `this[key]` is the value as given.
// Plain data only: primitives, arrays and plain objects without `toJSON`.
function plainData(key, value) {
  const given = this[key];
  if (typeof given === 'bigint') throw new NotPlainData();
  if (typeof given === 'object' && given !== null) {
    if (!Array.isArray(given) && !isPlainObject(given)) throw new NotPlainData();
    if (typeof given.toJSON === 'function') throw new NotPlainData();
  }
  return value;
}

/**
 * JSON text of plain data; text that is not JSON (which the core refuses)
 * for anything else, TOO_LARGE past the engine's string length. A lone
 * surrogate is written as its `\\u` escape, which the core's parsers refuse.
 */
function toJsonText(value) {
  try {
    const text = JSON.stringify(value, plainData);
    return typeof text === 'string' ? text : NOT_JSON;
  } catch (error) {
    return error instanceof RangeError && /string length/i.test(error.message) ? TOO_LARGE : NOT_JSON;
  }
}

/**
 * A snapshot as it goes to the core: text, UTF-8 bytes as they are (the core
 * checks them; a leading byte order mark is dropped), or a value's JSON text.
 */
function snapshotInput(snapshot) {
  if (typeof snapshot === 'string') return snapshot;
  let bytes;
  try {
    if (snapshot instanceof Uint8Array) bytes = snapshot;
    else if (snapshot instanceof ArrayBuffer) bytes = new Uint8Array(snapshot);
    else return toJsonText(snapshot);
  } catch {
    return NOT_JSON; // a detached ArrayBuffer: no bytes
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3);
  return bytes;
}

/**
 * The request of `can`, `explain` and `assertCan`: a target is a site id, or
 * an object whose `site` becomes the request's site and whose other keys
 * become its resource. Anything else is passed on as the site, for the core to
 * judge.
 */
function toRequest(user, action, target) {
  const request = { user, action };
  if (typeof target === 'object' && target !== null && !Array.isArray(target) && !isPlainObject(target)) {
    request.site = target; // a class instance, a String object: refused as not plain data
    return request;
  }
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

/** True for a Uint8Array (a Buffer too); false for anything else, a proxy that throws included. */
function isBytes(value) {
  try {
    return value instanceof Uint8Array;
  } catch {
    return false;
  }
}

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
  /** The core's size limits in bytes: `{ snapshot, request, command, question }`. */
  #limits;
  /**
   * The resource keys the fast paths take, from the core's key table:
   * key -> [bit, collection of `index()` its id is looked up in].
   */
  #keys;
  /** Bumped by every change of what the engine holds (a load, an applied command). */
  #revision = 0;
  /** Who to tell when the revision changes (`subscribe`). */
  #listeners = new Set();

  constructor(module) {
    this.#module = module;
    this.#limits = JSON.parse(module.limits());
    this.#keys = new Map(Object.entries(JSON.parse(module.indexedKeys())));
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
    try {
      return this.#lookUp(user, action, target);
    } catch {
      return undefined; // a proxy or a getter that throws: the JSON path refuses it
    }
  }

  #lookUp(user, action, target) {
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
        } else if (this.#keys.has(name) && resourceKey === undefined) {
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
      const [bit, collection] = this.#keys.get(resourceKey);
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

  /**
   * `call(input)` with `input` (text or UTF-8 bytes) as it goes into the
   * wasm; past the core's limit for `kind`, the core's answer to oversized
   * input instead, without copying it in (so memory does not grow).
   */
  #within(kind, input, call) {
    const limit = this.#limits[kind];
    if (input === TOO_LARGE) return this.#module.oversize(kind);
    if (typeof input === 'string') {
      if (utf8Length(input, limit) > limit) return this.#module.oversize(kind);
      return call(wire(input));
    }
    if (input.byteLength > limit) return this.#module.oversize(kind);
    return call(input);
  }

  load(snapshot) {
    const engine = this.#engine();
    const answer = JSON.parse(this.#within('snapshot', snapshotInput(snapshot), (t) => engine.load(t)));
    if (answer.ok) {
      this.#ids = undefined;
      this.#changed();
      return { ok: true, errors: [], stats: answer.stats };
    }
    return { ok: false, errors: answer.errors };
  }

  decideJson(requestText) {
    const engine = this.#engine();
    const text = typeof requestText === 'string' || isBytes(requestText) ? requestText : NOT_JSON;
    return this.#within('request', text, (t) => engine.decide(t));
  }

  decide(request) {
    return JSON.parse(this.decideJson(toJsonText(request)));
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
    let request;
    try {
      request = toRequest(user, action, target);
    } catch {
      return JSON.parse(this.decideJson(NOT_JSON)); // a target whose reading throws
    }
    return this.decide(request);
  }

  assertCan(user, action, target) {
    const decision = this.explain(user, action, target);
    if (decision.allowed !== true) throw new ForbiddenError(decision);
    return decision;
  }

  capabilities(user, site) {
    const answer = JSON.parse(this.#engine().capabilities(arg(user), arg(site)));
    if (!answer.ok) throw new QueryError(answer.errors);
    return answer.value;
  }

  roles(user) {
    const answer = JSON.parse(this.#engine().roles(arg(user)));
    if (!answer.ok) throw new QueryError(answer.errors);
    return answer.value;
  }

  actions() {
    return JSON.parse(this.#module.actions());
  }

  limits() {
    return { ...this.#limits };
  }

  // ---- Workflow commands (TRAINING.md, PERSONNEL.md, ACCESS.md section 10) ----

  apply(command) {
    const engine = this.#engine();
    this.#ids = undefined; // a command may add or remove ids
    const result = JSON.parse(this.#within('command', toJsonText(command), (t) => engine.apply(t)));
    if (result.ok && !result.duplicate) this.#changed();
    return result;
  }

  /** The number of changes of what the engine holds so far: every successful `load` and applied `apply`. */
  get revision() {
    return this.#revision;
  }

  /**
   * Calls `listener` after every change of what the engine holds (a
   * successful `load`, an `apply` that changed the state); returns the
   * function that stops it. The shape `useSyncExternalStore` takes, with
   * `() => engine.revision` as the snapshot.
   */
  subscribe(listener) {
    if (typeof listener !== 'function') throw new TypeError('subscribe takes a function');
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  #changed() {
    this.#revision += 1;
    // A listener that throws does not keep the others from hearing of the change.
    let failure;
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (error) {
        failure ??= error;
      }
    }
    // Reported, not thrown: the change happened, and the caller's `load` or `apply` answered.
    if (failure !== undefined) (globalThis.reportError ?? console.error)(failure);
  }

  dryRun(command) {
    const engine = this.#engine();
    return JSON.parse(this.#within('command', toJsonText(command), (t) => engine.dryRun(t)));
  }

  snapshot() {
    return JSON.parse(this.#engine().snapshot());
  }

  viewerSnapshot(user, options) {
    return unwrap(this.#engine().viewerSnapshot(arg(user), viewerOptions(options)));
  }

  freshness(date) {
    return this.#engine().freshness(arg(date));
  }

  // ---- Views shaped for the viewer, and the access questions of section 9 ----

  myCourses(user, date) {
    return unwrap(this.#engine().myCourses(arg(user), arg(date)));
  }

  course(user, course) {
    return unwrap(this.#engine().course(arg(user), arg(course)));
  }

  attempts(user, fulfillment) {
    return unwrap(this.#engine().attempts(arg(user), arg(fulfillment)));
  }

  insights(user, site, date, options = {}) {
    let children = false;
    try {
      children = options?.includeChildSites === true;
    } catch {
      // a getter that throws: without child sites
    }
    return unwrap(this.#engine().insights(arg(user), arg(site), arg(date), children));
  }

  trainingOf(user, person, date) {
    return unwrap(this.#engine().trainingOf(arg(user), arg(person), arg(date)));
  }

  record(user, record) {
    return unwrap(this.#engine().record(arg(user), arg(record)));
  }

  people(user, site) {
    return unwrap(this.#engine().people(arg(user), arg(site)));
  }

  company(user, company) {
    return unwrap(this.#engine().company(arg(user), arg(company)));
  }

  comments(user, record) {
    return unwrap(this.#engine().comments(arg(user), arg(record)));
  }

  personnelSettings(user, site) {
    return unwrap(this.#engine().personnelSettings(arg(user), arg(site)));
  }

  whoCan(action, site, resource) {
    const request = { action };
    if (site !== undefined && site !== null) request.site = site;
    if (resource !== undefined && resource !== null) request.resource = resource;
    const engine = this.#engine();
    return unwrap(this.#within('question', toJsonText(request), (t) => engine.whoCan(t)));
  }

  sitesWhere(user, action) {
    return unwrap(this.#engine().sitesWhere(arg(user), actionArg(action)));
  }

  whatIf(editor, change) {
    const engine = this.#engine();
    return unwrap(this.#within('question', toJsonText(change), (t) => engine.whatIf(arg(editor), t)));
  }

  dispose() {
    if (this.#native === undefined) return;
    this.#listeners.clear();
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
