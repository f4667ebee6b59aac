/**
 * The chaos harness: crash a real sync at random moments and prove nothing is lost or doubled.
 *
 *   npm run chaos -- --trials 20 --dest duckdb|postgres|parquet [--seed 1]
 *   npm run chaos -- --faults [--dest duckdb] [--rates 0.01,0.05,0.1,0.3] [--kinds reset,timeout] [--parallel 3] [--seed 1]
 *
 * Crash mode, per trial: an in-process simulator with a seed drawn from `--seed`, a workspace of
 * random size; 1–3 times: maybe mutate it, run the built CLI's `sync` as its own process and SIGKILL
 * it at a random moment (drawn again, up to three times, when the sync ends first); then mutate once more and run `sync` until it exits 0; compare every table
 * with `/_simulator/truth/{stream}`. Half the kills are at a random time within a sync's length, the
 * other half are aimed at a commit, seen from outside the process (no hook in the tool):
 *   duckdb    the Nth write to the database's write-ahead log (DuckDB writes it when a transaction commits);
 *   parquet   the Nth file event in the lake (a batch file written under a temporary name, a rename, the state file);
 *   postgres  the Nth time `pg_stat_activity` shows our backend inside a transaction that has written (backend_xid set).
 * The last line is `trials=N lost=L duplicated=D mismatched=M`; the exit code is 1 unless all three are 0.
 *
 * Fault mode: for each fault kind alone and all kinds together, at each rate, one sync against a
 * simulator injecting it. A sync must either exit 0 and match the truth, or exit non-zero naming the
 * stream and endpoint that failed; then the faults are turned off and a clean sync must match the
 * truth (its state was not advanced past what was written). Prints one table row per cell.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  FAULT_KINDS,
  type FaultKind,
  type RunningSimulator,
  startSimulator,
} from '../src/simulator/index.js';
import { DEFAULT_STREAMS } from '../src/streams/index.js';
import {
  compareReaderWithTruth,
  duckDbReader,
  filesReader,
  postgresReader,
  type RowReader,
  TRUTH_KEYS,
} from '../test/support/warehouse.js';

export type ChaosDestination = 'duckdb' | 'postgres' | 'parquet';
export const CHAOS_DESTINATIONS: readonly ChaosDestination[] = ['duckdb', 'postgres', 'parquet'];

const TOKEN = 'chaos_token_not_a_secret';
/** The streams a default sync reads that the truth can be compared with: all of them. */
const STREAMS = DEFAULT_STREAMS.filter((s) => TRUTH_KEYS[s] !== undefined);
const DEFAULT_PG_URI = process.env.INTERCOM_SYNC_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** The repository root, whether this runs from bench/ (vitest) or dist-bench/bench/ (npm run chaos). */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('cannot find the repository root (no package.json above the harness)');
    dir = parent;
  }
  return dir;
}

const CLI = join(repositoryRoot(), 'dist', 'cli', 'main.js');

/** A small seeded generator (mulberry32): the same --seed gives the same trials. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (random: () => number, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1));

export interface ChaosOptions {
  trials: number;
  dest: ChaosDestination;
  seed: number;
  /** PostgreSQL to write to (default `$INTERCOM_SYNC_TEST_PG`, else the local trust-auth server, db `test`). */
  pgUri?: string;
  /** Where each line of the report goes (default stdout). */
  print?: (line: string) => void;
}

export interface KillRecord {
  /** `time`: a random moment; `commit`: aimed at a commit (see the file comment). */
  aim: 'time' | 'commit';
  /** Milliseconds after the process started. */
  atMs: number;
  /** False when the sync finished before the moment came. */
  killed: boolean;
  /** For aimed kills: whether the moment was seen inside a commit (false when the sync ended first). */
  inCommit: boolean;
}

export interface Totals {
  lost: number;
  duplicated: number;
  mismatched: number;
}

export interface TrialResult extends Totals {
  trial: number;
  simulatorSeed: number;
  kills: KillRecord[];
  /** Runs after the last kill until one exited 0. */
  reruns: number;
  /** Records in the truth across the compared streams. */
  records: number;
  /** Set when no rerun succeeded: the trial failed. */
  failure?: string;
}

export interface ChaosReport extends Totals {
  trials: TrialResult[];
}

interface Target {
  uri: string;
  extraArgs: string[];
  reader: RowReader;
  /** Arms the commit trigger; resolves when the Nth commit event is seen. */
  armCommitTrigger(count: number, signal: AbortSignal): Promise<void>;
  cleanup(): Promise<void>;
}

