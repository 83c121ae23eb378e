// The learner journey through the package as users get it: `npm pack`, install
// the tarball into an empty folder, and replay tests/fixtures/learner-journey.json
// there from Node, importing `calm-access` from that folder's node_modules.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(ROOT, 'tests', 'fixtures');
const SUPPORT = fileURLToPath(new URL('../support/journey.mjs', import.meta.url));

let work;
let consumer;

function npm(args, cwd) {
  return exec('npm', args, { cwd, maxBuffer: 64 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'calm-journey-'));
  const { stdout } = await npm(['pack', '--json', '--pack-destination', work], ROOT);
  const [packed] = JSON.parse(stdout);
  consumer = join(work, 'consumer');
  await mkdir(consumer);
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'journey-consumer', private: true, type: 'module' }));
  await npm(['install', '--no-audit', '--no-fund', '--no-package-lock', join(work, packed.filename)], consumer);
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
