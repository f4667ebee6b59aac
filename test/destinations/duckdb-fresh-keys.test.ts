import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import type { Row, TableSpec } from '../../src/destinations/destination.js';
import { createDuckDbDestination } from '../../src/destinations/duckdb/index.js';
import { readDuckDbRows } from './duckdb-harness.js';

/**
 * A writer that saw its table empty, and is its only writer, remembers the keys it writes and skips
 * the merge's DELETE (and a link replacement's) for keys it never wrote. These cases would give
 * duplicate or stale rows if it skipped one it must not: another writer on the same table, a table
 * that was not empty, an instance shared with other connections, links replaced a second time.
 */

const PEOPLE: TableSpec = {
  stream: 'people',
  table: 'people',
  columns: [
    { name: 'id', type: 'string' },
    { name: 'version', type: 'integer' },
  ],
  primaryKey: ['id'],
};

const PEOPLE_TAGS: TableSpec = {
  stream: 'people_tags',
  table: 'people_tags',
  columns: [
    { name: 'person_id', type: 'string' },
    { name: 'tag_id', type: 'string' },
  ],
  primaryKey: ['person_id', 'tag_id'],
};

const signal = new AbortController().signal;
const people = (from: number, to: number, version: number): Row[] =>
  Array.from({ length: to - from }, (_, index) => ({ id: `p${from + index}`, version }));