/** Resolves after `count` file events that match `interesting` under `folder`, or never if aborted. */
function fileEvents(
  folder: string,
  recursive: boolean,
  interesting: (name: string) => boolean,
  count: number,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    let watcher: FSWatcher | undefined;
    const stop = () => watcher?.close();
    try {
      watcher = watch(folder, { recursive }, (_event, name) => {
        if (name === null || !interesting(String(name))) return;
        seen++;
        if (seen >= count) {
          stop();
          resolve();
        }
      });
      watcher.on('error', stop);
    } catch {
      // The folder vanished: no trigger.
    }
    signal.addEventListener('abort', stop, { once: true });
  });
}

async function makeTarget(dest: ChaosDestination, dir: string, name: string, pgUri: string): Promise<Target> {
  if (dest === 'duckdb') {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    const file = join(folder, 'warehouse.duckdb');
    return {
      uri: `duckdb:///${file}`,
      extraArgs: [],
      reader: duckDbReader(file),
      armCommitTrigger: (count, signal) =>
        fileEvents(folder, false, (n) => n.endsWith('.wal'), count, signal),
      cleanup: () => rm(folder, { recursive: true, force: true }),
    };
  }
  if (dest === 'parquet') {
    const root = join(dir, name, 'lake');
    await mkdir(root, { recursive: true });
    return {
      uri: `parquet:///${root}`,
      extraArgs: [],
      reader: filesReader(root),
      armCommitTrigger: (count, signal) =>
        fileEvents(root, true, (n) => n.endsWith('.tmp') || n.endsWith('.parquet'), count, signal),
      cleanup: () => rm(join(dir, name), { recursive: true, force: true }),
    };
  }
  const schema = `chaos_${process.pid}_${name.replace(/\W/g, '_')}`;
  const application = `chaos_${process.pid}_${name.replace(/\W/g, '_')}`;
  const separator = pgUri.includes('?') ? '&' : '?';
  return {
    uri: `${pgUri}${separator}application_name=${application}`,
    extraArgs: ['--dest-schema', schema],
    reader: postgresReader(pgUri, schema),
    armCommitTrigger: async (count, signal) => {
      const client = new pg.Client({ connectionString: pgUri });
      client.on('error', () => undefined);
      await client.connect();
      try {
        let seen = 0;
        while (!signal.aborted) {
          const result = await client.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE application_name = $1 AND xact_start IS NOT NULL AND backend_xid IS NOT NULL`,
            [application],
          );
          if ((result.rows[0] as { n: number }).n > 0 && ++seen >= count) return;
          await new Promise((r) => setTimeout(r, 2));
        }
        await new Promise(() => undefined);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    cleanup: async () => {
      const client = new pg.Client({ connectionString: pgUri });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface SyncRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  durationMs: number;
}

/** Runs the built CLI's `sync`; `killWhen` resolving kills it with SIGKILL. */
export function runSync(
  sim: RunningSimulator,
  target: Pick<Target, 'uri' | 'extraArgs'>,
  killWhen?: (child: ChildProcess) => Promise<void>,
  extra: string[] = [],
  /** A run still going after this long is killed (and counts as a failure). */
  guardMs = 120_000,
): Promise<SyncRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [
        CLI,
        'sync',
        '--base-url',
        sim.url,
        '--dest-uri',
        target.uri,
        ...target.extraArgs,
        '--streams',
        STREAMS.join(','),
        '--log-format',
        'json',
        ...extra,
      ],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, INTERCOM_ACCESS_TOKEN: sim.token },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
    void killWhen?.(child).then(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, output, durationMs: Date.now() - started });
    });
  });
}

async function compareAll(sim: RunningSimulator, reader: RowReader): Promise<Totals & { records: number }> {
  const totals = { lost: 0, duplicated: 0, mismatched: 0, records: 0 };
  for (const stream of STREAMS) {
    const c = await compareReaderWithTruth(sim, reader, stream);
    totals.lost += c.missing.length;
    totals.duplicated += c.duplicated.length;
    totals.mismatched += c.extra.length + c.stale.length;
    totals.records += c.expected;
  }
  return totals;
}

function randomMutation(random: () => number): Parameters<RunningSimulator['control']['mutate']>[0] {
  return {
    create: {
      contacts: between(random, 0, 8),
      conversations: between(random, 0, 3),
      conversation_parts: between(random, 0, 8),
    },
    update: {
      contacts: between(random, 0, 8),
      companies: between(random, 0, 3),
      conversations: between(random, 0, 4),
      tickets: between(random, 0, 2),
    },
    delete: { conversations: between(random, 0, 1) },
    advance_seconds: between(random, 60, 7200),
  };
}

/** The crash mode: see the file comment. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const print = options.print ?? ((line: string) => console.log(line));
  const pgUri = options.pgUri ?? DEFAULT_PG_URI;
  const dir = await mkdtemp(join(tmpdir(), 'intercom-sync-chaos-'));
  const trials: TrialResult[] = [];
  // A sync's length, learnt from runs that completed, so random moments spread over it.
  let typicalMs = 1500;
  try {
    for (let trial = 1; trial <= options.trials; trial++) {
      const random = seededRandom(options.seed * 100_003 + trial);
      const simulatorSeed = between(random, 1, 2 ** 31);
      const sim = await startSimulator({
        scale: 'tiny',
        seed: simulatorSeed,
        token: TOKEN,
        counts: {
          contacts: between(random, 40, 160),
          companies: between(random, 10, 40),
          conversations: between(random, 15, 50),
          tickets: between(random, 4, 16),
        },
        latencyMs: 2,
        jitterMs: 2,
      });
      const target = await makeTarget(options.dest, dir, `t${trial}`, pgUri);
      const result: TrialResult = {
        trial,
        simulatorSeed,
        kills: [],
        reruns: 0,
        records: 0,
        lost: 0,
        duplicated: 0,
        mismatched: 0,
      };
      try {
        const kills = between(random, 1, 3);
        for (let k = 0; k < kills; k++) {
          if (k > 0 && random() < 0.6) sim.control.mutate(randomMutation(random));
          const aim: KillRecord['aim'] = random() < 0.5 ? 'commit' : 'time';
          let share = 0.2 + 0.8 * random();
          let commitNumber = between(random, 1, 12);
          // A sync that ends before its moment is a completed run; the moment is then drawn again
          // (over the sync's length as now learnt, or an earlier commit), up to three times.
          for (let attempt = 0; attempt < 3; attempt++) {
            const delayMs = Math.round(typicalMs * share);
            let inCommit = false;
            let atMs = 0;
            const run = await runSync(sim, target, async (child) => {
              const started = Date.now();
              const controller = new AbortController();
              child.once('close', () => controller.abort());
              if (aim === 'time') await new Promise((r) => setTimeout(r, delayMs));
              else {
                await target.armCommitTrigger(commitNumber, controller.signal);
                inCommit = !controller.signal.aborted;
              }
              atMs = Date.now() - started;
            });
            const killed = run.signal === 'SIGKILL';
            if (!killed) {
              if (run.code !== 0) throw new Error(`a sync exited ${run.code}: ${run.output.slice(-800)}`);
              typicalMs = run.durationMs;
              share /= 2;
              commitNumber = Math.max(1, Math.floor(commitNumber / 3));
            }
            result.kills.push({
              aim,
              atMs: killed ? atMs : run.durationMs,
              killed,
              inCommit: killed && inCommit,
            });
            if (killed) break;
          }
        }
        sim.control.mutate(randomMutation(random));
        for (;;) {
          result.reruns++;
          const run = await runSync(sim, target);
          if (run.code === 0) {
            typicalMs = Math.round((typicalMs + run.durationMs) / 2);
            break;
          }
          if (result.reruns >= 5) throw new Error(`5 reruns failed; the last: ${run.output.slice(-800)}`);
        }
        const totals = await compareAll(sim, target.reader);
        Object.assign(result, totals);
      } catch (error) {
        result.failure = error instanceof Error ? error.message : String(error);
      } finally {
        await sim.close();
        await target.cleanup().catch(() => undefined);
      }
      trials.push(result);
      const moments = result.kills
        .map(
          (k) => `${k.aim}@${k.atMs}ms${k.killed ? (k.inCommit ? '(in commit)' : '') : '(finished first)'}`,
        )
        .join(',');
      print(
        `trial=${trial} dest=${options.dest} sim_seed=${simulatorSeed} records=${result.records} kills=${moments} reruns=${result.reruns} lost=${result.lost} duplicated=${result.duplicated} mismatched=${result.mismatched}${result.failure ? ` FAILED: ${result.failure.replace(/\s+/g, ' ')}` : ''}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const report: ChaosReport = {
    trials,
    lost: sum(trials, 'lost'),
    duplicated: sum(trials, 'duplicated'),
    // A trial that never synced again counts as mismatched: nothing it held was proven.
    mismatched: sum(trials, 'mismatched') + trials.filter((t) => t.failure !== undefined).length,
  };
  const killed = trials.flatMap((t) => t.kills).filter((k) => k.killed);
  print(
    `kills=${killed.length} in_commit=${killed.filter((k) => k.inCommit).length} at_random_times=${killed.filter((k) => k.aim === 'time').length} finished_before_kill=${trials.flatMap((t) => t.kills).length - killed.length}`,
  );
  print(
    `trials=${trials.length} lost=${report.lost} duplicated=${report.duplicated} mismatched=${report.mismatched}`,
  );
  return report;
}

function sum(trials: TrialResult[], key: keyof Totals): number {
  return trials.reduce((total, t) => total + t[key], 0);
}

export interface FaultCell {
  kinds: 'all' | FaultKind;
  rate: number;
  requests: number;
  faults: number;
  /** `matched`: exit 0 and the truth; `failed-loudly`: non-zero exit naming stream and endpoint, then a clean sync matched. */
  outcome: 'matched' | 'failed-loudly' | 'BAD';
  lost: number;
  /** Wall time of the faulty sync, ms. */
  durationMs: number;
  detail?: string;
}

export interface FaultOptions {
  dest: ChaosDestination;
  seed: number;
  /** Rates of each kind alone. */
  rates: number[];
  /** Rates of all kinds together (default: `rates`). */
  allRates?: number[];
  /** Fault kinds to try alone (default all). */
  kinds?: FaultKind[];
  /** Cells run at once (default 1). */
  parallel?: number;
  /** Exactly these cells instead of the kinds × rates grid. */
  cells?: Array<{ kinds: FaultKind | 'all'; rate: number }>;
  pgUri?: string;
  print?: (line: string) => void;
}

/** The fault mode: see the file comment. */
export async function runFaultMatrix(options: FaultOptions): Promise<FaultCell[]> {
  const print = options.print ?? ((line: string) => console.log(line));
  const pgUri = options.pgUri ?? DEFAULT_PG_URI;
  const dir = await mkdtemp(join(tmpdir(), 'intercom-sync-faults-'));
  const kindsAlone = options.kinds ?? [...FAULT_KINDS];
  const plan =
    options.cells ??
    [...kindsAlone, 'all' as const].flatMap((kinds) =>
      (kinds === 'all' ? (options.allRates ?? options.rates) : options.rates).map((rate) => ({
        kinds,
        rate,
      })),
    );
  const cells: FaultCell[] = new Array(plan.length);
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < plan.length; n = next++) {
      const { kinds, rate } = plan[n] as (typeof plan)[number];
      cells[n] = await faultCell(kinds, rate, options.seed + n + 1, options.dest, dir, pgUri);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 1) }, worker));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  print('| faults | rate | requests | faults injected | outcome | records lost | sync time |');
  print('| --- | ---: | ---: | ---: | --- | ---: | ---: |');
  for (const cell of cells)
    print(
      `| ${cell.kinds} | ${Math.round(cell.rate * 100)}% | ${cell.requests} | ${cell.faults} | ${cell.outcome} | ${cell.lost} | ${(cell.durationMs / 1000).toFixed(1)} s |${cell.detail ? ` ${cell.detail.replace(/\s+/g, ' ')}` : ''}`,
    );
  const bad = cells.filter((c) => c.outcome === 'BAD').length;
  print(
    `cells=${cells.length} matched=${cells.filter((c) => c.outcome === 'matched').length} failed_loudly=${cells.filter((c) => c.outcome === 'failed-loudly').length} bad=${bad} faults_injected=${cells.reduce((t, c) => t + c.faults, 0)} lost=${cells.reduce((t, c) => t + c.lost, 0)}`,
  );
  return cells;
}

