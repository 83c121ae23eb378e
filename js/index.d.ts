// Hand-written types for calm-access (our Emscripten predates embind's
// TypeScript generation). Guarded by tests/types (tsc --noEmit) and by
// tests/js/api.test.mjs, which checks `ActionId` against the engine's table.

/**
 * Every action id of the engine's action table (ACCESS.md sections 3-8).
 * `engine.actions()` returns the same ids at run time.
 */
export type ActionId =
  | 'training.course.complete'
  | 'training.progress.view_own'
  | 'training.insights.view'
  | 'training.profile.view'
  | 'training.course.view'
  | 'training.course.create'
  | 'training.course.edit'
  | 'training.course.publish'
  | 'training.course.archive'
  | 'training.course.assign'
  | 'training.course.delete'
  | 'training.result.record'
  | 'training.assessment.review'
  | 'training.quiz.manage'
  | 'training.integration.connect'
  | 'training.integration.sync'
  | 'personnel.record.view'
  | 'personnel.record.view_assets'
  | 'personnel.record.create'
  | 'personnel.record.edit'
  | 'personnel.record.delete'
  | 'personnel.training.view'
  | 'personnel.company.view'
  | 'personnel.comment.add'
  | 'personnel.comment.view'
  | 'personnel.insights.view'
  | 'personnel.block.view'
  | 'personnel.file.view'
  | 'personnel.block.manage'
  | 'personnel.file.manage'
  | 'personnel.sensitive.view'
  | 'personnel.company.manage'
  | 'personnel.company.delete'
  | 'personnel.contact.delete'
  | 'personnel.settings.view'
  | 'personnel.settings.edit'
  | 'personnel.training.manage'
  | 'site.update'
  | 'site.users.manage'
  | 'site.integrations.manage'
  | 'users.view'
  | 'users.access.view'
  | 'users.access.edit'
  | 'users.access.set'
  | 'users.owner.set'
  | 'users.owner.unset';

/** The stable reason code of a denial (ACCESS.md section 7), in priority order. */
export type DenialCode =
  | 'invalid-request'
  | 'unknown-action'
  | 'unknown-user'
  | 'unknown-site'
  | 'unknown-resource'
  | 'unknown-module'
  | 'not-entitled'
  | 'missing-role'
  | 'missing-site-permission'
  | 'not-assigned'
  | 'not-own-thread'
  | 'not-own-fulfillment'
  | 'external-course'
  | 'integration-not-connected'
  | 'escalation'
  | 'invalid-state';

/** Every reason code: a denial code, or `allowed`. */
export type DecisionCode = DenialCode | 'allowed';

/** A module role, ordered `none` < `member` < `manager` < `admin`. */
export type Role = 'none' | 'member' | 'manager' | 'admin';

/**
 * A module id. `site`, `personnel` and `premises` are always known; any other
 * id the snapshot names (in entitlements, grants or templates) is too.
 */
export type ModuleId = 'site' | 'personnel' | 'premises' | (string & {});

/** A site permission (ACCESS.md section 3). */
export type SitePermission = 'update-site' | 'manage-users' | 'manage-integrations';

/** A block of a personnel record. */
export interface BlockRef {
  /** The record's id. */
  record: string;
  /** The block's id on that record. */
  block: string;
}

/**
 * The resource of a request (ACCESS.md section 8). Each action takes exactly
 * its own keys; another key, or a missing required one, is `invalid-request`.
 */
export interface Resource {
  /** A training course id. */
  course?: string;
  /** A fulfillment id (one person's obligation to complete a course). */
  fulfillment?: string;
  /** A personnel record id. */
  record?: string;
  /** A block of a record; its `record` must equal `record` when both are given. */
  block?: BlockRef;
  /** The id of the root comment of a comment thread. */
  thread?: string;
  /** A company id. */
  company?: string;
  /** The user whose access is being viewed or edited (`users.access.*`, `users.owner.*`). */
  target?: string;
  /** The module of the role being set (`users.access.set`). */
  module?: ModuleId;
  /** The role being set (`users.access.set`). */
  role?: Role;
}

/**
 * One decision request (ACCESS.md section 8). `site` may be left out when the
 * resource belongs to a site, and for the organisation-level `users.owner.*`.
 */
