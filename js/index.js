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
// JSON.stringify ran out of stack: the value is nested thousands of levels
// deep, far past the core's limit (128). Text opening as many arrays gets the
// core's own `too-deep` answer (and, were that limit ever higher, is still
// unterminated: malformed).
const TOO_DEEP = '['.repeat(4096);
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

const encoder = new TextEncoder();
const decoder = new TextDecoder();
// Text up to this many UTF-16 units is encoded straight into wasm memory
// (room for 3 bytes a unit); longer text is encoded in JS first, so that the
// wasm memory grows by its bytes only.
const DIRECT_UNITS = 1 << 16;

/**
 * The UTF-8 (or, not well-formed, WTF-8) bytes of `input` (text or bytes)
 * written into wasm memory, then `call(pointer, length)`, which returns the
 * pointer of the core's answer; the answer as text. Bytes go in as they are,
 * with no JS string in between.
 */
function throughMemory(module, scratch, input, call) {
  let bytes;
  if (typeof input !== 'string') bytes = input;
  else if (!isWellFormed(input)) bytes = wtf8(input);
  else if (input.length > DIRECT_UNITS) bytes = encoder.encode(input);
  let pointer;
  let length;
  let owned = 0;
  if (bytes === undefined) {
    pointer = scratch.reserve(input.length * 3);
    length = encoder.encodeInto(input, module.HEAPU8.subarray(pointer, pointer + input.length * 3)).written;
  } else {
    length = bytes.length;
    pointer = length > scratch.capacity ? (owned = module._malloc(Math.max(length, 1))) : scratch.reserve(length);
    module.HEAPU8.set(bytes, pointer);
  }
  try {
    return readAnswer(module, call(pointer, length));
  } finally {
    if (owned !== 0) module._free(owned);
  }
}

/** The text of the core's last answer, at `pointer`. */
function readAnswer(module, pointer) {
  const length = module._calm_out_size();
  return length === 0 ? '' : decoder.decode(module.HEAPU8.subarray(pointer, pointer + length));
}

/** A buffer in wasm memory for short inputs (requests, ids), reused by every call. */
class Scratch {
  constructor(module) {
    this.module = module;
    this.capacity = SCRATCH_BYTES;
    this.pointer = module._malloc(this.capacity);
  }

  /** A pointer to at least `bytes` bytes (the buffer grows up to DIRECT_UNITS * 3). */
  reserve(bytes) {
    if (bytes > this.capacity) {
      this.module._free(this.pointer);
      this.capacity = Math.max(bytes, this.capacity * 2);
      this.pointer = this.module._malloc(this.capacity);
    }
    return this.pointer;
  }

  free() {
    this.module._free(this.pointer);
    this.pointer = 0;
  }
}

