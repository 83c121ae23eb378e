// The package owns the types of every view and question (index.d.ts); this
// test keeps them true (issue 13). It asks the real wasm engine every view and
// question on the demo organisations, the test fixtures and seeded random
// organisations (bench/gen-org.mjs), writes each distinct answer into a
// TypeScript file as `const v_N: MyCourses = <the JSON>;` and type-checks it
// with tsc --strict --exactOptionalPropertyTypes. Object literals get excess
// property checks, so a field the core writes that the type lacks fails, as
// does a required field the core leaves out or a value of another type.
// A second file holds mutants of real answers (an extra field, a missing
// one, a wrong type), each under `// @ts-expect-error`: tsc fails if one of
// them is accepted, so the check is shown to bite.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../js/index.js';
import { SIZES, generateOrg } from '../../bench/gen-org.mjs';
import { ask, viewCalls } from './support/view-outputs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSC = join(root, 'node_modules', '.bin', 'tsc');

const ORGS = [
  'web/demo/demo-org.json',
  'examples/demo-org.json',
  'tests/fixtures/training-org.json',
  'tests/fixtures/personnel-org.json',
];
// Small seeded organisations: every collection present, few enough ids that
// every view is asked for all of them.
SIZES.drift = {
  sites: 7, roots: 2, maxDepth: 3, users: 14, grants: 60, owners: 1, groups: 2, courses: 6,
  assignments: 8, results: 10, records: 8, companies: 3, comments: 16, requests: 0, pairs: 0,
};
const SEEDS = [1, 2, 3];
const DATES = ['2026-11-20', '2027-06-01'];

/**
 * Every distinct answer: `type -> Set(JSON text)` for values, plus the
 * denials (`Denied`) and the errors of malformed arguments (`InputError[]`).
 */
async function collect() {
  const answers = new Map();
  const add = (type, value) => {
    if (!answers.has(type)) answers.set(type, new Set());
    answers.get(type).add(JSON.stringify(value));
  };
  const orgs = ORGS.map((path) => ({ name: path, snapshot: readFileSync(join(root, path), 'utf8') }));
  for (const seed of SEEDS) orgs.push({ name: `generated seed ${seed}`, snapshot: generateOrg('drift', seed).snapshot });
  let asked = 0;
  for (const org of orgs) {
    const engine = await createEngine();
    const loaded = engine.load(org.snapshot);
    assert.ok(loaded.ok, `${org.name} loads: ${JSON.stringify(loaded.errors)}`);
    for (const call of viewCalls(engine, { dates: DATES })) {
      const { type, answer } = ask(engine, call);
      asked++;
      if ('value' in answer) add(type, answer.value);
      else if (answer.decision) add('Denied', answer.decision);
      else add('InputError[]', answer.errors);
    }
    engine.dispose();
  }
  return { answers, asked };
}