export interface DecisionRequest {
  /** The acting user's id. */
  user: string;
  /** The action id. */
  action: ActionId;
  /** The site the action is asked at. */
  site?: string;
  /** The resource the action is about. */
  resource?: Resource;
}

/**
 * Where a check is asked for `can`, `explain` and `assertCan`: a site id, or
 * an object whose `site` becomes the request's site and whose other keys
 * become its resource.
 *
 * @example `'north'`, `{ course: 'c-7' }`, `{ site: 'north', target: 'u-2', module: 'personnel', role: 'manager' }`
 */
export type Target = string | (Resource & { site?: string });

/** What would allow a denied request; keys are present only where they apply. */
export interface Requirements {
  /** The module the organisation would need to be entitled to. */
  entitlement?: string;
  /** The module whose role is needed. */
  module?: ModuleId;
  /** The role needed for `module`. */
  role?: Role;
  /** The site where it is needed. */
  site?: string;
  /** The site permission needed. */
  sitePermission?: SitePermission;
  /**
   * A resource condition: the learner is assigned the course, the thread or
   * the fulfillment is the actor's own, the course is a Calm course (not an
   * external one).
   */
  condition?: 'assigned' | 'own-thread' | 'own-fulfillment' | 'calm-course';
  /** The alternative that also allows it (a personnel manager at the site). */
  or?: { module: ModuleId; role: Role; site: string };
  /** The integration that must be connected at `site`. */
  integration?: 'ihasco';
  /** For `unknown-*`: the request field that named the unknown id (`course`, `record`, `block`, ...). */
  resource?: string;
  /** True when only an owner may do it. */
  owner?: true;
}

/** A decision that allows. */
export interface Allowed {
  /** Always true. */
  allowed: true;
  /** Always `allowed`. */
  code: 'allowed';
  /** A one-line human message. */
  message: string;
  /** The rule id that decided (e.g. `T6`). */
  rule: string;
  /** What the request needed (and had). */
  requires: Requirements;
}

/** A decision that denies. */
export interface Denied {
  /** Always false. */
  allowed: false;
  /** The stable reason code. */
  code: DenialCode;
  /** A one-line human message (the exact P17 text where it applies). */
  message: string;
  /** The rule id that decided (e.g. `A8`, `T7`, `S2`). */
  rule: string;
  /** What would have allowed it. */
  requires: Requirements;
}

/** An explained decision: total, default deny (ACCESS.md section 7). */
export type Decision = Allowed | Denied;

/** One problem with an input, naming its JSON Pointer. */
export interface InputError {
  /** Stable machine code, e.g. `wrong-type`, `missing-field`, `dangling-reference`. */
  code: string;
  /** JSON Pointer of the offending value, e.g. `/grants/3/role` (empty for the document). */
  path: string;
  /** One-line human message. */
  message: string;
}

/** Counts of what a snapshot holds, as reported by the engine. */
export type LoadStats = Record<string, number>;

/**
 * The outcome of `load`. A failed load leaves the previous snapshot in force;
 * its errors name JSON paths and what was expected.
 */
export type LoadResult =
  | { ok: true; errors: []; stats: LoadStats }
  | { ok: false; errors: InputError[] };

/** A site of the snapshot's forest. */
export interface SnapshotSite {
  id: string;
  name?: string;
  /** The parent site's id; absent for a root. */
  parent?: string;
  [key: string]: unknown;
}

/** A direct grant (user, site, module, role, includeChildSites). */
export interface SnapshotGrant {
  user: string;
  site: string;
  module: ModuleId;
  role: Role;
  /** Gives the role at every descendant site too (A3); default false. */
  includeChildSites?: boolean;
  [key: string]: unknown;
}

/** What the server adds to a viewer snapshot (SERVER.md V5); by default the state's own. */
export interface ViewerSnapshotOptions {
  /** The revision the snapshot is served at: an integer from 0 to 2^53 - 1. */
  revision?: number;
  /** When the server made the snapshot (ISO-8601); the engine never reads a clock. */
  issuedAt?: string;
}

/**
 * A snapshot, version 1 (SNAPSHOT.md): the whole world the engine decides on.
 * Only the required top-level keys are typed closely; the engine validates the
 * rest and reports each problem with its JSON path.
 */
