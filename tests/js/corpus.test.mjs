// Every case of tests/corpus/*.json, decided by the built wasm in Node.
import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';

import { createEngine } from 'calm-access';

import { checkCase } from './support/corpus-runner.mjs';
import { readCorpus } from './support/corpus-files.mjs';

const files = await readCorpus();
const total = files.reduce((sum, { data }) => sum + (data.cases?.length ?? 0), 0);

it('the corpus is not empty', () => {
  assert.ok(files.length > 0, 'no tests/corpus/*.json file');
  assert.ok(total > 0, 'the corpus files hold no case');
});

for (const { file, data } of files) {
  describe(file, () => {
    let engine;
    before(async () => {
      engine = await createEngine();
    });
    after(() => engine.dispose());

    it('its snapshot loads', () => {
      const loaded = engine.load(data.snapshot);
      assert.deepEqual(loaded.errors, []);
      assert.equal(loaded.ok, true);
    });

    for (const testCase of data.cases ?? []) {
      const rules = testCase.rules?.length ? ` [${testCase.rules.join(', ')}]` : '';
      it(`${testCase.name}${rules}`, () => {
        assert.equal(checkCase(engine, testCase), undefined);
      });
    }
  });
}
