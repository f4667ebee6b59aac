import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ColumnSpec, ColumnType, Row } from '../destination.js';
import { appendRows } from '../duckdb/row-loader.js';
import { convertExpression, duckDbType, quoteIdentifier, quoteLiteral } from '../duckdb/sql.js';
import { syncFile } from './atomic-fs.js';
import type { BatchFileWriter, BatchTarget, FileFormat } from './file-format.js';
import { BATCH_COLUMN } from './layout.js';

/** Parquet compression codecs DuckDB writes. */
export type ParquetCompression = 'zstd' | 'snappy' | 'gzip' | 'lz4' | 'uncompressed';

/**
 * The Parquet type of a logical column type: DuckDB's (BIGINT, DOUBLE, BOOLEAN, VARCHAR,
 * TIMESTAMPTZ as a UTC-adjusted microsecond timestamp), except json, which is a plain string column
 * holding JSON text. A JSON-annotated column would not union with the string column it may have
 * been widened from (DuckDB refuses to cast `plain` to JSON while reading); the latest view turns
 * it back into DuckDB's JSON type.
 */
export function parquetType(type: ColumnType): string {
  return type === 'json' ? 'VARCHAR' : duckDbType(type);
}

const LANDING = 'temp.main.landing';

/**
 * Parquet files written by DuckDB: the rows go through the Appender (data chunks, no SQL per row)
 * into a connection-local temporary table, and `COPY (SELECT …) TO '<file>' (FORMAT PARQUET)` writes
 * them out, converting each column to the table's type. Each commit runs in a transaction that is
 * always rolled back, so the landing table is empty again afterwards: memory stays flat however
 * many batches pass through.
 */
export class ParquetFormat implements FileFormat {
  readonly name = 'parquet';
  readonly extension = '.parquet';

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly compression: ParquetCompression,
  ) {}

  async openWriter(columns: readonly ColumnSpec[]): Promise<BatchFileWriter> {
    const connection = await this.instance.connect();
    try {
      const definitions = columns.map((column, index) => `c${index} ${parquetType(column.type)}`);
      await connection.run(`CREATE TEMP TABLE landing (${definitions.join(', ')})`);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
    return new ParquetBatchFileWriter(connection, columns, this.compression);
  }

  async close(): Promise<void> {
    this.instance.closeSync();
  }
}

class ParquetBatchFileWriter implements BatchFileWriter {
  private closed = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly columns: readonly ColumnSpec[],
    private readonly compression: ParquetCompression,
  ) {}

  /** `SELECT` of the file's columns from the landing table, converting widened ones. */
  private selectSql(target: BatchTarget): string {
    const index = new Map(this.columns.map((column, position) => [column.name, position]));
    const values = target.columns.map((column) => {
      const position = index.get(column.name);
      let value: string;
      if (position === undefined) {
        value = `CAST(NULL AS ${parquetType(column.type)})`;
      } else {
        const from = (this.columns[position] as ColumnSpec).type;
        value = convertExpression(`landed.c${position}`, from, column.type);
        if (column.type === 'json' && from !== 'json') value = `CAST(${value} AS VARCHAR)`;
      }
      return `${value} AS ${quoteIdentifier(column.physical)}`;
    });
    values.push(`CAST(${target.batch} AS BIGINT) AS ${quoteIdentifier(BATCH_COLUMN)}`);
    return `SELECT ${values.join(', ')} FROM ${LANDING} AS landed`;
  }

  async write(path: string, rows: readonly Row[], target: BatchTarget, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const { connection } = this;
    const copy = `COPY (${this.selectSql(target)}) TO ${quoteLiteral(path)} (FORMAT PARQUET, COMPRESSION ${this.compression})`;
    const onAbort = (): void => connection.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await connection.run('BEGIN TRANSACTION');
      try {
        if (rows.length > 0) {
          const appender = await connection.createAppender('landing', 'main', 'temp');
          try {
            appendRows(appender, this.columns, rows, signal);
            appender.closeSync();
          } catch (error) {
            try {
              appender.clear();
              appender.closeSync();
            } catch {
              // The rollback below discards whatever the appender flushed.
            }
            throw error;
          }
        }
        await connection.run(copy);
      } finally {
        await connection.run('ROLLBACK').catch(() => undefined);
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    signal?.throwIfAborted();
    await syncFile(path);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
  }
}
