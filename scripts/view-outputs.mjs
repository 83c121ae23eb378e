#!/usr/bin/env node
// Prints the answer of every view and access question on the demo
// organisations, one JSON line per call, to compare two builds (issue 13: the
// typed core must give the same JSON, fields added aside):
//
//   node scripts/view-outputs.mjs > before.jsonl          # on the old build
//   node scripts/view-outputs.mjs --compare before.jsonl  # on the new build
//
// `--compare` asks the same calls of this build and reports every answer that
// differs from the file's other than by added object keys (listed by path),
// exiting 1 when one does. Key order counts: the lines are compared as text
// once the added keys are dropped. Reads the package of this checkout.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../js/index.js';
import { ask, viewCalls } from '../tests/js/support/view-outputs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const at = args.indexOf('--compare');
const baseline = at >= 0 ? readFileSync(args.splice(at, 2)[1], 'utf8').trim().split('\n') : undefined;
const orgs = args.length
  ? args
  : ['web/demo/demo-org.json', 'examples/demo-org.json', 'tests/fixtures/training-org.json', 'tests/fixtures/personnel-org.json'];

const lines = [];
for (const org of orgs) {
  const engine = await createEngine();
  const loaded = engine.load(readFileSync(join(root, org), 'utf8'));
  if (!loaded.ok) throw new Error(`${org}: ${JSON.stringify(loaded.errors)}`);
  for (const call of viewCalls(engine, { dates: ['2026-11-20', '2027-06-01'] })) {
    const { view, args: callArgs, answer } = ask(engine, call);
    lines.push(JSON.stringify({ org, view, args: callArgs, answer }));
  }
  engine.dispose();
}

if (baseline === undefined) {
  for (const line of lines) process.stdout.write(`${line}\n`);
} else {
  // Drops from `now` every key `before` lacks (recording its path), in place.
  const added = new Set();
  const dropAdded = (now, before, path) => {
    if (Array.isArray(now) && Array.isArray(before)) {
      now.forEach((item, i) => dropAdded(item, before[i], `${path}/*`));
    } else if (now && before && typeof now === 'object' && typeof before === 'object') {
      for (const key of Object.keys(now)) {
        if (!(key in before)) {
          added.add(`${path}/${key}`);
          delete now[key];
        } else {
          dropAdded(now[key], before[key], `${path}/${key}`);
        }
      }
    }
  };
  let differ = 0;
  if (baseline.length !== lines.length) {
    console.log(`${baseline.length} calls before, ${lines.length} now`);
    differ++;
  }
  for (let i = 0; i < Math.min(baseline.length, lines.length); i++) {
    const now = JSON.parse(lines[i]);
    dropAdded(now, JSON.parse(baseline[i]), '');
    if (JSON.stringify(now) !== baseline[i]) {
      if (differ++ < 5) console.log(`differs: ${baseline[i].slice(0, 300)}\n    now: ${JSON.stringify(now).slice(0, 300)}`);
    }
  }
  console.log(`${lines.length} answers compared; ${differ} differ other than by added keys`);
  for (const path of [...added].sort()) console.log(`added: ${path}`);
  process.exitCode = differ === 0 ? 0 : 1;
}
