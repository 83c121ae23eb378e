// The calm-access command line (js/cli.js), run as a child process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, before, after } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createEngine } from 'calm-access';

const ROOT = new URL('../../', import.meta.url);
const CLI = fileURLToPath(new URL('js/cli.js', ROOT));
const DEMO = fileURLToPath(new URL('examples/demo-org.json', ROOT));
const demo = JSON.parse(await readFile(DEMO, 'utf8'));

/** Runs the CLI with `args` and `input` on stdin; resolves to { code, stdout, stderr }. */
function cli(args, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the CLI may exit before reading stdin
    child.stdin.end(input);
  });
}

let tmp;
let engine;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'calm-cli-'));
  engine = await createEngine();
  assert.equal(engine.load(demo).ok, true);
});
after(async () => {
  engine.dispose();
  await rm(tmp, { recursive: true, force: true });
});

describe('calm-access decide', () => {
  it('writes one decision per request, in order, equal to the API decision', async () => {
    const requests = [
      { user: 'u-priya', action: 'training.course.edit', resource: { course: 'c-fire' } },
      { user: 'u-leo', action: 'training.insights.view', site: 'north-lab' },
      { user: 'u-sam', action: 'site.integrations.manage', site: 'north-lab' },
      { user: 'u-nina', action: 'personnel.settings.view', site: 'south' },
      { user: 'u-ghost', action: 'site.update', site: 'hq' },
    ];
    const { code, stdout, stderr } = await cli(
      ['decide', '--snapshot', DEMO],
      requests.map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.equal(lines.pop(), '', 'output ends with a newline');
    assert.equal(lines.length, requests.length);
    lines.forEach((line, i) => assert.deepEqual(JSON.parse(line), engine.decide(requests[i])));
  });

  it('a malformed line gets an invalid-request decision and the run goes on', async () => {
    const input = [
      'not json',
      '{"user":"u-sam","action":"site.update","site":"hq"}',
      '42',
      '{"user":"u-sam",',
      '{"user":"u-sam","action":"site.update","site":"north"}',
    ].join('\n');
    const { code, stdout } = await cli(['decide', '--snapshot', DEMO], input);
    assert.equal(code, 0);
    const decisions = stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(
      decisions.map((d) => d.code),
      ['invalid-request', 'allowed', 'invalid-request', 'invalid-request', 'allowed'],
    );
  });

  it('skips blank lines, accepts CRLF and a last line without newline', async () => {
    const input = '\n{"user":"u-sam","action":"site.update","site":"hq"}\r\n   \n\n{"user":"u-leo","action":"site.update","site":"hq"}';
    const { code, stdout } = await cli(['decide', '--snapshot', DEMO], input);
    assert.equal(code, 0);
    const decisions = stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(
      decisions.map((d) => d.allowed),
      [true, false],
    );
  });

  it('answers many requests', async () => {
    const request = JSON.stringify({ user: 'u-leo', action: 'training.course.view', resource: { course: 'c-fire' } });
    const count = 20000;
    const { code, stdout } = await cli(['decide', '--snapshot', DEMO], `${request}\n`.repeat(count));
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, count);
    assert.equal(new Set(lines).size, 1);
  });

  it('empty input gives empty output', async () => {
    const { code, stdout } = await cli(['decide', '--snapshot', DEMO], '');
    assert.equal(code, 0);
    assert.equal(stdout, '');
  });
});

// ACCESS.md section 11 step 1 (changed): the command line follows the same
// boundary as the package: lines end at \n only, one answer per request line,
// a bad or oversized line costs only its own answer, never the run.
describe('calm-access decide at the boundary', () => {
  const owner = JSON.stringify({ user: 'u-olive', action: 'site.update', site: 'hq' });
  const learner = JSON.stringify({ user: 'u-leo', action: 'site.update', site: 'hq' });

  it('a bare \r inside a request is JSON whitespace, not a line end: answers stay aligned', async () => {
    // The case: split at the \r, a learner's request was answered by the owner's decision.
    const withReturn = '{"user":"u-leo",\r"action":"users.owner.set",\r"resource":{"target":"u-leo"}}';
    const input = [withReturn, owner, learner].join('\n') + '\n';
    const { code, stdout } = await cli(['decide', '--snapshot', DEMO], input);
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, 'one answer per request line');
    assert.equal(lines[0], engine.decideJson(withReturn));
    assert.equal(JSON.parse(lines[0]).allowed, false);
    assert.equal(JSON.parse(lines[1]).allowed, true);
    assert.equal(JSON.parse(lines[2]).allowed, false);
  });

  it('a NUL, text after the value or bytes that are not UTF-8 cost only their own line', async () => {
    const input = Buffer.concat([
      Buffer.from(`${owner}\0${owner}\n${owner}\n${owner} trailing\n`),
      Buffer.from('{"user":"u-olive\xff","action":"site.update","site":"hq"}\n', 'latin1'),
      Buffer.from(`${owner}\n`),
    ]);
    const { code, stdout } = await cli(['decide', '--snapshot', DEMO], input);
    assert.equal(code, 0);
    assert.deepEqual(
      stdout.trimEnd().split('\n').map((line) => JSON.parse(line).code),
      ['invalid-request', 'allowed', 'invalid-request', 'invalid-request', 'allowed'],
    );
  });

  it('a line past the 1 MiB request limit gets invalid-request; the lines around it are answered', async () => {
    const padded = JSON.stringify({ user: 'u-olive', action: 'site.update', site: 'hq', pad: 'x'.repeat(1 << 20) });
    const { code, stdout } = await cli(['decide', '--snapshot', DEMO], `${owner}\n${padded}\r\n${owner}\n`);
    assert.equal(code, 0);
    const decisions = stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(
      decisions.map((d) => d.code),
      ['allowed', 'invalid-request', 'allowed'],
    );
    assert.match(decisions[1].message, /1 MiB/);
  });

  it('a 95 MB line does not kill the run nor lose the answers before it', async () => {
    const huge = Buffer.alloc(95 * 1000 * 1000, 0x20);
    huge.write('{"user":"u-olive","action":"site.update","site":"hq","pad":"');
    huge.write('"}', huge.length - 2);
    const input = Buffer.concat([Buffer.from(`${owner}\n`), huge, Buffer.from(`\n${learner}\n`)]);
    const { code, stdout, stderr } = await cli(['decide', '--snapshot', DEMO], input);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.deepEqual(
      stdout.trimEnd().split('\n').map((line) => JSON.parse(line).code),
      ['allowed', 'invalid-request', 'missing-site-permission'],
    );
  });
});

