import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Destination, StreamWriter } from '../../src/destinations/destination.js';
import { createDuckDbDestination } from '../../src/destinations/duckdb/index.js';
import { DEFAULT_TUNING, runSync } from '../../src/engine/sync.js';
import { createSilentLogger } from '../../src/http/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createTestClient } from '../support/test-client.js';
import { compareWithTruth, mismatches } from '../support/warehouse.js';

/**
 * Staged transactions end to end: a sync into DuckDB over HTTP whose writers stage pages into long
 * transactions (`StreamWriter.stage`), committed every few hundred rows, while the destination
 * checkpoints beside them (every writer commits what it staged and waits). Then an append run,
 * which must not stage, and a sync cut off mid-stream, whose rerun ends with exactly the truth.
 */

const TOKEN = 'tok_staged_SECRET_81c0';
const STREAMS = [
  'contacts',
  'contact_tags',
  'companies',
  'company_segments',
  'conversations',
  'conversation_parts',
  'conversation_tags',
  'tags',
  'admins',
];

/**
 * Without companies: a scroll cut off holds Intercom's one scroll per workspace for a minute, which
 * the rerun would wait out (correctly, but slowly).
 */
const UNSCROLLED = STREAMS.filter((name) => !name.startsWith('compan'));

interface Counts {
  stages: Map<string, number>;
  commits: Map<string, number>;
}

/**
 * The destination, with its writers' `stage` and commit calls counted per table. The writers are
 * patched in place: link batches name writers, which the destination recognises by identity.
 */
function counted(destination: Destination): { destination: Destination; counts: Counts } {
  const counts: Counts = { stages: new Map(), commits: new Map() };
  const bump = (map: Map<string, number>, table: string) => map.set(table, (map.get(table) ?? 0) + 1);
  const patched = new WeakSet<StreamWriter>();
  const prepare: Destination['prepare'] = async (spec, mode, signal) => {
    const writer = await destination.prepare(spec, mode, signal);
    if (patched.has(writer)) return writer;
    patched.add(writer);
    const { stage, commit, commitWithLinks } = writer;
    if (stage !== undefined)
      writer.stage = (...args) => {
        bump(counts.stages, spec.table);
        return stage.apply(writer, args);
      };
    writer.commit = (...args) => {
      bump(counts.commits, spec.table);
      return commit.apply(writer, args);
    };
    if (commitWithLinks !== undefined)
      writer.commitWithLinks = (...args) => {
        bump(counts.commits, spec.table);
        return commitWithLinks.apply(writer, args);
      };
    return writer;
  };
  return { destination: delegate(destination, { prepare }), counts };
}

/** `target` with `overrides` in place of some of its methods; the rest called on `target` itself. */
function delegate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

let dir: string;
let sim: RunningSimulator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-staged-'));
  sim = await startSimulator({
    scale: 'tiny',
    seed: 7,
    token: TOKEN,
    latencyMs: 15,
    now: Date.UTC(2026, 0, 14, 12, 0) / 1000,
    counts: { contacts: 3000, companies: 600, conversations: 400, tickets: 0, activityLogs: 0 },
  });
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

async function sync(
  destination: Destination,
  options: {
    modes?: Record<string, 'merge' | 'append' | 'replace'>;
    signal?: AbortSignal;
    streams?: string[];
  } = {},
) {
  const client = createTestClient(sim.url, TOKEN, { maxInFlight: 8 });
  try {
    return await runSync(
      {
        streams: options.streams ?? STREAMS,
        startDate: Date.UTC(2010, 0, 1) / 1000,
        lookbackSeconds: 0,
        fullRefresh: false,
        modes: options.modes,
      },
      {
        client,
        destination,
        logger: createSilentLogger(),
        signal: options.signal ?? new AbortController().signal,
      },
      { ...DEFAULT_TUNING, batchRows: 100, stagedCommitRows: 1500, stagedCommitIntervalMs: 60_000 },
    );
  } finally {
    await client.close();
  }
}

