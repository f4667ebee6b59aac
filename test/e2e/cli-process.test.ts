import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { DEFAULT_STREAMS } from '../../src/streams/index.js';
import { MARKER_TOKEN, OutputLog, runBuiltCli, truthMismatches } from './cli-helpers.js';

/** The built CLI (`dist/cli/main.js`) as its own process: signals and machine-readable logs. */

const log = new OutputLog();
let dir: string;
const simulators: RunningSimulator[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-cli-process-'));
});

afterAll(async () => {
  for (const sim of simulators) await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const slowSimulator = async (seed: number) => {
  const sim = await startSimulator({
    scale: 'tiny',
    seed,
    token: MARKER_TOKEN,
    counts: { contacts: 300, companies: 80, conversations: 150 },
    latencyMs: 50,
    // A stopped sync may leave its companies scroll open, and Intercom allows one scroll per app: the
    // rerun waits (scroll_exists) until it expires, after a minute at Intercom, two seconds here.
    scrollIdleExpirySeconds: 2,
  });
  simulators.push(sim);
  return sim;
};

const processArgs = (sim: RunningSimulator, db: string, extra: string[] = []) => [
  'sync',
  '--base-url',
  sim.url,
  '--dest-uri',
  `duckdb:///${db}`,
  ...extra,
];

describe('SIGTERM and SIGINT', () => {
  // [signal, exit code, simulator seed, ms after the CLI's first log line]: early, and mid-sync.
  const cases: Array<[NodeJS.Signals, number, number, number]> = [
    ['SIGTERM', 143, 51, 700],
    ['SIGINT', 130, 52, 1100],
  ];
  for (const [signal, exitCode, seed, afterMs] of cases) {
    it(`${signal}: stops within seconds with exit ${exitCode}, says how to resume; a rerun completes and matches`, async () => {
      const sim = await slowSimulator(seed);
      const db = join(dir, `${signal}.duckdb`);
      const env = { INTERCOM_ACCESS_TOKEN: MARKER_TOKEN };
      // Four requests at a time keep this sync (about 280 requests at 50 ms) running for seconds, so
      // the signal always lands mid-sync; the rerun goes at full speed.
      const stopped = await runBuiltCli(log, processArgs(sim, db, ['--concurrency', '4']), {
        env,
        signalAfter: { signal, afterMs },
      });
      const output = stopped.stdout + stopped.stderr;
      expect(stopped.exitAfterSignalMs, `the sync ended before the signal:\n${output}`).toBeDefined();
      expect(stopped.signal, output).toBeNull();
      expect(stopped.code, output).toBe(exitCode);
      expect(stopped.exitAfterSignalMs as number).toBeLessThan(5_000);
      expect(stopped.stderr).toContain(`Received ${signal}`);
      expect(output).toMatch(/run the same command again/);

      const rerun = await runBuiltCli(log, processArgs(sim, db), { env });
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
      expect(await truthMismatches(sim, db, DEFAULT_STREAMS)).toEqual([]);
    });
  }
});

describe('--log-format json', () => {
  it('every stderr line is a JSON object with level and message; the last stdout line is the JSON summary', async () => {
    const sim = await startSimulator({
      scale: 'tiny',
      seed: 53,
      token: MARKER_TOKEN,
      counts: { contacts: 200, companies: 60, conversations: 100 },
      // Warnings in the logs too: conversations deleted between listing and fetching.
      faultRate: 0.1,
      faultKinds: ['vanish'],
      faultRoutes: ['GET /conversations/{id}'],
    });
    simulators.push(sim);
    const db = join(dir, 'json.duckdb');
    const run = await runBuiltCli(log, processArgs(sim, db, ['--log-format', 'json']), {
      env: { INTERCOM_ACCESS_TOKEN: MARKER_TOKEN },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(DEFAULT_STREAMS.length);
    expect(run.stderr).toMatch(/"level":"warn"/);
    for (const line of lines) {
      let parsed: unknown;
      expect(() => {
        parsed = JSON.parse(line);
      }, `not JSON: ${line}`).not.toThrow();
      expect(parsed, line).toEqual(
        expect.objectContaining({ level: expect.any(String), message: expect.any(String) }),
      );
    }
    const last = run.stdout.trimEnd().split('\n').at(-1) as string;
    const summary = JSON.parse(last) as { type: string; ok: boolean; streams: Array<{ status: string }> };
    expect(summary.type).toBe('summary');
    expect(summary.ok).toBe(true);
    expect(summary.streams.map((s) => s.status)).toEqual(DEFAULT_STREAMS.map(() => 'succeeded'));
    expect(await truthMismatches(sim, db, DEFAULT_STREAMS)).toEqual([]);
  });
});

describe('secrets', () => {
  it('no output of any process above holds the access token', () => {
    expect(log.size).toBeGreaterThanOrEqual(10);
    expect(log.text).not.toContain(MARKER_TOKEN);
  });
});
