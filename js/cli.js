#!/usr/bin/env node
// calm-access command line: decisions and effective roles from a snapshot
// file, through the package's public API only.
//
//   calm-access decide --snapshot FILE < requests.jsonl > decisions.jsonl
//   calm-access roles --snapshot FILE --user ID [--json]
//   calm-access viewer-snapshot --snapshot FILE --user ID > viewer.json
//
// Exit codes: 0 done; 1 the snapshot or a query failed (errors on stderr);
// 2 usage error (usage on stderr).

import { open } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { createEngine } from './index.js';

const USAGE = `usage:
  calm-access decide --snapshot FILE
      reads one JSON decision request per line on stdin and writes one JSON
      decision per line on stdout, in order; lines end at \n (a \r before it
      is dropped); a line that is not a valid request, or longer than 1 MiB,
      gets an invalid-request decision; blank lines are skipped
  calm-access roles --snapshot FILE --user ID [--json]
      prints the effective roles of a user, with where each came from
  calm-access viewer-snapshot --snapshot FILE --user ID
      prints, as JSON, the viewer snapshot of a user: what their browser may
      hold (SERVER.md section 1)
  calm-access --help
`;

class UsageError extends Error {}

class Failure extends Error {}

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        snapshot: { type: 'string' },
        user: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error.message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (positionals.length === 0) throw new UsageError('missing command');
  if (positionals.length > 1) throw new UsageError(`unexpected argument \`${positionals[1]}\``);
  const [command] = positionals;
  if (command === 'help') return { command };
  if (command !== 'decide' && command !== 'roles' && command !== 'viewer-snapshot') {
    throw new UsageError(`unknown command \`${command}\``);
  }
  if (!values.snapshot) throw new UsageError(`\`${command}\` needs --snapshot FILE`);
  if (command !== 'decide' && !values.user) throw new UsageError(`\`${command}\` needs --user ID`);
  if (command === 'viewer-snapshot' && values.json !== undefined) {
    throw new UsageError('`viewer-snapshot` takes only --snapshot and --user');
  }
  if (command === 'decide' && (values.user !== undefined || values.json !== undefined)) {
    throw new UsageError('`decide` takes only --snapshot');
  }
  return { command, snapshot: values.snapshot, user: values.user, json: values.json === true };
}

/**
 * The first `max` bytes of a file (all of it when smaller): a file past the
 * engine's snapshot limit is read only far enough for the engine to refuse it.
 */
async function readAtMost(file, max) {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.allocUnsafe(Math.min(size, max));
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

async function loadEngine(file) {
  const engine = await createEngine();
  let bytes;
  try {
    bytes = await readAtMost(file, engine.limits().snapshot + 1);
  } catch (error) {
    throw new Failure(`cannot read snapshot \`${file}\`: ${error.code ?? error.message}`);
  }
  const result = engine.load(bytes);
  if (!result.ok) {
    const lines = result.errors.map((e) => `${e.path || '/'}: ${e.message} [${e.code}]`);
    throw new Failure(`snapshot \`${file}\` does not load:\n${lines.join('\n')}`);
  }
  return engine;
}

/** Writes `text` to stdout, waiting when the pipe is full. */
function write(text) {
  if (process.stdout.write(text)) return undefined;
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;

/** True when every byte is JSON whitespace (space, tab, \r). */
function blank(bytes) {
  return bytes.every((b) => b === 0x20 || b === 0x09 || b === RETURN);
}

/**
 * One answer per request line, in order, written as each chunk of input is
 * decided. Lines end at \n only (\r is JSON whitespace inside a request; a
 * \r before the \n is dropped). A line is kept only up to just past the
 * engine's request limit, so a line of any length costs bounded memory and
 * gets the engine's own invalid-request answer for an oversized request.
 */
async function decide(engine) {
  const limit = engine.limits().request;
  const keep = limit + 2; // room for a trailing \r on a line of exactly `limit` bytes
  let parts = [];
  let kept = 0;
  let truncated = false;
  const answer = () => {
    let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, kept);
    parts = [];
    kept = 0;
    if (!truncated && bytes.length > 0 && bytes[bytes.length - 1] === RETURN) bytes = bytes.subarray(0, -1);
    truncated = false;
    return blank(bytes) ? '' : engine.decideJson(bytes) + '\n';
  };
  for await (const chunk of process.stdin) {
    let batch = '';
    for (let start = 0; start <= chunk.length; ) {
      const end = chunk.indexOf(NEWLINE, start);
      const stop = end === -1 ? chunk.length : end;
      const take = Math.min(stop - start, keep - kept);
      if (take > 0) {
        parts.push(chunk.subarray(start, start + take));
        kept += take;
      }
      if (take < stop - start) truncated = true;
      if (end === -1) break;
      batch += answer();
      start = end + 1;
    }
    if (batch) await write(batch);
  }
  if (kept > 0) await write(answer());
}

function describeSource(source) {
  const role = `(${source.role})`;
  switch (source.kind) {
    case 'direct':
      return `direct ${role}`;
    case 'cascade':
      return `cascade from ${source.from} ${role}`;
    case 'implied':
      return `implied by ${source.from} ${role}`;
    case 'owner':
      return `owner ${role}`;
    default:
      return `${source.kind} ${role}`;
  }
}

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function roles(engine, user, json) {
  let rows;
  try {
    rows = engine.roles(user);
  } catch (error) {
    if (error.name === 'QueryError') throw new Failure(error.message);
    throw error;
  }
  if (json) {
    await write(JSON.stringify(rows) + '\n');
    return;
  }
  if (rows.length === 0) {
    await write(`\`${user}\` holds no role anywhere\n`);
    return;
  }
  const cells = [['SITE', 'MODULE', 'ROLE', 'SOURCES']];
  for (const row of rows) {
    const role = row.entitled ? row.role : `${row.role} (not entitled)`;
    cells.push([row.site, row.module, role, row.sources.map(describeSource).join(', ')]);
  }
  await write(table(cells) + '\n');
}

async function viewerSnapshot(engine, user) {
  let snapshot;
  try {
    snapshot = engine.viewerSnapshot(user);
  } catch (error) {
    if (error.name === 'QueryError') throw new Failure(error.message);
    throw error;
  }
  await write(JSON.stringify(snapshot) + '\n');
}

async function main(argv) {
  const options = parse(argv);
  if (options.command === 'help') {
    await write(USAGE);
    return;
  }
  const engine = await loadEngine(options.snapshot);
  if (options.command === 'decide') await decide(engine);
  else if (options.command === 'viewer-snapshot') await viewerSnapshot(engine, options.user);
  else await roles(engine, options.user, options.json);
}

process.stdout.on('error', (error) => {
  // The reader went away (`| head`): stop quietly.
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`calm-access: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof Failure) {
    process.stderr.write(`calm-access: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`calm-access: internal error: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  }
}
