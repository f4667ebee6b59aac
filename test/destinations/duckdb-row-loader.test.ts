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

  it('refuses a layout whose types are not the table’s', async () => {
    await connection.run('CREATE OR REPLACE TABLE mismatch (c0 VARCHAR)');
    const appender = await connection.createAppender('mismatch');
    expect(() => appendRows(appender, [{ name: 'x', type: 'integer' }], [{ x: 1 }])).toThrow(/not the type/);
    appender.closeSync();
  });
});