export interface Snapshot {
  version: 1;
  /** The server's revision (SERVER.md V5): the sequence number of the last command it applied. */
  revision?: number;
  /** A viewer snapshot's: the blocks its viewer revealed (PW2), whose `data` it carries. */
  revealed?: Array<{ user: string; record: string; block: string }>;
  organisation: {
    id: string;
    name?: string;
    /** The modules the subscription includes; `site` is always entitled. */
    entitlements?: string[];
    /** User ids that hold `admin` for every module at every site (A6). */
    owners?: string[];
    [key: string]: unknown;
  };
  sites: SnapshotSite[];
  users: Array<{ id: string; name?: string; email?: string; [key: string]: unknown }>;
  grants: SnapshotGrant[];
  groups?: Array<{ id: string; name?: string; site: string; members: string[]; [key: string]: unknown }>;
  templates?: Array<{ id: string; name?: string; roles: Record<string, Role>; [key: string]: unknown }>;
  /** Per site id: `{ personnel: { restrictCommentViewing?, autoCreateRecords?, inboundEmailComments?, notifications? } }`. */
  settings?: Record<string, { personnel?: Record<string, unknown>; [key: string]: unknown }>;
  /** Per site id: `{ ihasco: { connected } }`. */
  integrations?: Record<string, { ihasco?: { connected?: boolean; [key: string]: unknown }; [key: string]: unknown }>;
  /** Courses, assignments, fulfillments, attempts, results (TRAINING.md). */
  training?: Record<string, unknown>;
  /** Records, companies, comments (PERSONNEL.md). */
  personnel?: Record<string, unknown>;
  /** When the server made the snapshot (ISO-8601). */
  issuedAt?: string;
  /** Until when it may be trusted offline (ISO-8601). */
  validUntil?: string;
}

/** Where one effective role came from. */
export interface RoleSource {
  /** A direct grant, a cascading grant at an ancestor, implied by a child site's role, or ownership. */
  kind: 'direct' | 'cascade' | 'implied' | 'owner';
  /** The role this source gives. */
  role: Role;
  /** The grant's site for `cascade`, the child site for `implied`. */
  from?: string;
  /** For `direct`: true when the grant also gives the role at every child site (A3). */
  includeChildSites?: true;
}

/** One row of the View Access table: the effective role of a module at a site. */
export interface EffectiveRole {
  /** The site id. */
  site: string;
  /** The module id. */
  module: ModuleId;
  /** The effective role (A1-A7); `none` when the module is not entitled. */
  role: Role;
  /** Whether the organisation is entitled to the module (A7). */
  entitled: boolean;
  /** Every source, combined by maximum (A5). */
  sources: RoleSource[];
}

/** Every action with its decision for one user at one site. */
export type Capabilities = Record<ActionId, Decision>;

/** A workflow command (TRAINING.md, PERSONNEL.md, ACCESS.md section 10): `{ id, type, actor, at, ...fields }`. */
export interface Command {
  /** Client-made, unique: the same id applied twice changes nothing the second time. */
  id: string;
  /** e.g. `course.publish`, `step.complete`, `block.reveal`, `access.set`. */
  type: string;
  /** The user the command is made by; it is checked with the decision function. */
  actor: string;
  /** ISO-8601 timestamp from the caller: the engine never reads a clock. */
  at: string;
  [field: string]: unknown;
}

/** An event of a successful command, for the audit log and the UI. */
export interface WorkflowEvent {
  type: string;
  actor: string;
  at: string;
  subject: string;
  site: string | null;
  details: Record<string, unknown>;
}

/** The answer to a command: applied whole (with events), or refused with nothing changed. */
export type CommandResult =
  | { ok: true; events: WorkflowEvent[]; result?: Record<string, unknown>; duplicate?: true }
  | {
      ok: false;
      decision?: Denied | (Omit<Denied, 'code'> & { code: 'invalid-state' });
      /**
       * With `decision`: the JSON Pointer of the part of the command refused, when
       * not the whole command (`/changes/2`: the third change of an `access.batch`).
       */
      path?: string;
      errors?: InputError[];
    };

