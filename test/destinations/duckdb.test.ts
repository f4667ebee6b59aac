import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, chmod, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { ColumnType, Destination, Row, TableSpec } from '../../src/destinations/destination.js';
import { createDuckDbDestination, DuckDbDestinationError } from '../../src/destinations/duckdb/index.js';
import { requireEnvironment } from '../support/environment.js';
import { describeDestinationConformance } from './conformance.js';
import { createDuckDbHarness, readDuckDbRows } from './duckdb-harness.js';

describeDestinationConformance('duckdb', () => createDuckDbHarness(), { stage: true });

function tableSpec(table: string, columns: Record<string, ColumnType>, primaryKey = ['id']): TableSpec {
  return {
    stream: table,
    table,
    columns: Object.entries(columns).map(([name, type]) => ({ name, type })),
    primaryKey,
  };
}

async function run(
  destination: Destination,
  spec: TableSpec,
  mode: 'append' | 'merge' | 'replace',
  rows: Row[],
) {
  const writer = await destination.prepare(spec, mode);
  await writer.commit(rows, undefined);
  await writer.finish(undefined);
}

describe('DuckDB destination options', () => {
  it('refuses a memory size or row group size DuckDB cannot take, naming the option, before opening', () => {
    expect(() => createDuckDbDestination({ path: 'x.duckdb', checkpointMemory: 'lots' })).toThrow(
      DuckDbDestinationError,
    );
    expect(() => createDuckDbDestination({ path: 'x.duckdb', checkpointMemory: 'lots' })).toThrow(
      /checkpointMemory: not a size: "lots"/,
    );
    expect(() => createDuckDbDestination({ path: 'x.duckdb', rowGroupSize: 3000 })).toThrow(
      /rowGroupSize 3000: give a multiple of 2048/,
    );
    expect(() =>
      createDuckDbDestination({ path: 'x.duckdb', rowGroupSize: 4096, checkpointMemory: '1.5MiB' }),
    ).not.toThrow();
    expect(() => createDuckDbDestination({ path: 'x.duckdb', checkpointMemory: '0' })).not.toThrow();
  });

  it('offers stage to a merge writer only when its table was empty at prepare', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'intercom-sync-duckdb-stage-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const destination = createDuckDbDestination({ path: join(directory, 'stage.duckdb') });
    onTestFinished(() => destination.close());
    await destination.open();
    const spec = tableSpec('people', { id: 'integer', name: 'string' });
    const first = await destination.prepare(spec, 'merge');
    expect(first.stage).toBeTypeOf('function');
    await first.commit([{ id: 1, name: 'one' }], undefined);
    await first.finish(undefined);
    // The table now holds rows: each staged page would scan it inside one long transaction.
    const second = await destination.prepare(spec, 'merge');
    expect(second.stage).toBeUndefined();
    await second.commit([{ id: 1, name: 'uno' }], undefined);
    await second.finish(undefined);
    const replacing = await destination.prepare(spec, 'replace');
    expect(replacing.stage).toBeTypeOf('function');
    await replacing.abort();
  });

  it('a small row group size and checkpoint memory still load every row exactly (checkpoints reported)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'intercom-sync-duckdb-options-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const path = join(directory, 'small.duckdb');
    const checkpoints: number[] = [];
    const destination = createDuckDbDestination({
      path,
      rowGroupSize: 2048,
      checkpointMemory: '1B',
      onCheckpoint: ({ inMemoryBytes }) => checkpoints.push(inMemoryBytes),
    });
    await destination.open();
    const spec = tableSpec('notes', { id: 'integer', body: 'string' });
    const writer = await destination.prepare(spec, 'merge');
    const stage = writer.stage?.bind(writer);
    expect(stage).toBeTypeOf('function');
    for (let round = 0; round < 3; round++) {
      for (let page = 0; page < 4; page++) {
        const ids = Array.from({ length: 1500 }, (_, index) => round * 6000 + page * 1500 + index);
        await stage?.(
          ids.map((id) => ({ id, body: `note ${id} `.repeat(20) })),
          [],
        );
      }
      await writer.commit([], { round });
      // The destination looks at most every 2 s.
      await new Promise((resolve) => setTimeout(resolve, 2100));
    }
    await writer.commit([{ id: 0, body: 'changed' }], { round: 'last' });
    await writer.finish(undefined);
    await destination.close();
    expect(checkpoints.length).toBeGreaterThan(0);
    const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    const rows = await readDuckDbRows(connection, 'intercom', 'notes');
    connection.closeSync();
    instance.closeSync();
    expect(rows).toHaveLength(18_000);
    expect(rows.find((row) => Number(row.id) === 0)?.body).toBe('changed');
  });
});