let directory: string | undefined;
afterEach(async () => {
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

async function newPath(): Promise<string> {
  directory = await mkdtemp(join(tmpdir(), 'intercom-sync-fresh-keys-'));
  return join(directory, 'intercom.duckdb');
}

async function readTable(path: string, table: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    return await readDuckDbRows(connection, 'intercom', table);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function versions(rows: Row[]): Map<unknown, unknown[]> {
  const byId = new Map<unknown, unknown[]>();
  for (const row of rows) byId.set(row.id, [...(byId.get(row.id) ?? []), row.version]);
  return byId;
}

describe('DuckDB merges into a table the writer saw empty', () => {
  it('skips the DELETE for new keys, and still replaces the keys it wrote before', async () => {
    const path = await newPath();
    const instance = await DuckDBInstance.create(path);
    const log = await instance.connect();
    await log.run("CALL enable_logging('QueryLog')");
    const destination = createDuckDbDestination({ path, instance, soleWriter: true });
    await destination.open(signal);
    const writer = await destination.prepare(PEOPLE, 'merge', signal);
    await writer.commit(people(0, 3000, 1), { n: 1 }, signal);
    await writer.commit(people(3000, 6000, 1), { n: 2 }, signal);
    const deletesLogged = async () => {
      const reader = await log.runAndReadAll(
        "SELECT count(*) FROM duckdb_logs WHERE type = 'QueryLog' AND message LIKE 'DELETE FROM %people%'",
      );
      return Number(reader.getRows()[0]?.[0]);
    };
    expect(await deletesLogged()).toBe(0);
    await writer.commit([...people(5990, 6010, 2), { id: 'p0', version: 3 }], { n: 3 }, signal);
    expect(await deletesLogged()).toBe(1);
    await writer.finish(undefined, signal);
    await destination.close();
    const rows = await readDuckDbRows(log, 'intercom', 'people');
    log.closeSync();
    instance.closeSync();
    const byId = versions(rows);
    expect(rows).toHaveLength(6010);
    expect(byId.get('p0')).toEqual([3]);
    expect(byId.get('p5995')).toEqual([2]);
    expect(byId.get('p6005')).toEqual([2]);
  });

  it('deletes again once a second writer writes the same table', async () => {
    const path = await newPath();
    const destination = createDuckDbDestination({ path });
    await destination.open(signal);
    const first = await destination.prepare(PEOPLE, 'merge', signal);
    await first.commit(people(0, 100, 1), undefined, signal);
    const second = await destination.prepare(PEOPLE, 'merge', signal);
    await second.commit(people(200, 210, 2), undefined, signal);
    // Keys the first writer never wrote, but the second did.
    await first.commit(people(205, 215, 3), undefined, signal);
    await second.finish(undefined, signal);
    await first.finish(undefined, signal);
    await destination.close();
    const byId = versions(await readTable(path, 'people'));
    expect(byId.size).toBe(115);
    for (let index = 200; index < 215; index++) {
      expect(byId.get(`p${index}`), `p${index}`).toEqual([index < 205 ? 2 : 3]);
    }
  });

  it('deletes when the table already had rows at prepare', async () => {
    const path = await newPath();
    const earlier = createDuckDbDestination({ path });
    await earlier.open(signal);
    const writer = await earlier.prepare(PEOPLE, 'merge', signal);
    await writer.commit(people(0, 50, 1), undefined, signal);
    await writer.finish(undefined, signal);
    await earlier.close();

    const later = createDuckDbDestination({ path });
    await later.open(signal);
    const again = await later.prepare(PEOPLE, 'merge', signal);
    await again.commit(people(40, 60, 2), undefined, signal);
    await again.finish(undefined, signal);
    await later.close();
    const byId = versions(await readTable(path, 'people'));
    expect(byId.size).toBe(60);
    expect(byId.get('p45')).toEqual([2]);
    expect(byId.get('p10')).toEqual([1]);
  });

  it('does not track keys on an instance it was given, unless told it is the sole writer', async () => {
    const path = await newPath();
    const instance = await DuckDBInstance.create(path);
    const other = await instance.connect();
    const destination = createDuckDbDestination({ path, instance });
    await destination.open(signal);
    const writer = await destination.prepare(PEOPLE, 'merge', signal);
    await writer.commit(people(0, 10, 1), undefined, signal);
    // Another connection of the same process writes a key this writer never wrote.
    await other.run(`INSERT INTO intercom.intercom.people (id, version) VALUES ('p77', 1)`);
    await writer.commit(people(77, 78, 2), undefined, signal);
    await writer.finish(undefined, signal);
    await destination.close();
    const byId = versions(await readDuckDbRows(other, 'intercom', 'people'));
    other.closeSync();
    instance.closeSync();
    expect(byId.get('p77')).toEqual([2]);
  });

  it('replaces the links of a parent seen before, including links whose parent the batch did not list', async () => {
    const path = await newPath();
    const destination = createDuckDbDestination({ path });
    await destination.open(signal);
    const parents = await destination.prepare(PEOPLE, 'merge', signal);
    const tags = await destination.prepare(PEOPLE_TAGS, 'merge', signal);
    const link = (ids: string[], rows: Row[]) => ({
      writer: tags,
      parentKey: ['person_id'],
      parents: ids.map((id) => ({ person_id: id })),
      rows,
      state: undefined,
    });
    const commitWithLinks = parents.commitWithLinks?.bind(parents);
    if (commitWithLinks === undefined) throw new Error('the DuckDB writer writes links');
    await commitWithLinks(
      people(0, 2, 1),
      undefined,
      [
        link(
          ['p0', 'p1'],
          [
            { person_id: 'p0', tag_id: 'a' },
            { person_id: 'p0', tag_id: 'b' },
            { person_id: 'p1', tag_id: 'a' },
          ],
        ),
      ],
      signal,
    );
    await commitWithLinks(
      people(1, 3, 2),
      undefined,
      [link(['p1', 'p2'], [{ person_id: 'p2', tag_id: 'c' }])],
      signal,
    );
    // A link row whose parent the batch does not list; replacing that parent's links later removes it.
    await commitWithLinks(
      people(3, 4, 1),
      undefined,
      [link(['p3'], [{ person_id: 'p9', tag_id: 'z' }])],
      signal,
    );
    await commitWithLinks(people(9, 10, 1), undefined, [link(['p9'], [])], signal);
    await tags.finish(undefined, signal);
    await parents.finish(undefined, signal);
    await destination.close();
    const links = (await readTable(path, 'people_tags'))
      .map((row) => `${row.person_id}:${row.tag_id}`)
      .sort();
    expect(links).toEqual(['p0:a', 'p0:b', 'p2:c']);
  });
});