/** The type of an access change (ACCESS.md section 10). */
export type AccessChangeType =
  | 'access.set'
  | 'access.setAll'
  | 'access.applyTemplate'
  | 'access.remove'
  | 'owner.set'
  | 'owner.unset';

/**
 * One change of an `access.batch` (and of `whatIf`): an access command
 * without `id`, `actor`, `at` and `user` (the batch names the user once).
 * `includeChildSites` (default false) makes every grant the change stands for
 * cascade to the child sites (`access.set`, `access.setAll`, `access.applyTemplate`).
 */
export interface AccessBatchChange {
  type: AccessChangeType;
  site?: string;
  module?: string;
  role?: Role;
  includeChildSites?: boolean;
  template?: string;
}

/** An access change previewed by `whatIf`: an access command without `id`, `actor`, `at`. */
export interface AccessChange extends AccessBatchChange {
  user: string;
}

/**
 * The fields of an `access.batch` command, and the input of `whatIf`: several
 * changes to one user's access, checked one after the other against the state
 * the earlier ones left, and applied whole or refused whole.
 *
 * @example
 * engine.apply({ id, type: 'access.batch', actor, at, user: 'u-2',
 *   changes: [{ type: 'access.set', site: 'north', module: 'personnel', role: 'manager' },
 *             { type: 'access.applyTemplate', site: 'south', template: 'tpl-staff', includeChildSites: true }] });
 */
export interface AccessBatch {
  /** The user whose access changes. */
  user: string;
  /** At least one change, in order. */
  changes: AccessBatchChange[];
}

/** The answer of `whatIf`: whether the editor may make the changes, and what their sum would change. */
export interface WhatIf {
  allowed: boolean;
  /** The first refusal (S1/S2, or an owner rule), when not allowed. */
  decision?: Decision;
  /** With `decision`, for a batch: which change was refused (`/changes/<i>`). */
  path?: string;
  changes: { user: string; site: string; gained: ActionId[]; lost: ActionId[] }[];
}

// ---- The answers of the views and questions (the core's typed answers,
// written by its JSON layer, calm/ffi.hpp). tests/js/types-drift.test.mjs
// checks real answers against these types, so that they cannot drift. ----

/** Free-form data of the snapshot (block data, custom fields, ...), passed through as given. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A free-form JSON object of the snapshot. */
export type JsonObject = { [key: string]: JsonValue };

/** The state of a fulfillment (TRAINING.md). */
export type FulfillmentStatus = 'not_started' | 'in_progress' | 'completed' | 'withdrawn';
/** Where a course comes from. */
export type CourseSource = 'calm' | 'ihasco';
/** The state of a course. */
export type CourseStatus = 'draft' | 'published' | 'archived';
/** The kind of a course step. */
export type StepType = 'content' | 'video' | 'document' | 'assessment';
/** How a training result was recorded. */
export type ResultSource = 'course' | 'manual' | 'ihasco';
/** A result on the view's date (W12): `expiring` within 30 days of `expiresOn`. */
export type ResultState = 'valid' | 'expiring' | 'expired';
/** The type of a personnel record's block (PERSONNEL.md). */
export type BlockType =
  | 'employment'
  | 'emergency-contact'
  | 'qualification'
  | 'dbs'
  | 'right-to-work'
  | 'financial'
  | 'identity'
  | 'other';

/** One fulfillment as `myCourses` and `trainingOf` give it. */
export interface FulfillmentItem {
  /** The fulfillment's id (opaque: read `assignment` and `user`, never parse it). */
  fulfillment: string;
  /** The assignment it fulfills, when it has one. */
  assignment?: string;
  /** The learner. */
  user: string;
  course: string;
  /** The course's title. */
  title: string;
  /** The course's site. */
  site: string;
  source: CourseSource;
  status: FulfillmentStatus;
  /** Open and past its due date on the view's date. */
  overdue: boolean;
  /** Steps done out of all steps (an assessment step is done once passed). */
  progress: { done: number; total: number };
  dueDate?: string;
  completedAt?: string;
  /** The T1 decision, on the open and overdue items of `myCourses` only. */
  canComplete?: Decision;
}

