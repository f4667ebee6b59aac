import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultKind } from '../../src/simulator/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { STREAMS } from '../../src/streams/index.js';
import { compareWithTruth, mismatches } from '../support/warehouse.js';

const TOKEN = 'tok_resilience_SECRET_4242';
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const ALL = STREAMS.map((s) => s.name).join(',');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-resilience-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the built CLI as its own process; resolves with its exit code and output. */
function runSyncProcess(sim: RunningSimulator, db: string, extra: string[] = [], killAfterMs?: number) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'sync',
        '--base-url',
        sim.url,
        '--dest-uri',
        `duckdb:///${db}`,
        '--streams',
        ALL,
        '--log-format',
        'json',
        ...extra,
      ],
      { env: { ...process.env, INTERCOM_ACCESS_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

const compareAll = (sim: RunningSimulator, db: string) =>
  Promise.all(STREAMS.map((s) => compareWithTruth(sim, db, s.name)));

describe('resilience', () => {
  it('with 10% faults of every kind and a tight rate limit, the sync still matches the truth', async () => {
    // 'vanish' deletes conversations: deletion handling is checked on its own.
    const kinds: FaultKind[] = [
      'http_500',
      'http_502',
      'http_503',
      'http_504',
      'reset',
      'truncated',
      'timeout',
      'rate_limit',
      'scroll_expire',
      'scroll_exists',
    ];
    const sim = await startSimulator({
      scale: 'tiny',
      seed: 7,
      token: TOKEN,
      counts: { contacts: 120, companies: 60, conversations: 50, tickets: 20, activityLogs: 40 },
      faultRate: 0.1,
      faultKinds: kinds,
      slowMs: 900,
      rateLimitPerMinute: 1200,
      scrollIdleExpirySeconds: 2,
      scrollPageSize: 20,
    });
    try {
      const db = join(dir, 'faults.duckdb');
      const run = await runSyncProcess(sim, db, ['--timeout-ms', '600']);
      expect(run.code, run.output.slice(-2000)).toBe(0);
      expect(mismatches(await compareAll(sim, db))).toEqual([]);
      const stats = sim.control.stats();
      expect(stats.faults_injected as number).toBeGreaterThan(10);
      expect(run.output).not.toContain(TOKEN);
    } finally {
      await sim.close();
    }
  }, 120_000);

  it('killed with SIGKILL at random moments, reruns end with exactly the truth', async () => {
    const sim = await startSimulator({
      scale: 'tiny',
      seed: 99,
      token: TOKEN,
      counts: { contacts: 300, companies: 80, conversations: 120 },
      latencyMs: 5,
      jitterMs: 5,
    });
    try {
      const db = join(dir, 'killed.duckdb');
      let killed = 0;
      let completed = false;
      // Deterministic "random" kill times spread over a sync's length.
      for (const delay of [350, 700, 1100, 1600, 900]) {
        const run = await runSyncProcess(sim, db, [], delay);
        if (run.signal === 'SIGKILL') killed++;
        else {
          expect(run.code, run.output.slice(-2000)).toBe(0);
          completed = true;
        }
      }
      sim.control.mutate({ update: { contacts: 10, conversations: 5 }, create: { conversation_parts: 10 } });
      const final = await runSyncProcess(sim, db);
      expect(final.code, final.output.slice(-2000)).toBe(0);
      expect(killed + (completed ? 1 : 0)).toBeGreaterThan(0);
      expect(killed).toBeGreaterThanOrEqual(2);
      expect(mismatches(await compareAll(sim, db))).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 180_000);
});
