import { createEngine, ForbiddenError } from 'calm-access';

const engine = await createEngine();

const loaded = engine.load({
  version: 1,
  organisation: { id: 'org-1', name: 'Acme Facilities', entitlements: ['personnel'], owners: ['u-owner'] },
  sites: [
    { id: 'hq', name: 'Head Office' },
    { id: 'north', name: 'North Campus', parent: 'hq' },
  ],
  users: [{ id: 'u-owner' }, { id: 'u-2' }],
  grants: [{ user: 'u-2', site: 'north', module: 'personnel', role: 'manager' }],
  training: {
    courses: [{ id: 'c-7', site: 'north', title: 'Fire safety', source: 'calm', status: 'published' }],
  },
});
if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));

// A personnel manager at north may edit north's courses...
console.log(engine.can('u-2', 'training.course.edit', { course: 'c-7' }));

// ...but is only a member at hq (implied by the child site), so no insights there.
const why = engine.explain('u-2', 'training.insights.view', 'hq');
console.log(why.allowed, why.code, why.rule, JSON.stringify(why.requires));

// The throwing form, for command handlers.
try {
  engine.assertCan('u-2', 'site.update', 'north');
} catch (error) {
  if (!(error instanceof ForbiddenError)) throw error;
  console.log(`forbidden: ${error.decision.code}: ${error.message}`);
}

// Where each effective role comes from (the View Access table).
for (const row of engine.roles('u-2')) {
  const sources = row.sources.map((s) => (s.from ? `${s.kind} ${s.from}` : s.kind)).join(', ');
  console.log(`${row.site} ${row.module} ${row.role} (${sources})`);
}