/** One training result (certificate) as the training views give it. */
export interface ResultItem {
  result: string;
  title: string;
  completedOn: string;
  state: ResultState;
  source: ResultSource;
  course?: string;
  /** The fulfillment whose completion recorded it, when one did. */
  fulfillment?: string;
  score?: number;
  expiresOn?: string;
  /** The file the snapshot names, as given. */
  file?: JsonValue;
}

/** `myCourses`: My Courses / Inbox (T2). */
export interface MyCourses {
  user: string;
  date: string;
  open: FulfillmentItem[];
  overdue: FulfillmentItem[];
  completed: FulfillmentItem[];
  /** Results within 30 days of expiring. */
  expiring: ResultItem[];
  expired: ResultItem[];
}

/** One question of an assessment. */
export interface QuestionView {
  id: string;
  text: string;
  kind: 'single' | 'multiple';
  options: { id: string; text: string }[];
  /** The answer key: for quiz managers only (T11). */
  correct?: string[];
}

/** The assessment of a step. */
export interface AssessmentView {
  passMark: number;
  maxAttempts: number;
  questions: QuestionView[];
}

/** One step of a course. */
export interface StepView {
  id: string;
  type: StepType;
  title: string;
  body?: string;
  url?: string;
  /** The file the snapshot names, as given. */
  file?: JsonValue;
  assessment?: AssessmentView;
}

/** `course`: one course as the viewer may see it (T5). */
export interface CourseView {
  id: string;
  site: string;
  title: string;
  description: string;
  source: CourseSource;
  status: CourseStatus;
  /** The viewer may not edit it. */
  readOnly: boolean;
  steps: StepView[];
  externalId?: string;
  validityMonths?: number;
}

/** One attempt at an assessment step. */
export interface AttemptItem {
  attempt: string;
  step: string;
  at: string;
  /** Question id -> the option ids chosen. */
  answers: Record<string, string[]>;
  /** Awaiting grading: then no `score` or `passed`. */
  pending?: true;
  score?: number;
  passed?: boolean;
}

/** `attempts`: the attempts on one fulfillment. */
export interface Attempts {
  fulfillment: string;
  /** The learner. */
  user: string;
  attempts: AttemptItem[];
}

/** Fulfillment and result counts of an Insights row (W15). */
export interface Counts {
  notStarted: number;
  inProgress: number;
  overdue: number;
  completed: number;
  withdrawn: number;
  resultsExpiring: number;
  resultsExpired: number;
  /** Completed out of assigned (withdrawn aside); null when none is assigned. */
  completionRate: number | null;
}

/** One course row of Insights. */
export interface CourseCounts extends Counts {
  course: string;
  title: string;
  site: string;
  /** The course was deleted (W5): its rows are history. */
  deleted?: true;
}

/** One person row of Insights. */
export interface PersonCounts extends Counts {
  user: string;
  name: string;
}

/** `insights`: Training Insights (W15, T3). */
export interface Insights {
  site: string;
  date: string;
  /** The sites counted (with `includeChildSites`, the descendants where the viewer holds T3 too). */
  sites: string[];
  totals: Counts;
  courses: CourseCounts[];
  people: PersonCounts[];
}

/** `trainingOf`: a person's training on their People profile (T4). */
export interface TrainingOf {
  /** The person's user id. */
  person: string;
  name: string;
  fulfillments: FulfillmentItem[];
  results: ResultItem[];
}

/** A block of a record as the viewer may see it: its data, or masked until revealed (P16, PW2). */
export type BlockView = {
  id: string;
  type: BlockType;
  title: string;
  sensitive: boolean;
} & (
  | { masked: true; /** The viewer may reveal it (`block.reveal`). */ canReveal: boolean; data?: never }
  | { masked?: never; canReveal?: never; data: JsonObject }
);

/** A file of a record. */
export interface FileView {
  id: string;
  name: string;
  sensitive: boolean;
}

/** A reply in a comment thread. */
export interface ReplyView {
  id: string;
  /** The author's user id. */
  author: string;
  /** The comment it answers. */
  parent: string;
  body: string;
  createdAt: string;
}

/** A comment thread the viewer may see (P6): its root comment and the replies. */
export interface ThreadView {
  /** The root comment's id (the thread's id). */
  id: string;
  author: string;
  body: string;
  createdAt: string;
  replies: ReplyView[];
}

