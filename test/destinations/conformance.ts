import { describe, expect, it, onTestFinished } from 'vitest';
import type {
  ColumnType,
  Destination,
  Row,
  StreamWriter,
  TableSpec,
  WriteMode,
} from '../../src/destinations/destination.js';

/**
 * One conformance suite for every destination (DuckDB now; PostgreSQL, Parquet, JSONL later).
 * A destination's test file calls `describeDestinationConformance` with a factory; every test gets
 * a fresh, empty storage from it.
 */
export interface DestinationHarness {
  /** A new destination on empty storage, not yet opened (the suite opens it). */
  destination: Destination;
  /**
   * Every row of `table` (its name as given in the `TableSpec`), keyed by the spec's column names,
   * read from committed storage (not through the destination under test, where possible).
   * Normalised so that assertions compare across destinations: NULL as `null` or a missing key,
   * integers as number or bigint, timestamps as `Date` or ISO 8601 strings, JSON values parsed.
   * Order is unspecified. A table that does not exist reads as no rows.
   */
  readRows(table: string): Promise<Row[]>;
  /**
   * Closes the current destination (if still open) and returns a new, unopened destination on the
   * same storage, as a restarted process would create; `readRows` reads that storage from then on.
   */
  reopen(): Promise<Destination>;
  /** Closes whatever is open and deletes the storage. */
  cleanup(): Promise<void>;
}

export type DestinationFactory = () => Promise<DestinationHarness>;

/** What a destination offers beyond the required interface; the suite checks exactly these. */
export interface DestinationCapabilities {
  /** Its writers implement `stage` (rows taken into an open transaction, committed later). */
  stage?: boolean;
}

/** Columns by name, in order; `id` first by convention. */
type Columns = Record<string, ColumnType>;

function tableSpec(
  table: string,
  columns: Columns,
  primaryKey: string[] = ['id'],
  stream = table,
): TableSpec {
  return {
    stream,
    table,
    columns: Object.entries(columns).map(([name, type]) => ({ name, type })),
    primaryKey,
  };
}

/** Comparable form of a value: timestamps as ISO strings, safe bigints as numbers, undefined as null. */
function normaliseValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)$/.test(value)
  ) {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  return value;
}

