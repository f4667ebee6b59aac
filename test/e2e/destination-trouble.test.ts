import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { DEFAULT_STREAMS } from '../../src/streams/index.js';
import { POSTGRES_TEST_URI, postgresUnavailable } from '../destinations/postgres-harness.js';
import { requireEnvironment } from '../support/environment.js';
import {
  compareReaderWithTruth,
  duckDbReader,
  mismatches,
  postgresReader,
  type RowReader,
  TRUTH_KEYS,
} from '../support/warehouse.js';
import { MARKER_TOKEN, OutputLog, runBuiltCli } from './cli-helpers.js';

/**
 * Destination trouble, end to end through the built CLI: a DuckDB file another process holds, a
 * folder that became read-only, a full disk, a PostgreSQL backend terminated mid-sync. Each: a
 * non-zero exit with a clear sentence, no damaged table, and state that lets a rerun (once the
 * trouble is gone) end with exactly the truth.
 */

const run = promisify(execFile);
const STREAMS = DEFAULT_STREAMS.filter((s) => TRUTH_KEYS[s] !== undefined);
const log = new OutputLog();
let dir: string;

const pgUnavailable = await postgresUnavailable();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-dest-trouble-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const simulator = () =>
  startSimulator({
    scale: 'tiny',
    seed: 41,
    token: MARKER_TOKEN,
    counts: { contacts: 80, companies: 20, conversations: 30 },
  });

function sync(sim: RunningSimulator, destUri: string, extra: string[] = []) {
  return runBuiltCli(
    log,
    ['sync', '--base-url', sim.url, '--dest-uri', destUri, '--streams', STREAMS.join(','), ...extra],
    { env: { INTERCOM_ACCESS_TOKEN: sim.token }, timeoutMs: 60_000 },
  );
}

const change = (sim: RunningSimulator) =>
  sim.control.mutate({
    create: { contacts: 5, conversation_parts: 6 },
    update: { conversations: 4, companies: 2 },
  });

async function expectTruth(sim: RunningSimulator, reader: RowReader): Promise<void> {
  expect(mismatches(await Promise.all(STREAMS.map((s) => compareReaderWithTruth(sim, reader, s))))).toEqual(
    [],
  );
}

/**
 * A clear error: no stack trace anywhere, and a line (`error: …` on stderr, or a failed stream's
 * line under the summary) saying what happened in one sentence.
 */
function expectClearError(run: { stdout: string; stderr: string }, says: RegExp): void {
  const output = `${run.stdout}\n${run.stderr}`;
  expect(output).not.toMatch(/\n\s+at /);
  expect(output).not.toMatch(/node:internal|Unhandled/);
  const lines = output.split('\n').filter((l) => says.test(l));
  expect(lines.length, output).toBeGreaterThan(0);
}