/** An asset on a record (P2). */
export type Asset = { id: string } & JsonObject;

/** `record`: a personnel record shaped for the viewer (PW1). */
export interface RecordView {
  id: string;
  site: string;
  name: string;
  status: string;
  /** The user the record is of, when it is of one. */
  user?: string;
  email?: string;
  customFields: JsonObject;
  blocks: BlockView[];
  files: FileView[];
  /** With P2 only. */
  assets?: Asset[];
  /** With P4 only. */
  companies?: { id: string; name: string }[];
  threads: ThreadView[];
}

/** One row of the People list. */
export interface PersonItem {
  /** The record's id. */
  id: string;
  name: string;
  status: string;
  user?: string;
  email?: string;
}

/** `people`: the People list of a site (P1). */
export interface People {
  site: string;
  people: PersonItem[];
}

/** A contact of a company. */
export interface ContactView {
  id: string;
  name?: string;
  email?: string;
  phone?: string;
}

/** `company`: a company as the viewer may see it (P4). */
export interface CompanyView {
  id: string;
  site: string;
  name: string;
  details: JsonObject;
  contacts: ContactView[];
  /** With P11 only. */
  sensitive?: JsonObject;
}

/** `comments`: the comment threads of a record the viewer may see (P6). */
export interface Comments {
  record: string;
  threads: ThreadView[];
}

/** `personnelSettings`: Settings > Personnel of a site (P14). */
export interface PersonnelSettingsView {
  site: string;
  restrictCommentViewing: boolean;
  autoCreateRecords: boolean;
  inboundEmailComments: boolean;
  notifications: JsonObject;
  /** Whether the viewer may edit them (P15). */
  canEdit: Decision;
}

/** One user `whoCan` allows. */
export interface WhoCanUser {
  user: string;
  name: string;
  /** The rule id that allowed. */
  rule: string;
  /** The user's roles at the site, by module (held roles only); absent when no site was resolved. */
  roles?: { [module: string]: Exclude<Role, 'none'> };
  /** The user is an organisation owner. */
  owner?: true;
}

/** `whoCan`: the users the decision function allows. */
export interface WhoCan {
  /** The question, as asked. */
  request: { action: ActionId; site?: string; resource?: Resource };
  users: WhoCanUser[];
}

/** `sitesWhere`: the sites where a user is allowed an action, in site order. */
export interface SitesWhere {
  user: string;
  action: ActionId;
  sites: { site: string; rule: string }[];
}

/** The largest input each kind of call takes, in bytes of JSON text (`engine.limits()`). */
export interface Limits {
  snapshot: number;
  request: number;
  command: number;
  question: number;
}

/** Options of `createEngine`. */
export interface CreateEngineOptions {
  /**
   * The bytes of `calm-access.wasm`, when the caller has them (a bundler, a
   * cache, a worker that received them). Skips reading or fetching it.
   */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /**
   * Where the .wasm is, given its file name and the folder of the module:
   * return a URL (browser) or a path or file URL (Node).
   */
  locateFile?: (path: string, prefix: string) => string;
}

/**
 * An engine holding one snapshot. Every method is synchronous; none throws
 * for bad input except where documented.
 */
export interface Engine {
  /**
   * Loads a snapshot given as a value, JSON text or UTF-8 bytes. On failure
   * the previous snapshot stays in force and the errors name JSON paths.
   * Never throws: a value that is not plain data (a class instance, a
   * `toJSON`, a `String` object, a detached `ArrayBuffer`), bytes that are not
   * UTF-8, text with a lone surrogate and a snapshot past `limits().snapshot`
   * bytes (error code `too-large`, refused before it reaches the wasm) are
   * `{ ok: false, errors }`.
   *
   * @example
   * const r = engine.load(snapshot);
   * if (!r.ok) for (const e of r.errors) console.error(`${e.path}: ${e.message}`);
   */
  load(snapshot: Snapshot | string | Uint8Array | ArrayBuffer): LoadResult;

  /**
   * Decides one request. Never throws: a malformed request (even `42`) is an
   * `invalid-request` decision, an unknown id an `unknown-*` one. Ids and
   * actions are compared as given, never coerced (ACCESS.md section 11 step
   * 1): a `String` object, an object with `toJSON`, a number or a string
   * with a lone surrogate where one is expected is `invalid-request`, and so
   * is a request past `limits().request` bytes of JSON.
   */
  decide(request: DecisionRequest): Decision;