describe('staged transactions (DuckDB)', () => {
  it('stages pages, commits every few hundred rows, checkpoints beside the writers: exactly the truth', async () => {
    const db = join(dir, 'staged.duckdb');
    const checkpoints: number[] = [];
    const { destination, counts } = counted(
      createDuckDbDestination({
        path: db,
        checkpointMemory: '1B',
        onCheckpoint: ({ inMemoryBytes }) => checkpoints.push(inMemoryBytes),
      }),
    );
    try {
      const result = await sync(destination);
      expect(result.ok, JSON.stringify(result.streams)).toBe(true);
    } finally {
      await destination.close();
    }
    expect(mismatches(await Promise.all(STREAMS.map((s) => compareWithTruth(sim, db, s))))).toEqual([]);
    // 3000 contacts in pages of 150, each page staged (with its tags), committed every 1500 rows.
    const stages = counts.stages.get('contacts') ?? 0;
    const commits = counts.commits.get('contacts') ?? 0;
    expect(stages).toBeGreaterThanOrEqual(15);
    expect(commits).toBeGreaterThanOrEqual(3);
    expect(commits).toBeLessThan(stages);
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints.every((bytes) => bytes > 0)).toBe(true);
  }, 120_000);

  it('an append run commits each batch with its state and stages nothing', async () => {
    const db = join(dir, 'append.duckdb');
    const { destination, counts } = counted(createDuckDbDestination({ path: db }));
    try {
      const result = await sync(destination, { modes: { contacts: 'append', contact_tags: 'append' } });
      expect(result.ok, JSON.stringify(result.streams)).toBe(true);
    } finally {
      await destination.close();
    }
    expect(counts.stages.get('contacts') ?? 0).toBe(0);
    expect(counts.commits.get('contacts') ?? 0).toBeGreaterThanOrEqual(20);
    expect((counts.stages.get('companies') ?? 0) > 0).toBe(true);
    expect(mismatches([await compareWithTruth(sim, db, 'contacts')])).toEqual([]);
  }, 120_000);

  it('a sync cut off while rows are staged loses them; the rerun ends with exactly the truth', async () => {
    const db = join(dir, 'cut.duckdb');
    const controller = new AbortController();
    const first = counted(createDuckDbDestination({ path: db }));
    let stagedSinceCommit = 0;
    let commitsSeen = 0;
    const cutting = new WeakSet<StreamWriter>();
    const watched = delegate(first.destination, {
      prepare: async (spec, mode, signal) => {
        const writer = await first.destination.prepare(spec, mode, signal);
        const stage = writer.stage;
        if (spec.table !== 'contacts' || stage === undefined || cutting.has(writer)) return writer;
        cutting.add(writer);
        writer.stage = async (rows, links, stageSignal) => {
          await stage.call(writer, rows, links, stageSignal);
          const commits = first.counts.commits.get('contacts') ?? 0;
          if (commits !== commitsSeen) {
            commitsSeen = commits;
            stagedSinceCommit = 0;
          }
          stagedSinceCommit += rows.length;
          // After two commits and more rows staged since, stop the sync as a crash would.
          if (commits >= 2 && stagedSinceCommit >= 200) controller.abort();
        };
        return writer;
      },
    });
    try {
      const cut = await sync(watched, { signal: controller.signal, streams: UNSCROLLED });
      expect(cut.ok).toBe(false);
    } finally {
      await first.destination.close();
    }
    expect(controller.signal.aborted).toBe(true);
    const partial = await compareWithTruth(sim, db, 'contacts');
    expect(partial.missing.length).toBeGreaterThan(0);
    expect(partial.duplicated).toEqual([]);

    const second = createDuckDbDestination({ path: db });
    try {
      const rerun = await sync(second, { streams: UNSCROLLED });
      expect(rerun.ok, JSON.stringify(rerun.streams)).toBe(true);
    } finally {
      await second.close();
    }
    expect(mismatches(await Promise.all(UNSCROLLED.map((s) => compareWithTruth(sim, db, s))))).toEqual([]);
  }, 120_000);
});
