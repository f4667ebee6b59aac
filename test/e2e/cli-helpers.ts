import { spawn } from 'node:child_process';
import { runCli } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { truth } from '../support/simulator-client.js';
import { compareWithTruth, mismatches, queryDuckDb } from '../support/warehouse.js';

/** The access token of every simulator in the CLI tests: it must never be printed. */
export const MARKER_TOKEN = 'tok_cli_MARKER_c0ffee_5e1d9b77';

/** The built CLI, as users run it (`npm run build` first). */
export const BUILT_CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Everything any CLI run of a test file printed, for the "never prints the token" check. */
export class OutputLog {
  readonly #chunks: string[] = [];

  add(...texts: string[]): void {
    this.#chunks.push(...texts);
  }

  get text(): string {
    return this.#chunks.join('\n');
  }

  get size(): number {
    return this.#chunks.length;
  }
}

/** Runs the CLI in-process (`runCli`), capturing stdout and stderr lines. */
export async function cli(log: OutputLog, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await runCli(args, io, env);
  const run = { code, out: out.join('\n'), err: err.join('\n') };
  log.add(run.out, run.err);
  return run;
}

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the signal being sent to the process exiting. */
  exitAfterSignalMs?: number;
}

/**
 * Runs the built CLI as its own process. With `signalAfter`, sends that signal `afterMs` after the
 * first line on stderr (the CLI is then past its start-up and has its signal handlers installed).
 */
export function runBuiltCli(
  log: OutputLog,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    signalAfter?: { signal: NodeJS.Signals; afterMs: number };
    /** Kill the process (SIGKILL) if it runs longer than this. */
    timeoutMs?: number;
  } = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], {
      // Only what Node and DuckDB need: no INTERCOM_* variable of the machine running the tests.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalSentAt: number | undefined;
    let signalTimer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      const plan = options.signalAfter;
      if (plan && signalTimer === undefined) {
        signalTimer = setTimeout(() => {
          signalSentAt = Date.now();
          child.kill(plan.signal);
        }, plan.afterMs);
      }
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (signalTimer) clearTimeout(signalTimer);
      log.add(stdout, stderr);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        ...(signalSentAt === undefined ? {} : { exitAfterSignalMs: Date.now() - signalSentAt }),
      });
    });
  });
}

/** `sync` arguments reaching the simulator with the marker token, into `db`. */
export function syncArgs(sim: RunningSimulator, db: string, streams: readonly string[]): string[] {
  return [
    'sync',
    '--access-token',
    sim.token,
    '--base-url',
    sim.url,
    '--dest-uri',
    `duckdb:///${db}`,
    '--streams',
    streams.join(','),
  ];
}

/** Compares each stream's table with the simulator's truth; returns only the mismatches. */
export async function truthMismatches(
  sim: RunningSimulator,
  db: string,
  streams: readonly string[],
): Promise<Array<Record<string, unknown>>> {
  return mismatches(await Promise.all(streams.map((stream) => compareWithTruth(sim, db, stream))));
}

/** A table's ids with their `updated_at` (Unix seconds), for tables the truth helper cannot name. */
export async function idsAndTimes(db: string, table: string): Promise<Map<string, number>> {
  const rows = await queryDuckDb(
    db,
    `SELECT CAST(id AS VARCHAR) AS id, epoch(updated_at) AS t FROM ${table}`,
  );
  return new Map(rows.map((r) => [String(r.id), Number(r.t)]));
}

/** The truth's ids with their `updated_at`, optionally filtered. */
export async function truthIdsAndTimes(
  sim: RunningSimulator,
  stream: string,
  keep: (record: Record<string, unknown>) => boolean = () => true,
): Promise<Map<string, number>> {
  const records = (await truth(sim, stream)).filter(keep);
  return new Map(records.map((r) => [String(r.id), Number(r.updated_at)]));
}

/** The summary table's row of a stream: `[stream, status, mode, rows, pages, duration…]`. */
export function summaryRow(out: string, stream: string): string[] | undefined {
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((cells) => cells[0] === stream && cells.length >= 5);
}
