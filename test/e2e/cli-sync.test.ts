import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { DEFAULT_STREAMS } from '../../src/streams/index.js';
import { queryDuckDb } from '../support/warehouse.js';
import {
  cli,
  idsAndTimes,
  MARKER_TOKEN,
  OutputLog,
  summaryRow,
  syncArgs,
  truthIdsAndTimes,
  truthMismatches,
} from './cli-helpers.js';

/** `sync` over real HTTP against the simulator: skipped, vanished and failing streams, modes, versions. */

const log = new OutputLog();
let dir: string;
let counter = 0;
const newDb = () => join(dir, `w${++counter}.duckdb`);
const simulators: RunningSimulator[] = [];

const simulator = async (options: SimulatorOptions = {}) => {
  const sim = await startSimulator({
    scale: 'tiny',
    seed: 5,
    token: MARKER_TOKEN,
    counts: { contacts: 50, companies: 12, conversations: 20, tickets: 10 },
    ...options,
  });
  simulators.push(sim);
  return sim;
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-cli-sync-'));
});

afterAll(async () => {
  for (const sim of simulators) await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a stream outside the workspace plan', () => {
  it('is skipped with a warning naming the plan restriction; the others sync and match; exit 0', async () => {
    // With some latency the 403 arrives once the stream's writer is idle, waiting for rows.
    const sim = await simulator({ restrictedRoutes: ['POST /tickets/search'], latencyMs: 150 });
    const db = newDb();
    const run = await cli(log, syncArgs(sim, db, DEFAULT_STREAMS));
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(
      /^warn: Stream tickets skipped: POST \/tickets\/search requires an Intercom plan that includes this API.*api_plan_restricted/m,
    );
    expect(summaryRow(run.out, 'tickets')?.[1]).toBe('skipped');
    expect(run.out).toMatch(/^tickets: .*requires an Intercom plan/m);
    const others = DEFAULT_STREAMS.filter((s) => s !== 'tickets');
    for (const stream of others) expect(summaryRow(run.out, stream)?.[1], stream).toBe('succeeded');
    expect(await truthMismatches(sim, db, others)).toEqual([]);
  });
});

describe('a conversation deleted between listing and fetching', () => {
  it('is skipped and counted in the summary; the sync succeeds and matches the truth', async () => {
    const sim = await simulator({
      faultKinds: ['vanish'],
      faultRoutes: ['GET /conversations/{id}'],
      faultRate: 0.2,
      counts: { contacts: 20, companies: 5, conversations: 40 },
    });
    const db = newDb();
    const streams = ['conversations', 'conversation_parts'];
    const run = await cli(log, syncArgs(sim, db, streams));
    expect(run.code, run.err).toBe(0);
    const vanished = (sim.control.stats().faults as Record<string, number>).vanish ?? 0;
    expect(vanished).toBeGreaterThan(0);
    expect(run.out).toContain(
      `conversation_parts: ${vanished} parents were gone when fetched (404) and were skipped`,
    );
    expect(summaryRow(run.out, 'conversation_parts')?.[1]).toBe('succeeded');
    // The vanished conversations are deleted in the workspace: marked deleted here, no parts.
    expect(await truthMismatches(sim, db, streams)).toEqual([]);
    const marked = await queryDuckDb(
      db,
      `SELECT count(*) AS n FROM intercom.conversations WHERE _deleted_at IS NOT NULL`,
    );
    expect(marked[0]?.n).toBe(vanished);
  });
});

describe('one failing stream', () => {
  it('fails alone: its error names the stream, endpoint and request id; the others succeed; exit 1', async () => {
    // Pinned to 2.16, where Intercom moved conversation attributes: GET /data_attributes answers 422
    // (after some latency, when the stream's writer is idle, waiting for rows).
    const sim = await simulator({ latencyMs: 150 });
    const db = newDb();
    const run = await cli(log, [
      ...syncArgs(sim, db, DEFAULT_STREAMS),
      '--pin-version',
      'conversation_attributes=2.16',
    ]);
    expect(run.code, run.out).toBe(1);
    expect(summaryRow(run.out, 'conversation_attributes')?.[1]).toBe('failed');
    const error = run.out.split('\n').find((l) => l.startsWith('conversation_attributes: ')) ?? '';
    expect(error).toMatch(/Stream conversation_attributes/);
    expect(error).toMatch(/HTTP 422/);
    expect(error).toContain('GET /data_attributes');
    expect(error).toMatch(new RegExp(`request_id ${UUID.source}`));
    // The reason goes to stderr as well, for logs that keep only stderr.
    expect(run.err).toMatch(
      new RegExp(`conversation_attributes failed: Stream conversation_attributes.*request_id ${UUID.source}`),
    );
    const others = DEFAULT_STREAMS.filter((s) => s !== 'conversation_attributes');
    for (const stream of others) expect(summaryRow(run.out, stream)?.[1], stream).toBe('succeeded');
    expect(await truthMismatches(sim, db, others)).toEqual([]);
  });
});

