import { type DuckDBAppender, DuckDBDataChunk, type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
// The bindings under @duckdb/node-api (installed with it, at its exact version): the chunk's vectors
// are filled through them directly, as node-api's own vector classes do, minus a JS object per value.
import bindings from '@duckdb/node-bindings';
import type { ColumnSpec, ColumnType, Row } from '../destination.js';
import { logicalTypeOf } from './sql.js';

/** Rows per data chunk: DuckDB's vector size, the most a chunk holds. */
const CHUNK_ROWS = 2048;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Below this, `millis * 1000` is an exact integer in a double. */
const MAX_EXACT_MILLIS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

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

/** How the non-null values of one logical type are written into a chunk's vector. */
interface ColumnWriter {
  /** DuckDB's physical type the column's vector must have. */
  readonly typeId: DuckDBTypeId;
  /** Bytes per value in the vector's data (0 for strings, which are assigned one by one). */
  readonly width: number;
  write(target: VectorTarget, rowIndex: number, value: unknown): void;
}

/**
 * One column's values for the chunk being filled: fixed-width values are written into `bytes`
 * (viewed as 32-bit halves, doubles or int64s) and copied into the vector in one call; strings are
 * assigned to `vector` one by one.
 */
interface VectorTarget {
  vector: bindings.Vector;
  buffer: ArrayBuffer;
  bytes: Uint8Array;
  int32: Int32Array;
  uint32: Uint32Array;
  float64: Float64Array;
  bigint64: BigInt64Array;
}

const TWO_POW_32 = 2 ** 32;

/**
 * Stores a 64-bit integer given as an exact double: two 32-bit halves, no BigInt allocated
 * (`number` is exact up to 2^53, far inside int64).
 */
function writeExactInt64(target: VectorTarget, rowIndex: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  target.uint32[rowIndex * 2] = value - high * TWO_POW_32;
  target.int32[rowIndex * 2 + 1] = high;
}

function checkedBigInt(value: bigint): bigint {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new RangeError(`integer ${value} does not fit in a 64-bit BIGINT`);
  }
  return value;
}

/** An integer that is not a safe-integer number: a bigint, or an integral number beyond 2^53. */
function largeInteger(value: unknown): bigint {
  if (typeof value === 'bigint') return checkedBigInt(value);
  if (typeof value === 'number' && Number.isInteger(value)) return checkedBigInt(BigInt(value));
  return reject('integer', value);
}

/**
 * How each logical type's non-null values are written: numbers, booleans and timestamps as their
 * DuckDB bytes (timestamps as microseconds since 1970) into the column's staging memory, strings and
 * JSON text through DuckDB's string assignment. A value not of the type is refused (TypeError,
 * RangeError for an integer beyond 64 bits).
 */
const WRITERS: Readonly<Record<ColumnType, ColumnWriter>> = {
  string: {
    typeId: DuckDBTypeId.VARCHAR,
    width: 0,
    write: (target, rowIndex, value) =>
      bindings.vector_assign_string_element(
        target.vector,
        rowIndex,
        typeof value === 'string' ? value : reject('string', value),
      ),
  },
  json: {
    typeId: DuckDBTypeId.VARCHAR,
    width: 0,
    write: (target, rowIndex, value) => {
      const text: string | undefined = JSON.stringify(value);
      bindings.vector_assign_string_element(target.vector, rowIndex, text ?? reject('json', value));
    },
  },
  integer: {
    typeId: DuckDBTypeId.BIGINT,
    width: 8,
    write: (target, rowIndex, value) => {
      if (typeof value === 'number' && Number.isSafeInteger(value)) writeExactInt64(target, rowIndex, value);
      else target.bigint64[rowIndex] = largeInteger(value);
    },
  },
  float: {
    typeId: DuckDBTypeId.DOUBLE,
    width: 8,
    write: (target, rowIndex, value) => {
      if (typeof value === 'number') target.float64[rowIndex] = value;
      else if (typeof value === 'bigint') target.float64[rowIndex] = Number(value);
      else reject('float', value);
    },
  },
  boolean: {
    typeId: DuckDBTypeId.BOOLEAN,
    width: 1,
    write: (target, rowIndex, value) => {
      target.bytes[rowIndex] = value === true ? 1 : value === false ? 0 : reject('boolean', value);
    },
  },
  timestamp: {
    typeId: DuckDBTypeId.TIMESTAMP_TZ,
    width: 8,
    write: (target, rowIndex, value) => {
      if (!(value instanceof Date)) return reject('timestamp', value);
      const millis = value.getTime();
      if (Math.abs(millis) < MAX_EXACT_MILLIS) writeExactInt64(target, rowIndex, millis * 1000);
      else if (Number.isNaN(millis)) reject('timestamp', value);
      else target.bigint64[rowIndex] = checkedBigInt(BigInt(millis) * 1000n);
    },
  },
};

