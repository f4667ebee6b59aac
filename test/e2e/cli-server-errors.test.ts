import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { DEFAULT_STREAMS } from '../../src/streams/index.js';
import { cli, MARKER_TOKEN, OutputLog, summaryRow, syncArgs, truthMismatches } from './cli-helpers.js';

/**
 * A stream whose every request answers 500 fails alone. The client retries 6 times with full-jitter
 * backoff from 500 ms doubling to 16 s (about 16 s per request on average, 31.5 s at worst), too slow
 * for a test, so this file shortens only the backoff's timing (at most 1.55 s per request in all,
 * still long enough that the stream's writer is idle, waiting for rows, when the stream fails, as it
 * is with Intercom); everything else is the real CLI.
 */
vi.mock('../../src/http/backoff.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/http/backoff.js')>();
  return { ...original, DEFAULT_BACKOFF: { baseMs: 50, maxMs: 400 } };
});

const log = new OutputLog();
let dir: string;
let sim: RunningSimulator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-cli-500-'));
  sim = await startSimulator({
    scale: 'tiny',
    seed: 8,
    token: MARKER_TOKEN,
    counts: { contacts: 40, companies: 12, conversations: 15 },
    faultRoutes: ['GET /companies/{id}/segments'],
    faultKinds: ['http_500'],
    faultRate: 1,
  });
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('every GET /companies/{id}/segments answers 500', () => {
  it('company_segments fails with the stream, endpoint and request id; every other stream succeeds; exit 1', async () => {
    const db = join(dir, 'w.duckdb');
    const run = await cli(log, [...syncArgs(sim, db, DEFAULT_STREAMS), '--timeout-ms', '2000']);
    expect(run.code, run.out + run.err).toBe(1);
    expect(summaryRow(run.out, 'company_segments')?.[1]).toBe('failed');
    const error = run.out.split('\n').find((l) => l.startsWith('company_segments: ')) ?? '';
    expect(error).toMatch(
      /^company_segments: Stream company_segments: Gave up on GET \/companies\/\{id\}\/segments/,
    );
    expect(error).toMatch(/HTTP 500/);
    expect(error).toMatch(/request_id [0-9a-f-]{36}/);
    // Retried (6 times) before giving up.
    expect(run.err).toMatch(/retrying intercom request.*endpoint=GET \/companies\/\{id\}\/segments/);
    const others = DEFAULT_STREAMS.filter((s) => s !== 'company_segments');
    for (const stream of others) expect(summaryRow(run.out, stream)?.[1], stream).toBe('succeeded');
    expect(await truthMismatches(sim, db, others)).toEqual([]);
    const faults = sim.control.stats().faults as Record<string, number>;
    expect(faults.http_500).toBeGreaterThanOrEqual(7);
  });

  it('the next run, with Intercom healthy again, completes company_segments', async () => {
    sim.control.configure({ fault_rate: 0 });
    const db = join(dir, 'w.duckdb');
    const run = await cli(log, syncArgs(sim, db, DEFAULT_STREAMS));
    expect(run.code, run.out + run.err).toBe(0);
    expect(await truthMismatches(sim, db, DEFAULT_STREAMS)).toEqual([]);
  });

  it('no output holds the access token', () => {
    expect(log.text).not.toContain(MARKER_TOKEN);
  });
});
