import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  rmdir,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type {
  ColumnType,
  Destination,
  Row,
  TableSpec,
  WriteMode,
} from '../../src/destinations/destination.js';
import {
  createFileDestination,
  FileDestinationError,
  type FileDestinationOptions,
  latestViewSql,
  readTableManifest,
  STATE_FILE,
} from '../../src/destinations/files/index.js';
import { requireEnvironment } from '../support/environment.js';
import { readFileRows } from './files-harness.js';

const run = promisify(execFile);

function tableSpec(table: string, columns: Record<string, ColumnType>, primaryKey = ['id']): TableSpec {
  return {
    stream: table,
    table,
    columns: Object.entries(columns).map(([name, type]) => ({ name, type })),
    primaryKey,
  };
}

async function load(
  destination: Destination,
  spec: TableSpec,
  mode: WriteMode,
  batches: Row[][],
  state?: unknown,
): Promise<void> {
  const writer = await destination.prepare(spec, mode);
  for (const batch of batches) await writer.commit(batch, undefined);
  await writer.finish(state);
}

/** Every path under `root` (relative), symlinks as `path -> target`, sorted. */
async function tree(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isSymbolicLink()) found.push(`${relative(root, path)} -> ${await readlink(path)}`);
      else if (entry.isDirectory()) await walk(path);
      else found.push(relative(root, path));
    }
  };
  await walk(root);
  return found.sort();
}

function byId(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id), 'en', { numeric: true }));
}

function pick(rows: Row[], columns: string[]): Row[] {
  return byId(rows).map((row) => Object.fromEntries(columns.map((column) => [column, row[column] ?? null])));
}

/** The first directory where creating a file really fails for lack of permission (root ignores modes). */
async function unwritableFolder(candidates: string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    const probe = join(candidate, `probe-${process.pid}`);
    try {
      await writeFile(probe, '');
      await unlink(probe);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return candidate;
    }
  }
  return undefined;
}

