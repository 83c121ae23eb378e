// The package as users get it: `npm pack` of this checkout, installed into an
// empty project in a temp folder. Shared by the tests of tests/js/package/.

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const exec = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs npm in `cwd`, quietly. */
export function npm(args, cwd) {
  return exec('npm', args, { cwd, maxBuffer: 64 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

/**
 * Packs the package into a new temp folder and installs the tarball (with
 * `also`, more packages or flags for `npm install`) into an empty ES-module
 * project there. Returns `{ work, consumer, packed }`: the temp folder (remove
 * it after), the project, and `npm pack --json`'s entry for the tarball.
 */
export async function packAndInstall(name, also = []) {
  const work = await mkdtemp(join(tmpdir(), `${name}-`));
  const { stdout } = await npm(['pack', '--json', '--pack-destination', work], ROOT);
  const [packed] = JSON.parse(stdout);
  const consumer = join(work, 'consumer');
  await mkdir(consumer);
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }, null, 2));
  await npm(
    ['install', '--no-audit', '--no-fund', '--no-package-lock', join(work, packed.filename), ...also],
    consumer,
  );
  return { work, consumer, packed };
}