  /**
   * Decides one request given as JSON text and returns the decision as JSON
   * text, with no conversion on the JS side. For pipelines (the CLI) and
   * workers; text that is not JSON (bytes after the value, a NUL, a lone
   * surrogate, bytes that are not UTF-8) or longer than `limits().request`
   * bytes is an `invalid-request` decision. Never throws.
   */
  decideJson(requestText: string | Uint8Array): string;

  /**
   * The largest input, in bytes of JSON text, each kind of call takes:
   * `snapshot` (`load`, 64 MiB), `request` (`decide`, `decideJson`, 1 MiB),
   * `command` (`apply`, `dryRun`, 16 MiB), `question` (`whoCan`'s request,
   * `whatIf`'s change, 1 MiB). Larger input is refused before it reaches the
   * wasm, so memory does not grow.
   */
  limits(): Limits;

  /** Whether `user` may do `action` at `target`. */
  can(user: string, action: ActionId, target?: Target): boolean;

  /** The full decision for `user` doing `action` at `target`. */
  explain(user: string, action: ActionId, target?: Target): Decision;

  /**
   * The decision's code only (`explain(...).code`), without rendering its
   * message: `'allowed'` or why not. Ask `explain` for the message when it
   * is to be shown.
   */
  check(user: string, action: ActionId, target?: Target): DecisionCode;

  /**
   * Returns the decision when it allows; throws a `ForbiddenError` carrying
   * it when it denies.
   *
   * @throws {ForbiddenError} when the decision is a denial.
   */
  assertCan(user: string, action: ActionId, target?: Target): Allowed;

  /**
   * Every action with its decision for `user` at `site`, for rendering a whole
   * screen. Actions that need a resource are decided at site level
   * (entitlement, roles, site permissions). An unknown user or site does not
   * throw: every decision is then denied `unknown-user` / `unknown-site`, as
   * `decide` would deny it; a malformed id (not a primitive string, a lone
   * surrogate, not 1 to 128 bytes) makes every decision `invalid-request`.
   */
  capabilities(user: string, site: string): Capabilities;

  /**
   * `capabilities` as one typed array, for gating a whole screen without
   * rendering a message: element `i` is the number of the code of action
   * `actions()[i]`'s decision, named by `reasonCodes()` (so
   * `reasonCodes()[codes[i]] === capabilities(user, site)[actions()[i]].code`).
   * Render a message on demand with `capability`.
   */
  capabilityCodes(user: string, site: string): Uint8Array;

  /** One action's entry of `capabilities(user, site)`, rendered on demand. */
  capability(user: string, site: string, action: ActionId): Decision;

  /** The decision codes by number, as `capabilityCodes` numbers them; the core's order. */
  reasonCodes(): DecisionCode[];

  /**
   * The effective role of every module at every site for `user`, with where
   * each came from (the View Access table).
   *
   * @throws {QueryError} when the core cannot answer: an unknown user
   * (`unknown-user`) or a malformed id (`invalid-request`).
   */
  roles(user: string): EffectiveRole[];

  /** The action ids of the engine's action table, in table order. */
  actions(): ActionId[];

  /** Applies a command, checked by the same decision function as a UI gate; refused commands change nothing. */
  apply(command: Command): CommandResult;
  /** The answer `apply` would give now, without changing anything (to gate a button on state too). */
  dryRun(command: Command): CommandResult;
  /** The current state in the snapshot format; loading it gives the same answers. */
  snapshot(): Snapshot;
  /**
   * The viewer snapshot of `user` (SERVER.md V1-V7), from the current state:
   * a valid snapshot holding what `user` may see and what the rules need to
   * decide for them, and nothing more. Decisions, views and command dry runs
   * for `user` on it are those of the current state (see the README for the
   * exceptions the spec allows). Carries `revision` and `issuedAt` when the
   * state or `options` give them.
   * @throws {QueryError} when `user` is not an id of the state (`unknown-user`, `invalid-id`: a
   *   value that is not a primitive string or holds a lone surrogate too) or an option is malformed.
   * @throws {TypeError} when `options` is not an object.
   */
  viewerSnapshot(user: string, options?: ViewerSnapshotOptions): Snapshot;
  /** `stale` when `date` is past the snapshot's `validUntil`, else `fresh`. */
  freshness(date: string): 'fresh' | 'stale';

