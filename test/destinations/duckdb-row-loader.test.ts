import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnSpec, Row } from '../../src/destinations/destination.js';
import { appendRows, RowEncodingError } from '../../src/destinations/duckdb/row-loader.js';
import { duckDbType } from '../../src/destinations/duckdb/sql.js';

/**
 * The Appender path writes values straight into DuckDB vectors' memory (64-bit integers and
 * timestamps as two 32-bit halves, validity bits by hand): these tests read every value back from a
 * real DuckDB table, across chunk (2048 rows) and validity-byte boundaries.
 */

const COLUMNS: ColumnSpec[] = [
  { name: 's', type: 'string' },
  { name: 'i', type: 'integer' },
  { name: 'f', type: 'float' },
  { name: 'b', type: 'boolean' },
  { name: 't', type: 'timestamp' },
  { name: 'j', type: 'json' },
];

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** A fresh table of `columns` (named c0…), loaded with `rows` through `appendRows`. */
async function load(
  table: string,
  columns: readonly (ColumnSpec | null)[],
  rows: readonly Row[],
  types: readonly string[] = columns.map((column) => duckDbType((column as ColumnSpec).type)),
): Promise<void> {
  const definitions = types.map((type, index) => `c${index} ${type}`);
  await connection.run(`CREATE OR REPLACE TABLE ${table} (${definitions.join(', ')})`);
  const appender = await connection.createAppender(table);
  appendRows(appender, columns, rows);
  appender.closeSync();
}

/**
 * Every row of `table` in load order: DOUBLE columns (listed in `doubles`) as numbers, the others
 * as text (exact for 64-bit integers; timestamps as microseconds since 1970).
 */
async function readBack(
  table: string,
  columns: number,
  doubles: readonly number[] = [],
): Promise<unknown[][]> {
  const list = Array.from({ length: columns }, (_, index) =>
    doubles.includes(index) ? `c${index}` : `CAST(c${index} AS VARCHAR)`,
  );
  const reader = await connection.runAndReadAll(`SELECT ${list.join(', ')} FROM ${table}`);
  return reader.getRows().map((row) => row.map((value) => (value === null ? null : value)));
}

