// Reads every tests/corpus/*.json file (Node only).
import { readdir, readFile } from 'node:fs/promises';

export const CORPUS_DIR = new URL('../../corpus/', import.meta.url);

/** @returns {Promise<Array<{ file: string, data: any }>>} sorted by file name */
export async function readCorpus(dir = CORPUS_DIR) {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(
    names.map(async (file) => ({ file, data: JSON.parse(await readFile(new URL(file, dir), 'utf8')) })),
  );
}
