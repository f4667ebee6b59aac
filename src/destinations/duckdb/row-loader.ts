import {
  type DuckDBAppender,
  DuckDBDataChunk,
  DuckDBTimestampTZValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { ColumnSpec, ColumnType, Row } from '../destination.js';
import { logicalTypeOf } from './sql.js';

/** Rows per data chunk: DuckDB's vector size, the most a chunk holds. */
const CHUNK_ROWS = 2048;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Below this, `millis * 1000` is an exact integer in a double. */
const MAX_EXACT_MILLIS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/** Turns a non-null value of a column's logical type into what the DuckDB vector expects. */
type Encoder = (value: unknown) => DuckDBValue;

function describe(value: unknown): string {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : `Date ${value.toISOString()}`;
  if (typeof value === 'bigint') return `${value}n`;
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

function reject(type: ColumnType, value: unknown): never {
  throw new TypeError(`expected a ${type} value, got ${describe(value)}`);
}

const ENCODERS: Readonly<Record<ColumnType, Encoder>> = {
  string: (value) => (typeof value === 'string' ? value : reject('string', value)),
  integer: (value) => {
    let integer: bigint;
    if (typeof value === 'bigint') integer = value;
    else if (typeof value === 'number' && Number.isInteger(value)) integer = BigInt(value);
    else return reject('integer', value);
    if (integer < INT64_MIN || integer > INT64_MAX) {
      throw new RangeError(`integer ${integer} does not fit in a 64-bit BIGINT`);
    }
    return integer;
  },
  float: (value) => {
    if (typeof value === 'number') return value;
    if (typeof value === 'bigint') return Number(value);
    return reject('float', value);
  },
  boolean: (value) => (typeof value === 'boolean' ? value : reject('boolean', value)),
  timestamp: (value) => {
    if (!(value instanceof Date)) return reject('timestamp', value);
    const millis = value.getTime();
    if (Number.isNaN(millis)) return reject('timestamp', value);
    // Exact in a double up to ±285 years around 1970; one BigInt instead of two on the hot path.
    const micros = Math.abs(millis) < MAX_EXACT_MILLIS ? BigInt(millis * 1000) : BigInt(millis) * 1000n;
    return new DuckDBTimestampTZValue(micros);
  },
  json: (value) => {
    const text: string | undefined = JSON.stringify(value);
    return text === undefined ? reject('json', value) : text;
  },
};

/** Where a row failed to encode, so the error can say which row and column. */
export class RowEncodingError extends Error {
  constructor(
    readonly rowIndex: number,
    readonly column: string,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`row ${rowIndex}, column ${JSON.stringify(column)}: ${reason}`, options);
    this.name = 'RowEncodingError';
  }
}

/**
 * Whether the appender's table has exactly the columns of `layout`: as many, and each of the
 * DuckDB type of its logical type (a `null` entry takes any type).
 */
export function appenderFits(appender: DuckDBAppender, layout: readonly (ColumnSpec | null)[]): boolean {
  if (appender.columnCount !== layout.length) return false;
  return layout.every((column, index) => {
    if (column === null) return true;
    const type = appender.columnType(index);
    return logicalTypeOf(type.alias ?? type.toString()) === column.type;
  });
}

/**
 * Appends `rows` through `appender`. `columns` describes the appender's table column by column, in
 * order: the row key to read and its logical type (whose DuckDB type the table column must have),
 * or `null` for a column left NULL. Rows are written column by column into data chunks of 2048
 * rows (no per-value appender calls, no SQL), with `signal` checked between chunks. A missing key
 * or `null` is NULL; keys not in `columns` are ignored. Throws `RowEncodingError` on a value that
 * does not conform to its column's type; the caller then discards the appender's contents.
 */
export function appendRows(
  appender: DuckDBAppender,
  columns: readonly (ColumnSpec | null)[],
  rows: readonly Row[],
  signal?: AbortSignal,
): void {
  const types: DuckDBType[] = [];
  for (let index = 0; index < appender.columnCount; index++) types.push(appender.columnType(index));
  if (types.length !== columns.length) {
    throw new Error(`Appender has ${types.length} columns, expected ${columns.length}`);
  }
  const names = columns.map((column) => column?.name);
  const encoders = columns.map((column) => (column === null ? undefined : ENCODERS[column.type]));

  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    signal?.throwIfAborted();
    const count = Math.min(CHUNK_ROWS, rows.length - start);
    const chunk = DuckDBDataChunk.create(types, count);
    for (let columnIndex = 0; columnIndex < names.length; columnIndex++) {
      const name = names[columnIndex];
      const encode = encoders[columnIndex];
      const vector = chunk.getColumnVector(columnIndex);
      if (name === undefined || encode === undefined) {
        for (let rowIndex = 0; rowIndex < count; rowIndex++) vector.setItem(rowIndex, null);
        vector.flush();
        continue;
      }
      let rowIndex = 0;
      try {
        for (; rowIndex < count; rowIndex++) {
          const value = rows[start + rowIndex][name];
          vector.setItem(rowIndex, value === null || value === undefined ? null : encode(value));
        }
      } catch (cause) {
        throw new RowEncodingError(start + rowIndex, name, { cause });
      }
      vector.flush();
    }
    appender.appendDataChunk(chunk);
  }
}

/** A primary-key value as a string that is equal exactly when the values are (1 and 1n alike). */
function keyPart(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return `date:${value.getTime()}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `number:${value}`;
  if (typeof value === 'string') return `string:${value}`;
  if (typeof value === 'boolean') return `boolean:${value}`;
  return `json:${JSON.stringify(value)}`;
}

/**
 * Merge mode's "last one wins within a batch": keeps, for each primary key, only the last row
 * carrying it. Returns `rows` itself when no key repeats.
 */
export function lastRowPerKey(rows: readonly Row[], primaryKey: readonly string[]): readonly Row[] {
  const byKey = new Map<string, Row>();
  if (primaryKey.length === 1) {
    const [key] = primaryKey;
    for (const row of rows) byKey.set(keyPart(row[key]), row);
  } else {
    for (const row of rows) byKey.set(JSON.stringify(primaryKey.map((key) => keyPart(row[key]))), row);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}