describe('file destinations', () => {
  let directory: string;
  let root: string;
  let instance: DuckDBInstance;
  let reader: DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    reader = await instance.connect();
  });

  afterAll(() => {
    reader.closeSync();
    instance.closeSync();
  });

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'intercom-sync-files-'));
    root = join(directory, 'lake');
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function openDestination(
    options: Omit<FileDestinationOptions, 'root'>,
    at = root,
  ): Promise<Destination> {
    const destination = createFileDestination({ ...options, root: at });
    onTestFinished(() => destination.close());
    await destination.open();
    return destination;
  }

  const rowsOf = (table: string, at = root): Promise<Row[]> => readFileRows(reader, at, table);

  async function generation(table: string): Promise<string> {
    return join(root, table, await readlink(join(root, table, 'current')));
  }

  it('describes itself by format and absolute root', () => {
    expect(createFileDestination({ root: '/data/lake', format: 'parquet' }).description).toBe(
      'parquet:////data/lake',
    );
    expect(createFileDestination({ root: '/data/lake', format: 'jsonl', gzip: true }).description).toBe(
      'jsonl+gzip:////data/lake',
    );
    expect(() => createFileDestination({ root, format: 'parquet', gzip: true })).toThrow(/jsonl format only/);
    expect(() => createFileDestination({ root, format: 'csv' as 'jsonl' })).toThrow(/unknown file format/);
  });

  describe('layout', () => {
    it('writes one file per commit into the current generation, then the state; leaves no temporary file', async () => {
      const destination = await openDestination({ format: 'parquet' });
      const spec = tableSpec('contacts', { id: 'string', n: 'integer' });
      const writer = await destination.prepare(spec, 'merge');
      await writer.commit([{ id: 'a', n: 1 }], { page: 1 });
      await writer.commit([{ id: 'b', n: 2 }], { page: 2 });
      await writer.commit([], { page: 3 });
      await writer.finish(undefined);

      const files = await tree(root);
      const [link] = files.filter((path) => path.startsWith('contacts/current'));
      const name = /-> (g-\d{8}T\d{6}Z-[0-9a-f]{8})$/.exec(link ?? '')?.[1];
      expect(name).toBeDefined();
      const run = (name as string).slice(2);
      expect(files).toEqual([
        STATE_FILE,
        `contacts/current -> ${name}`,
        `contacts/${name}/000000000001-${run}.parquet`,
        `contacts/${name}/000000000002-${run}.parquet`,
        `contacts/${name}/000000000003-${run}.parquet`,
        `contacts/${name}/_schema.json`,
      ]);
      expect(files.some((path) => path.split('/').some((part) => part.startsWith('.')))).toBe(false);

      const state = JSON.parse(await readFile(join(root, STATE_FILE), 'utf8'));
      expect(state).toEqual({
        version: 1,
        streams: { contacts: { state: { page: 3 }, updated_at: expect.any(String) } },
      });
      expect(await readTableManifest(root, 'contacts')).toEqual({
        version: 1,
        table: 'contacts',
        format: 'parquet',
        mode: 'merge',
        primaryKey: ['id'],
        columns: [
          { name: 'id', physical: 'id', type: 'string' },
          { name: 'n', physical: 'n', type: 'integer' },
        ],
        deletions: [],
      });
      // Every row carries its file's batch number; the first file (batch 1) holds no row, only the schema.
      const batches = await reader.runAndReadAll(
        `SELECT _sync_batch, count(*)::INTEGER, min(filename) FROM read_parquet('${root}/contacts/current/*.parquet', filename = true) GROUP BY ALL ORDER BY 1`,
      );
      expect(batches.getRowsJS()).toEqual([
        [2n, 1, expect.stringMatching(/000000000002-[^/]+\.parquet$/)],
        [3n, 1, expect.stringMatching(/000000000003-[^/]+\.parquet$/)],
      ]);
    });

    for (const mode of ['merge', 'append'] as const) {
      it(`${mode}: a crash between a file's rename and the state write leaves the state behind the rows; the rerun converges`, async () => {
        const spec = tableSpec('events', { id: 'integer', v: 'string' });
        const batchA = [1, 2, 3].map((id) => ({ id, v: 'v1' }));
        const batchB = [3, 4, 5].map((id) => ({ id, v: 'v2' }));
        const first = await openDestination({ format: 'jsonl' });
        const writer = await first.prepare(spec, mode);
        await writer.commit(batchA, { page: 1 });
        const stateAfterA = await readFile(join(root, STATE_FILE), 'utf8');
        await writer.commit(batchB, { page: 2 });
        await first.close();

        // The process dies after batch B's file is renamed into place, before the state file is
        // replaced: the state is still A's. It also leaves what an interrupted write leaves behind.
        const folder = await generation('events');
        await writeFile(join(root, STATE_FILE), stateAfterA);
        await writeFile(join(folder, '.inflight-0123456789abcdef'), '{"_sync_batch":9,"id":');
        await writeFile(join(root, `.${STATE_FILE}.0123456789ab.tmp`), '{"version":');
        await mkdir(join(root, 'events', 'g-20200101T000000Z-deadbeef'));

        const second = await openDestination({ format: 'jsonl' });
        expect(await second.readState()).toEqual(new Map([['events', { page: 1 }]]));
        // Never a state ahead of the rows: B's rows are there already.
        expect(await rowsOf('events')).toHaveLength(mode === 'merge' ? 5 : 6);

        // The run resumes from page 1 and writes B again.
        const again = await second.prepare(spec, mode);
        await again.commit(batchB, { page: 2 });
        await again.finish(undefined);
        expect(await second.readState()).toEqual(new Map([['events', { page: 2 }]]));
        const rows = pick(await rowsOf('events'), ['id', 'v']);
        if (mode === 'merge') {
          // The latest view shows every record once, with its last version: exactly once.
          expect(rows).toEqual([
            { id: 1, v: 'v1' },
            { id: 2, v: 'v1' },
            { id: 3, v: 'v2' },
            { id: 4, v: 'v2' },
            { id: 5, v: 'v2' },
          ]);
        } else {
          // Append is at least once: B's rows are there twice.
          expect(rows).toHaveLength(9);
          expect(rows.filter((row) => row.id === 4)).toHaveLength(2);
        }
        // What the crash left is gone.
        const files = await tree(root);
        expect(files.filter((path) => path.split('/').some((part) => part.startsWith('.')))).toEqual([]);
        expect(files.some((path) => path.includes('deadbeef'))).toBe(false);
      });
    }

    it('takes the file out again when the state cannot be written: neither rows nor state change', async () => {
      const destination = await openDestination({ format: 'parquet' });
      const spec = tableSpec('tags', { id: 'integer' });
      const writer = await destination.prepare(spec, 'merge');
      await writer.commit([{ id: 1 }], { page: 1 });
      const before = await tree(root);
      const state = await readFile(join(root, STATE_FILE), 'utf8');

      // A folder where the state file should be: renaming the new state over it fails.
      await unlink(join(root, STATE_FILE));
      await mkdir(join(root, STATE_FILE));
      const error = await writer.commit([{ id: 2 }], { page: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileDestinationError);
      expect((error as Error).message).toContain(
        `commit failed for stream "tags", table "tags" in parquet:///${root}`,
      );
      expect((error as Error).message).toContain(join(root, STATE_FILE));
      await rmdir(join(root, STATE_FILE));
      await writeFile(join(root, STATE_FILE), state);

      expect(await tree(root)).toEqual(before);
      expect(pick(await rowsOf('tags'), ['id'])).toEqual([{ id: 1 }]);
      expect(await destination.readState()).toEqual(new Map([['tags', { page: 1 }]]));
      await writer.commit([{ id: 2 }], { page: 2 });
      expect(pick(await rowsOf('tags'), ['id'])).toEqual([{ id: 1 }, { id: 2 }]);
    });
  });

  describe('replace', () => {
    it('writes a new generation and switches `current` at finish; the old one goes', async () => {
      const destination = await openDestination({ format: 'parquet' });
      const spec = tableSpec('teams', { id: 'integer', name: 'string' });
      await load(destination, spec, 'replace', [[1, 2, 3].map((id) => ({ id, name: `old${id}` }))], {
        run: 1,
      });
      const old = await generation('teams');
      const sql = await latestViewSql(root, 'teams');

      const writer = await destination.prepare(spec, 'replace');
      await writer.commit([{ id: 4, name: 'new4' }], { run: 2 });
      await writer.commit([{ id: 5, name: 'new5' }], undefined);
      const folders = (await readdir(join(root, 'teams'))).filter((name) => name.startsWith('g-'));
      expect(folders).toHaveLength(2);
      expect(await generation('teams')).toBe(old);
      const read = async (): Promise<unknown[]> =>
        (await reader.runAndReadAll(`SELECT id, name FROM (${sql}) ORDER BY id`)).getRowsJS();
      expect(await read()).toEqual([
        [1n, 'old1'],
        [2n, 'old2'],
        [3n, 'old3'],
      ]);

      await writer.finish(undefined);
      const current = await generation('teams');
      expect(current).not.toBe(old);
      expect(folders.map((name) => join(root, 'teams', name))).toContain(current);
      await expect(lstat(old)).rejects.toThrow(/ENOENT/);
      // The same SQL, built before the switch, reads the new generation: it follows `current`.
      expect(await read()).toEqual([
        [4n, 'new4'],
        [5n, 'new5'],
      ]);
      expect(await destination.readState()).toEqual(new Map([['teams', { run: 2 }]]));
    });

    it('an interrupted replace leaves the previous generation; the next prepare removes its folder', async () => {
      const spec = tableSpec('admins', { id: 'integer' });
      const first = await openDestination({ format: 'jsonl' });
      await load(first, spec, 'replace', [[{ id: 1 }]], { run: 1 });
      const interrupted = await first.prepare(spec, 'replace');
      await interrupted.commit([{ id: 2 }], { run: 2 });
      await first.close();
      expect((await readdir(join(root, 'admins'))).filter((name) => name.startsWith('g-'))).toHaveLength(2);

      const second = await openDestination({ format: 'jsonl' });
      expect(pick(await rowsOf('admins'), ['id'])).toEqual([{ id: 1 }]);
      await load(second, spec, 'append', [[{ id: 3 }]]);
      expect((await readdir(join(root, 'admins'))).filter((name) => name.startsWith('g-'))).toHaveLength(1);
      expect(pick(await rowsOf('admins'), ['id'])).toEqual([{ id: 1 }, { id: 3 }]);
    });

    it('switches a table to another format; appending in another format is refused', async () => {
      const spec = tableSpec('notes', { id: 'integer' });
      const parquet = await openDestination({ format: 'parquet' });
      await load(parquet, spec, 'append', [[{ id: 1 }]]);
      await parquet.close();

      const jsonl = await openDestination({ format: 'jsonl' });
      await expect(jsonl.prepare(spec, 'append')).rejects.toThrow(
        /the table's files are parquet, this destination writes jsonl/,
      );
      await load(jsonl, spec, 'replace', [[{ id: 2 }]]);
      expect(pick(await rowsOf('notes'), ['id'])).toEqual([{ id: 2 }]);
      expect((await readTableManifest(root, 'notes'))?.format).toBe('jsonl');
    });
  });

  describe('formats', () => {
    it('JSON Lines: one object per line, ISO 8601 timestamps, nested JSON, NULLs left out', async () => {
      const destination = await openDestination({ format: 'jsonl' });
      const spec = tableSpec('people', {
        id: 'integer',
        name: 'string',
        at: 'timestamp',
        meta: 'json',
        big: 'integer',
        ok: 'boolean',
        score: 'float',
      });
      await load(destination, spec, 'append', [
        [
          {
            id: 1,
            name: 'Ada "A" 🙂',
            at: new Date('1969-07-20T20:17:40.123Z'),
            meta: { tags: ['x'], n: null },
            big: 9007199254740993n,
            ok: true,
            score: Number.POSITIVE_INFINITY,
          },
          { id: 2, name: null, score: 0.5 },
        ],
      ]);
      const folder = await generation('people');
      const data = (await readdir(folder)).filter((name) => name.endsWith('.jsonl')).sort();
      expect(data).toHaveLength(2);
      expect(await readFile(join(folder, data[0] as string), 'utf8')).toBe('');
      expect((await readFile(join(folder, data[1] as string), 'utf8')).split('\n')).toEqual([
        '{"_sync_batch":2,"id":1,"name":"Ada \\"A\\" 🙂","at":"1969-07-20T20:17:40.123Z","meta":{"tags":["x"],"n":null},"big":9007199254740993,"ok":true,"score":"Infinity"}',
        '{"_sync_batch":2,"id":2,"score":0.5}',
        '',
      ]);
      expect(pick(await rowsOf('people'), ['id', 'at', 'meta', 'big', 'score'])).toEqual([
        {
          id: 1,
          at: new Date('1969-07-20T20:17:40.123Z'),
          meta: { tags: ['x'], n: null },
          big: 9007199254740993n,
          score: Number.POSITIVE_INFINITY,
        },
        { id: 2, at: null, meta: null, big: null, score: 0.5 },
      ]);
    });

    it('JSON Lines with gzip: .jsonl.gz files that gunzip to the same lines and read back', async () => {
      const destination = await openDestination({ format: 'jsonl', gzip: true });
      const spec = tableSpec('events', { id: 'integer', at: 'timestamp' });
      const rows = Array.from({ length: 3000 }, (_, id) => ({
        id,
        at: new Date(Date.UTC(2024, 0, 1) + id * 1000),
      }));
      await load(destination, spec, 'append', [rows.slice(0, 1000), rows.slice(1000)]);
      const folder = await generation('events');
      const data = (await readdir(folder)).filter((name) => name.startsWith('0')).sort();
      expect(data.every((name) => name.endsWith('.jsonl.gz'))).toBe(true);
      const bytes = await readFile(join(folder, data[2] as string));
      expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
      const lines = gunzipSync(bytes).toString('utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(2000);
      expect(JSON.parse(lines[0] as string)).toEqual({
        _sync_batch: 3,
        id: 1000,
        at: '2024-01-01T00:16:40.000Z',
      });
      const read = await rowsOf('events');
      expect(read).toHaveLength(3000);
      expect(pick(read, ['id', 'at'])[2999]).toEqual({ id: 2999, at: rows[2999]?.at });
    });

    it('Parquet: maps the logical types to Parquet column types; json is text the view reads as JSON', async () => {
      const destination = await openDestination({ format: 'parquet', compression: 'snappy' });
      const spec = tableSpec('typed', {
        id: 'integer',
        s: 'string',
        f: 'float',
        b: 'boolean',
        t: 'timestamp',
        j: 'json',
      });
      await load(destination, spec, 'merge', [[{ id: 1, j: { a: [1] } }]]);
      const describe = async (sql: string): Promise<Record<string, string>> =>
        Object.fromEntries(
          (await reader.runAndReadAll(`DESCRIBE ${sql}`))
            .getRows()
            .map(([name, type]) => [String(name), String(type)]),
        );
      expect(await describe(`SELECT * FROM read_parquet('${root}/typed/current/*.parquet')`)).toEqual({
        id: 'BIGINT',
        s: 'VARCHAR',
        f: 'DOUBLE',
        b: 'BOOLEAN',
        t: 'TIMESTAMP WITH TIME ZONE',
        j: 'VARCHAR',
        _sync_batch: 'BIGINT',
      });
      expect(await describe(`(${await latestViewSql(root, 'typed')})`)).toMatchObject({ j: 'JSON' });
    });
  });

  describe('schema evolution', () => {
    for (const format of ['parquet', 'jsonl'] as const) {
      it(`${format}: new columns appear, widened columns read as their new type with older values converted`, async () => {
        const destination = await openDestination({ format });
        await load(
          destination,
          tableSpec('w', { id: 'integer', n: 'integer', m: 'integer', t: 'timestamp', s: 'string' }),
          'merge',
          [[{ id: 1, n: 2, m: 42, t: new Date('1969-07-20T20:17:40.123Z'), s: 'plain' }]],
        );
        await load(
          destination,
          tableSpec('w', { id: 'integer', n: 'float', m: 'string', t: 'string', s: 'json', x: 'boolean' }),
          'merge',
          [[{ id: 2, n: 2.5, m: 'abc', t: 'not a time', s: { nested: true }, x: true }]],
        );
        // An older spec still loads: its values are converted to the widened types.
        await load(destination, tableSpec('w', { id: 'integer', n: 'integer', t: 'timestamp' }), 'merge', [
          [{ id: 3, n: 7, t: new Date('2024-02-29T12:34:56.789Z') }],
        ]);
        expect(pick(await rowsOf('w'), ['id', 'n', 'm', 't', 's', 'x'])).toEqual([
          { id: 1, n: 2, m: '42', t: '1969-07-20T20:17:40.123Z', s: 'plain', x: null },
          { id: 2, n: 2.5, m: 'abc', t: 'not a time', s: { nested: true }, x: true },
          { id: 3, n: 7, m: null, t: '2024-02-29T12:34:56.789Z', s: null, x: null },
        ]);
        const columns = (await readTableManifest(root, 'w'))?.columns;
        expect(columns?.map(({ name, type }) => `${name}:${type}`)).toEqual([
          'id:integer',
          'n:float',
          'm:string',
          't:string',
          's:json',
          'x:boolean',
        ]);
        expect(columns?.find((column) => column.name === 't')?.eras).toEqual([
          { type: 'timestamp', before: 3 },
        ]);
      });
    }

    it('still commits when another writer evolved the table after this one was prepared', async () => {
      const destination = await openDestination({ format: 'parquet' });
      const early = await destination.prepare(tableSpec('shared', { id: 'integer', n: 'integer' }), 'append');
      const late = await destination.prepare(
        tableSpec('shared', { id: 'integer', n: 'string', x: 'boolean' }),
        'append',
      );
      await early.commit([{ id: 1, n: 5 }], undefined);
      await late.commit([{ id: 2, n: 'five', x: true }], undefined);
      await early.finish(undefined);
      await late.finish(undefined);
      expect(pick(await rowsOf('shared'), ['id', 'n', 'x'])).toEqual([
        { id: 1, n: '5', x: null },
        { id: 2, n: 'five', x: true },
      ]);
    });
  });

  describe('deletes', () => {
    const parts = tableSpec('parts', { id: 'string', conversation_id: 'string', body: 'string' });
    const t1 = new Date('2026-01-02T03:04:05.000Z');
    const t2 = new Date('2026-02-03T04:05:06.000Z');

    for (const format of ['parquet', 'jsonl'] as const) {
      it(`${format}: records each delete() in _deletions/, and the view applies them in order`, async () => {
        const destination = await openDestination({ format });
        const writer = await destination.prepare(parts, 'merge');
        await writer.commit(
          [
            { id: '1', conversation_id: 'x', body: 'one' },
            { id: '2', conversation_id: 'x', body: 'two' },
            { id: '3', conversation_id: 'y', body: 'three' },
            { id: '4', conversation_id: 'z', body: "it's" },
          ],
          { cursor: 1 },
        );
        await writer.delete([{ match: { conversation_id: 'x' }, at: t1 }], { hard: true }, { cursor: 2 });
        await writer.delete([{ match: { id: '3' }, at: t1 }], { hard: false }, undefined);
        // A later soft delete of a row already marked keeps the first mark.
        await writer.delete([{ match: { id: '3' }, at: t2 }], { hard: false }, undefined);
        // With several key sets, the first deletion (by batch) sets the mark, whatever its `at`.
        await writer.delete([{ match: { conversation_id: 'z' }, at: t2 }], { hard: false }, undefined);
        await writer.delete([{ match: { id: '4' }, at: t1 }], { hard: false }, undefined);
        // A record written again after its deletion is back.
        await writer.commit([{ id: '1', conversation_id: 'x', body: 'one again' }], undefined);
        await expect(
          writer.delete([{ match: { nope: '1' }, at: t1 }], { hard: true }, { cursor: 'bad' }),
        ).rejects.toThrow(/cannot delete by "nope": the table has no such column/);
        await writer.finish(undefined);

        expect(pick(await rowsOf('parts'), ['id', 'body', '_deleted_at'])).toEqual([
          { id: '1', body: 'one again', _deleted_at: null },
          { id: '3', body: 'three', _deleted_at: t1 },
          { id: '4', body: "it's", _deleted_at: t2 },
        ]);
        expect(await destination.readState()).toEqual(new Map([['parts', { cursor: 2 }]]));

        const folder = join(await generation('parts'), '_deletions');
        const files = (await readdir(folder)).sort();
        expect(files).toEqual([
          '000000000000-empty.jsonl',
          expect.stringMatching(/^000000000003-.+\.jsonl$/),
          expect.stringMatching(/^000000000005-.+\.jsonl$/),
          expect.stringMatching(/^000000000006-.+\.jsonl$/),
          expect.stringMatching(/^000000000007-.+\.jsonl$/),
          expect.stringMatching(/^000000000008-.+\.jsonl$/),
        ]);
        expect(JSON.parse(await readFile(join(folder, files[1] as string), 'utf8'))).toEqual({
          _sync_batch: 3,
          at: t1.toISOString(),
          hard: true,
          keys: '["conversation_id"]',
          values: ['x'],
        });
        expect((await readTableManifest(root, 'parts'))?.deletions).toEqual([
          { columns: ['conversation_id'], hard: true },
          { columns: ['id'], hard: false },
          { columns: ['conversation_id'], hard: false },
        ]);
      });
    }

    it('applies deletions to every copy in an append table, matching typed values', async () => {
      const destination = await openDestination({ format: 'parquet' });
      const spec = tableSpec('events', { id: 'integer', at: 'timestamp', ok: 'boolean' }, []);
      const writer = await destination.prepare(spec, 'append');
      const at = new Date('2024-01-01T00:00:00.000Z');
      await writer.commit(
        [
          { id: 1, at, ok: true },
          { id: 1, at, ok: false },
          { id: 2, at: new Date(0), ok: true },
          { id: 3, at: null, ok: null },
        ],
        undefined,
      );
      await writer.delete(
        [
          { match: { id: 1 }, at },
          { match: { at: new Date(0), ok: true }, at },
          { match: { at: null }, at },
        ],
        { hard: true },
        undefined,
      );
      await writer.finish(undefined);
      expect(await rowsOf('events')).toEqual([]);
      await expect(
        (await destination.prepare(spec, 'append')).delete(
          [{ match: { id: 'one' }, at }],
          { hard: true },
          undefined,
        ),
      ).rejects.toThrow(/"one" is not a integer value/);
    });
  });

  describe('errors', () => {
    it('open() names the folder it cannot create or write in', async (context) => {
      const chosen = await unwritableFolder(['/sys/fs']);
      if (chosen === undefined) return requireEnvironment(context, 'a folder this process cannot write to');
      const missing = join(chosen, `intercom-sync-${process.pid}`, 'lake');
      const error = await createFileDestination({ root: missing, format: 'parquet' })
        .open()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileDestinationError);
      expect((error as Error).message).toMatch(
        new RegExp(`^Cannot open parquet:///${missing}: cannot create folder ${missing}: permission denied`),
      );
      await expect(createFileDestination({ root: chosen, format: 'jsonl' }).open()).rejects.toThrow(
        `Cannot open jsonl:///${chosen}: cannot write in ${chosen}: permission denied (the folder is read-only)`,
      );
    });

    /** Makes `folder` refuse new files (chmod for a user, the immutable flag for root); undefined if impossible. */
    async function makeReadOnly(folder: string): Promise<(() => Promise<void>) | undefined> {
      if (process.getuid?.() !== 0) {
        await run('chmod', ['0500', folder]);
        return async () => void (await run('chmod', ['0700', folder]));
      }
      try {
        await run('chattr', ['+i', folder]);
      } catch {
        return undefined;
      }
      return async () => void (await run('chattr', ['-i', folder]));
    }

    for (const format of ['parquet', 'jsonl'] as const) {
      it(`${format}: a read-only table folder fails the commit naming the path; no file is left and the state stays`, async (context) => {
        const destination = await openDestination({ format });
        const writer = await destination.prepare(tableSpec('locked', { id: 'integer' }), 'append');
        await writer.commit([{ id: 1 }], { page: 1 });
        const folder = await generation('locked');
        const before = await tree(root);
        const undo = await makeReadOnly(folder);
        if (undo === undefined)
          return requireEnvironment(context, 'a way to make a folder read-only (chmod, or chattr as root)');
        let error: unknown;
        try {
          error = await writer.commit([{ id: 2 }], { page: 2 }).catch((e: unknown) => e);
        } finally {
          await undo();
        }
        expect(error).toBeInstanceOf(FileDestinationError);
        expect((error as Error).message).toMatch(
          new RegExp(
            `commit failed for stream "locked", table "locked" in ${format}:///${root}: cannot write ${folder}/000000000003-\\S+: permission denied`,
          ),
        );
        expect(await tree(root)).toEqual(before);
        expect(await destination.readState()).toEqual(new Map([['locked', { page: 1 }]]));
        expect(pick(await rowsOf('locked'), ['id'])).toEqual([{ id: 1 }]);
      });

      it(`${format}: a full disk fails the commit naming the path; no partial file is left and the state stays`, async (context) => {
        const disk = join(directory, 'small-disk');
        await mkdir(disk);
        try {
          await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
        } catch {
          return requireEnvironment(context, 'mounting a 1 MB tmpfs (root)');
        }
        const lake = join(disk, 'lake');
        const destination = createFileDestination({ root: lake, format });
        try {
          await destination.open();
          const writer = await destination.prepare(
            tableSpec('big', { id: 'integer', blob: 'string' }),
            'append',
          );
          await writer.commit([{ id: 0, blob: 'small' }], { page: 1 });
          const before = await tree(lake);
          // About 2.7 MB that does not compress, on a 1 MB disk.
          const rows = Array.from({ length: 2000 }, (_, id) => ({
            id,
            blob: randomBytes(1024).toString('base64'),
          }));
          const error = await writer.commit(rows, { page: 2 }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(FileDestinationError);
          const folder = join(lake, 'big', await readlink(join(lake, 'big', 'current')));
          expect((error as Error).message).toMatch(
            new RegExp(
              `cannot write ${folder}/000000000003-\\S+: no space left on device \\(the disk is full\\)`,
            ),
          );
          expect(await tree(lake)).toEqual(before);
          expect(await destination.readState()).toEqual(new Map([['big', { page: 1 }]]));
          expect(pick(await rowsOf('big', lake), ['id'])).toEqual([{ id: 0 }]);
        } finally {
          await destination.close();
          await run('umount', [disk]);
        }
      });
    }

    it('close() is idempotent, and a closed destination refuses work', async () => {
      const destination = await openDestination({ format: 'parquet' });
      const writer = await destination.prepare(tableSpec('t', { id: 'integer' }), 'append');
      await destination.close();
      await destination.close();
      await expect(writer.commit([{ id: 1 }], undefined)).rejects.toThrow(/the destination is closed/);
      await expect(destination.prepare(tableSpec('t', { id: 'integer' }), 'append')).rejects.toThrow(
        /prepare failed for parquet:\/\/.*: the destination is closed/,
      );
      await expect(destination.readState()).rejects.toThrow(/closed/);
    });

    it('refuses reserved table names, and rejects an aborted commit with the signal’s reason', async () => {
      const destination = await openDestination({ format: 'jsonl' });
      await expect(
        destination.prepare(tableSpec('_intercom_sync_state.json', { id: 'integer' }), 'append'),
      ).rejects.toThrow(/reserved/);
      const writer = await destination.prepare(tableSpec('aborted', { id: 'integer' }), 'append');
      const reason = new Error('stop');
      await expect(writer.commit([{ id: 1 }], undefined, AbortSignal.abort(reason))).rejects.toBe(reason);
    });
  });

  describe('latestViewSql', () => {
    it('keeps the last row per key for a merge table, every row otherwise, or keys on the columns given', async () => {
      const destination = await openDestination({ format: 'parquet' });
      const spec = tableSpec('log', { id: 'integer', v: 'string' });
      await load(destination, spec, 'append', [[{ id: 1, v: 'a' }], [{ id: 1, v: 'b' }]]);
      const count = async (sql: string): Promise<unknown> =>
        (await reader.runAndReadAll(`SELECT string_agg(v, ',' ORDER BY v) FROM (${sql})`)).getRows()[0]?.[0];
      expect(await count(await latestViewSql(root, 'log'))).toBe('a,b');
      expect(await count(await latestViewSql(root, 'log', ['id']))).toBe('b');
    });

    it('refuses a table that does not exist and a root with glob characters', async () => {
      await expect(latestViewSql(root, 'missing')).rejects.toThrow(/table "missing" does not exist/);
      const odd = join(directory, 'lake[1]');
      const destination = await openDestination({ format: 'jsonl' }, odd);
      await load(destination, tableSpec('t', { id: 'integer' }), 'append', [[{ id: 1 }]]);
      await expect(latestViewSql(odd, 't')).rejects.toThrow(/glob/);
    });

    it('keeps tables whose names a file system or a glob would misread apart', async () => {
      const destination = await openDestination({ format: 'jsonl' });
      const names = ['a/b', '..', '.hidden', 'x*?[y]', '100%', '名前'];
      for (const [index, name] of names.entries()) {
        await load(destination, tableSpec(name, { id: 'integer' }), 'append', [[{ id: index }]]);
      }
      for (const [index, name] of names.entries())
        expect(pick(await rowsOf(name), ['id'])).toEqual([{ id: index }]);
      expect((await readdir(root)).sort()).toEqual(
        ['%2E.', '%2Ehidden', '100%25', 'a%2Fb', 'x%2A%3F%5By%5D', '名前'].sort(),
      );
    });
  });
});