/** Text or bytes as embind takes them: text as `wire` says, bytes as they are. */
function wired(input) {
  return typeof input === 'string' ? wire(input) : input;
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
 * for anything else, TOO_LARGE past the engine's string length, TOO_DEEP past
 * its stack. A lone surrogate is written as its `\\u` escape, which the
 * core's parsers refuse.
 */
function toJsonText(value) {
  try {
    const text = JSON.stringify(value, plainData);
    return typeof text === 'string' ? text : NOT_JSON;
  } catch (error) {
    if (!(error instanceof RangeError)) return NOT_JSON;
    if (/string length/i.test(error.message)) return TOO_LARGE;
    return /call stack/i.test(error.message) ? TOO_DEEP : NOT_JSON;
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

// The fast path of `can` and `explain`: the request's strings go into wasm
// memory as UTF-8, described by 32-bit words (core `read_request_words`); the
// core resolves each id once and decides. No JSON either way for `can`.
const ABSENT = 0xffffffff;
// At most this many resource keys, and strings of at most this many UTF-16
// units, take the fast path; anything else is sent as JSON text, whose reader
// answers it (section 11 step 1: the limits, the shapes).
const MAX_FIELDS = 16;
const MAX_UNITS = 1024;
// The words come first in the scratch buffer (7 + 6 per field), the bytes after.
const WORDS_BYTES = 512;
// The words of a decision in parts (`explain`) go at the end of the words'
// room: a request takes at most 7 + 6 * MAX_FIELDS = 103 of its 128 words.
const PARTS = 16;
const PARTS_AT = WORDS_BYTES - PARTS * 4;
const SCRATCH_BYTES = WORDS_BYTES + (3 + 3 * MAX_FIELDS) * MAX_UNITS * 3;
// How `#resolve` found a request: not one to ask by indices; by its first
// five words as arguments (`_calm_check_indexed`); by all its words written
// into memory (`_calm_check_indexed_words`).
const NOT_INDEXED = 0;
const SHORT = 1;
const WORDS = 2;
const SHORT_WORDS = 5;

/**
 * Writes `text` at byte `end` after `b` and its offset and size at word
 * pair `at` after `w`; the new end, or -1 when the text cannot go this way
 * (too long, not well-formed).
 */
function putWords(heap, words, w, b, at, end, text) {
  if (text.length > MAX_UNITS) return -1;
  const n = putText(heap, b + end, text);
  if (n < 0) return -1;
  words[w + at] = end;
  words[w + at + 1] = n;
  return end + n;
}

/**
 * Writes `text` as UTF-8 at `at` in `heap`; the bytes written, or -1 when the
 * text is not well-formed (a lone surrogate: the JSON path refuses it).
 */
function putText(heap, at, text) {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      if (!isWellFormed(text)) return -1;
      return encoder.encodeInto(text, heap.subarray(at, at + n * 3)).written;
    }
    heap[at + i] = c;
  }
  return n;
}

/**
 * Writes an argument as `arg` or `actionArg` gives it (a well-formed string
 * of at most 256 UTF-16 units, or bytes) at `at` in `heap`; the bytes written.
 */
function putArg(heap, at, value) {
  if (typeof value !== 'string') {
    heap.set(value, at);
    return value.length;
  }
  return putText(heap, at, value);
}

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

// The core's numbering, read once per module: reason codes by number (as
// `check` and `capabilityCodes` answer), the number of `allowed`, the number
// of actions. The JS keeps no copy of them.
const tables = new WeakMap();
function tablesOf(module) {
  let t = tables.get(module);
  if (t === undefined) {
    const codes = Object.freeze(JSON.parse(module.reasonCodes()));
    const actions = JSON.parse(module.actions());
    // The resource keys an indexed request may name: key -> [bit, collection of `index`, word].
    const indexed = JSON.parse(module.indexedKeys());
    const keys = new Map(Object.entries(indexed.keys));
    // The members of a decision's `requires` by bit, as `explain`'s parts name them.
    const requirements = JSON.parse(module.requirementKeys());
    t = {
      codes,
      allowed: codes.indexOf('allowed'),
      actions: actions.length,
      actionIndex: indexOf(actions),
      keys,
      indexedWords: indexed.words,
      // The word of an indexed request after which a block's id goes as bytes (offset, size).
      blockTextWord: indexed.keys.block[2] + 1,
      requires: requirements.requires,
      or: requirements.or,
    };
    tables.set(module, t);
  }
  return t;
}

/** id -> its index in `list`. */
function indexOf(list) {
  const map = new Map();
  for (let i = 0; i < list.length; i++) map.set(list[i], i);
  return map;
}

/**
 * The ids of the loaded snapshot by index, as the core numbers them
 * (`ffi::index`): users, sites and every collection an indexed resource key
 * points into, each made a map when first asked. Valid until the next load:
 * commands only append ids, so an id added since is simply not found here.
 */
class IdIndex {
  constructor(native) {
    this.lists = JSON.parse(native.index());
    this.maps = new Map();
    this.users = this.#map('users');
    this.sites = this.#map('sites');
  }

  #map(collection) {
    const map = indexOf(this.lists[collection] ?? []);
    this.maps.set(collection, map);
    return map;
  }

  /** The index of `id` in `collection`, or undefined. */
  find(collection, id) {
    return (this.maps.get(collection) ?? this.#map(collection)).get(id);
  }
}

// Frees the C++ engine of a JS engine that was dropped without dispose().
const finalizer =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry(({ native, scratch }) => {
        if (!native.isDeleted()) native.delete();
        scratch.free();
      })
    : undefined;

class Engine {
  #module;
  #native;
  /** The core's size limits in bytes: `{ snapshot, request, command, question }`. */
  #limits;
  /** The words and bytes of the request being asked, once written (see `#write`). */
  #words = 0;
  #bytes = 0;

  /** The address of the C++ engine, for the plain exports (`Module._calm_*`). */
  #address;
  /** The reused input buffer in wasm memory. */
  #scratch;
  /** The core's tables this engine reads answers with (`tablesOf`). */
  #tables;
  /** The loaded snapshot's ids by index (`IdIndex`), made when first needed after a load. */
  #ids;
  /** The indexed request being asked (`#resolve`): its words, and the id of the block it names. */
  #indices = [];
  #block = undefined;
  /** Bumped by every change of what the engine holds (a load, an applied command). */
  #revision = 0;
  /** Who to tell when the revision changes (`subscribe`). */
  #listeners = new Set();

  constructor(module) {
    this.#module = module;
    this.#tables = tablesOf(module);
    this.#indices = new Array(this.#tables.indexedWords).fill(ABSENT);
    this.#limits = JSON.parse(module.limits());
    this.#native = new module.Engine();
    this.#address = this.#native.address();
    this.#scratch = new Scratch(module);
    finalizer?.register(this, { native: this.#native, scratch: this.#scratch }, this);
  }

  /**
   * Writes the request of `can` / `explain` into the scratch buffer as words
   * over bytes; false when it is not one the fast path takes (then the JSON
   * path answers): a non-string id, a non-plain target, a resource value
   * that is neither a string nor `{ record, block }` strings, a string that
   * is not well-formed or very long, many keys, a getter that throws.
   */
  #write(user, action, target) {
    try {
      return this.#put(user, action, target);
    } catch {
      return false; // a proxy or a getter that throws: the JSON path refuses it
    }
  }

  /**
   * The verdict's code of a request asked by indices: when its user, action,
   * site and resources are all known ids and at most one resource is named
   * by its id; -1 otherwise (the words path then asks it, and answers
   * unknown ids).
   */
  #checkIndexed(user, action, target) {
    const form = this.#resolve(user, action, target);
    if (form === NOT_INDEXED) return -1;
    const q = this.#indices;
    const m = this.#module;
    if (form === SHORT) return m._calm_check_indexed(this.#address, q[0], q[1], q[2], q[3], q[4]);
    if (!this.#writeIndexed()) return -1;
    const p = this.#scratch.pointer;
    return m._calm_check_indexed_words(this.#address, p, p + WORDS_BYTES, this.#bytes);
  }

  /**
   * Reads the request as an indexed request (core `read_indexed_words`) into
   * `#indices` and `#block` when its user, action, site and resources are
   * all known ids and at most one resource is named by its id: SHORT when
   * it needs only the first five words (user, action, site, key bits, the
   * resource named by id), which go into the wasm as arguments, WORDS when
   * it names a block, a module or a role (`#writeIndexed`); NOT_INDEXED
   * otherwise (the words path then asks it, and answers unknown ids). Which
   * word holds each key's value, and the list its index points into, is the
   * core's (`indexedKeys`).
   */
  #resolve(user, action, target) {
    try {
      if (typeof user !== 'string' || typeof action !== 'string') return NOT_INDEXED;
      const a = this.#tables.actionIndex.get(action);
      if (a === undefined) return NOT_INDEXED;
      const ids = (this.#ids ??= new IdIndex(this.#native));
      const u = ids.users.get(user);
      if (u === undefined) return NOT_INDEXED;
      const q = this.#indices;
      q[0] = u;
      q[1] = a;
      q[2] = ABSENT;
      q[3] = 0;
      q[4] = ABSENT;
      let form = SHORT;
      if (typeof target === 'string') {
        const site = ids.sites.get(target);
        if (site === undefined) return NOT_INDEXED;
        q[2] = site;
      } else if (isPlainObject(target)) {
        for (const name in target) {
          if (!Object.hasOwn(target, name)) continue;
          const value = target[name];
          if (value === undefined) continue; // as JSON.stringify drops it
          if (name === 'site') {
            if (typeof value !== 'string') return NOT_INDEXED;
            const site = ids.sites.get(value);
            if (site === undefined) return NOT_INDEXED;
            q[2] = site;
            continue;
          }
          const spec = this.#tables.keys.get(name); // [bit, collection, word]
          if (spec === undefined) return NOT_INDEXED; // a key the core does not index
          const at = spec[2];
          if (at >= SHORT_WORDS && form === SHORT) {
            form = WORDS;
            q.fill(ABSENT, SHORT_WORDS);
            this.#block = undefined;
          }
          if (q[at] !== ABSENT) return NOT_INDEXED; // a second resource named by its id
          if (name !== 'block') {
            if (typeof value !== 'string') return NOT_INDEXED;
            const i = ids.find(spec[1], value);
            if (i === undefined) return NOT_INDEXED;
            q[at] = i;
          } else {
            // `{ record, block }`: the record by its index, the block by its id.
            if (!isPlainObject(value) || Object.keys(value).length !== 2) return NOT_INDEXED;
            if (typeof value.record !== 'string' || typeof value.block !== 'string') return NOT_INDEXED;
            const record = ids.find(spec[1], value.record);
            if (record === undefined) return NOT_INDEXED;
            q[at] = record;
            this.#block = value.block;
          }
          q[3] |= spec[0];
        }
      } else if (target !== undefined && target !== null) {
        return NOT_INDEXED;
      }
      return form;
    } catch {
      return NOT_INDEXED; // a getter or a proxy that throws: the other paths refuse it
    }
  }

  /**
   * Writes `#indices` (and `#block`'s id as bytes after them) as the words of
   * an indexed request at the start of the scratch buffer; false when the
   * block's id is not well-formed (the words path then asks it).
   */
  #writeIndexed() {
    const m = this.#module;
    const words = m.HEAPU32;
    const w = this.#scratch.pointer >> 2;
    const q = this.#indices;
    for (let i = 0; i < q.length; i++) words[w + i] = q[i];
    this.#bytes = 0;
    if (this.#block === undefined) return true;
    const at = this.#tables.blockTextWord;
    this.#bytes = putWords(m.HEAPU8, words, w, this.#scratch.pointer + WORDS_BYTES, at, 0, this.#block);
    return this.#bytes >= 0;
  }

  #put(user, action, target) {
    if (typeof user !== 'string' || typeof action !== 'string') return false;
    const m = this.#module;
    const base = this.#scratch.pointer;
    const words = m.HEAPU32;
    const heap = m.HEAPU8;
    const w = base >> 2;
    const b = base + WORDS_BYTES;
    let end = putWords(heap, words, w, b, 0, 0, user);
    if (end >= 0) end = putWords(heap, words, w, b, 2, end, action);
    if (end < 0) return false;
    words[w + 5] = ABSENT;
    let fields = 0;
    if (typeof target === 'string') {
      end = putWords(heap, words, w, b, 4, end, target);
    } else if (isPlainObject(target)) {
      for (const name in target) {
        if (!Object.hasOwn(target, name)) continue;
        const value = target[name];
        if (value === undefined) continue; // as JSON.stringify drops it
        if (name === 'site') {
          if (typeof value !== 'string') return false;
          end = putWords(heap, words, w, b, 4, end, value);
          if (end < 0) return false;
          continue;
        }
        if (fields === MAX_FIELDS) return false;
        const at = 7 + fields * 6;
        end = putWords(heap, words, w, b, at, end, name);
        if (typeof value === 'string') {
          if (end >= 0) end = putWords(heap, words, w, b, at + 2, end, value);
          words[w + at + 5] = ABSENT;
        } else if (isPlainObject(value)) {
          if (Object.keys(value).length !== 2 || typeof value.record !== 'string' || typeof value.block !== 'string') {
            return false;
          }
          if (end >= 0) end = putWords(heap, words, w, b, at + 2, end, value.record);
          if (end >= 0) end = putWords(heap, words, w, b, at + 4, end, value.block);
        } else {
          return false;
        }
        if (end < 0) return false;
        fields++;
      }
    } else if (target !== undefined && target !== null) {
      return false;
    }
    if (end < 0) return false;
    words[w + 6] = fields;
    this.#words = 7 + fields * 6;
    this.#bytes = end;
    return true;
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
      return call(input);
    }
    if (input.byteLength > limit) return this.#module.oversize(kind);
    return call(input);
  }

  /** `call(pointer, length)` on `input` written into wasm memory; the answer's text. */
  #through(input, call) {
    this.#engine();
    return throughMemory(this.#module, this.#scratch, input, call);
  }

  load(snapshot) {
    const m = this.#module;
    const at = this.#address;
    const answer = JSON.parse(
      this.#within('snapshot', snapshotInput(snapshot), (input) =>
        this.#through(input, (pointer, length) => m._calm_load(at, pointer, length)),
      ),
    );
    if (answer.ok) {
      this.#ids = undefined; // the new snapshot numbers its ids afresh
      this.#changed();
      return { ok: true, errors: [], stats: answer.stats };
    }
    return { ok: false, errors: answer.errors };
  }

  decideJson(requestText) {
    const m = this.#module;
    const at = this.#address;
    const text = typeof requestText === 'string' || isBytes(requestText) ? requestText : NOT_JSON;
    return this.#within('request', text, (input) =>
      this.#through(input, (pointer, length) => m._calm_decide(at, pointer, length)),
    );
  }

  decide(request) {
    return this.#decide(request) ?? JSON.parse(this.decideJson(toJsonText(request)));
  }

  /**
   * `decide` of a plain request `{ user, action, site?, resource? }` of
   * strings (and `{ record, block }`) asked as `explain` asks it, without
   * JSON text; undefined for anything else, which the JSON reader judges (a
   * fifth key, a `site` inside `resource`, a value that is not a string).
   */
  #decide(request) {
    try {
      if (!isPlainObject(request)) return undefined;
      let user;
      let action;
      let site;
      let resource;
      for (const key in request) {
        if (!Object.hasOwn(request, key)) continue;
        const value = request[key];
        if (value === undefined) continue; // as JSON.stringify drops it
        if (key === 'user') user = value;
        else if (key === 'action') action = value;
        else if (key === 'site') site = value;
        else if (key === 'resource') resource = value;
        else return undefined;
      }
      if (typeof user !== 'string' || typeof action !== 'string') return undefined;
      if (site !== undefined && typeof site !== 'string') return undefined;
      let target = site;
      if (resource !== undefined) {
        if (!isPlainObject(resource) || Object.hasOwn(resource, 'site')) return undefined;
        target = site === undefined ? resource : { ...resource, site };
      }
      return this.#explain(user, action, target);
    } catch {
      return undefined; // a getter or a proxy that throws: the JSON path refuses it
    }
  }

  // The same answer as `explain(...).allowed`, without rendering a decision
  // or any JSON.
  can(user, action, target) {
    const code = this.#check(user, action, target);
    return code >= 0 ? code === this.#tables.allowed : this.explain(user, action, target).allowed === true;
  }

  // The same answer as `explain(...).code`: the verdict's code only, its
  // message rendered on demand by `explain`.
  check(user, action, target) {
    const code = this.#check(user, action, target);
    return code >= 0 ? this.#tables.codes[code] : this.explain(user, action, target).code;
  }

  /**
   * The decision `core::ffi::decision_parts` left at word `w` (code, the
   * `requires` members present, the UTF-16 length of each text piece) and in
   * the answer buffer (the pieces), as the object `decide` parses from JSON.
   */
  #decisionOf(w) {
    const m = this.#module;
    const words = m.HEAPU32;
    const t = this.#tables;
    const text = readAnswer(m, m._calm_out());
    let at = 0;
    let i = w + 2;
    const piece = () => {
      const end = at + words[i++];
      const value = text.slice(at, end);
      at = end;
      return value;
    };
    const rule = piece();
    const message = piece();
    const requires = {};
    const flags = words[w + 1];
    for (let b = 0; b < t.requires.length; b++) {
      if ((flags & (1 << b)) === 0) continue;
      const key = t.requires[b];
      if (key === 'owner') {
        requires.owner = true;
      } else if (key === 'or') {
        const or = {};
        for (const name of t.or) or[name] = piece();
        requires.or = or;
      } else {
        requires[key] = piece();
      }
    }
    const code = words[w];
    return { allowed: code === t.allowed, code: t.codes[code], message, requires, rule };
  }

  /** The verdict's code number on a fast path, or -1 when the request takes neither. */
  #check(user, action, target) {
    this.#engine();
    const indexed = this.#checkIndexed(user, action, target);
    if (indexed >= 0) return indexed;
    if (!this.#write(user, action, target)) return -1;
    const p = this.#scratch.pointer;
    return this.#module._calm_check(this.#address, p, this.#words, p + WORDS_BYTES, this.#bytes);
  }

  // The same decision as `decide`; the request goes in without JSON, and
  // the decision comes back in parts (no JSON either way).
  explain(user, action, target) {
    const fast = this.#explain(user, action, target);
    if (fast !== undefined) return fast;
    let request;
    try {
      request = toRequest(user, action, target);
    } catch {
      return JSON.parse(this.decideJson(NOT_JSON)); // a target whose reading throws
    }
    return JSON.parse(this.decideJson(toJsonText(request)));
  }

  /** `explain` on the paths without JSON text in; undefined when the request takes none of them. */
  #explain(user, action, target) {
    this.#engine();
    const form = this.#resolve(user, action, target);
    if (form !== NOT_INDEXED) {
      const m = this.#module;
      const p = this.#scratch.pointer;
      const q = this.#indices;
      let n = -1;
      if (form === SHORT) {
        n = m._calm_explain_indexed_parts(this.#address, q[0], q[1], q[2], q[3], q[4], p + PARTS_AT, PARTS);
      } else if (this.#writeIndexed()) {
        n = m._calm_explain_indexed_words_parts(this.#address, p, p + WORDS_BYTES, this.#bytes, p + PARTS_AT, PARTS);
      }
      if (n >= 0) return this.#decisionOf((p + PARTS_AT) >> 2);
    }
    if (this.#write(user, action, target)) {
      const m = this.#module;
      const p = this.#scratch.pointer;
      const at = this.#address;
      const n = m._calm_explain_parts(at, p, this.#words, p + WORDS_BYTES, this.#bytes, p + PARTS_AT, PARTS);
      if (n >= 0) return this.#decisionOf((p + PARTS_AT) >> 2);
      const text = readAnswer(m, m._calm_explain(at, p, this.#words, p + WORDS_BYTES, this.#bytes));
      if (text !== '') return JSON.parse(text);
    }
    return undefined;
  }

  assertCan(user, action, target) {
    const decision = this.explain(user, action, target);
    if (decision.allowed !== true) throw new ForbiddenError(decision);
    return decision;
  }

  capabilities(user, siteId) {
    const [u, uLength, site, siteLength] = this.#putIds(user, siteId);
    const m = this.#module;
    const answer = JSON.parse(readAnswer(m, m._calm_capabilities(this.#address, u, uLength, site, siteLength)));
    if (!answer.ok) throw new QueryError(answer.errors);
    return answer.value;
  }

  // `capabilities` as one byte per action (the verdict's code number): no
  // JSON, no message.
  capabilityCodes(user, siteId) {
    const [u, uLength, site, siteLength, free] = this.#putIds(user, siteId);
    const m = this.#module;
    const n = m._calm_capability_codes(this.#address, u, uLength, site, siteLength, free, this.#tables.actions);
    return m.HEAPU8.slice(free, free + n);
  }

  // One action's entry of `capabilities`, its message rendered on demand.
  capability(user, siteId, action) {
    const [u, uLength, site, siteLength, free] = this.#putIds(user, siteId);
    const m = this.#module;
    const a = putArg(m.HEAPU8, free, actionArg(action));
    return JSON.parse(readAnswer(m, m._calm_capability(this.#address, u, uLength, site, siteLength, free, a)));
  }

  /** The codes of `check` and `capabilityCodes` by number, as the core numbers them. */
  reasonCodes() {
    return [...this.#tables.codes];
  }

  /**
   * Writes the ids `user` and `site` (as `arg` takes them) one after the
   * other into the scratch buffer: `[userAt, userLength, siteAt, siteLength,
   * freeAt]`, `freeAt` the first byte after them.
   */
  #putIds(user, site) {
    this.#engine();
    const heap = this.#module.HEAPU8;
    const u = this.#scratch.pointer;
    const uLength = putArg(heap, u, arg(user));
    const s = u + uLength;
    const sLength = putArg(heap, s, arg(site));
    return [u, uLength, s, sLength, s + sLength];
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
    const result = JSON.parse(this.#within('command', toJsonText(command), (t) => engine.apply(wired(t))));
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
    return JSON.parse(this.#within('command', toJsonText(command), (t) => engine.dryRun(wired(t))));
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
    return unwrap(this.#within('question', toJsonText(request), (t) => engine.whoCan(wired(t))));
  }

  sitesWhere(user, action) {
    return unwrap(this.#engine().sitesWhere(arg(user), actionArg(action)));
  }

  whatIf(editor, change) {
    const engine = this.#engine();
    return unwrap(this.#within('question', toJsonText(change), (t) => engine.whatIf(arg(editor), wired(t))));
  }

  dispose() {
    if (this.#native === undefined) return;
    this.#listeners.clear();
    finalizer?.unregister(this);
    this.#native.delete();
    this.#native = undefined;
    this.#scratch.free();
  }
}

if (typeof Symbol.dispose === 'symbol') {
  Engine.prototype[Symbol.dispose] = Engine.prototype.dispose;
}

export async function createEngine(options = {}) {
  const module = await loadModule(options ?? {});
  return new Engine(module);
}
