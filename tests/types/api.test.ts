// Type test for the hand-written js/index.d.ts, compiled by `tsc --noEmit -p
// tests/types` (never run). It imports the package by its own name, so the
// exports map ("types" first) is what resolves it. Every `@ts-expect-error`
// line must fail to compile, or tsc reports the directive as unused.

import {
  createEngine,
  ForbiddenError,
  QueryError,
  type AccessBatch,
  type ActionId,
  type Allowed,
  type Capabilities,
  type Decision,
  type DecisionCode,
  type DenialCode,
  type EffectiveRole,
  type Engine,
  type Limits,
  type LoadResult,
  type Snapshot,
} from 'calm-access';

const snapshot: Snapshot = {
  version: 1,
  organisation: { id: 'org-1', entitlements: ['personnel'], owners: ['u-owner'] },
  sites: [{ id: 'hq' }, { id: 'north', parent: 'hq' }],
  users: [{ id: 'u-owner' }, { id: 'u-1' }],
  grants: [{ user: 'u-1', site: 'north', module: 'personnel', role: 'manager', includeChildSites: true }],
};

const engine: Engine = await createEngine();
await createEngine({ wasmBinary: new Uint8Array(0) });
await createEngine({ locateFile: (path, prefix) => prefix + path });
// @ts-expect-error: unknown option
await createEngine({ wasm: new Uint8Array(0) });

const loaded: LoadResult = engine.load(snapshot);
engine.load(JSON.stringify(snapshot));
engine.load(new TextEncoder().encode('{}'));
if (loaded.ok) {
  const count: number | undefined = loaded.stats['sites'];
  void count;
} else {
  const path: string = loaded.errors[0]!.path;
  void path;
  // @ts-expect-error: a failed load has no stats
  void loaded.stats;
}
// @ts-expect-error: version must be 1
engine.load({ ...snapshot, version: 2 });
// @ts-expect-error: unknown role in a grant
engine.load({ ...snapshot, grants: [{ user: 'u-1', site: 'hq', module: 'site', role: 'boss' }] });
// @ts-expect-error: a snapshot needs its users
engine.load({ version: 1, organisation: { id: 'o' }, sites: [], grants: [] });

const decision: Decision = engine.decide({ user: 'u-1', action: 'training.course.edit', resource: { course: 'c-7' } });
if (decision.allowed) {
  const code: 'allowed' = decision.code;
  void code;
} else {
  const code: DenialCode = decision.code;
  // @ts-expect-error: a denial's code is never `allowed`
  const wrong: 'allowed' = decision.code;
  void code;
  void wrong;
}
const anyCode: DecisionCode = decision.code;
void anyCode;
const rule: string = decision.rule;
void rule;
engine.decide({
  user: 'u-1',
  action: 'users.access.set',
  site: 'north',
  resource: { target: 'u-2', module: 'documents', role: 'member' },
});
engine.decide({ user: 'u-1', action: 'personnel.block.view', resource: { block: { record: 'r-1', block: 'b-1' } } });
// @ts-expect-error: unknown action id
engine.decide({ user: 'u-1', action: 'training.course.fly', site: 'north' });
// @ts-expect-error: a request needs a user
engine.decide({ action: 'site.update', site: 'north' });
// @ts-expect-error: a block is `{ record, block }`, not an id
engine.decide({ user: 'u-1', action: 'personnel.block.view', resource: { block: 'b-1' } });
// @ts-expect-error: unknown role
engine.decide({ user: 'u', action: 'users.access.set', site: 's', resource: { target: 'v', module: 'site', role: 'root' } });
// @ts-expect-error: not a request
engine.decide(42);

const text: string = engine.decideJson('{"user":"u-1","action":"site.update","site":"north"}');
void text;
const fromBytes: string = engine.decideJson(new TextEncoder().encode('{}'));
void fromBytes;
// @ts-expect-error: a request object goes to `decide`, not `decideJson`
engine.decideJson({ user: 'u-1', action: 'site.update' });

const limits: Limits = engine.limits();
const snapshotBytes: number = limits.snapshot + limits.request + limits.command + limits.question;
void snapshotBytes;

const yes: boolean = engine.can('u-1', 'site.update', 'north');
engine.can('u-1', 'training.progress.view_own');
engine.can('u-1', 'training.course.edit', { course: 'c-7' });
engine.can('u-1', 'users.access.set', { site: 'north', target: 'u-2', module: 'personnel', role: 'member' });
void yes;
// @ts-expect-error: unknown action id
engine.can('u-1', 'site.destroy', 'north');
// @ts-expect-error: a target is a site id or an object
engine.can('u-1', 'site.update', 42);
// @ts-expect-error: unknown resource key
engine.can('u-1', 'training.course.edit', { courze: 'c-7' });

const explained: Decision = engine.explain('u-1', 'site.update', 'north');
void explained;
const ok: Allowed = engine.assertCan('u-1', 'site.update', 'north');
void ok;

try {
  engine.assertCan('u-1', 'site.update', 'north');
} catch (error) {
  if (error instanceof ForbiddenError) {
    const denied: DenialCode = error.decision.code;
    const same: DenialCode = error.code;
    const allowed: false = error.decision.allowed;
    void denied;
    void same;
    void allowed;
  }
}

const capabilities: Capabilities = engine.capabilities('u-1', 'north');
const one: Decision = capabilities['training.course.edit'];
void one;
// @ts-expect-error: not an action id
void capabilities['training.course.fly'];
// @ts-expect-error: capabilities needs a site
engine.capabilities('u-1');
const codes: Uint8Array = engine.capabilityCodes('u-1', 'north');
const named: DecisionCode | undefined = engine.reasonCodes()[codes[0]];
void named;
const single: Decision = engine.capability('u-1', 'north', 'site.update');
void single;
const checked: DecisionCode = engine.check('u-1', 'site.update', 'north');
void checked;
// @ts-expect-error: not an action id
engine.check('u-1', 'site.fly', 'north');

