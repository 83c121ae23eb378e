// The package as users get it: `npm pack`, install the tarball into an empty
// folder, then use it from Node (import, bin, types) and from a Chromium page
// served over HTTP, running the whole decision corpus each time.
import assert from 'node:assert/strict';
import { copyFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, before, after } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startServer } from '../../../web/server.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium.mjs';
import { readCorpus } from '../support/corpus-files.mjs';
import { exec, packAndInstall, ROOT } from '../support/packed.mjs';
const RUNNER = fileURLToPath(new URL('../support/corpus-runner.mjs', import.meta.url));
// What `files` in package.json lets into the tarball (npm adds package.json and README.md).
const EXPECTED_FILES = [
  'README.md',
  'dist/wasm/calm-access.mjs',
  'dist/wasm/calm-access.wasm',
  'js/adapter.d.ts',
  'js/adapter.js',
  'js/cli.js',
  'js/index.d.ts',
  'js/index.js',
  'js/preact.js',
  'js/react.js',
  'package.json',
];

const corpus = await readCorpus();
const corpusCases = corpus.reduce((sum, { data }) => sum + (data.cases?.length ?? 0), 0);

let work; // temp folder: the tarball and the consumer project
let consumer; // the empty project the tarball is installed into
let packed; // npm pack --json output for our package

before(async () => {
  ({ work, consumer, packed } = await packAndInstall('calm-access-consumer'));
  await copyFile(RUNNER, join(consumer, 'runner.mjs'));
  await writeFile(join(consumer, 'corpus.json'), JSON.stringify(corpus));
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds exactly the allow-listed files', () => {
    assert.deepEqual(packed.files.map((f) => f.path).sort(), EXPECTED_FILES);
  });

  it('is installed as node_modules/calm-access with its bin', async () => {
    const installed = join(consumer, 'node_modules', 'calm-access');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    assert.equal(manifest.name, 'calm-access');
    assert.ok((await stat(join(installed, 'dist', 'wasm', 'calm-access.wasm'))).size > 0);
    assert.ok((await stat(join(consumer, 'node_modules', '.bin', 'calm-access'))).isFile());
  });
});

describe('the installed package in Node', () => {
  it('imports from node_modules and passes the whole corpus', async () => {
    const script = [
      "import { readFile } from 'node:fs/promises';",
      "import { createEngine } from 'calm-access';",
      "import { runCorpus } from './runner.mjs';",
      "const files = JSON.parse(await readFile('corpus.json', 'utf8'));",
      'const result = await runCorpus(createEngine, files);',
      "console.log(JSON.stringify({ resolved: import.meta.resolve('calm-access'), ...result }));",
    ].join('\n');
    await writeFile(join(consumer, 'run-corpus.mjs'), script);
    const { stdout } = await exec(process.execPath, ['run-corpus.mjs'], { cwd: consumer, maxBuffer: 64 << 20 });
    const result = JSON.parse(stdout);
    assert.match(result.resolved, /\/node_modules\/calm-access\/js\/index\.js$/);
    assert.deepEqual(result.failures, []);
    assert.equal(result.cases, corpusCases);
    assert.ok(result.cases > 0, 'the corpus holds cases');
  });

  it('runs the calm-access bin', async () => {
    const bin = join(consumer, 'node_modules', '.bin', 'calm-access');
    const { stdout } = await exec(bin, ['--help'], { cwd: consumer });
    assert.match(stdout, /usage:/);
    const snapshot = join(consumer, 'demo.json');
    await copyFile(join(ROOT, 'examples', 'demo-org.json'), snapshot);
    const roles = await exec(bin, ['roles', '--snapshot', snapshot, '--user', 'u-sam'], { cwd: consumer });
    assert.match(roles.stdout, /cascade from hq/);
  });

  it('type-checks a TypeScript consumer against the installed declarations', async () => {
    await writeFile(
      join(consumer, 'check.ts'),
      [
        "import { createEngine, ForbiddenError, type Decision } from 'calm-access';",
        'const engine = await createEngine();',
        "const decision: Decision = engine.explain('u-1', 'site.update', 'hq');",
        "const allowed: boolean = engine.can('u-1', 'training.course.edit', { course: 'c-7' });",
        "// @ts-expect-error: not an action id",
        "engine.can('u-1', 'site.explode', 'hq');",
        'export { decision, allowed, ForbiddenError };',
      ].join('\n'),
    );
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          types: [],
          lib: ['ES2022', 'DOM'],
        },
        files: ['check.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await exec(process.execPath, [tsc, '-p', consumer], { cwd: consumer });
  });
});

