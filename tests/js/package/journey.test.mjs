// The learner journey through the package as users get it: `npm pack`, install
// the tarball into an empty folder, and replay tests/fixtures/learner-journey.json
// there from Node, importing `calm-access` from that folder's node_modules.
import assert from 'node:assert/strict';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { exec, packAndInstall, ROOT } from '../support/packed.mjs';

const FIXTURES = join(ROOT, 'tests', 'fixtures');
const SUPPORT = fileURLToPath(new URL('../support/journey.mjs', import.meta.url));

let work;
let consumer;

before(async () => {
  ({ work, consumer } = await packAndInstall('journey-consumer'));
  await copyFile(SUPPORT, join(consumer, 'journey.mjs'));
  await copyFile(join(FIXTURES, 'learner-journey.json'), join(consumer, 'learner-journey.json'));
  await copyFile(join(FIXTURES, 'training-org.json'), join(consumer, 'training-org.json'));
  await writeFile(
    join(consumer, 'run.mjs'),
    `import { readFile } from 'node:fs/promises';
import { createEngine } from 'calm-access';
import { replayJourney } from './journey.mjs';
const journey = JSON.parse(await readFile('learner-journey.json', 'utf8'));
const snapshot = await readFile(journey.snapshot, 'utf8');
console.log(JSON.stringify(await replayJourney(createEngine, journey, snapshot)));
`,
  );
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

it('the installed package replays the whole learner journey in Node (issue 3)', async () => {
  const { stdout } = await exec('node', ['run.mjs'], { cwd: consumer });
  assert.deepEqual(JSON.parse(stdout.trim()), []);
});