/** One cell of the matrix: a sync against a simulator injecting `kinds` at `rate`, judged as the file comment says. */
async function faultCell(
  kinds: FaultKind | 'all',
  rate: number,
  seed: number,
  dest: ChaosDestination,
  dir: string,
  pgUri: string,
): Promise<FaultCell> {
  const sim = await startSimulator({
    scale: 'tiny',
    seed,
    token: TOKEN,
    counts: { contacts: 60, companies: 15, conversations: 20, tickets: 6, activityLogs: 20 },
    latencyMs: 1,
    faultRate: rate,
    faultKinds: kinds === 'all' ? [...FAULT_KINDS] : [kinds],
    slowMs: 700,
    scrollIdleExpirySeconds: 2,
    scrollPageSize: 2,
  });
  const target = await makeTarget(dest, dir, `f${seed}`, pgUri);
  const cell: FaultCell = { kinds, rate, requests: 0, faults: 0, outcome: 'BAD', lost: 0, durationMs: 0 };
  try {
    // 429 storms at 30% make a sync wait out many 10-second windows: minutes, not a hang.
    const run = await runSync(sim, target, undefined, ['--timeout-ms', '400'], 900_000);
    cell.durationMs = run.durationMs;
    const stats = sim.control.stats() as { total_requests?: number; faults_injected?: number };
    cell.requests = Number(stats.total_requests ?? 0);
    cell.faults = Number(stats.faults_injected ?? 0);
    sim.control.configure({ fault_rate: 0 });
    if (run.code === 0) {
      const totals = await compareAll(sim, target.reader);
      cell.lost = totals.lost + totals.mismatched + totals.duplicated;
      cell.outcome = cell.lost === 0 ? 'matched' : 'BAD';
      if (cell.lost > 0) cell.detail = 'exit 0 but the tables differ from the truth';
    } else {
      const named = failureNamesStreamAndEndpoint(run.output);
      const clean = await runSync(sim, target);
      const totals = await compareAll(sim, target.reader);
      cell.lost = totals.lost + totals.mismatched + totals.duplicated;
      const ok = named && clean.code === 0 && cell.lost === 0;
      cell.outcome = ok ? 'failed-loudly' : 'BAD';
      if (!ok)
        cell.detail = !named
          ? `exit ${run.code} (${run.signal ?? 'no signal'}) without naming stream and endpoint: ${run.output.slice(-600)}`
          : `the clean sync after it: exit ${clean.code}, ${cell.lost} rows off`;
    }
  } catch (error) {
    cell.detail = error instanceof Error ? error.message : String(error);
  } finally {
    await sim.close();
    await target.cleanup().catch(() => undefined);
  }
  return cell;
}