/** Rows reduced to `columns` (all of them, missing ones as null), normalised, sorted by `sortBy`. */
function normaliseRows(rows: readonly Row[], columns: readonly string[], sortBy = columns[0]): Row[] {
  const projected = rows.map((row) =>
    Object.fromEntries(columns.map((name) => [name, normaliseValue(row[name])])),
  );
  return projected.sort((a, b) => compareValues(a[sortBy], b[sortBy]));
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

async function outcome(promise: Promise<unknown>): Promise<'resolved' | 'rejected'> {
  try {
    await promise;
    return 'resolved';
  } catch {
    return 'rejected';
  }
}

export function describeDestinationConformance(
  name: string,
  factory: DestinationFactory,
  capabilities: DestinationCapabilities = {},
): void {
  describe(`destination conformance: ${name}`, () => {
    /** A fresh harness with its destination opened; cleaned up when the test ends, pass or fail. */
    async function setup(): Promise<DestinationHarness> {
      const harness = await factory();
      onTestFinished(() => harness.cleanup());
      await harness.destination.open();
      return harness;
    }

    async function rowsOf(
      harness: DestinationHarness,
      table: string,
      columns: readonly string[],
    ): Promise<Row[]> {
      return normaliseRows(await harness.readRows(table), columns);
    }

    async function run(
      destination: Destination,
      spec: TableSpec,
      mode: WriteMode,
      batches: Row[][],
      finalState?: unknown,
    ): Promise<void> {
      const writer = await destination.prepare(spec, mode);
      for (const batch of batches) await writer.commit(batch, undefined);
      await writer.finish(finalState);
    }

    it('opens empty: no state, no rows', async () => {
      const { destination, readRows } = await setup();
      expect(await destination.readState()).toEqual(new Map());
      expect(await readRows('nothing_here')).toEqual([]);
      expect(destination.description).toEqual(expect.any(String));
    });

    describe('write modes', () => {
      const events = tableSpec('events', { id: 'integer', name: 'string' }, []);

      it('append adds the rows of every commit, duplicates included, and commits the state with them', async () => {
        const harness = await setup();
        const { destination } = harness;
        const writer = await destination.prepare(events, 'append');
        await writer.commit(
          [
            { id: 1, name: 'a' },
            { id: 2, name: 'b' },
          ],
          undefined,
        );
        expect(await destination.readState()).toEqual(new Map());
        await writer.commit([{ id: 2, name: 'b' }], { cursor: 2 });
        expect(await destination.readState()).toEqual(new Map([['events', { cursor: 2 }]]));
        await writer.finish(undefined);

        await run(destination, events, 'append', [[{ id: 3, name: 'c' }]], { cursor: 3 });
        expect(await rowsOf(harness, 'events', ['id', 'name'])).toEqual([
          { id: 1, name: 'a' },
          { id: 2, name: 'b' },
          { id: 2, name: 'b' },
          { id: 3, name: 'c' },
        ]);
        expect(await destination.readState()).toEqual(new Map([['events', { cursor: 3 }]]));
      });

      it('a commit of no rows with a state moves only the state; finish(state) commits it', async () => {
        const harness = await setup();
        const { destination } = harness;
        const writer = await destination.prepare(events, 'append');
        await writer.commit([], { cursor: 'a' });
        expect(await destination.readState()).toEqual(new Map([['events', { cursor: 'a' }]]));
        await writer.finish({ cursor: 'b' });
        expect(await destination.readState()).toEqual(new Map([['events', { cursor: 'b' }]]));
        expect(await harness.readRows('events')).toEqual([]);
      });

      it('replace shows the old rows until finish, then exactly the new ones', async () => {
        const harness = await setup();
        const { destination } = harness;
        const spec = tableSpec('tags', { id: 'integer', name: 'string' });
        await run(destination, spec, 'replace', [range(1, 3).map((id) => ({ id, name: `old${id}` }))], {
          v: 1,
        });
        expect(await rowsOf(harness, 'tags', ['id'])).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);

        const writer = await destination.prepare(spec, 'replace');
        await writer.commit(
          [
            { id: 4, name: 'new4' },
            { id: 5, name: 'new5' },
          ],
          { v: 2 },
        );
        await writer.commit([{ id: 6, name: 'new6' }], undefined);
        // Nothing of the run is visible yet: not the rows, not the state kept with them.
        expect(await rowsOf(harness, 'tags', ['id', 'name'])).toEqual([
          { id: 1, name: 'old1' },
          { id: 2, name: 'old2' },
          { id: 3, name: 'old3' },
        ]);
        expect(await destination.readState()).toEqual(new Map([['tags', { v: 1 }]]));

        await writer.finish(undefined);
        expect(await rowsOf(harness, 'tags', ['id', 'name'])).toEqual([
          { id: 4, name: 'new4' },
          { id: 5, name: 'new5' },
          { id: 6, name: 'new6' },
        ]);
        expect(await destination.readState()).toEqual(new Map([['tags', { v: 2 }]]));

        // A run with no rows empties the table; the state given to finish wins over the kept one.
        const empty = await destination.prepare(spec, 'replace');
        await empty.commit([], { v: 'kept' });
        await empty.finish({ v: 3 });
        expect(await harness.readRows('tags')).toEqual([]);
        expect(await destination.readState()).toEqual(new Map([['tags', { v: 3 }]]));
      });

      it('replace interrupted before finish leaves the old table and state; the next run discards it', async () => {
        const harness = await setup();
        const spec = tableSpec('teams', { id: 'integer', name: 'string' });
        await run(harness.destination, spec, 'replace', [[{ id: 1, name: 'one' }]], { run: 1 });

        const interrupted = await harness.destination.prepare(spec, 'replace');
        await interrupted.commit([{ id: 2, name: 'two' }], { run: 2 });
        // The process dies here: no finish, no abort.
        const destination = await harness.reopen();
        await destination.open();
        expect(await rowsOf(harness, 'teams', ['id', 'name'])).toEqual([{ id: 1, name: 'one' }]);
        expect(await destination.readState()).toEqual(new Map([['teams', { run: 1 }]]));

        await run(destination, spec, 'replace', [[{ id: 3, name: 'three' }]], { run: 3 });
        expect(await rowsOf(harness, 'teams', ['id', 'name'])).toEqual([{ id: 3, name: 'three' }]);
        expect(await destination.readState()).toEqual(new Map([['teams', { run: 3 }]]));
      });

      it('abort discards a replace staging area and keeps the committed rows and state', async () => {
        const harness = await setup();
        const { destination } = harness;
        const spec = tableSpec('admins', { id: 'integer' });
        await run(destination, spec, 'replace', [[{ id: 1 }]], { run: 1 });
        const writer = await destination.prepare(spec, 'replace');
        await writer.commit([{ id: 2 }], { run: 2 });
        await writer.abort();
        expect(await rowsOf(harness, 'admins', ['id'])).toEqual([{ id: 1 }]);
        expect(await destination.readState()).toEqual(new Map([['admins', { run: 1 }]]));
        await run(destination, spec, 'replace', [[{ id: 3 }]], { run: 3 });
        expect(await rowsOf(harness, 'admins', ['id'])).toEqual([{ id: 3 }]);
      });

      it('merge inserts new keys, updates existing ones, and the last row of a key wins within a batch', async () => {
        const harness = await setup();
        const { destination } = harness;
        const spec = tableSpec('contacts', { id: 'integer', name: 'string', score: 'float' });
        const writer = await destination.prepare(spec, 'merge');
        await writer.commit(
          [
            { id: 1, name: 'a', score: 1 },
            { id: 2, name: 'b', score: 2 },
          ],
          { page: 1 },
        );
        await writer.commit(
          [
            { id: 2, name: 'b2', score: 2.5 },
            { id: 3, name: 'c', score: 3 },
            { id: 3, name: 'c2', score: 3.25 },
            { id: 1, name: 'a2', score: null },
            { id: 3, name: 'c3', score: 3.5 },
          ],
          { page: 2 },
        );
        await writer.finish(undefined);
        expect(await rowsOf(harness, 'contacts', ['id', 'name', 'score'])).toEqual([
          { id: 1, name: 'a2', score: null },
          { id: 2, name: 'b2', score: 2.5 },
          { id: 3, name: 'c3', score: 3.5 },
        ]);

        // A later run updates a key written by an earlier one.
        await run(destination, spec, 'merge', [[{ id: 2, name: 'b3', score: 4 }]], { page: 3 });
        expect(await rowsOf(harness, 'contacts', ['id', 'name', 'score'])).toEqual([
          { id: 1, name: 'a2', score: null },
          { id: 2, name: 'b3', score: 4 },
          { id: 3, name: 'c3', score: 3.5 },
        ]);
        expect(await destination.readState()).toEqual(new Map([['contacts', { page: 3 }]]));
      });

      it('merge on a composite key matches all key columns', async () => {
        const harness = await setup();
        const spec = tableSpec('memberships', { workspace: 'string', id: 'integer', role: 'string' }, [
          'workspace',
          'id',
        ]);
        await run(harness.destination, spec, 'merge', [
          [
            { workspace: 'w1', id: 1, role: 'a' },
            { workspace: 'w2', id: 1, role: 'b' },
          ],
          [
            { workspace: 'w1', id: 1, role: 'c' },
            { workspace: 'w1', id: 2, role: 'd' },
          ],
        ]);
        const rows = normaliseRows(
          await harness.readRows('memberships'),
          ['workspace', 'id', 'role'],
          'role',
        );
        expect(rows).toEqual([
          { workspace: 'w2', id: 1, role: 'b' },
          { workspace: 'w1', id: 1, role: 'c' },
          { workspace: 'w1', id: 2, role: 'd' },
        ]);
      });

      it('merge without a primary key is refused', async () => {
        const { destination } = await setup();
        await expect(
          destination.prepare(tableSpec('keyless', { id: 'integer' }, []), 'merge'),
        ).rejects.toThrow();
      });
    });

    describe('schema evolution', () => {
      it('adds new columns, widens changed types keeping old values, never drops a column', async () => {
        const harness = await setup();
        const { destination } = harness;
        const v1 = tableSpec('companies', { id: 'integer', n: 'integer', m: 'integer', s: 'string' });
        await run(destination, v1, 'merge', [[{ id: 1, n: 1, m: 42, s: 'x' }]]);

        // n: integer → float, m: integer → string, a new column `flag`, and `s` left out.
        const v2 = tableSpec('companies', { id: 'integer', n: 'float', m: 'string', flag: 'boolean' });
        await run(destination, v2, 'merge', [[{ id: 2, n: 1.5, m: 'abc', flag: true }]]);

        // Back to integer for n: the column stays wide enough, the load still works.
        const v3 = tableSpec('companies', { id: 'integer', n: 'integer' });
        await run(destination, v3, 'merge', [[{ id: 3, n: 7 }]]);

        const rows = await rowsOf(harness, 'companies', ['id', 'n', 'm', 's', 'flag']);
        expect(rows.map((row) => row.id)).toEqual([1, 2, 3]);
        const [first, second, third] = rows;
        expect(Number(first.n)).toBe(1);
        expect(String(first.m)).toBe('42');
        expect(first.s).toBe('x');
        expect(first.flag).toBeNull();
        expect(second).toMatchObject({ n: 1.5, m: 'abc', s: null, flag: true });
        expect(Number(third.n)).toBe(7);
        expect(third).toMatchObject({ m: null, s: null, flag: null });
      });

      it('evolves through a replace run without losing columns the new spec omits', async () => {
        const harness = await setup();
        const { destination } = harness;
        await run(
          destination,
          tableSpec('notes', { id: 'integer', body: 'string', n: 'integer' }),
          'replace',
          [[{ id: 1, body: 'b', n: 1 }]],
        );
        await run(destination, tableSpec('notes', { id: 'integer', n: 'float', extra: 'json' }), 'replace', [
          [{ id: 2, n: 2.5, extra: { k: 'v' } }],
        ]);
        expect(await rowsOf(harness, 'notes', ['id', 'body', 'n', 'extra'])).toEqual([
          { id: 2, body: null, n: 2.5, extra: { k: 'v' } },
        ]);
        // The omitted column still exists: a later spec naming it again loads into it.
        await run(destination, tableSpec('notes', { id: 'integer', body: 'string' }), 'append', [
          [{ id: 3, body: 'c' }],
        ]);
        expect(await rowsOf(harness, 'notes', ['id', 'body'])).toEqual([
          { id: 2, body: null },
          { id: 3, body: 'c' },
        ]);
      });
    });

    describe('identifiers and values', () => {
      const HOSTILE = [
        'select',
        'order',
        'CamelCase',
        'camelcase',
        '名前',
        'émoji_🙂',
        'a"b',
        "x'; DROP TABLE t; --",
      ];

      it('quotes reserved, mixed-case, unicode and hostile names as table and column names', async () => {
        const harness = await setup();
        const { destination } = harness;
        await run(destination, tableSpec('t', { id: 'integer' }), 'append', [[{ id: 1 }]]);

        const columns: Columns = { id: 'integer' };
        for (const column of HOSTILE) columns[column] = 'string';
        for (const table of HOSTILE) {
          const spec = tableSpec(table, columns, ['a"b'], `stream ${table}`);
          const rowFor = (id: number, version: string): Row => {
            const row: Row = { id };
            for (const column of HOSTILE) row[column] = `${table}/${column}/${version}`;
            row['a"b'] = `key ${id}`;
            return row;
          };
          const writer = await destination.prepare(spec, 'merge');
          await writer.commit([rowFor(1, 'v1'), rowFor(2, 'v1')], { table });
          await writer.commit([rowFor(2, 'v2')], undefined);
          await writer.finish(undefined);
          expect(await rowsOf(harness, table, ['id', ...HOSTILE])).toEqual([
            normaliseRows([rowFor(1, 'v1')], ['id', ...HOSTILE])[0],
            normaliseRows([rowFor(2, 'v2')], ['id', ...HOSTILE])[0],
          ]);
        }
        // CamelCase and camelcase are distinct tables (and distinct columns in each).
        const [camel] = await rowsOf(harness, 'CamelCase', ['id', 'CamelCase', 'camelcase']);
        const [lower] = await rowsOf(harness, 'camelcase', ['id', 'CamelCase', 'camelcase']);
        expect(camel).toEqual({
          id: 1,
          CamelCase: 'CamelCase/CamelCase/v1',
          camelcase: 'CamelCase/camelcase/v1',
        });
        expect(lower).toEqual({
          id: 1,
          CamelCase: 'camelcase/CamelCase/v1',
          camelcase: 'camelcase/camelcase/v1',
        });

        expect(await rowsOf(harness, 't', ['id'])).toEqual([{ id: 1 }]);
        const states = await destination.readState();
        for (const table of HOSTILE) expect(states.get(`stream ${table}`)).toEqual({ table });
      });

      it('round-trips nested JSON', async () => {
        const harness = await setup();
        const values: unknown[] = [
          {
            a: { b: [1, 2, { c: 'd' }] },
            unicode: '名前 🙂',
            quote: 'a"b\'c\\',
            nothing: null,
            yes: true,
            f: 1.5,
          },
          [1, 'two', null, { three: [3] }],
          'just a string',
          42,
          false,
          {},
          [],
          null,
        ];
        const rows = values.map((payload, id) => ({ id, payload }));
        await run(harness.destination, tableSpec('payloads', { id: 'integer', payload: 'json' }), 'append', [
          rows,
        ]);
        expect(await rowsOf(harness, 'payloads', ['id', 'payload'])).toEqual(rows);
      });

      it('loads null-heavy rows, explicit nulls and missing keys alike, in every type', async () => {
        const harness = await setup();
        const types: Columns = {
          id: 'integer',
          s: 'string',
          i: 'integer',
          f: 'float',
          b: 'boolean',
          t: 'timestamp',
          j: 'json',
        };
        const sample: Row = {
          s: 'x',
          i: -5,
          f: 0.25,
          b: false,
          t: new Date('2020-05-06T07:08:09.010Z'),
          j: { k: 1 },
        };
        const names = Object.keys(sample);
        const rows: Row[] = range(0, 999).map((id) => {
          const row: Row = { id };
          if (id % 2 === 0) for (const name of names) row[name] = null;
          if (id % 50 === 0) {
            const name = names[(id / 50) % names.length];
            row[name] = sample[name];
          }
          return row;
        });
        await run(harness.destination, tableSpec('sparse', types), 'append', [rows]);
        const read = await rowsOf(harness, 'sparse', Object.keys(types));
        expect(read).toEqual(normaliseRows(rows, Object.keys(types)));
        expect(read.filter((row) => names.some((name) => row[name] !== null))).toHaveLength(20);
      });

      it('keeps timestamps before 1970 and their milliseconds', async () => {
        const harness = await setup();
        const instants = [
          '1601-01-01T00:00:00.000Z',
          '1900-01-01T00:00:00.001Z',
          '1969-07-20T20:17:40.123Z',
          '1969-12-31T23:59:59.999Z',
          '1970-01-01T00:00:00.000Z',
          '2024-02-29T12:34:56.789Z',
          '2038-01-19T03:14:08.999Z',
        ];
        const rows = instants.map((instant, id) => ({ id, at: new Date(instant) }));
        await run(harness.destination, tableSpec('moments', { id: 'integer', at: 'timestamp' }), 'merge', [
          rows,
        ]);
        const read = await rowsOf(harness, 'moments', ['id', 'at']);
        expect(read.map((row) => row.at)).toEqual(instants);
      });

      it('round-trips every type, including large integers and extreme floats', async () => {
        const harness = await setup();
        const spec = tableSpec('kinds', {
          id: 'integer',
          s: 'string',
          i: 'integer',
          f: 'float',
          b: 'boolean',
          t: 'timestamp',
          j: 'json',
        });
        const rows: Row[] = [
          { id: 1, s: '', i: 0, f: 0, b: false, t: new Date(0), j: 0 },
          { id: 2, s: 'line\nbreak\ttab', i: -(2 ** 53 - 1), f: -1.5e-300, b: true, t: new Date(-1), j: '' },
          {
            id: 3,
            s: '🙂'.repeat(100),
            i: 9007199254740993n,
            f: 1.7976931348623157e308,
            b: true,
            t: null,
            j: [],
          },
        ];
        await run(harness.destination, spec, 'merge', [rows]);
        expect(await rowsOf(harness, 'kinds', ['id', 's', 'i', 'f', 'b', 't', 'j'])).toEqual(
          normaliseRows(rows, ['id', 's', 'i', 'f', 'b', 't', 'j']),
        );
      });
    });

    describe('exactly once', () => {
      const spec = tableSpec('conversations', { id: 'integer', at: 'timestamp', name: 'string' });
      const good = (ids: number[], name: string): Row[] =>
        ids.map((id) => ({ id, at: new Date(Date.UTC(2024, 0, 1) + id * 1000), name }));

      for (const mode of ['merge', 'append'] as const) {
        it(`${mode}: a commit rejected mid-batch leaves the previous rows and state, nothing of the batch`, async () => {
          const harness = await setup();
          const { destination } = harness;
          const writer = await destination.prepare(spec, mode);
          await writer.commit(good(range(1, 100), 'old'), { page: 1 });

          // 5000 rows updating the 100 and adding more; row 3000 carries a value no destination can
          // store (an invalid Date), after whole chunks of the batch have already gone in.
          const bad = good(range(1, 5000), 'new');
          bad[3000] = { ...bad[3000], at: new Date(Number.NaN) };
          await expect(writer.commit(bad, { page: 2 })).rejects.toThrow();

          expect(await rowsOf(harness, 'conversations', ['id', 'name'])).toEqual(
            normaliseRows(good(range(1, 100), 'old'), ['id', 'name']),
          );
          expect(await destination.readState()).toEqual(new Map([['conversations', { page: 1 }]]));

          // The writer is still usable: the retried batch goes in whole.
          await writer.commit(good(range(1, 5000), 'new'), { page: 2 });
          await writer.finish(undefined);
          const rows = await harness.readRows('conversations');
          expect(rows).toHaveLength(mode === 'merge' ? 5000 : 5100);
          expect(await destination.readState()).toEqual(new Map([['conversations', { page: 2 }]]));
        });
      }

      it('a commit with an already aborted signal rejects and changes nothing', async () => {
        const harness = await setup();
        const { destination } = harness;
        const writer = await destination.prepare(spec, 'merge');
        await writer.commit(good([1, 2], 'old'), { page: 1 });
        const controller = new AbortController();
        controller.abort();
        await expect(writer.commit(good([2, 3], 'new'), { page: 2 }, controller.signal)).rejects.toThrow();
        expect(await rowsOf(harness, 'conversations', ['id', 'name'])).toEqual([
          { id: 1, name: 'old' },
          { id: 2, name: 'old' },
        ]);
        expect(await destination.readState()).toEqual(new Map([['conversations', { page: 1 }]]));
      });

      it('a commit aborted while it runs is all or nothing', async () => {
        const harness = await setup();
        const { destination } = harness;
        const writer = await destination.prepare(spec, 'append');
        await writer.commit(good([0], 'base'), { page: 0 });
        for (let attempt = 1; attempt <= 3; attempt++) {
          const before = (await harness.readRows('conversations')).length;
          const controller = new AbortController();
          const committing = writer.commit(
            good(range(1, 20_000), `try${attempt}`),
            { page: attempt },
            controller.signal,
          );
          setImmediate(() => controller.abort());
          const result = await outcome(committing);
          const after = (await harness.readRows('conversations')).length;
          const state = (await destination.readState()).get('conversations');
          if (result === 'resolved') {
            expect(after).toBe(before + 20_000);
            expect(state).toEqual({ page: attempt });
          } else {
            expect(after).toBe(before);
            expect(state).not.toEqual({ page: attempt });
          }
        }
      });

      it('replace: a failed commit leaves the staging area as it was; a failed finish leaves the old table', async () => {
        const harness = await setup();
        const { destination } = harness;
        await run(destination, spec, 'replace', [good([1], 'old')], { run: 1 });
        const writer = await destination.prepare(spec, 'replace');
        await writer.commit(good([2], 'new'), { run: 2 });
        const bad = good([3, 4], 'new');
        bad[1] = { ...bad[1], at: new Date(Number.NaN) };
        await expect(writer.commit(bad, { run: 'bad' })).rejects.toThrow();

        const controller = new AbortController();
        controller.abort();
        await expect(writer.finish(undefined, controller.signal)).rejects.toThrow();
        expect(await rowsOf(harness, 'conversations', ['id', 'name'])).toEqual([{ id: 1, name: 'old' }]);
        expect(await destination.readState()).toEqual(new Map([['conversations', { run: 1 }]]));

        await writer.finish(undefined);
        expect(await rowsOf(harness, 'conversations', ['id', 'name'])).toEqual([{ id: 2, name: 'new' }]);
        expect(await destination.readState()).toEqual(new Map([['conversations', { run: 2 }]]));
      });
    });

    it('a new instance on the same storage sees the same rows and state', async () => {
      const harness = await setup();
      const spec = tableSpec('articles', { id: 'integer', title: 'string', at: 'timestamp', meta: 'json' });
      const rows: Row[] = [
        { id: 1, title: 'one', at: new Date('1960-01-01T00:00:00.500Z'), meta: { tags: ['a', 'b'] } },
        { id: 2, title: null, at: null, meta: null },
      ];
      const state = { cursor: 1735689600, pages: [1, 2], nested: { done: false } };
      await run(harness.destination, spec, 'merge', [rows], state);
      const before = await rowsOf(harness, 'articles', ['id', 'title', 'at', 'meta']);

      const destination = await harness.reopen();
      await destination.open();
      expect(await destination.readState()).toEqual(new Map([['articles', state]]));
      expect(await rowsOf(harness, 'articles', ['id', 'title', 'at', 'meta'])).toEqual(before);
      expect(before).toEqual(normaliseRows(rows, ['id', 'title', 'at', 'meta']));

      // And it carries on from there.
      await run(destination, spec, 'merge', [[{ id: 2, title: 'two' }]], { cursor: 2 });
      expect(await rowsOf(harness, 'articles', ['id', 'title'])).toEqual([
        { id: 1, title: 'one' },
        { id: 2, title: 'two' },
      ]);
    });

    describe('deletes', () => {
      const spec = tableSpec('conversations', { id: 'string', title: 'string', _deleted_at: 'timestamp' });
      const parts = tableSpec('parts', { id: 'string', conversation_id: 'string', body: 'string' });
      const at = new Date('2026-01-02T03:04:05.000Z');

      it('soft: marks the matching rows with _deleted_at, keeps the others, commits the state with it', async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(spec, 'merge');
        await writer.commit(
          [
            { id: 'a', title: 'A' },
            { id: 'b', title: 'B' },
            { id: 'c', title: 'C' },
          ],
          { cursor: 1 },
        );
        await writer.delete(
          [
            { match: { id: 'b' }, at },
            { match: { id: 'nope' }, at },
          ],
          { hard: false },
          { cursor: 2 },
        );
        await writer.finish(undefined);
        const rows = await rowsOf(harness, 'conversations', ['id', '_deleted_at']);
        expect(rows).toEqual([
          { id: 'a', _deleted_at: null },
          { id: 'b', _deleted_at: at.toISOString() },
          { id: 'c', _deleted_at: null },
        ]);
        expect(await harness.destination.readState()).toEqual(new Map([['conversations', { cursor: 2 }]]));
      });

      it('hard: removes the rows matching any column, e.g. every part of a conversation', async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(parts, 'merge');
        await writer.commit(
          [
            { id: '1', conversation_id: 'x', body: 'one' },
            { id: '2', conversation_id: 'x', body: "it's" },
            { id: '3', conversation_id: 'y', body: 'three' },
          ],
          undefined,
        );
        await writer.delete([{ match: { conversation_id: 'x' }, at }], { hard: true }, { cursor: 9 });
        await writer.finish(undefined);
        expect(await rowsOf(harness, 'parts', ['id', 'conversation_id'])).toEqual([
          { id: '3', conversation_id: 'y' },
        ]);
        expect(await harness.destination.readState()).toEqual(new Map([['parts', { cursor: 9 }]]));
      });

      it('soft deletes work on a table whose spec has no _deleted_at yet', async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(parts, 'merge');
        await writer.commit([{ id: '1', conversation_id: 'x', body: 'one' }], undefined);
        await writer.delete([{ match: { id: '1' }, at }], { hard: false }, undefined);
        await writer.finish(undefined);
        const rows = await rowsOf(harness, 'parts', ['id', '_deleted_at']);
        expect(rows).toEqual([{ id: '1', _deleted_at: at.toISOString() }]);
      });

      it('a delete with an aborted signal changes neither rows nor state', async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(spec, 'merge');
        await writer.commit([{ id: 'a', title: 'A' }], { cursor: 1 });
        const controller = new AbortController();
        controller.abort(new Error('stop'));
        await expect(
          writer.delete([{ match: { id: 'a' }, at }], { hard: true }, { cursor: 2 }, controller.signal),
        ).rejects.toThrow();
        await writer.finish(undefined);
        expect(await rowsOf(harness, 'conversations', ['id'])).toEqual([{ id: 'a' }]);
        expect(await harness.destination.readState()).toEqual(new Map([['conversations', { cursor: 1 }]]));
      });
    });

    describe('deletes found by comparison (soft-delete replace, reconcile)', () => {
      const tags = tableSpec('tags', { id: 'string', name: 'string', _deleted_at: 'timestamp' });
      const people = tableSpec('people', { id: 'string', workspace_id: 'string', name: 'string' }, [
        'workspace_id',
        'id',
      ]);
      const at = [
        new Date('2026-02-01T00:00:00.000Z'),
        new Date('2026-02-02T00:00:00.000Z'),
        new Date('2026-02-03T00:00:00.000Z'),
      ] as const;
      const replaceRun = async (
        destination: Destination,
        rows: Row[],
        state: unknown,
        softDeleteAt: Date | undefined,
      ) => {
        const writer = await destination.prepare(tags, 'replace');
        await writer.commit(rows, undefined);
        await writer.finish(state, undefined, softDeleteAt === undefined ? undefined : { softDeleteAt });
      };

      it('replace with soft deletes keeps vanished rows marked, unmarks returning ones, keeps the first mark', async () => {
        const harness = await setup();
        const { destination } = harness;
        const read = () => rowsOf(harness, 'tags', ['id', 'name', '_deleted_at']);
        await replaceRun(
          destination,
          [
            { id: 'a', name: 'A' },
            { id: 'b', name: 'B' },
            { id: 'c', name: 'C' },
          ],
          { run: 1 },
          at[0],
        );
        expect(await read()).toEqual([
          { id: 'a', name: 'A', _deleted_at: null },
          { id: 'b', name: 'B', _deleted_at: null },
          { id: 'c', name: 'C', _deleted_at: null },
        ]);
        await replaceRun(
          destination,
          [
            { id: 'a', name: 'A' },
            { id: 'c', name: 'C2' },
          ],
          { run: 2 },
          at[0],
        );
        expect(await read()).toEqual([
          { id: 'a', name: 'A', _deleted_at: null },
          { id: 'b', name: 'B', _deleted_at: at[0].toISOString() },
          { id: 'c', name: 'C2', _deleted_at: null },
        ]);
        expect(await destination.readState()).toEqual(new Map([['tags', { run: 2 }]]));
        await replaceRun(
          destination,
          [
            { id: 'a', name: 'A' },
            { id: 'b', name: 'B again' },
          ],
          { run: 3 },
          at[1],
        );
        expect(await read()).toEqual([
          { id: 'a', name: 'A', _deleted_at: null },
          { id: 'b', name: 'B again', _deleted_at: null },
          { id: 'c', name: 'C2', _deleted_at: at[1].toISOString() },
        ]);
        await replaceRun(
          destination,
          [
            { id: 'a', name: 'A' },
            { id: 'b', name: 'B again' },
          ],
          { run: 4 },
          at[2],
        );
        expect(await read()).toEqual([
          { id: 'a', name: 'A', _deleted_at: null },
          { id: 'b', name: 'B again', _deleted_at: null },
          { id: 'c', name: 'C2', _deleted_at: at[1].toISOString() },
        ]);
        // Without soft deletes, replace is plain again: the marked and the vanished rows go.
        await replaceRun(destination, [{ id: 'a', name: 'A' }], { run: 5 }, undefined);
        expect(await read()).toEqual([{ id: 'a', name: 'A', _deleted_at: null }]);
        expect(await destination.readState()).toEqual(new Map([['tags', { run: 5 }]]));
      });

      it('replace with soft deletes is atomic: an aborted run leaves the old rows, marks and state', async () => {
        const harness = await setup();
        await replaceRun(
          harness.destination,
          [
            { id: 'a', name: 'A' },
            { id: 'b', name: 'B' },
          ],
          { run: 1 },
          at[0],
        );
        const writer = await harness.destination.prepare(tags, 'replace');
        await writer.commit([{ id: 'a', name: 'A' }], undefined);
        await writer.abort();
        expect(await rowsOf(harness, 'tags', ['id', '_deleted_at'])).toEqual([
          { id: 'a', _deleted_at: null },
          { id: 'b', _deleted_at: null },
        ]);
        expect(await harness.destination.readState()).toEqual(new Map([['tags', { run: 1 }]]));
      });

      it('reconcile marks exactly the rows whose id was not listed, with the state; again, none', async () => {
        const harness = await setup();
        const spec = tableSpec('contacts', { id: 'string', name: 'string' });
        const writer = await harness.destination.prepare(spec, 'merge');
        await writer.commit(
          range(1, 10).map((n) => ({ id: String(n), name: `n${n}` })),
          { cursor: 1 },
        );
        if (writer.reconcile === undefined) throw new Error('the destination cannot reconcile');
        const first = await writer.reconcile('id');
        await first.add(['1', '2', '3']);
        await first.add(['5', '6', '8', '9', '10', '11']);
        expect(await first.apply({ hard: false, at: at[0] }, { cursor: 1, reconciled_at: 7 })).toBe(2);
        expect(await rowsOf(harness, 'contacts', ['id', '_deleted_at'])).toEqual(
          range(1, 10)
            .map((n) => ({ id: String(n), _deleted_at: n === 4 || n === 7 ? at[0].toISOString() : null }))
            .sort((a, b) => compareValues(a.id, b.id)),
        );
        expect(await harness.destination.readState()).toEqual(
          new Map([['contacts', { cursor: 1, reconciled_at: 7 }]]),
        );
        const second = await writer.reconcile('id');
        await second.add(['1', '2', '3', '5', '6', '8', '9', '10']);
        expect(await second.apply({ hard: false, at: at[1] }, undefined)).toBe(0);
        const marks = await rowsOf(harness, 'contacts', ['id', '_deleted_at']);
        expect(marks.filter((row) => row._deleted_at !== null)).toEqual([
          { id: '4', _deleted_at: at[0].toISOString() },
          { id: '7', _deleted_at: at[0].toISOString() },
        ]);
        await writer.finish(undefined);
      });

      it('reconcile: a discarded listing changes nothing; hard removes the unlisted rows', async () => {
        const harness = await setup();
        const spec = tableSpec('companies', { id: 'string', name: 'string' });
        const writer = await harness.destination.prepare(spec, 'merge');
        await writer.commit(
          range(1, 4).map((n) => ({ id: String(n), name: `n${n}` })),
          { cursor: 1 },
        );
        if (writer.reconcile === undefined) throw new Error('the destination cannot reconcile');
        const interrupted = await writer.reconcile('id');
        await interrupted.add(['1']);
        await interrupted.discard();
        expect(await rowsOf(harness, 'companies', ['id', 'name'])).toHaveLength(4);
        expect((await harness.readRows('companies')).every((row) => (row._deleted_at ?? null) === null)).toBe(
          true,
        );
        const hard = await writer.reconcile('id');
        await hard.add(['1', '2', '4']);
        expect(await hard.apply({ hard: true, at: at[0] }, { cursor: 1, reconciled_at: 9 })).toBe(1);
        await writer.finish(undefined);
        expect(await rowsOf(harness, 'companies', ['id'])).toEqual([{ id: '1' }, { id: '2' }, { id: '4' }]);
        expect(await harness.destination.readState()).toEqual(
          new Map([['companies', { cursor: 1, reconciled_at: 9 }]]),
        );
      });

      it("reconcile compares the writer's partition only (another workspace's rows are not its to mark)", async () => {
        const harness = await setup();
        const seed = await harness.destination.prepare(people, 'merge');
        await seed.commit(
          [
            { id: '1', workspace_id: 'w1', name: 'a' },
            { id: '2', workspace_id: 'w1', name: 'b' },
            { id: '1', workspace_id: 'w2', name: 'c' },
            { id: '9', workspace_id: 'w2', name: 'd' },
          ],
          undefined,
        );
        await seed.finish(undefined);
        const writer = await harness.destination.prepare(
          { ...people, partition: { workspace_id: 'w1' } },
          'merge',
        );
        if (writer.reconcile === undefined) throw new Error('the destination cannot reconcile');
        const reconciliation = await writer.reconcile('id');
        await reconciliation.add(['1']);
        expect(await reconciliation.apply({ hard: false, at: at[0] }, undefined)).toBe(1);
        await writer.finish(undefined);
        const rows = normaliseRows(await harness.readRows('people'), [
          'name',
          'id',
          'workspace_id',
          '_deleted_at',
        ]);
        expect(rows).toEqual([
          { name: 'a', id: '1', workspace_id: 'w1', _deleted_at: null },
          { name: 'b', id: '2', workspace_id: 'w1', _deleted_at: at[0].toISOString() },
          { name: 'c', id: '1', workspace_id: 'w2', _deleted_at: null },
          { name: 'd', id: '9', workspace_id: 'w2', _deleted_at: null },
        ]);
      });
    });

    describe('link tables (commitWithLinks)', () => {
      const contacts = tableSpec('contacts', { workspace_id: 'string', id: 'string', name: 'string' }, [
        'workspace_id',
        'id',
      ]);
      const contactTags = tableSpec(
        'contact_tags',
        { workspace_id: 'string', contact_id: 'string', tag_id: 'string', contact_updated_at: 'timestamp' },
        ['workspace_id', 'contact_id', 'tag_id'],
      );
      const parentKey = ['workspace_id', 'contact_id'];
      const t1 = new Date('2026-01-01T00:00:00.000Z');
      const t2 = new Date('2026-01-02T00:00:00.000Z');
      const tag = (contact: string, tagId: string, at = t1) => ({
        workspace_id: 'w',
        contact_id: contact,
        tag_id: tagId,
        contact_updated_at: at,
      });
      const parent = (contact: string) => ({ workspace_id: 'w', contact_id: contact });

      it("replaces each batch parent's links with the batch's, with both states, in one commit", async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(contacts, 'merge');
        const links = await harness.destination.prepare(contactTags, 'merge');
        expect(writer.commitWithLinks).toBeTypeOf('function');
        const commit = (
          rows: Row[],
          state: unknown,
          batch: Parameters<NonNullable<StreamWriter['commitWithLinks']>>[2],
        ) =>
          (writer.commitWithLinks as NonNullable<StreamWriter['commitWithLinks']>).call(
            writer,
            rows,
            state,
            batch,
          );
        await commit(
          [
            { workspace_id: 'w', id: '1', name: 'one' },
            { workspace_id: 'w', id: '2', name: 'two' },
          ],
          { cursor: 1 },
          [
            {
              writer: links,
              parentKey,
              parents: [parent('1'), parent('2')],
              rows: [tag('1', 'a'), tag('1', 'b'), tag('2', 'a')],
              state: { cursor: 1 },
            },
          ],
        );
        // Contact 1 lost tag b and gained c; contact 2 lost every tag; contact 3 is new.
        await commit([{ workspace_id: 'w', id: '1', name: 'uno' }], { cursor: 2 }, [
          {
            writer: links,
            parentKey,
            parents: [parent('1'), parent('2'), parent('3')],
            rows: [tag('1', 'a', t2), tag('1', 'c', t2), tag('3', 'a', t2)],
            state: { cursor: 2 },
          },
        ]);
        await writer.finish(undefined);
        await links.finish(undefined);
        const rows = normaliseRows(
          (await harness.readRows('contact_tags')).map((row) => ({
            ...row,
            key: `${String(row.contact_id)}/${String(row.tag_id)}`,
          })),
          ['key', 'workspace_id', 'contact_updated_at'],
        );
        expect(rows).toEqual([
          { key: '1/a', workspace_id: 'w', contact_updated_at: t2.toISOString() },
          { key: '1/c', workspace_id: 'w', contact_updated_at: t2.toISOString() },
          { key: '3/a', workspace_id: 'w', contact_updated_at: t2.toISOString() },
        ]);
        expect(await rowsOf(harness, 'contacts', ['id', 'name'])).toEqual([
          { id: '1', name: 'uno' },
          { id: '2', name: 'two' },
        ]);
        expect(await harness.destination.readState()).toEqual(
          new Map([
            ['contacts', { cursor: 2 }],
            ['contact_tags', { cursor: 2 }],
          ]),
        );
      });

      it('writes link tables alone (parent rows empty, the carrier is a link writer itself)', async () => {
        const harness = await setup();
        const links = await harness.destination.prepare(contactTags, 'merge');
        const commit = links.commitWithLinks as NonNullable<StreamWriter['commitWithLinks']>;
        await commit.call(links, [], undefined, [
          {
            writer: links,
            parentKey,
            parents: [parent('1')],
            rows: [tag('1', 'a'), tag('1', 'b')],
            state: { cursor: 5 },
          },
        ]);
        await commit.call(links, [], undefined, [
          { writer: links, parentKey, parents: [parent('1')], rows: [tag('1', 'b')], state: { cursor: 6 } },
        ]);
        await links.finish(undefined);
        expect(await rowsOf(harness, 'contact_tags', ['tag_id'])).toEqual([{ tag_id: 'b' }]);
        expect(await harness.destination.readState()).toEqual(new Map([['contact_tags', { cursor: 6 }]]));
      });

      it('a failing link batch changes neither the parent rows, the links nor any state', async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(contacts, 'merge');
        const links = await harness.destination.prepare(contactTags, 'merge');
        const commit = writer.commitWithLinks as NonNullable<StreamWriter['commitWithLinks']>;
        await commit.call(writer, [{ workspace_id: 'w', id: '1', name: 'one' }], { cursor: 1 }, [
          { writer: links, parentKey, parents: [parent('1')], rows: [tag('1', 'a')], state: { cursor: 1 } },
        ]);
        const failing = commit.call(
          writer,
          [{ workspace_id: 'w', id: '1', name: 'changed' }],
          { cursor: 2 },
          [
            {
              writer: links,
              // A parent column the link table does not have: the destination must refuse the batch.
              parentKey: ['workspace_id', 'no_such_column'],
              parents: [{ workspace_id: 'w', no_such_column: '1' }],
              rows: [tag('1', 'z')],
              state: { cursor: 2 },
            },
          ],
        );
        expect(await outcome(failing)).toBe('rejected');
        await writer.abort();
        await links.abort();
        expect(await rowsOf(harness, 'contacts', ['id', 'name'])).toEqual([{ id: '1', name: 'one' }]);
        expect(await rowsOf(harness, 'contact_tags', ['tag_id'])).toEqual([{ tag_id: 'a' }]);
        expect(await harness.destination.readState()).toEqual(
          new Map([
            ['contacts', { cursor: 1 }],
            ['contact_tags', { cursor: 1 }],
          ]),
        );
      });

      it('replace mode: links staged with the run, visible at finish, state kept for finish', async () => {
        const harness = await setup();
        const first = await harness.destination.prepare(contactTags, 'merge');
        await (first.commitWithLinks as NonNullable<StreamWriter['commitWithLinks']>).call(
          first,
          [],
          undefined,
          [
            {
              writer: first,
              parentKey,
              parents: [parent('9')],
              rows: [tag('9', 'old')],
              state: { cursor: 1 },
            },
          ],
        );
        await first.finish(undefined);
        const writer = await harness.destination.prepare(contacts, 'replace');
        const links = await harness.destination.prepare(contactTags, 'replace');
        await (writer.commitWithLinks as NonNullable<StreamWriter['commitWithLinks']>).call(
          writer,
          [{ workspace_id: 'w', id: '1', name: 'one' }],
          undefined,
          [{ writer: links, parentKey, parents: [parent('1')], rows: [tag('1', 'a')], state: { cursor: 3 } }],
        );
        expect(await rowsOf(harness, 'contact_tags', ['tag_id'])).toEqual([{ tag_id: 'old' }]);
        await writer.finish({ cursor: 3 });
        await links.finish(undefined);
        expect(await rowsOf(harness, 'contact_tags', ['tag_id'])).toEqual([{ tag_id: 'a' }]);
        expect((await harness.destination.readState()).get('contact_tags')).toEqual({ cursor: 3 });
      });
    });

    describe('several workspaces in one warehouse (stateKey, partition)', () => {
      const spec = (workspace: string, primaryKey = ['workspace_id', 'id']): TableSpec => ({
        ...tableSpec('admins', { workspace_id: 'string', id: 'string', name: 'string' }, primaryKey),
        stateKey: `admins@${workspace}`,
        partition: { workspace_id: workspace },
      });

      it("keeps states apart and replaces only the partition's rows", async () => {
        const harness = await setup();
        for (const [workspace, names] of [
          ['w1', ['a', 'b']],
          ['w2', ['a', 'c']],
        ] as const) {
          const writer = await harness.destination.prepare(spec(workspace), 'replace');
          await writer.commit(
            names.map((id) => ({ workspace_id: workspace, id, name: `${workspace}-${id}` })),
            undefined,
          );
          await writer.finish({ cursor: workspace === 'w1' ? 1 : 2 });
        }
        // w1 again: its b is gone; w2's rows stay as they were.
        const writer = await harness.destination.prepare(spec('w1'), 'replace');
        await writer.commit([{ workspace_id: 'w1', id: 'a', name: 'w1-a2' }], undefined);
        await writer.finish({ cursor: 3 });
        const rows = normaliseRows(
          (await harness.readRows('admins')).map((row) => ({
            ...row,
            key: `${String(row.workspace_id)}/${String(row.id)}`,
          })),
          ['key', 'name'],
        );
        expect(rows).toEqual([
          { key: 'w1/a', name: 'w1-a2' },
          { key: 'w2/a', name: 'w2-a' },
          { key: 'w2/c', name: 'w2-c' },
        ]);
        expect(await harness.destination.readState()).toEqual(
          new Map([
            ['admins@w1', { cursor: 3 }],
            ['admins@w2', { cursor: 2 }],
          ]),
        );
      });

      it('replace runs of two partitions at once keep both, or the second is refused (files)', async () => {
        const harness = await setup();
        const first = await harness.destination.prepare(spec('w1'), 'replace');
        if (/^(parquet|jsonl)/.test(harness.destination.description)) {
          // A lake carries the other partitions when a run starts: a second run at once is refused.
          await expect(harness.destination.prepare(spec('w2'), 'replace')).rejects.toThrow(
            /another replace run of admins is in progress.*one after the other/,
          );
          await first.commit([{ workspace_id: 'w1', id: 'a', name: 'one' }], undefined);
          await first.finish({ cursor: 1 });
          const second = await harness.destination.prepare(spec('w2'), 'replace');
          await second.commit([{ workspace_id: 'w2', id: 'a', name: 'two' }], undefined);
          await second.finish({ cursor: 2 });
          const rows = (await harness.readRows('admins')).map(
            (row) => `${String(row.workspace_id)}:${String(row.name)}`,
          );
          expect(rows.sort()).toEqual(['w1:one', 'w2:two']);
          return;
        }
        const second = await harness.destination.prepare(spec('w2'), 'replace');
        await first.commit([{ workspace_id: 'w1', id: 'a', name: 'one' }], undefined);
        await second.commit([{ workspace_id: 'w2', id: 'a', name: 'two' }], undefined);
        await first.finish({ cursor: 1 });
        await second.finish({ cursor: 2 });
        const rows = (await harness.readRows('admins')).map(
          (row) => `${String(row.workspace_id)}:${String(row.name)}`,
        );
        expect(rows.sort()).toEqual(['w1:one', 'w2:two']);
      });

      it('merges on keys starting with the partition column: equal ids of two workspaces are two rows', async () => {
        const harness = await setup();
        for (const workspace of ['w1', 'w2']) {
          const writer = await harness.destination.prepare(spec(workspace), 'merge');
          await writer.commit([{ workspace_id: workspace, id: 'x', name: workspace }], { cursor: 1 });
          await writer.commit([{ workspace_id: workspace, id: 'x', name: `${workspace}!` }], { cursor: 2 });
          await writer.finish(undefined);
        }
        const rows = (await harness.readRows('admins')).map(
          (row) => `${String(row.workspace_id)}:${String(row.name)}`,
        );
        expect(rows.sort()).toEqual(['w1:w1!', 'w2:w2!']);
      });
    });

    describe('staging (stage)', () => {
      const spec = tableSpec('conversations', { id: 'integer', name: 'string' });
      const contacts = tableSpec('contacts', { id: 'string', name: 'string' });
      const contactTags = tableSpec('contact_tags', { contact_id: 'string', tag_id: 'string' }, [
        'contact_id',
        'tag_id',
      ]);
      const named = (ids: number[], name: string): Row[] => ids.map((id) => ({ id, name }));
      type Stage = NonNullable<StreamWriter['stage']>;
      const stager = (writer: StreamWriter): Stage => {
        expect(writer.stage).toBeTypeOf('function');
        return (writer.stage as Stage).bind(writer);
      };

      if (capabilities.stage !== true) {
        it('writers do not offer stage (the engine commits every batch instead)', async () => {
          const harness = await setup();
          const writer = await harness.destination.prepare(spec, 'merge');
          expect(writer.stage).toBeUndefined();
          await writer.abort();
        });
        return;
      }

      for (const mode of ['merge', 'append', 'replace'] as const) {
        it(`${mode}: staged rows are invisible until the next commit, which makes them durable with its state`, async () => {
          const harness = await setup();
          const writer = await harness.destination.prepare(spec, mode);
          const stage = stager(writer);
          await stage(named(range(1, 3000), 'a'), []);
          await stage(named(range(3001, 5000), 'b'), []);
          expect(await harness.readRows('conversations')).toHaveLength(0);
          expect(await harness.destination.readState()).toEqual(new Map());
          await writer.commit(named([5001], 'c'), { page: 3 });
          if (mode !== 'replace') {
            expect(await harness.readRows('conversations')).toHaveLength(5001);
            expect(await harness.destination.readState()).toEqual(new Map([['conversations', { page: 3 }]]));
          }
          await writer.finish({ done: true });
          expect(await harness.readRows('conversations')).toHaveLength(5001);
          expect(await harness.destination.readState()).toEqual(new Map([['conversations', { done: true }]]));
        });
      }

      it('merge: the last row of a key wins across staged pages and the commit', async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(spec, 'merge');
        await writer.commit(named([1, 2, 3], 'committed'), { page: 0 });
        const stage = stager(writer);
        await stage(named([2, 3, 4], 'staged-1'), []);
        await stage(named([3, 4, 5], 'staged-2'), []);
        await writer.commit(named([4], 'commit'), { page: 1 });
        await writer.finish(undefined);
        expect(await rowsOf(harness, 'conversations', ['id', 'name'])).toEqual([
          { id: 1, name: 'committed' },
          { id: 2, name: 'staged-1' },
          { id: 3, name: 'staged-2' },
          { id: 4, name: 'commit' },
          { id: 5, name: 'staged-2' },
        ]);
      });

      it('abort discards everything staged; the writer of a new run starts clean', async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(spec, 'merge');
        await writer.commit(named([1], 'kept'), { page: 1 });
        await stager(writer)(named(range(2, 9000), 'lost'), []);
        await writer.abort();
        expect(await rowsOf(harness, 'conversations', ['id', 'name'])).toEqual([{ id: 1, name: 'kept' }]);
        expect(await harness.destination.readState()).toEqual(new Map([['conversations', { page: 1 }]]));
        const again = await harness.destination.prepare(spec, 'merge');
        await again.commit(named([2], 'new'), { page: 2 });
        await again.finish(undefined);
        expect(await rowsOf(harness, 'conversations', ['id', 'name'])).toEqual([
          { id: 1, name: 'kept' },
          { id: 2, name: 'new' },
        ]);
      });

      it('a crash (close without commit) discards what was staged', async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(spec, 'append');
        await writer.commit(named([1], 'kept'), { page: 1 });
        await stager(writer)(named(range(2, 9000), 'lost'), []);
        const reopened = await harness.reopen();
        await reopened.open();
        onTestFinished(() => reopened.close());
        expect(await rowsOf(harness, 'conversations', ['id', 'name'])).toEqual([{ id: 1, name: 'kept' }]);
        expect(await reopened.readState()).toEqual(new Map([['conversations', { page: 1 }]]));
      });

      it('a commit that fails after staging loses the staged rows too, and says so until abort', async () => {
        const harness = await setup();
        const timed = tableSpec('timed', { id: 'integer', at: 'timestamp' });
        const writer = await harness.destination.prepare(timed, 'merge');
        await writer.commit([{ id: 1, at: new Date(0) }], { page: 1 });
        await stager(writer)([{ id: 2, at: new Date(0) }], []);
        await expect(writer.commit([{ id: 3, at: new Date(Number.NaN) }], { page: 2 })).rejects.toThrow();
        // Retrying only the failed batch would silently drop row 2: the writer refuses instead.
        await expect(writer.commit([{ id: 3, at: new Date(0) }], { page: 2 })).rejects.toThrow();
        expect((await harness.readRows('timed')).map((row) => normaliseValue(row.id))).toEqual([1]);
        expect(await harness.destination.readState()).toEqual(new Map([['timed', { page: 1 }]]));
        await writer.abort();
        const again = await harness.destination.prepare(timed, 'merge');
        await again.commit([{ id: 3, at: new Date(0) }], { page: 2 });
        await again.finish(undefined);
        expect(
          (await harness.readRows('timed')).map((row) => normaliseValue(row.id)).sort(compareValues),
        ).toEqual([1, 3]);
      });

      it('link batches staged with their parents are replaced across the transaction', async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(contacts, 'merge');
        const links = await harness.destination.prepare(contactTags, 'merge');
        const commitWithLinks = writer.commitWithLinks as NonNullable<StreamWriter['commitWithLinks']>;
        const batch = (parents: string[], rows: [string, string][]) => ({
          writer: links,
          parentKey: ['contact_id'],
          parents: parents.map((contact_id) => ({ contact_id })),
          rows: rows.map(([contact_id, tag_id]) => ({ contact_id, tag_id })),
          state: undefined,
        });
        await commitWithLinks.call(writer, [{ id: '1', name: 'one' }], { cursor: 1 }, [
          { ...batch(['1'], [['1', 'old']]), state: { cursor: 1 } },
        ]);
        const stage = stager(writer);
        // Page 1 gives contact 1 tags a and b; page 2 has contact 1 again (updated meanwhile) with
        // only tag c, and contact 2 with tag a.
        await stage(
          [{ id: '1', name: 'uno' }],
          [
            batch(
              ['1'],
              [
                ['1', 'a'],
                ['1', 'b'],
              ],
            ),
          ],
        );
        await stage(
          [
            { id: '1', name: 'eins' },
            { id: '2', name: 'two' },
          ],
          [
            batch(
              ['1', '2'],
              [
                ['1', 'c'],
                ['2', 'a'],
              ],
            ),
          ],
        );
        expect(await rowsOf(harness, 'contact_tags', ['contact_id', 'tag_id'])).toEqual([
          { contact_id: '1', tag_id: 'old' },
        ]);
        await commitWithLinks.call(writer, [], { cursor: 2 }, [{ ...batch([], []), state: { cursor: 2 } }]);
        await writer.finish(undefined);
        await links.finish(undefined);
        expect(await rowsOf(harness, 'contacts', ['id', 'name'])).toEqual([
          { id: '1', name: 'eins' },
          { id: '2', name: 'two' },
        ]);
        const tags = (await rowsOf(harness, 'contact_tags', ['contact_id', 'tag_id'])).map(
          (row) => `${String(row.contact_id)}:${String(row.tag_id)}`,
        );
        expect(tags.sort()).toEqual(['1:c', '2:a']);
        expect(await harness.destination.readState()).toEqual(
          new Map([
            ['contacts', { cursor: 2 }],
            ['contact_tags', { cursor: 2 }],
          ]),
        );
      });

      it('delete commits what was staged before it, in the same transaction as the deletion', async () => {
        const harness = await setup();
        const writer = await harness.destination.prepare(spec, 'merge');
        await stager(writer)(named([1, 2, 3], 'staged'), []);
        await writer.delete([{ match: { id: 2 }, at: new Date(0) }], { hard: true }, { cursor: 9 });
        await writer.finish(undefined);
        expect(await rowsOf(harness, 'conversations', ['id', 'name'])).toEqual([
          { id: 1, name: 'staged' },
          { id: 3, name: 'staged' },
        ]);
        expect(await harness.destination.readState()).toEqual(new Map([['conversations', { cursor: 9 }]]));
      });

      it('several writers stage and commit concurrently, each all or nothing', async () => {
        const harness = await setup();
        const specs = range(0, 3).map((index) =>
          tableSpec(`staged_${index}`, { id: 'integer', name: 'string' }),
        );
        await Promise.all(
          specs.map(async (each, index) => {
            const writer = await harness.destination.prepare(each, index % 2 === 0 ? 'merge' : 'append');
            const stage = stager(writer);
            for (let page = 0; page < 6; page++) {
              await stage(named(range(page * 3000, page * 3000 + 2999), each.table), []);
              if (page % 3 === 2) await writer.commit([], { page });
            }
            await writer.finish({ page: 'done' });
          }),
        );
        const states = await harness.destination.readState();
        for (const each of specs) {
          expect(await harness.readRows(each.table)).toHaveLength(18_000);
          expect(states.get(each.stream)).toEqual({ page: 'done' });
        }
      });
    });

    it('writers on different streams commit concurrently', async () => {
      const harness = await setup();
      const { destination } = harness;
      const modes: WriteMode[] = ['append', 'merge', 'replace', 'merge', 'append', 'replace'];
      const specs = modes.map((_, index) =>
        tableSpec(`stream_${index}`, { id: 'integer', stream: 'string' }),
      );
      const writers: StreamWriter[] = await Promise.all(
        specs.map((spec, index) => destination.prepare(spec, modes[index])),
      );
      await Promise.all(
        writers.map(async (writer, index) => {
          for (let page = 0; page < 5; page++) {
            const ids = range(page * 200, page * 200 + 199);
            await writer.commit(
              ids.map((id) => ({ id, stream: specs[index].stream })),
              { page },
            );
          }
          await writer.finish({ page: 'done' });
        }),
      );
      const states = await destination.readState();
      for (const spec of specs) {
        const rows = await rowsOf(harness, spec.table, ['id', 'stream']);
        expect(rows).toHaveLength(1000);
        expect(rows.every((row) => row.stream === spec.stream)).toBe(true);
        expect(states.get(spec.stream)).toEqual({ page: 'done' });
      }
    });
  });
}