describe('users, leads, --full-refresh and --interval-*', () => {
  let sim: RunningSimulator;
  let db: string;
  const streams = ['users', 'leads', 'conversations', 'conversation_parts', 'tickets'];

  beforeAll(async () => {
    sim = await simulator({ seed: 21 });
    db = newDb();
  });

  it('users and leads match their truth', async () => {
    const run = await cli(log, syncArgs(sim, db, streams));
    expect(run.code, run.err).toBe(0);
    expect(await truthMismatches(sim, db, streams)).toEqual([]);
    const roles = await queryDuckDb(
      db,
      `SELECT (SELECT list(DISTINCT role) FROM intercom.users) AS users, (SELECT list(DISTINCT role) FROM intercom.leads) AS leads`,
    );
    expect(roles[0]).toEqual({ users: ['user'], leads: ['lead'] });
  });

  it('--full-refresh after deletes rebuilds the tables: the deleted conversations are gone', async () => {
    const mutation = sim.control.mutate({ delete: { conversations: 2 }, update: { contacts: 3 } });
    const deleted = mutation.deleted.conversations ?? [];
    expect(deleted).toHaveLength(2);
    const run = await cli(log, [...syncArgs(sim, db, streams), '--full-refresh']);
    expect(run.code, run.err).toBe(0);
    for (const stream of streams) expect(summaryRow(run.out, stream)?.[2], stream).toBe('replace');
    const list = deleted.map((id) => `'${id}'`).join(',');
    const left = await queryDuckDb(
      db,
      `SELECT (SELECT count(*) FROM intercom.conversations WHERE id IN (${list})) AS c,
              (SELECT count(*) FROM intercom.conversation_parts WHERE conversation_id IN (${list})) AS p`,
    );
    expect(left[0]).toEqual({ c: 0, p: 0 });
    expect(await truthMismatches(sim, db, streams)).toEqual([]);
  });

  it('--interval-start/--interval-end reads only records updated in the interval', async () => {
    const all = [...(await truthIdsAndTimes(sim, 'conversations')).values()].sort((a, b) => a - b);
    const start = all[Math.floor(all.length / 4)] as number;
    const end = all[Math.floor((all.length * 3) / 4)] as number;
    const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
    const fresh = newDb();
    const run = await cli(log, [
      ...syncArgs(sim, fresh, ['conversations', 'tickets']),
      '--interval-start',
      iso(start),
      '--interval-end',
      iso(end),
    ]);
    expect(run.code, run.err).toBe(0);
    for (const stream of ['conversations', 'tickets']) {
      const expected = await truthIdsAndTimes(
        sim,
        stream,
        (r) => (r.updated_at as number) >= start && (r.updated_at as number) < end,
      );
      const got = await idsAndTimes(fresh, `intercom.${stream}`);
      expect([...got.keys()].sort(), stream).toEqual([...expected.keys()].sort());
      expect(Object.fromEntries(got), stream).toEqual(Object.fromEntries(expected));
    }
    expect((await idsAndTimes(fresh, 'intercom.conversations')).size).toBeGreaterThan(0);
  });
});

describe('API versions', () => {
  it('--api-version 2.11: every stream syncs and matches the truth; ticket_state is a string', async () => {
    const sim = await simulator({ seed: 31 });
    const db = newDb();
    const run = await cli(log, [...syncArgs(sim, db, DEFAULT_STREAMS), '--api-version', '2.11']);
    expect(run.code, run.out + run.err).toBe(0);
    expect(await truthMismatches(sim, db, DEFAULT_STREAMS)).toEqual([]);
    const types = await queryDuckDb(
      db,
      `SELECT DISTINCT json_type(ticket_state) AS t FROM intercom.tickets WHERE ticket_state IS NOT NULL`,
    );
    expect(types.map((r) => r.t)).toEqual(['VARCHAR']);
  });

  it('--pin-version tickets=2.11: tickets in 2.11 shapes, the rest in 2.14, all matching the truth', async () => {
    const sim = await simulator({ seed: 32 });
    const db = newDb();
    const streams = ['tickets', 'conversations', 'contacts'];
    const run = await cli(log, [...syncArgs(sim, db, streams), '--pin-version', 'tickets=2.11']);
    expect(run.code, run.out + run.err).toBe(0);
    expect(await truthMismatches(sim, db, streams)).toEqual([]);
    const tickets = await queryDuckDb(
      db,
      `SELECT DISTINCT json_type(ticket_state) AS t FROM intercom.tickets WHERE ticket_state IS NOT NULL`,
    );
    expect(tickets.map((r) => r.t)).toEqual(['VARCHAR']);
  });

  it('the default 2.14 keeps ticket_state an object (the check above can tell them apart)', async () => {
    const sim = await simulator({ seed: 32 });
    const db = newDb();
    const run = await cli(log, syncArgs(sim, db, ['tickets']));
    expect(run.code, run.err).toBe(0);
    const tickets = await queryDuckDb(
      db,
      `SELECT DISTINCT json_type(ticket_state) AS t FROM intercom.tickets WHERE ticket_state IS NOT NULL`,
    );
    expect(tickets.map((r) => r.t)).toEqual(['OBJECT']);
  });
});

describe('--concurrency 1', () => {
  it('one request at a time still syncs every stream correctly', async () => {
    const sim = await simulator({ seed: 41, latencyMs: 2 });
    const db = newDb();
    const run = await cli(log, [...syncArgs(sim, db, DEFAULT_STREAMS), '--concurrency', '1']);
    expect(run.code, run.err).toBe(0);
    expect(await truthMismatches(sim, db, DEFAULT_STREAMS)).toEqual([]);
  });
});

describe('secrets', () => {
  it('no output of any sync above holds the access token', () => {
    expect(log.size).toBeGreaterThan(10);
    expect(log.text).not.toContain(MARKER_TOKEN);
  });
});
