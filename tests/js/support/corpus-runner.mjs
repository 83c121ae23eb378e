// Runs decision corpus files (tests/corpus/README.md) against an engine made
// by `createEngine`. Plain ES module with no Node imports: the same code runs
// in Node, against the installed package and in a Chromium page.

/**
 * @param {() => Promise<import('calm-access').Engine>} createEngine
 * @param {Array<{ file: string, data: any }>} files
 * @returns {Promise<{ files: number, cases: number, failures: string[] }>}
 */
export async function runCorpus(createEngine, files) {
  const failures = [];
  let cases = 0;
  for (const { file, data } of files) {
    const engine = await createEngine();
    try {
      const loaded = engine.load(data.snapshot);
      if (!loaded.ok) {
        failures.push(`${file}: snapshot does not load: ${JSON.stringify(loaded.errors)}`);
        continue;
      }
      for (const [index, testCase] of (data.cases ?? []).entries()) {
        cases += 1;
        const problem = checkCase(engine, testCase);
        if (problem) failures.push(`${file} case ${index} (${testCase.name}): ${problem}`);
      }
    } finally {
      engine.dispose();
    }
  }
  return { files: files.length, cases, failures };
}

/** Why `testCase` fails against `engine`, or undefined when it holds. */
export function checkCase(engine, testCase) {
  const decision = engine.decide(testCase.request);
  const { expect } = testCase;
  const wrong = [];
  if (decision.allowed !== expect.allowed) wrong.push(`allowed ${decision.allowed}, expected ${expect.allowed}`);
  if (decision.code !== expect.code) wrong.push(`code \`${decision.code}\`, expected \`${expect.code}\``);
  if ('message' in expect && decision.message !== expect.message) {
    wrong.push(`message ${JSON.stringify(decision.message)}, expected ${JSON.stringify(expect.message)}`);
  }
  if (wrong.length === 0) return undefined;
  return `${wrong.join('; ')} (decision ${JSON.stringify(decision)})`;
}
