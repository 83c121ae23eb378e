// The framework adapters as users get them: `calm-access/preact` and
// `calm-access/react` from the packed tarball, installed beside preact and
// react (from web/node_modules, so no network is needed), rendered to a
// string. Every answer must be the engine's own.

import assert from 'node:assert/strict';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { exec, packAndInstall, ROOT } from '../support/packed.mjs';

const WEB_MODULES = join(ROOT, 'web', 'node_modules');

let work;
let consumer;

before(async () => {
  // Copied in (--install-links), their own install scripts not run.
  const frameworks = ['preact', 'preact-render-to-string', 'react', 'react-dom', 'scheduler'].map((m) => join(WEB_MODULES, m));
  ({ work, consumer } = await packAndInstall('adapter-consumer', ['--install-links', '--ignore-scripts', ...frameworks]));
  await copyFile(join(ROOT, 'examples', 'demo-org.json'), join(consumer, 'demo.json'));
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

// One script per framework: the same probes, rendered, compared with the engine.
function script(framework) {
  const imports =
    framework === 'preact'
      ? "import { h as createElement } from 'preact';\nimport { renderToString } from 'preact-render-to-string';"
      : "import { createElement } from 'react';\nimport { renderToString } from 'react-dom/server';";
  return `${imports}
import { readFileSync } from 'node:fs';
import { createEngine } from 'calm-access';
import { AccessProvider, Can, describeRequirements, useCan, useDecision, useDryRun } from 'calm-access/${framework}';

const engine = await createEngine();
const loaded = engine.load(readFileSync('demo.json', 'utf8'));
if (!loaded.ok) throw new Error('demo did not load');
const snapshot = JSON.parse(readFileSync('demo.json', 'utf8'));
const questions = [];
for (const { id: user } of snapshot.users)
  for (const { id: site } of snapshot.sites)
    for (const action of ['site.update', 'training.course.create', 'personnel.settings.view', 'users.view', 'personnel.sensitive.view'])
      questions.push({ user, action, site });

function Probe({ action, site }) {
  const can = useCan(action, site);
  const decision = useDecision(action, site);
  return createElement('i', null, String(can) + ':' + decision.code + ';');
}
function Gate({ action, site }) {
  return createElement(Can, { action, target: site, fallback: (d) => 'denied(' + d.code + ');' }, 'allowed;');
}
function RenderProp({ action, site }) {
  return createElement(Can, { action, target: site }, (d) => 'rp:' + d.allowed + ';');
}

const mismatches = [];
let allowed = 0;
for (const q of questions) {
  const html = renderToString(
    createElement(AccessProvider, { engine, user: q.user },
      createElement(Probe, q), createElement(Gate, q), createElement(RenderProp, q)),
  );
  const d = engine.explain(q.user, q.action, q.site);
  const want = '<i>' + d.allowed + ':' + d.code + ';</i>' + (d.allowed ? 'allowed;' : 'denied(' + d.code + ');') + 'rp:' + d.allowed + ';';
  if (html.replaceAll('<!-- -->', '') !== want) mismatches.push({ q, html, want });
  if (d.allowed) allowed += 1;
}

let outside = '';
try {
  renderToString(createElement(Probe, questions[0]));
} catch (e) {
  outside = e.message;
}

function DryRun() {
  const r = useDryRun({ id: 'x', type: 'owner.set', actor: 'u-leo', at: '2026-01-01T00:00:00Z', user: 'u-leo' });
  return createElement('b', null, r.ok ? 'ok' : r.decision.code);
}
const dry = renderToString(createElement(AccessProvider, { engine, user: 'u-leo' }, createElement(DryRun)));
const why = describeRequirements(engine.explain('u-leo', 'training.course.create', 'north').requires);
console.log(JSON.stringify({ questions: questions.length, allowed, mismatches, outside, dry, why }));
`;
}

for (const framework of ['preact', 'react']) {
  describe(`calm-access/${framework}`, () => {
    it('useCan, useDecision and <Can> (children, fallback, render prop) answer exactly what the engine decides', async () => {
      await writeFile(join(consumer, `${framework}.mjs`), script(framework));
      const { stdout } = await exec(process.execPath, [`${framework}.mjs`], { cwd: consumer, maxBuffer: 64 << 20 });
      const result = JSON.parse(stdout);
      assert.deepEqual(result.mismatches, []);
      assert.ok(result.allowed > 0 && result.allowed < result.questions, 'both allowed and denied answers were rendered');
      assert.match(result.outside, /AccessProvider/, 'a hook outside the provider says what is missing');
      assert.equal(result.dry, '<b>escalation</b>', 'useDryRun gives the dry run of the command (S2: only an owner makes owners)');
      assert.match(result.why, /^Allowed with a personnel manager role at north\.$/);
    });
  });
}