describe('the installed package in Chromium', () => {
  let server;
  let browser;
  let page;
  const problems = [];
  const wasmResponses = [];

  before(async () => {
    const manifest = JSON.parse(await readFile(join(consumer, 'node_modules', 'calm-access', 'package.json'), 'utf8'));
    const entry = manifest.exports['.'].default.replace(/^\.\//, '');
    const importMap = { imports: { 'calm-access': `/node_modules/calm-access/${entry}` } };
    await writeFile(
      join(consumer, 'index.html'),
      [
        '<!doctype html>',
        '<html><head><meta charset="utf-8"><title>calm-access</title><link rel="icon" href="data:,">',
        `<script type="importmap">${JSON.stringify(importMap)}</script>`,
        '</head><body>',
        '<script type="module">',
        "import * as calm from 'calm-access';",
        "import { runCorpus } from '/runner.mjs';",
        'window.calm = calm;',
        'window.runCorpus = runCorpus;',
        "document.body.dataset.ready = 'yes';",
        '</script>',
        '</body></html>',
      ].join('\n'),
    );
    // Workers do not see the page's import map: this one imports by path.
    await writeFile(
      join(consumer, 'worker.mjs'),
      [
        `import { createEngine } from '/node_modules/calm-access/${entry}';`,
        "import { runCorpus } from '/runner.mjs';",
        'self.onmessage = async (event) => {',
        '  try {',
        '    self.postMessage(await runCorpus(createEngine, event.data));',
        '  } catch (error) {',
        '    self.postMessage({ failures: [`worker: ${error}`], cases: 0 });',
        '  }',
        '};',
      ].join('\n'),
    );
    server = await startServer({ port: 0, root: consumer });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('response', (response) => {
      if (response.url().endsWith('.wasm')) {
        wasmResponses.push({ url: new URL(response.url()).pathname, type: response.headers()['content-type'] });
      }
    });
    const { port } = server.address();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('body[data-ready="yes"]', { state: 'attached', timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  });

  it('imports the package through an import map and passes the whole corpus', async () => {
    const result = await page.evaluate((files) => window.runCorpus(window.calm.createEngine, files), corpus);
    assert.deepEqual(result.failures, []);
    assert.equal(result.cases, corpusCases);
    assert.ok(result.cases > 0, 'the corpus holds cases');
  });

  it('runs in a module worker and passes the whole corpus there too', async () => {
    const result = await page.evaluate(
      (files) =>
        new Promise((resolve, reject) => {
          const worker = new Worker('/worker.mjs', { type: 'module' });
          worker.onmessage = (event) => {
            worker.terminate();
            resolve(event.data);
          };
          worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
          worker.postMessage(files);
        }),
      corpus,
    );
    assert.deepEqual(result.failures, []);
    assert.equal(result.cases, corpusCases);
  });

  it('fetched the .wasm beside the module, served as application/wasm', () => {
    assert.ok(wasmResponses.length >= 1, 'the page fetched a .wasm');
    for (const response of wasmResponses) {
      assert.equal(response.url, '/node_modules/calm-access/dist/wasm/calm-access.wasm');
      assert.equal(response.type, 'application/wasm');
    }
  });

  it('accepts wasmBinary and locateFile in the page', async () => {
    const result = await page.evaluate(async () => {
      const url = '/node_modules/calm-access/dist/wasm/calm-access.wasm';
      const bytes = await (await fetch(url)).arrayBuffer();
      const fromBytes = await window.calm.createEngine({ wasmBinary: bytes });
      const asked = [];
      const located = await window.calm.createEngine({
        locateFile: (path, prefix) => {
          asked.push(path);
          return new URL(path, prefix).href;
        },
      });
      const out = { bytes: fromBytes.decide(42).code, located: located.decide(42).code, asked };
      fromBytes.dispose();
      located.dispose();
      return out;
    });
    assert.deepEqual(result, { bytes: 'invalid-request', located: 'invalid-request', asked: ['calm-access.wasm'] });
  });

  it('has the same error behaviour as in Node', async () => {
    const result = await page.evaluate(async () => {
      const engine = await window.calm.createEngine();
      const out = { invalid: engine.decide(42).code, unknown: engine.explain('u-1', 'site.update', 'hq').code };
      try {
        engine.assertCan('u-1', 'site.update', 'hq');
      } catch (error) {
        out.forbidden = error instanceof window.calm.ForbiddenError && error.decision.code;
      }
      out.load = engine.load('{').ok;
      engine.dispose();
      return out;
    });
    assert.deepEqual(result, { invalid: 'invalid-request', unknown: 'unknown-user', forbidden: 'unknown-user', load: false });
  });

  it('logged no error or warning', () => {
    assert.deepEqual(problems, []);
  });
});