describe('DuckDB', () => {
  it('a file another process holds: a non-zero exit naming the file and the holder; after it lets go, a rerun matches', async () => {
    const sim = await simulator();
    const file = join(dir, 'held.duckdb');
    let holder: ChildProcess | undefined;
    try {
      const script = `
        const { DuckDBInstance } = require('@duckdb/node-api');
        DuckDBInstance.create(process.argv[1]).then(async (instance) => {
          await (await instance.connect()).run('CREATE TABLE held (x INTEGER)');
          process.stdout.write('ready\\n');
          setInterval(() => {}, 1000);
        });`;
      holder = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      const child = holder;
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`the holding process exited early (${code})`)));
      });
      const locked = await sync(sim, `duckdb:///${file}`);
      expect(locked.code).not.toBe(0);
      expectClearError(locked, new RegExp(`${file}.*locked by another process \\(PID ${child.pid}`));
      child.kill();
      await once(child, 'exit');
      const rerun = await sync(sim, `duckdb:///${file}`);
      expect(rerun.code, rerun.stderr).toBe(0);
      await expectTruth(sim, duckDbReader(file));
    } finally {
      if (holder && holder.exitCode === null) holder.kill();
      await sim.close();
    }
  }, 90_000);

  it('a folder made read-only after a first sync: the next fails naming the path; state intact; a rerun matches', async (context) => {
    const sim = await simulator();
    const folder = join(dir, 'read-only');
    await mkdir(folder);
    const file = join(folder, 'warehouse.duckdb');
    const lock = async (on: boolean) => {
      if (process.getuid?.() === 0) await run('chattr', [on ? '+i' : '-i', folder]);
      else await run('chmod', [on ? '0500' : '0700', folder]);
    };
    try {
      const first = await sync(sim, `duckdb:///${file}`);
      expect(first.code, first.stderr).toBe(0);
      change(sim);
      try {
        await lock(true);
      } catch {
        return requireEnvironment(context, 'a way to make a folder read-only (chmod, or chattr as root)');
      }
      let blocked: Awaited<ReturnType<typeof sync>>;
      try {
        blocked = await sync(sim, `duckdb:///${file}`);
      } finally {
        await lock(false);
      }
      expect(blocked.code).not.toBe(0);
      expectClearError(blocked, /permission denied|read-only|Permission denied|Operation not permitted/i);
      const rerun = await sync(sim, `duckdb:///${file}`);
      expect(rerun.code, rerun.stderr).toBe(0);
      await expectTruth(sim, duckDbReader(file));
    } finally {
      await sim.close();
    }
  }, 90_000);

  it('a full disk: the sync fails saying so; after the disk grows, a rerun matches', async (context) => {
    // More than a 256 KB disk holds, even in DuckDB's write-ahead log alone.
    const sim = await startSimulator({
      scale: 'tiny',
      seed: 42,
      token: MARKER_TOKEN,
      counts: { contacts: 600, companies: 60, conversations: 120 },
    });
    const disk = join(dir, 'small-disk');
    await mkdir(disk);
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', disk]);
    } catch {
      await sim.close();
      return requireEnvironment(context, 'mounting a small tmpfs (root)');
    }
    const file = join(disk, 'warehouse.duckdb');
    try {
      const full = await sync(sim, `duckdb:///${file}`);
      expect(full.code).not.toBe(0);
      expectClearError(full, /no space left|disk is full|No space left/i);
      await run('mount', ['-o', 'remount,size=64m', 'tmpfs', disk]);
      const rerun = await sync(sim, `duckdb:///${file}`);
      expect(rerun.code, rerun.stderr).toBe(0);
      await expectTruth(sim, duckDbReader(file));
    } finally {
      await sim.close();
      await run('umount', [disk]).catch(() => undefined);
    }
  }, 90_000);
});

describe.skipIf(pgUnavailable !== undefined)('PostgreSQL', () => {
  it('our backend terminated mid-sync: exit 1 with a clear error; no half-written rows; a rerun matches', async () => {
    const sim = await startSimulator({
      scale: 'tiny',
      seed: 43,
      token: MARKER_TOKEN,
      counts: { contacts: 200, companies: 30, conversations: 60 },
      latencyMs: 3,
    });
    const schema = `trouble_${process.pid}`;
    const application = `trouble_${process.pid}`;
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URI });
    await admin.connect();
    try {
      const uri = `${POSTGRES_TEST_URI}?application_name=${application}`;
      const syncing = sync(sim, uri, ['--dest-schema', schema]);
      // Wait until our backend is inside a transaction that has written, then end it from the server.
      let terminated = 0;
      const deadline = Date.now() + 30_000;
      while (terminated === 0 && Date.now() < deadline) {
        const result = await admin.query(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
            WHERE application_name = $1 AND backend_xid IS NOT NULL`,
          [application],
        );
        terminated = result.rows.filter((r: { done: boolean }) => r.done).length;
        if (terminated === 0) await new Promise((r) => setTimeout(r, 3));
      }
      expect(terminated).toBeGreaterThan(0);
      const cut = await syncing;
      expect(cut.code).not.toBe(0);
      expectClearError(cut, /terminat|connection|PostgreSQL/i);
      const rerun = await sync(sim, uri, ['--dest-schema', schema]);
      expect(rerun.code, rerun.stderr).toBe(0);
      const reader = postgresReader(POSTGRES_TEST_URI, schema);
      await expectTruth(sim, reader);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await admin.end();
      await sim.close();
    }
  }, 90_000);
});

describe('secrets', () => {
  it('no run above printed the access token', () => {
    expect(log.size).toBeGreaterThan(0);
    expect(log.text).not.toContain(MARKER_TOKEN);
  });
});