/** A failed sync's output names a failed stream and the endpoint (`GET /…` or `POST /…`) it failed on. */
export function failureNamesStreamAndEndpoint(output: string): boolean {
  const lines = output.split('\n').filter((l) => /"level":"error"|failed/i.test(l));
  return lines.some((l) => STREAMS.some((s) => l.includes(s)) && /\b(GET|POST) \/[a-z_{}/]*/.test(l));
}

function parseArgs(argv: string[]): {
  mode: 'crash' | 'faults';
  trials: number;
  dest: ChaosDestination;
  seed: number;
  rates: number[];
  kinds?: FaultKind[];
  parallel: number;
} {
  const o: {
    mode: 'crash' | 'faults';
    trials: number;
    dest: ChaosDestination;
    seed: number;
    rates: number[];
    kinds?: FaultKind[];
    parallel: number;
  } = {
    parallel: 1,
    mode: 'crash' as 'crash' | 'faults',
    trials: 10,
    dest: 'duckdb' as ChaosDestination,
    seed: Date.now() % 1_000_000,
    rates: [0.01, 0.05, 0.1, 0.3],
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--trials') o.trials = Number(value());
    else if (flag === '--dest') {
      const d = value();
      if (!(CHAOS_DESTINATIONS as readonly string[]).includes(d))
        throw new Error(`--dest must be one of ${CHAOS_DESTINATIONS.join(', ')}, got "${d}"`);
      o.dest = d as ChaosDestination;
    } else if (flag === '--seed') o.seed = Number(value());
    else if (flag === '--faults') o.mode = 'faults';
    else if (flag === '--rates') o.rates = value().split(',').map(Number);
    else if (flag === '--parallel') o.parallel = Number(value());
    else if (flag === '--kinds') {
      const kinds = value().split(',');
      const unknown = kinds.find((k) => !(FAULT_KINDS as readonly string[]).includes(k));
      if (unknown !== undefined) throw new Error(`--kinds: unknown fault kind "${unknown}"`);
      o.kinds = kinds as FaultKind[];
    } else throw new Error(`unknown option ${flag}`);
  }
  if (!Number.isInteger(o.trials) || o.trials < 1) throw new Error('--trials must be a positive integer');
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new Error('--seed must be a non-negative integer');
  if (o.rates.some((r) => !(r > 0 && r <= 1))) throw new Error('--rates must be numbers in (0, 1]');
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.mode === 'faults') {
    console.log(`faults dest=${o.dest} seed=${o.seed} rates=${o.rates.join(',')}`);
    const cells = await runFaultMatrix({
      dest: o.dest,
      seed: o.seed,
      rates: o.rates,
      parallel: o.parallel,
      ...(o.kinds ? { kinds: o.kinds } : {}),
    });
    process.exitCode = cells.some((c) => c.outcome === 'BAD') ? 1 : 0;
    return;
  }
  console.log(`chaos dest=${o.dest} trials=${o.trials} seed=${o.seed}`);
  const report = await runChaos({ trials: o.trials, dest: o.dest, seed: o.seed });
  process.exitCode = report.lost + report.duplicated + report.mismatched > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