const roles: EffectiveRole[] = engine.roles('u-1');
for (const row of roles) {
  const from: string | undefined = row.sources[0]?.from;
  const kind: 'direct' | 'cascade' | 'implied' | 'owner' | undefined = row.sources[0]?.kind;
  const entitled: boolean = row.entitled;
  void from;
  void kind;
  void entitled;
}
try {
  engine.roles('nobody');
} catch (error) {
  if (error instanceof QueryError) {
    const path: string | undefined = error.errors[0]?.path;
    const code: string = error.code;
    void path;
    void code;
  }
}

const actions: ActionId[] = engine.actions();
void actions;
// @ts-expect-error: actions are action ids, not numbers
const wrongActions: number[] = engine.actions();
void wrongActions;

engine.dispose();

// Workflow commands, views and section 9 questions.
async function workflow(): Promise<void> {
  const engine = await createEngine();
  const answer = engine.apply({ id: 'c-1', type: 'course.publish', actor: 'u-2', at: '2026-11-23T09:00:00Z', course: 'c-7' });
  if (answer.ok) {
    const types: string[] = answer.events.map((e) => e.type);
    void types;
  } else {
    const code: string | undefined = answer.decision?.code;
    void code;
  }
  // @ts-expect-error a command needs an id, an actor and a time
  engine.apply({ type: 'course.publish', course: 'c-7' });
  const preview = engine.whatIf('u-owner', { type: 'access.set', user: 'u-2', site: 'north', module: 'personnel', role: 'manager' });
  const gained: ActionId[] = preview.changes.flatMap((c) => c.gained);
  void gained;
  // @ts-expect-error not an access change
  engine.whatIf('u-owner', { type: 'course.publish', user: 'u-2' });
  const batch: AccessBatch = {
    user: 'u-2',
    changes: [
      { type: 'access.setAll', site: 'north', role: 'member', includeChildSites: true },
      { type: 'access.applyTemplate', site: 'south', template: 'tpl-1' },
    ],
  };
  const sum = engine.whatIf('u-owner', batch);
  const refusedAt: string | undefined = sum.path;
  void refusedAt;
  const saved = engine.apply({ id: 'c-2', type: 'access.batch', actor: 'u-owner', at: '2026-11-23T09:00:00Z', ...batch });
  if (!saved.ok) {
    const where: string | undefined = saved.path;
    void where;
  }
  // @ts-expect-error a batch names its user once, not on each change
  engine.whatIf('u-owner', { user: 'u-2', changes: [{ type: 'owner.set', user: 'u-2' }] });
  const fresh: 'fresh' | 'stale' = engine.freshness('2026-11-23');
  void fresh;
  engine.insights('u-2', 'north', '2026-11-23', { includeChildSites: true });
  // @ts-expect-error whoCan takes an action id
  engine.whoCan('training.course.fly', 'north');
}
void workflow;

// Viewer snapshots (SERVER.md V1-V7): a snapshot, with the server's revision.
async function viewerSnapshots(): Promise<void> {
  const engine = await createEngine();
  const snapshot: Snapshot = engine.viewerSnapshot('u-2');
  const revision: number | undefined = engine.viewerSnapshot('u-2', { revision: 7, issuedAt: '2026-11-23T09:00:00Z' }).revision;
  void revision;
  const revealed: { user: string; record: string; block: string }[] | undefined = snapshot.revealed;
  void revealed;
  engine.load(snapshot);
  // @ts-expect-error the revision is a number
  engine.viewerSnapshot('u-2', { revision: '7' });
  // @ts-expect-error the viewer is a user id
  engine.viewerSnapshot(7);
}
void viewerSnapshots;

// The views' and questions' answers are the package's types (issue 13): the
// app reads them without declaring shapes of its own or casting.
async function views(): Promise<void> {
  const engine = await createEngine();
  const mine = engine.myCourses('u-2', '2026-11-23');
  for (const item of [...mine.open, ...mine.overdue]) {
    const assignment: string | undefined = item.assignment;
    const learner: string = item.user;
    const canComplete: Decision | undefined = item.canComplete;
    const done: number = item.progress.done;
    void [assignment, learner, canComplete, done];
  }
  const recorded: string | undefined = mine.expiring[0]?.fulfillment;
  void recorded;
  // @ts-expect-error a fulfillment's status is one of four
  const status: 'open' = mine.open[0]!.status;
  void status;
  const course = engine.course('u-2', 'c-7');
  const keys: string[] | undefined = course.steps[0]?.assessment?.questions[0]?.correct;
  void keys;
  const rate: number | null = engine.insights('u-2', 'north', '2026-11-23').totals.completionRate;
  void rate;
  const record = engine.record('u-2', 'rec-1');
  for (const block of record.blocks) {
    if (block.masked) {
      const canReveal: boolean = block.canReveal;
      void canReveal;
    } else {
      const data: Record<string, unknown> = block.data;
      void data;
    }
  }
  // @ts-expect-error a record view has no `secret` field
  void record.secret;
  const who: string[] = engine.whoCan('personnel.record.view', 'north').users.map((u) => u.user);
  const where: string[] = engine.sitesWhere('u-2', 'personnel.record.view').sites.map((s) => s.site);
  const edit: Decision = engine.personnelSettings('u-2', 'north').canEdit;
  void [who, where, edit];
}
void views;