describe('appendRows', () => {
  it('writes every type exactly, with NULLs, across chunks and validity bytes', async () => {
    const types = ['VARCHAR', 'BIGINT', 'DOUBLE', 'BOOLEAN', 'TIMESTAMPTZ', 'JSON'];
    const integers: (number | bigint)[] = [
      0,
      1,
      -1,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 32,
      -(2 ** 32),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      2n ** 63n - 1n,
      -(2n ** 63n),
      12_345_678_901n,
    ];
    const millis = [
      0,
      -1,
      1,
      -86_400_001,
      1_600_000_000_123,
      -62_135_596_800_000, // 0001-01-01
      253_402_300_799_999, // 9999-12-31T23:59:59.999
      8_640_000_000_000_000, // the latest Date: beyond the exact-double shortcut
      -8_640_000_000_000_000,
    ];
    const rows: Row[] = Array.from({ length: 5000 }, (_, index) => {
      const nullEvery = (n: number) => index % n === n - 1;
      return {
        s: nullEvery(3) ? null : `row ${index} ✓ "quoted" \u0001`,
        i: nullEvery(5) ? undefined : integers[index % integers.length],
        f: nullEvery(7) ? null : [0.5, -1e300, Number.NaN, Number.POSITIVE_INFINITY, 3n][index % 5],
        b: nullEvery(2) ? null : index % 3 === 0,
        t: nullEvery(11) ? null : new Date(millis[index % millis.length] as number),
        j: nullEvery(13) ? null : { index, list: [1, 'two', null], nested: { ok: true } },
        ignored: 'not a column',
      };
    });
    await load('everything', COLUMNS, rows, types);
    await connection.run('ALTER TABLE everything ADD COLUMN micros BIGINT');
    await connection.run('UPDATE everything SET micros = epoch_us(c4)');
    const reader = await connection.runAndReadAll(
      'SELECT CAST(c0 AS VARCHAR), CAST(c1 AS VARCHAR), c2, CAST(c3 AS VARCHAR), CAST(micros AS VARCHAR), CAST(c5 AS VARCHAR) FROM everything',
    );
    const back = reader.getRows();
    expect(back).toHaveLength(rows.length);
    rows.forEach((row, index) => {
      const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
      expect(back[index]).toEqual([
        row.s,
        text(row.i),
        row.f === null ? null : Number(row.f),
        row.b === null ? null : String(row.b),
        row.t === null ? null : String(BigInt((row.t as Date).getTime()) * 1000n),
        row.j === null ? null : JSON.stringify(row.j),
      ]);
    });
  });

  it('leaves a column without a spec NULL and fills a row of NULLs', async () => {
    const layout = [COLUMNS[0] as ColumnSpec, null, COLUMNS[1] as ColumnSpec];
    await load('gaps', layout, [{ s: 'a', i: 1 }, {}, { s: null, i: null }], ['VARCHAR', 'DOUBLE', 'BIGINT']);
    expect(await readBack('gaps', 3, [1])).toEqual([
      ['a', null, '1'],
      [null, null, null],
      [null, null, null],
    ]);
  });

  it('names the row (counted across chunks) and the column of a value of the wrong type', async () => {
    const rows: Row[] = Array.from({ length: 3000 }, (_, index) => ({ s: 'x', i: index }));
    (rows[2500] as Row).i = 1.5;
    const error = await load('wrong', COLUMNS.slice(0, 2), rows).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RowEncodingError);
    expect(error).toMatchObject({ rowIndex: 2500, column: 'i' });
    expect(String((error as Error).message)).toContain('expected a integer value, got number 1.5');

    for (const [column, value] of [
      ['t', new Date(Number.NaN)],
      ['t', '2024-01-01'],
      ['b', 1],
      ['s', 5],
      ['i', 2n ** 63n],
      ['j', undefined],
    ] as const) {
      const spec = COLUMNS.find((candidate) => candidate.name === column) as ColumnSpec;
      const failure = await load(
        'wrong',
        [spec],
        [{ [column]: value === undefined ? () => 1 : value }],
      ).catch((caught: unknown) => caught);
      expect(failure, `${column} = ${String(value)}`).toBeInstanceOf(RowEncodingError);
    }
  });

  it('stores strings of every length and kind exactly, and DuckDB compares, sorts and slices them', async () => {
    // DuckDB keeps strings of up to 12 bytes inside the entry and longer ones behind a prefix and a
    // pointer: both kinds, NUL, non-ASCII and text UTF-8 cannot hold, across chunks.
    const ascii = (length: number, seed: number) =>
      Array.from({ length }, (_, k) => String.fromCharCode(33 + ((seed * 7 + k * 13) % 94))).join('');
    const special = [
      '',
      'a',
      'exactly12chr',
      'thirteen char',
      'nul\u0000inside',
      'café',
      'Ünïcödé long enough to point',
      '🙂',
      'emoji at the end of a long one 🙂',
      'lone \ud800 surrogate',
      'x'.repeat(70_000),
      'tab\tnewline\nquote"backslash\\',
      '\u007f delete and \u0001 start of heading',
    ];
    const rows: Row[] = Array.from({ length: 6200 }, (_, index) => ({
      s:
        index % 9 === 8
          ? null
          : index % 10 === 0
            ? special[(index / 10) % special.length]
            : ascii((index * 31) % 1500, index),
      j: index % 7 === 6 ? null : { index, text: ascii(index % 40, index) },
    }));
    await load('texts', [COLUMNS[0] as ColumnSpec, COLUMNS[5] as ColumnSpec], rows, ['VARCHAR', 'JSON']);
    const back = await readBack('texts', 2);
    expect(back).toHaveLength(rows.length);
    // What DuckDB's own assignment stores for text UTF-8 cannot hold (a lone surrogate): U+FFFD.
    const stored = (text: unknown) =>
      typeof text === 'string'
        ? text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
        : null;
    for (const [index, row] of rows.entries()) {
      expect(back[index], `row ${index}`).toEqual([
        stored(row.s ?? null),
        row.j === null ? null : JSON.stringify(row.j),
      ]);
    }
    // Comparisons use the prefix and the pointer; sorting and slicing read the bytes.
    const probe = ascii(500, 7);
    await connection.run('INSERT INTO texts (c0) VALUES ($1), ($2)', [probe, 'exactly12chr']);
    const counted = await connection.runAndReadAll(
      `SELECT count(*) FILTER (WHERE c0 = $1), count(*) FILTER (WHERE c0 = 'exactly12chr'), count(*) FILTER (WHERE c0 LIKE 'thirteen%'), count(DISTINCT c0), max(length(c0)) FROM texts`,
      [probe],
    );
    const expected = (text: string) => rows.filter((row) => row.s === text).length;
    const distinct = new Set(rows.map((row) => stored(row.s ?? null)).filter((text) => text !== null));
    distinct.add(probe);
    expect(counted.getRows()[0]).toEqual([
      BigInt(expected(probe) + 1),
      BigInt(expected('exactly12chr') + 1),
      BigInt(expected('thirteen char')),
      BigInt(distinct.size),
      70_000n,
    ]);
    const sorted = await connection.runAndReadAll(
      'SELECT DISTINCT c0 FROM texts WHERE c0 IS NOT NULL ORDER BY c0',
    );
    const byBytes = [...distinct].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(sorted.getRows().map((row) => row[0])).toEqual(byBytes);
  });

  it('refuses a layout whose types are not the table’s', async () => {
    await connection.run('CREATE OR REPLACE TABLE mismatch (c0 VARCHAR)');
    const appender = await connection.createAppender('mismatch');
    expect(() => appendRows(appender, [{ name: 'x', type: 'integer' }], [{ x: 1 }])).toThrow(/not the type/);
    appender.closeSync();
  });
});