/** A column's staging memory, reused for each chunk of a call. */
function stagingFor(width: number): VectorTarget {
  const buffer = new ArrayBuffer(CHUNK_ROWS * width);
  return {
    vector: undefined as unknown as bindings.Vector,
    buffer,
    bytes: new Uint8Array(buffer),
    int32: new Int32Array(buffer, 0, width === 8 ? CHUNK_ROWS * 2 : 0),
    uint32: new Uint32Array(buffer, 0, width === 8 ? CHUNK_ROWS * 2 : 0),
    float64: new Float64Array(buffer, 0, width === 8 ? CHUNK_ROWS : 0),
    bigint64: new BigInt64Array(buffer, 0, width === 8 ? CHUNK_ROWS : 0),
  };
}

/**
 * Appends `rows` through `appender`. `columns` describes the appender's table column by column, in
 * order: the row key to read and its logical type (whose DuckDB type the table column must have),
 * or `null` for a column left NULL. Rows are written column by column into data chunks of 2048
 * rows: numbers, booleans and timestamps as bytes copied into the vector in one call per column,
 * validity bits likewise, one native call per string, no object per value; `signal` is checked
 * between chunks. A missing key or
 * `null` is NULL; keys not in `columns` are ignored. Throws `RowEncodingError` on a value that does
 * not conform to its column's type; the caller then discards the appender's contents.
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
  const writers = columns.map((column, index) => {
    if (column === null) return undefined;
    const writer = WRITERS[column.type];
    // The writers poke the vector's memory: its layout must be the one they write.
    if ((types[index] as DuckDBType).typeId !== writer.typeId) {
      throw new Error(`Appender column ${index} is ${types[index]}, not the type of a ${column.type} value`);
    }
    return writer;
  });

  const staging = writers.map((writer) => stagingFor(writer?.width ?? 0));
  // Validity bits of a column (bit `i % 8` of byte `i >> 3` is row `i`), copied in when it has a NULL.
  const validityBuffer = new ArrayBuffer(CHUNK_ROWS / 8);
  const validity = new Uint8Array(validityBuffer);

  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    signal?.throwIfAborted();
    const count = Math.min(CHUNK_ROWS, rows.length - start);
    const chunk = DuckDBDataChunk.create(types, count);
    for (let columnIndex = 0; columnIndex < names.length; columnIndex++) {
      const name = names[columnIndex];
      const writer = writers[columnIndex];
      const target = staging[columnIndex] as VectorTarget;
      target.vector = bindings.data_chunk_get_vector(chunk.chunk, columnIndex);
      let nulls = 0;
      if (name === undefined || writer === undefined) {
        validity.fill(0);
        nulls = count;
      } else {
        validity.fill(0xff);
        let rowIndex = 0;
        try {
          for (; rowIndex < count; rowIndex++) {
            const value = rows[start + rowIndex][name];
            if (value === null || value === undefined) {
              validity[rowIndex >> 3] &= ~(1 << (rowIndex & 7));
              nulls++;
            } else writer.write(target, rowIndex, value);
          }
        } catch (cause) {
          throw new RowEncodingError(start + rowIndex, name, { cause });
        }
        if (writer.width > 0) {
          bindings.copy_data_to_vector(target.vector, 0, target.buffer, 0, count * writer.width);
        }
      }
      if (nulls > 0) {
        bindings.vector_ensure_validity_writable(target.vector);
        bindings.copy_data_to_vector_validity(target.vector, 0, validityBuffer, 0, Math.ceil(count / 64) * 8);
      }
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
 * A row's key over `columns` as one string, equal exactly when the keys are (1 and 1n alike, dates
 * by instant). Several columns' parts are joined with each but the last prefixed by its length
 * (`8:string:aastring:b`), so no two keys can collide; no array is built (this runs for every row).
 */
export function rowKey(row: Readonly<Record<string, unknown>>, columns: readonly string[]): string {
  const last = columns.length - 1;
  let key = '';
  for (let index = 0; index < last; index++) {
    const part = keyPart(row[columns[index] as string]);
    key += `${part.length}:${part}`;
  }
  return key + keyPart(row[columns[last] as string]);
}

/** Each primary key's last row in `rows`, by `rowKey`, in the order each key first appears. */
function lastRowByKey(rows: readonly Row[], primaryKey: readonly string[]): Map<string, Row> {
  const byKey = new Map<string, Row>();
  for (const row of rows) byKey.set(rowKey(row, primaryKey), row);
  return byKey;
}

/**
 * Merge mode's "last one wins within a batch": keeps, for each primary key, only the last row
 * carrying it, in the order each key first appears, with the keys (`rowKey`) of the rows kept.
 * `rows` is itself the batch when no key repeats.
 */
export function lastRowPerKeyWithKeys(
  rows: readonly Row[],
  primaryKey: readonly string[],
): { rows: readonly Row[]; keys: string[] } {
  const byKey = lastRowByKey(rows, primaryKey);
  return { rows: byKey.size === rows.length ? rows : [...byKey.values()], keys: [...byKey.keys()] };
}

/** `lastRowPerKeyWithKeys` without the keys (no array of them is built). */
export function lastRowPerKey(rows: readonly Row[], primaryKey: readonly string[]): readonly Row[] {
  const byKey = lastRowByKey(rows, primaryKey);
  return byKey.size === rows.length ? rows : [...byKey.values()];
}