describe('DuckDB destination memory', () => {
  it('after a checkpoint it started, caches none of the file and keeps its memory limit', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'intercom-sync-duckdb-release-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const checkpoints: Array<{ inMemoryBytes: number; cachedBytes: number }> = [];
    const destination = createDuckDbDestination({
      path: join(directory, 'release.duckdb'),
      checkpointMemory: '1B',
      onCheckpoint: ({ inMemoryBytes, cachedBytes }) => checkpoints.push({ inMemoryBytes, cachedBytes }),
    });
    onTestFinished(() => destination.close());
    await destination.open();
    const spec = tableSpec('notes', { id: 'integer', body: 'string' });
    const rows = (from: number, count: number, body: string) =>
      Array.from({ length: count }, (_, index) => ({
        id: from + index,
        body: `${body} ${from + index} `.repeat(12),
      }));
    await run(destination, spec, 'merge', rows(0, 60_000, 'first'));
    // A merge into the full table scans it for the keys it replaces: the file's blocks are cached.
    const writer = await destination.prepare(spec, 'merge');
    expect(writer.stage).toBeUndefined();
    await writer.commit(rows(0, 20_000, 'second'), { round: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await writer.commit(rows(20_000, 100, 'third'), { round: 2 });
    const deadline = Date.now() + 10_000;
    while (checkpoints.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints[checkpoints.length - 1]?.cachedBytes).toBeLessThan(1 << 20);
    // The limit is back where it was: a batch of several megabytes (past 1 MB) still loads.
    await writer.commit(rows(40_000, 30_000, 'fourth'), { round: 3 });
    await writer.finish(undefined);
    await destination.close();
  }, 60_000);
});

describe('DuckDB checkpoints beside staged transactions', () => {
  /** A destination that checkpoints whenever it looks (every 2 s), on a new file. */
  async function checkpointing(): Promise<{ destination: Destination; path: string; checkpoints: number[] }> {
    const directory = await mkdtemp(join(tmpdir(), 'intercom-sync-duckdb-beside-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const checkpoints: number[] = [];
    const path = join(directory, 'beside.duckdb');
    const destination = createDuckDbDestination({
      path,
      checkpointMemory: '1B',
      onCheckpoint: ({ inMemoryBytes }) => checkpoints.push(inMemoryBytes),
    });
    onTestFinished(() => destination.close());
    await destination.open();
    return { destination, path, checkpoints };
  }

  const notes = tableSpec('notes', { id: 'integer', body: 'string' });
  const events = tableSpec('events', { id: 'integer', kind: 'string' });
  const noteRows = (from: number, count: number) =>
    Array.from({ length: count }, (_, index) => ({ id: from + index, body: `note ${from + index}` }));
  const eventRows = (from: number, count: number) =>
    Array.from({ length: count }, (_, index) => ({ id: from + index, kind: 'opened' }));

  /** Commits `rows` with a state after the 2 s the destination waits between looks, and waits for a checkpoint. */
  async function commitAndCheckpoint(
    writer: Awaited<ReturnType<Destination['prepare']>>,
    rows: Row[],
    state: unknown,
    checkpoints: number[],
  ): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const before = checkpoints.length;
    await writer.commit(rows, state);
    const deadline = Date.now() + 10_000;
    while (checkpoints.length === before && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(checkpoints.length).toBeGreaterThan(before);
  }

  async function countRows(path: string, table: string): Promise<number> {
    const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    try {
      return (await readDuckDbRows(connection, 'intercom', table)).length;
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  it("leave staged rows in their transaction, even past another stream's state commits", async () => {
    const { destination, path, checkpoints } = await checkpointing();
    const staging = await destination.prepare(notes, 'merge');
    const other = await destination.prepare(events, 'merge');
    await staging.stage?.(noteRows(0, 3000), []);
    // The state is written after the staged transaction began: a committed UPDATE would keep DuckDB
    // from checkpointing beside it (and the staged rows would be committed first).
    await other.commit(eventRows(0, 100), { page: 1 });
    await commitAndCheckpoint(other, eventRows(100, 100), { page: 2 }, checkpoints);
    // Still uncommitted: rolled back with the writer.
    await staging.abort();
    await other.finish(undefined);
    await destination.close();
    expect(await countRows(path, 'notes')).toBe(0);
    expect(await countRows(path, 'events')).toBe(200);
  }, 30_000);

  it('commit what the writers staged first when DuckDB refuses (a transaction older than a new table)', async () => {
    const { destination, path, checkpoints } = await checkpointing();
    const staging = await destination.prepare(notes, 'merge');
    await staging.stage?.(noteRows(0, 3000), []);
    // Creating a table after the staged transaction began: DuckDB will not checkpoint beside it.
    const other = await destination.prepare(events, 'merge');
    await commitAndCheckpoint(other, eventRows(0, 100), { page: 1 }, checkpoints);
    await staging.commit(noteRows(3000, 100), { page: 'last' });
    await staging.finish(undefined);
    await other.finish(undefined);
    await destination.close();
    expect(await countRows(path, 'notes')).toBe(3100);
    expect(await countRows(path, 'events')).toBe(100);
  }, 30_000);
});

describe('DuckDB destination', () => {
  let directory: string;
  let path: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'intercom-sync-duckdb-'));
    path = join(directory, 'intercom.duckdb');
  });

  afterEach(async () => {
    await chmod(directory, 0o700).catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  });

  /** A destination on `path`, opened, closed when the test ends. */
  async function openDestination(schema?: string): Promise<Destination> {
    const destination = createDuckDbDestination({ path, schema });
    onTestFinished(() => destination.close());
    await destination.open();
    return destination;
  }

  /** Runs `check` with a connection on the closed database file. */
  async function inspect<T>(check: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    try {
      return await check(connection);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  async function columnTypes(connection: DuckDBConnection, table: string): Promise<Record<string, string>> {
    const reader = await connection.runAndReadAll(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'intercom' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    return Object.fromEntries(reader.getRows().map(([name, type]) => [String(name), String(type)]));
  }

  it('describes itself by its absolute path', () => {
    expect(createDuckDbDestination({ path }).description).toBe(`duckdb:///${path}`);
    expect(createDuckDbDestination({ path: ':memory:' }).description).toBe('duckdb:///:memory:');
  });

  it('maps the logical types to DuckDB column types', async () => {
    const destination = await openDestination();
    const spec = tableSpec('typed', {
      id: 'integer',
      s: 'string',
      f: 'float',
      b: 'boolean',
      t: 'timestamp',
      j: 'json',
    });
    await run(destination, spec, 'merge', [{ id: 1 }]);
    await destination.close();
    await inspect(async (connection) => {
      expect(await columnTypes(connection, 'typed')).toEqual({
        id: 'BIGINT',
        s: 'VARCHAR',
        f: 'DOUBLE',
        b: 'BOOLEAN',
        t: 'TIMESTAMP WITH TIME ZONE',
        j: 'JSON',
      });
      expect(await columnTypes(connection, '_intercom_sync_state')).toEqual({
        stream: 'VARCHAR',
        state: 'JSON',
        updated_at: 'TIMESTAMP WITH TIME ZONE',
      });
    });
  });

  it('widens columns in place: integer+float → DOUBLE, to string → VARCHAR, with json → JSON', async () => {
    const destination = await openDestination();
    await run(
      destination,
      tableSpec('w', { id: 'integer', n: 'integer', m: 'integer', t: 'timestamp', s: 'string' }),
      'merge',
      [{ id: 1, n: 2, m: 42, t: new Date('1969-07-20T20:17:40.123Z'), s: 'plain' }],
    );
    await run(
      destination,
      tableSpec('w', { id: 'integer', n: 'float', m: 'string', t: 'string', s: 'json' }),
      'merge',
      [{ id: 2, n: 2.5, m: 'abc', t: 'not a time', s: { nested: true } }],
    );
    await destination.close();
    await inspect(async (connection) => {
      expect(await columnTypes(connection, 'w')).toEqual({
        id: 'BIGINT',
        n: 'DOUBLE',
        m: 'VARCHAR',
        t: 'VARCHAR',
        s: 'JSON',
      });
      const rows = await readDuckDbRows(connection, 'intercom', 'w');
      expect(rows.sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
        // Old values converted: timestamps to ISO 8601 (UTC, milliseconds), strings to JSON strings.
        { id: 1, n: 2, m: '42', t: '1969-07-20T20:17:40.123Z', s: 'plain' },
        { id: 2, n: 2.5, m: 'abc', t: 'not a time', s: { nested: true } },
      ]);
    });
  });

  it('keeps case-colliding names apart with a suffixed physical name and a comment', async () => {
    const destination = await openDestination();
    await run(
      destination,
      tableSpec('Things', { id: 'integer', CamelCase: 'string', camelcase: 'string' }),
      'append',
      [{ id: 1, CamelCase: 'upper', camelcase: 'lower' }],
    );
    await run(destination, tableSpec('things', { id: 'integer' }), 'append', [{ id: 2 }]);
    await destination.close();
    await inspect(async (connection) => {
      const tables = await connection.runAndReadAll(
        `SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'intercom' AND table_name ILIKE 'things%' ORDER BY 1`,
      );
      expect(tables.getRows()).toEqual([
        ['Things', null],
        ['things_2', '{"intercom_sync_name":"things"}'],
      ]);
      expect(await columnTypes(connection, 'Things')).toEqual({
        id: 'BIGINT',
        CamelCase: 'VARCHAR',
        camelcase_2: 'VARCHAR',
      });
      expect(await readDuckDbRows(connection, 'intercom', 'Things')).toEqual([
        { id: 1, CamelCase: 'upper', camelcase: 'lower' },
      ]);
      expect(await readDuckDbRows(connection, 'intercom', 'things')).toEqual([{ id: 2 }]);
    });
  });

  it('reopens from the file itself, and discards the staging table of an interrupted replace', async () => {
    const first = createDuckDbDestination({ path });
    await first.open();
    const spec = tableSpec('replaced', { id: 'integer' });
    await run(first, spec, 'replace', [{ id: 1 }]);
    const interrupted = await first.prepare(spec, 'replace');
    await interrupted.commit([{ id: 2 }], { cursor: 2 });
    await first.close();

    const stagingTables = (connection: DuckDBConnection) =>
      connection
        .runAndReadAll(
          `SELECT count(*)::INTEGER FROM duckdb_tables() WHERE table_name LIKE '_intercom_sync_staging_%'`,
        )
        .then((reader) => reader.getRows()[0][0]);
    expect(await inspect(stagingTables)).toBe(1);

    const second = await openDestination();
    expect(await second.readState()).toEqual(new Map());
    await second.close();
    expect(await inspect(stagingTables)).toBe(0);
    expect(await inspect((connection) => readDuckDbRows(connection, 'intercom', 'replaced'))).toEqual([
      { id: 1 },
    ]);
  });

  it('works in memory and in a schema with a hostile name', async () => {
    const destination = createDuckDbDestination({ path: ':memory:', schema: 'my "schema"; --' });
    onTestFinished(() => destination.close());
    await destination.open();
    const writer = await destination.prepare(tableSpec('t', { id: 'integer' }), 'merge');
    await writer.commit([{ id: 1 }, { id: 1 }], { ok: true });
    await writer.finish(undefined);
    expect(await destination.readState()).toEqual(new Map([['t', { ok: true }]]));
  });

  it('wraps errors with the stream and the table, and refuses a value out of BIGINT range', async () => {
    const destination = await openDestination();
    const writer = await destination.prepare(tableSpec('big', { id: 'integer' }), 'append');
    await writer.commit([{ id: 1 }], { page: 1 });
    const error = await writer.commit([{ id: 2 }, { id: 2n ** 63n }], { page: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuckDbDestinationError);
    expect((error as Error).message).toMatch(
      /commit failed for stream "big", table "intercom"\."intercom"\."big"/,
    );
    expect((error as Error).message).toMatch(/row 1, column "id": integer 9223372036854775808 does not fit/);
    expect(await destination.readState()).toEqual(new Map([['big', { page: 1 }]]));

    await writer.finish(undefined);
    await expect(writer.commit([{ id: 3 }], undefined)).rejects.toThrow(/stream "big".*already finished/);
    await expect(
      destination.prepare(tableSpec('_intercom_sync_state', { id: 'integer' }), 'append'),
    ).rejects.toThrow(/reserved/);
  });

  it('rolls back rows already moved into the table when the state write fails after them', async () => {
    // A state table that refuses states carrying `poison`: the failure then comes from DuckDB,
    // at the last statement of the transaction, after the rows went in (or the tables were swapped).
    await inspect(async (connection) => {
      await connection.run('CREATE SCHEMA intercom');
      await connection.run(
        `CREATE TABLE intercom.intercom._intercom_sync_state (stream VARCHAR PRIMARY KEY,
           state JSON CHECK (json_extract(state, '$.poison') IS NULL), updated_at TIMESTAMPTZ)`,
      );
    });
    const destination = await openDestination();

    for (const mode of ['append', 'merge'] as const) {
      const writer = await destination.prepare(tableSpec(mode, { id: 'integer', v: 'string' }), mode);
      await writer.commit([{ id: 1, v: 'old' }], { page: 1 });
      await expect(
        writer.commit(
          [
            { id: 1, v: 'new' },
            { id: 2, v: 'new' },
          ],
          { poison: true },
        ),
      ).rejects.toThrow(/Constraint Error|CHECK/i);
      await writer.finish(undefined);
    }
    const replaceSpec = tableSpec('replace', { id: 'integer', v: 'string' });
    await run(destination, replaceSpec, 'replace', [{ id: 1, v: 'old' }]);
    const replacing = await destination.prepare(replaceSpec, 'replace');
    await replacing.commit([{ id: 2, v: 'new' }], undefined);
    await expect(replacing.finish({ poison: true })).rejects.toThrow(/Constraint Error|CHECK/i);
    await destination.close();

    await inspect(async (connection) => {
      expect(await readDuckDbRows(connection, 'intercom', 'append')).toEqual([{ id: 1, v: 'old' }]);
      expect(await readDuckDbRows(connection, 'intercom', 'merge')).toEqual([{ id: 1, v: 'old' }]);
      expect(await readDuckDbRows(connection, 'intercom', 'replace')).toEqual([{ id: 1, v: 'old' }]);
    });
  });

  it('still commits when another writer evolved the table after this one was prepared', async () => {
    const destination = await openDestination();
    const early = await destination.prepare(tableSpec('shared', { id: 'integer', n: 'integer' }), 'append');
    const late = await destination.prepare(
      tableSpec('shared', { id: 'integer', n: 'string', x: 'boolean' }),
      'append',
    );
    await early.commit([{ id: 1, n: 5 }], undefined);
    await late.commit([{ id: 2, n: 'five', x: true }], undefined);
    await early.finish(undefined);
    await late.finish(undefined);
    await destination.close();
    const rows = await inspect((connection) => readDuckDbRows(connection, 'intercom', 'shared'));
    expect(rows.sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { id: 1, n: '5', x: null },
      { id: 2, n: 'five', x: true },
    ]);
  });

  it('rejects an aborted commit with the signal’s reason', async () => {
    const destination = await openDestination();
    const writer = await destination.prepare(tableSpec('aborted', { id: 'integer' }), 'append');
    const reason = new Error('stop');
    await expect(writer.commit([{ id: 1 }], undefined, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  describe('opening a file it cannot use', () => {
    let holder: ChildProcess | undefined;

    afterEach(async () => {
      if (holder !== undefined && holder.exitCode === null) {
        holder.kill();
        await once(holder, 'exit');
      }
      holder = undefined;
    });

    it('says so when another process holds the file', async () => {
      // A second process opens the file with DuckDB and keeps it open.
      const script = `
        const { DuckDBInstance } = require('@duckdb/node-api');
        DuckDBInstance.create(process.argv[1]).then(async (instance) => {
          await (await instance.connect()).run('CREATE TABLE held (x INTEGER)');
          process.stdout.write('ready\\n');
          setInterval(() => {}, 1000);
        });`;
      const child = spawn(process.execPath, ['-e', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      holder = child;
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (data: Buffer) => {
          if (data.toString().includes('ready')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`the holding process exited early (${code})`)));
      });

      const destination = createDuckDbDestination({ path });
      const error = await destination.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuckDbDestinationError);
      expect((error as Error).message).toContain(
        `Cannot open DuckDB file ${path}: it is locked by another process`,
      );
      expect((error as Error).message).toContain(`PID ${child.pid}`);
      await destination.close();
    });

    it('says so when the directory is read-only', async (context) => {
      const readOnly = join(directory, 'read-only');
      await mkdir(readOnly);
      await chmod(readOnly, 0o500);
      // Permissions do not stop root; sysfs refuses new files even to root. Use the first directory
      // where creating a file really fails for lack of permission.
      let chosen: string | undefined;
      for (const candidate of [readOnly, '/sys/fs']) {
        const probe = join(candidate, `probe-${process.pid}`);
        try {
          await writeFile(probe, '');
          await unlink(probe);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
            chosen = candidate;
            break;
          }
        }
      }
      if (chosen === undefined) return requireEnvironment(context, 'a path this process cannot write to');
      const file = join(chosen, 'intercom.duckdb');
      const error = await createDuckDbDestination({ path: file })
        .open()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuckDbDestinationError);
      expect((error as Error).message).toContain(`Cannot open DuckDB file ${file}: permission denied`);
    });

    it('creates a directory that does not exist yet', async () => {
      const file = join(directory, 'missing', 'deeper', 'intercom.duckdb');
      const destination = createDuckDbDestination({ path: file });
      await destination.open();
      await destination.close();
      await expect(access(file)).resolves.toBeUndefined();
    });

    it('says so when the directory cannot be created', async () => {
      const file = '/sys/fs/intercom-sync-cannot/intercom.duckdb';
      await expect(createDuckDbDestination({ path: file }).open()).rejects.toThrow(
        `Cannot open DuckDB file ${file}`,
      );
    });
  });
});