describe('calm-access roles', () => {
  it('prints the effective roles as a table with their sources', async () => {
    const { code, stdout, stderr } = await cli(['roles', '--snapshot', DEMO, '--user', 'u-priya']);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0], /^SITE\s+MODULE\s+ROLE\s+SOURCES$/);
    assert.ok(lines.some((l) => /^north\s+personnel\s+manager\s+direct\b/.test(l)), stdout);
    assert.ok(lines.some((l) => /^hq\s+personnel\s+member\s+implied by north\b/.test(l)), stdout);
  });

  it('names cascades and owners', async () => {
    const sam = await cli(['roles', '--snapshot', DEMO, '--user', 'u-sam']);
    assert.equal(sam.code, 0);
    assert.match(sam.stdout, /^north-lab\s+site\s+admin\s+cascade from hq\b/m);
    const olive = await cli(['roles', '--snapshot', DEMO, '--user', 'u-olive']);
    assert.equal(olive.code, 0);
    assert.match(olive.stdout, /^south\s+personnel\s+admin\s+owner\b/m);
  });

  it('--json prints the rows of engine.roles', async () => {
    const { code, stdout } = await cli(['roles', '--snapshot', DEMO, '--user', 'u-leo', '--json']);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), engine.roles('u-leo'));
  });

  it('an unknown user is an error (exit 1)', async () => {
    const { code, stdout, stderr } = await cli(['roles', '--snapshot', DEMO, '--user', 'u-ghost']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /u-ghost/);
  });
});

describe('a snapshot that does not load', () => {
  it('prints each error with its JSON path on stderr and exits 1', async () => {
    const broken = structuredClone(demo);
    broken.grants[3].role = 'superuser';
    const file = join(tmp, 'broken.json');
    await writeFile(file, JSON.stringify(broken));
    for (const args of [
      ['decide', '--snapshot', file],
      ['roles', '--snapshot', file, '--user', 'u-sam'],
    ]) {
      const { code, stdout, stderr } = await cli(args, '{"user":"u-sam","action":"site.update","site":"hq"}\n');
      assert.equal(code, 1, args.join(' '));
      assert.equal(stdout, '');
      assert.match(stderr, /^\/grants\/3\/role: /m);
    }
  });

  it('a file that is not JSON, or missing, exits 1', async () => {
    const file = join(tmp, 'not-json.json');
    await writeFile(file, '{ "version": 1,');
    const notJson = await cli(['decide', '--snapshot', file]);
    assert.equal(notJson.code, 1);
    assert.ok(notJson.stderr.length > 0);
    const missing = await cli(['decide', '--snapshot', join(tmp, 'absent.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read snapshot/);
  });
});

describe('usage', () => {
  for (const args of [
    [],
    ['frobnicate'],
    ['decide'],
    ['roles', '--snapshot', DEMO],
    ['decide', '--snapshot'],
    ['decide', '--snapshot', DEMO, '--colour'],
    ['decide', '--snapshot', DEMO, 'extra'],
    ['decide', '--snapshot', DEMO, '--user', 'u-sam'],
  ]) {
    it(`\`calm-access ${args.join(' ')}\` is a usage error (exit 2, usage on stderr)`, async () => {
      const { code, stdout, stderr } = await cli(args);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, /usage:/);
    });
  }

  it('--help prints the usage on stdout and exits 0', async () => {
    const { code, stdout } = await cli(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /usage:/);
  });
});