  /** My Courses / Inbox (T2) on `date`. Throws ForbiddenError when denied. */
  myCourses(user: string, date: string): MyCourses;
  /** One course as the user may see it (T5); answer keys only for quiz managers (T11). */
  course(user: string, course: string): CourseView;
  /** Attempts on a fulfillment: one's own, or anyone's with T10. */
  attempts(user: string, fulfillment: string): Attempts;
  /** Training Insights (T3, W15) at `site` on `date`. */
  insights(user: string, site: string, date: string, options?: { includeChildSites?: boolean }): Insights;
  /** A person's training as shown on their People profile (T4). */
  trainingOf(user: string, person: string, date: string): TrainingOf;
  /** A personnel record shaped for the viewer (PW1): what they may not see is absent. */
  record(user: string, record: string): RecordView;
  /** The People list at a site (P1). */
  people(user: string, site: string): People;
  /** A company (P4; sensitive data only with P11). */
  company(user: string, company: string): CompanyView;
  /** The comment threads of a record the user may see (P6). */
  comments(user: string, record: string): Comments;
  /** Settings > Personnel (P14; denied with exactly the P17 message). */
  personnelSettings(user: string, site: string): PersonnelSettingsView;
  /** The users allowed `action` at `site` (site level when the action needs a resource and none is given). */
  whoCan(action: ActionId, site?: string, resource?: Resource): WhoCan;
  /** The sites where `user` is allowed `action`. */
  sitesWhere(user: string, action: ActionId): SitesWhere;
  /**
   * Previews Edit Access changes before anything is saved: a batch `{ user,
   * changes }` exactly as `access.batch` takes it (their sum, each change
   * checked against the state the earlier ones left), or one change or an
   * array of them each naming its user. Throws a `ForbiddenError` for an editor
   * who is not a known user (`unknown-user`) or a change naming an unknown id,
   * a `QueryError` for a malformed change.
   */
  whatIf(editor: string, change: AccessBatch | AccessChange | AccessChange[]): WhatIf;

  /**
   * How many times what the engine holds has changed: bumped by every
   * successful `load` and every `apply` that changed the state (not a
   * refusal, a dry run or a duplicate).
   */
  readonly revision: number;

  /**
   * Calls `listener` after every change that bumps `revision`; returns the
   * function that stops it. A listener that throws is reported, and the
   * others are still called. With React or Preact:
   * `useSyncExternalStore(engine.subscribe.bind(engine), () => engine.revision)`
   * (the adapters' `useRevision` does this).
   */
  subscribe(listener: () => void): () => void;

  /**
   * Frees the engine's wasm memory now rather than when it is garbage
   * collected. Any later call throws. Calling it twice is harmless.
   */
  dispose(): void;
}

/**
 * Loads the wasm engine and returns an empty engine; `load` a snapshot next.
 * In Node the .wasm is read from the package; in a browser or worker it is
 * fetched beside the package's module (serve it as `application/wasm`).
 *
 * @example
 * import { createEngine } from 'calm-access';
 * const engine = await createEngine();
 */
export function createEngine(options?: CreateEngineOptions): Promise<Engine>;

/** Thrown by `assertCan` when the decision is a denial. */
export class ForbiddenError extends Error {
  /** @param decision The denial. */
  constructor(decision: Denied);
  /** Always `ForbiddenError`. */
  readonly name: 'ForbiddenError';
  /** The denial's reason code. */
  readonly code: DenialCode;
  /** The full denial. */
  readonly decision: Denied;
}

/** Thrown by `roles` (unknown user) and `capabilities` when the core cannot answer. */
export class QueryError extends Error {
  /** @param errors What went wrong; the first gives `code` and the message. */
  constructor(errors: InputError[]);
  /** Always `QueryError`. */
  readonly name: 'QueryError';
  /** The first error's code, e.g. `unknown-user`. */
  readonly code: string;
  /** Every error. */
  readonly errors: InputError[];
}
