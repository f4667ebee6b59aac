import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { DEFAULT_STREAMS } from '../../src/streams/index.js';
import { BUILT_CLI, MARKER_TOKEN, OutputLog, runBuiltCli, truthMismatches } from './cli-helpers.js';

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

describe('--version and what a sync loads', () => {
  it('--version prints the package version and exits 0', async () => {
    const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const run = await runBuiltCli(log, ['--version']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(manifest.version);
  });

  it("a sync does not load the simulator's server, its data generator or another destination's driver; the simulator command does", async () => {
    // A module hook (Node's module.register) records every module the process loads.
    const loaded = join(dir, 'loaded-modules.txt');
    const hooks = join(dir, 'record-hooks.mjs');
    const register = join(dir, 'record-register.mjs');
    await writeFile(
      hooks,
      `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(${JSON.stringify(loaded)}, url + '\\n');\n  return next(url, context);\n}\n`,
    );
    await writeFile(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const env = { NODE_OPTIONS: `--import ${pathToFileURL(register).href}` };
    const sim = await startSimulator({ scale: 'tiny', seed: 61, token: MARKER_TOKEN });
    simulators.push(sim);
    const sync = await runBuiltCli(
      log,
      [
        'sync',
        '--base-url',
        sim.url,
        '--dest-uri',
        `duckdb:///${join(dir, 'loads.duckdb')}`,
        '--streams',
        'admins',
      ],
      { env: { ...env, INTERCOM_ACCESS_TOKEN: MARKER_TOKEN } },
    );
    expect(sync.code, sync.stderr).toBe(0);
    const syncModules = await readFile(loaded, 'utf8');
    expect(syncModules).toMatch(/dist\/cli\/sync-command\.js/);
    expect(syncModules).not.toMatch(/@faker-js/);
    expect(syncModules).not.toMatch(/dist\/simulator\/server\.js/);
    // Nor another destination's driver: a DuckDB sync loads DuckDB's and not PostgreSQL's.
    expect(syncModules).toMatch(/node_modules\/@duckdb\/node-api\//);
    expect(syncModules).not.toMatch(/node_modules\/(pg|pg-copy-streams)\//);

    // The check can fail: the simulator command, run the same way, loads both.
    await rm(loaded);
    const simulator = spawn(process.execPath, [BUILT_CLI, 'simulator', '--scale', 'tiny', '--port', '0'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => simulator.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      let text = '';
      simulator.stdout.on('data', (chunk) => {
        text += chunk;
        if (/listening on http:/.test(text)) resolve();
      });
      simulator.on('close', (code) => reject(new Error(`the simulator exited with ${code}`)));
    });
    simulator.kill('SIGTERM');
    await exited;
    const simulatorModules = await readFile(loaded, 'utf8');
    expect(simulatorModules).toMatch(/@faker-js/);
    expect(simulatorModules).toMatch(/dist\/simulator\/server\.js/);
  });
});

describe('secrets', () => {
  it('no output of any process above holds the access token', () => {
    expect(log.size).toBeGreaterThanOrEqual(10);
    expect(log.text).not.toContain(MARKER_TOKEN);
  });
});