/** Runs tsc on `files` (strict, exact optional properties); its output, or '' when it passes. */
function typeCheck(dir, files) {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
      files,
    }),
  );
  try {
    execFileSync(TSC, ['--noEmit', '-p', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return '';
  } catch (error) {
    return `${error.stdout ?? ''}${error.stderr ?? ''}` || String(error);
  }
}

const TYPES = [
  'MyCourses', 'CourseView', 'Attempts', 'Insights', 'TrainingOf', 'RecordView', 'People', 'CompanyView',
  'Comments', 'PersonnelSettingsView', 'WhoCan', 'SitesWhere', 'WhatIf', 'EffectiveRole', 'Capabilities',
  'Denied', 'InputError',
];
const header = (dir) =>
  `import type { ${TYPES.join(', ')} } from ${JSON.stringify(join(root, 'js', 'index.js'))};\n` +
  `type Freshness = 'fresh' | 'stale';\n`;

// For each type, a required key to drop and a key whose value to give the wrong type.
const REQUIRED = {
  MyCourses: 'open', CourseView: 'readOnly', Attempts: 'user', Insights: 'totals', TrainingOf: 'results',
  RecordView: 'blocks', People: 'people', CompanyView: 'details', Comments: 'threads',
  PersonnelSettingsView: 'canEdit', WhoCan: 'users', SitesWhere: 'sites', WhatIf: 'changes',
};

/** Mutants of one real value of each type, each of which the types must reject. */
function mutants(answers) {
  const out = [];
  for (const [type, key] of Object.entries(REQUIRED)) {
    const texts = answers.get(type);
    assert.ok(texts?.size, `the drift test saw at least one ${type}`);
    const value = JSON.parse([...texts][0]);
    assert.ok(key in value, `${type} has ${key}`);
    out.push([`${type} with an extra field`, type, { ...value, driftExtra: 1 }]);
    const { [key]: _dropped, ...missing } = value;
    out.push([`${type} without ${key}`, type, missing]);
    out.push([`${type} with ${key} of another type`, type, { ...value, [key]: 12345 }]);
  }
  // Deeper: a field added to or dropped from an item of a list.
  const mine = [...answers.get('MyCourses')].map((t) => JSON.parse(t)).find((v) => v.open.length > 0 || v.completed.length > 0);
  assert.ok(mine, 'some MyCourses lists a fulfillment');
  const list = mine.open.length > 0 ? 'open' : 'completed';
  out.push([`a fulfillment item with an extra field`, 'MyCourses', { ...mine, [list]: [{ ...mine[list][0], driftExtra: true }] }]);
  const { title: _title, ...untitled } = mine[list][0];
  out.push([`a fulfillment item without its title`, 'MyCourses', { ...mine, [list]: [untitled] }]);
  const record = [...answers.get('RecordView')].map((t) => JSON.parse(t)).find((v) => v.blocks.length > 0);
  assert.ok(record, 'some RecordView shows a block');
  out.push([`a block with data and masked`, 'RecordView', { ...record, blocks: [{ ...record.blocks[0], masked: true, canReveal: true, data: {} }] }]);
  const denied = JSON.parse([...answers.get('Denied')][0]);
  out.push([`a denial with an unknown code`, 'Denied', { ...denied, code: 'not-a-code' }]);
  out.push([`a denial whose requires has an unknown key`, 'Denied', { ...denied, requires: { ...denied.requires, driftExtra: 'x' } }]);
  return out;
}

test('every view and question answers exactly its index.d.ts type, on the demo and on seeded organisations (issue 13)', async (t) => {
  const { answers, asked } = await collect();
  const seen = [...Object.keys(REQUIRED), 'EffectiveRole[]', 'Capabilities', 'Freshness', 'Denied', 'InputError[]'];
  for (const type of seen) assert.ok(answers.get(type)?.size, `the drift test saw a ${type} answer`);
  const dir = mkdtempSync(join(tmpdir(), 'calm-drift-'));
  try {
    let n = 0;
    let real = header(dir);
    for (const [type, texts] of answers) {
      for (const text of texts) real += `const v_${n++}: ${type} = ${text};\n`;
    }
    writeFileSync(join(dir, 'real.ts'), real);
    let bad = header(dir);
    const cases = mutants(answers);
    cases.forEach(([name, type, value], i) => {
      bad += `// ${name}\n// @ts-expect-error\nconst m_${i}: ${type} = ${JSON.stringify(value)};\n`;
    });
    writeFileSync(join(dir, 'mutants.ts'), bad);
    t.diagnostic(`${asked} calls, ${n} distinct answers, ${cases.length} mutants`);

    const realErrors = typeCheck(dir, ['real.ts']);
    assert.equal(realErrors, '', `the real answers must match index.d.ts:\n${realErrors.slice(0, 4000)}`);
    const mutantErrors = typeCheck(dir, ['mutants.ts']);
    assert.equal(mutantErrors, '', `every mutant must be rejected by index.d.ts (an unused @ts-expect-error names one that was not):\n${mutantErrors.slice(0, 4000)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
