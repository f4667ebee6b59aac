import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ColumnSpec, ColumnType, Row } from '../destination.js';
import { RowEncodingError } from '../duckdb/row-loader.js';
import type { BatchFileWriter, BatchTarget, FileFormat } from './file-format.js';
import { BATCH_COLUMN } from './layout.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Rows encoded per string handed to the stream. */
const LINES_PER_CHUNK = 1024;

/** A non-null value of a logical type as JSON text, or a TypeError when it is not of that type. */
type JsonEncoder = (value: unknown) => string;

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

/**
 * Each type's natural JSON: strings, numbers (integers exactly, bigints included), booleans,
 * timestamps as ISO 8601 strings in UTC with milliseconds, json values as they are. Floats that
 * JSON cannot hold (NaN, ±Infinity) are written as the strings DuckDB reads back as those doubles.
 */
const NATURAL: Readonly<Record<ColumnType, JsonEncoder>> = {
  string: (value) => (typeof value === 'string' ? JSON.stringify(value) : reject('string', value)),
  integer: (value) => {
    let integer: bigint;
    if (typeof value === 'number' && Number.isInteger(value)) {
      if (Number.isSafeInteger(value)) return String(value);
      integer = BigInt(value);
    } else if (typeof value === 'bigint') integer = value;
    else return reject('integer', value);
    if (integer < INT64_MIN || integer > INT64_MAX) {
      throw new RangeError(`integer ${integer} does not fit in a 64-bit BIGINT`);
    }
    return integer.toString();
  },
  float: (value) => {
    const number = typeof value === 'bigint' ? Number(value) : value;
    if (typeof number !== 'number') return reject('float', value);
    return Number.isFinite(number) ? String(number) : `"${number}"`;
  },
  boolean: (value) => (typeof value === 'boolean' ? String(value) : reject('boolean', value)),
  timestamp: (value) => {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) return reject('timestamp', value);
    return `"${value.toISOString()}"`;
  },
  json: (value) => {
    const text: string | undefined = JSON.stringify(value);
    return text === undefined ? reject('json', value) : text;
  },
};

/**
 * How a value of type `from` is written to a column of type `to` (`from` or a widening of it):
 * to json or float, its natural JSON; to string, a JSON string (ISO 8601 for timestamps, the
 * number or boolean as text otherwise), as the DuckDB destination converts a widened column.
 */
export function jsonEncoder(from: ColumnType, to: ColumnType): JsonEncoder {
  const natural = NATURAL[from];
  if (to !== 'string' || from === 'string') return natural;
  return (value) => {
    const text = natural(value);
    return text.startsWith('"') ? text : JSON.stringify(text);
  };
}

interface LineColumn {
  /** The key as written: `,"physical":` */
  prefix: string;
  name: string;
  encode: JsonEncoder;
}

/**
 * JSON Lines files, optionally gzipped: one object per row, keys the columns' physical names, NULLs
 * left out, `_sync_batch` first. Rows are encoded a chunk at a time and streamed to disk (through
 * gzip when asked), so a batch is never held as one string.
 */
export class JsonlFormat implements FileFormat {
  readonly name = 'jsonl';
  readonly extension: string;

  constructor(private readonly gzip: boolean) {
    this.extension = gzip ? '.jsonl.gz' : '.jsonl';
  }

  async openWriter(columns: readonly ColumnSpec[]): Promise<BatchFileWriter> {
    return new JsonlBatchFileWriter(columns, this.gzip);
  }

  async close(): Promise<void> {}
}

class JsonlBatchFileWriter implements BatchFileWriter {
  constructor(
    private readonly columns: readonly ColumnSpec[],
    private readonly gzip: boolean,
  ) {}

  private lineColumns(target: BatchTarget): LineColumn[] {
    const types = new Map(this.columns.map((column) => [column.name, column.type]));
    const lineColumns: LineColumn[] = [];
    for (const column of target.columns) {
      const from = types.get(column.name);
      if (from === undefined) continue;
      lineColumns.push({
        prefix: `,${JSON.stringify(column.physical)}:`,
        name: column.name,
        encode: jsonEncoder(from, column.type),
      });
    }
    return lineColumns;
  }

  async write(path: string, rows: readonly Row[], target: BatchTarget, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const columns = this.lineColumns(target);
    const head = `{${JSON.stringify(BATCH_COLUMN)}:${target.batch}`;
    const handle = await open(path, 'wx');
    try {
      // A byte stream (strings are turned into Buffers), gzipped or not.
      const sink = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
        for await (const chunk of chunks) await handle.write(chunk);
      };
      const source = Readable.from(encodeLines(rows, columns, head, signal), { objectMode: false });
      if (this.gzip) await pipeline(source, createGzip(), sink, { signal });
      else await pipeline(source, sink, { signal });
      await handle.sync();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {}
}

function* encodeLines(
  rows: readonly Row[],
  columns: readonly LineColumn[],
  head: string,
  signal: AbortSignal | undefined,
): Generator<string> {
  for (let start = 0; start < rows.length; start += LINES_PER_CHUNK) {
    signal?.throwIfAborted();
    const end = Math.min(rows.length, start + LINES_PER_CHUNK);
    let chunk = '';
    for (let index = start; index < end; index++) {
      const row = rows[index] as Row;
      let line = head;
      for (const column of columns) {
        const value = row[column.name];
        if (value === null || value === undefined) continue;
        try {
          line += column.prefix + column.encode(value);
        } catch (cause) {
          throw new RowEncodingError(index, column.name, { cause });
        }
      }
      chunk += `${line}}\n`;
    }
    yield chunk;
  }
}
