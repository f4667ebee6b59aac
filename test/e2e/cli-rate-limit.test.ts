import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { DEFAULT_STREAMS } from '../../src/streams/index.js';
import { api } from '../support/simulator-client.js';
import { cli, MARKER_TOKEN, OutputLog, syncArgs, truthMismatches } from './cli-helpers.js';

/**
 * `--max-requests-per-minute 600` leaves the rest of a 10,000/min budget to the workspace's other
 * apps: at most 100 requests in any 10 seconds. Proving it takes more than 100 requests, so this
 * sync lasts a little over 10 seconds (mostly waiting; it is its own file so it overlaps the others).
 */

const log = new OutputLog();
let dir: string;
let sim: RunningSimulator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-cli-rate-'));
  // About 110 requests: one per company for company_segments, one per conversation for its parts.
  sim = await startSimulator({
    scale: 'tiny',
    seed: 61,
    token: MARKER_TOKEN,
    rateLimitPerMinute: 10_000,
    counts: { contacts: 30, companies: 34, conversations: 30 },
  });
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('--max-requests-per-minute 600 against a workspace allowing 10,000/min', () => {
  it('never sends more than 100 requests in any 10 seconds, and the sync matches the truth', async () => {
    const db = join(dir, 'capped.duckdb');
    // Reset in-process: POST /_simulator/stats/reset would itself be counted in the first second.
    sim.control.resetStats();
    const run = await cli(log, [...syncArgs(sim, db, DEFAULT_STREAMS), '--max-requests-per-minute', '600']);
    expect(run.code, run.err).toBe(0);
    const stats = (await api(sim, '/_simulator/stats')).body as {
      total_requests: number;
      rate_limited: number;
      per_second: number[];
    };
    expect(stats.total_requests).toBeGreaterThan(100);
    expect(stats.rate_limited).toBe(0);
    const perSecond = stats.per_second;
    let busiest = 0;
    for (let s = 0; s < perSecond.length; s++) {
      const span = perSecond.slice(s, s + 10).reduce((a, b) => a + b, 0);
      busiest = Math.max(busiest, span);
    }
    expect(busiest, JSON.stringify(perSecond)).toBeLessThanOrEqual(100);
    // Spent evenly: far from the uncapped rate, which would send everything in a second or two.
    expect(Math.max(...perSecond), JSON.stringify(perSecond)).toBeLessThanOrEqual(30);
    expect(await truthMismatches(sim, db, DEFAULT_STREAMS)).toEqual([]);
  }, 40_000);

  it('no output holds the access token', () => {
    expect(log.text).not.toContain(MARKER_TOKEN);
  });
});
