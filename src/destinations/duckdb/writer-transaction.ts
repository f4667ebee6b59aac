import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { ColumnSpec } from '../destination.js';

/**
 * Rows a table's Appender buffers before they are flushed into the transaction. DuckDB's Appender
 * would otherwise keep up to 204,800 rows in its own buffer; past a row group's worth, the
 * transaction's storage writes full row groups to the file (see `DuckDbDestination`).
 */
export const APPENDER_FLUSH_ROWS = 2048;

/** One table's Appender, open for the rest of a transaction. */
export interface OpenAppender {
  appender: DuckDBAppender;
  /** The table's columns as the Appender sees them (see `directLayout`). */
  layout: readonly (ColumnSpec | null)[];
  /** Rows appended since the last flush. */
  buffered: number;
}

/**
 * The transaction a writer keeps open on its own connection while rows are staged: the Appender of
 * each table it has appended to (kept open, so that each page costs no Appender of its own), the
 * tables it touched, and how many rows it holds. Committed or rolled back as a whole.
 */
export class WriterTransaction {
  /** By the writer whose table the Appender writes (the carrier's own, or a link table's). */
  readonly appenders = new Map<object, OpenAppender>();
  /** Writers whose rows go through their landing table in this transaction (no Appender fits). */
  readonly viaLanding = new Set<object>();
  /** Writers whose landing table exists on this connection (created in this transaction). */
  readonly landings = new Set<object>();
  /** Logical names of the tables written in this transaction. */
  readonly tables = new Set<string>();
  /** Rows staged in this transaction. */
  rows = 0;
  /**
   * Whether a `stage` call has put rows in it and returned: losing this transaction then loses rows
   * the caller counts on (see `DuckDbStreamWriter.failure`).
   */
  holdsStagedRows = false;

  constructor(readonly connection: DuckDBConnection) {}

  /** Flushes the Appender of `owner`'s table, so that SQL in this transaction sees its rows. */
  flush(owner: object): void {
    const open = this.appenders.get(owner);
    if (open === undefined || open.buffered === 0) return;
    open.appender.flushSync();
    open.buffered = 0;
  }

  /** Closes every Appender (flushing what they hold); throws what DuckDB refused. */
  closeAppenders(): void {
    try {
      for (const open of this.appenders.values()) open.appender.closeSync();
    } finally {
      this.appenders.clear();
    }
  }

  /** Drops what the Appenders hold and closes them, quietly (the transaction is being rolled back). */
  discardAppenders(): void {
    for (const open of this.appenders.values()) discardAppender(open.appender);
    this.appenders.clear();
  }
}

/** Drops what `appender` holds and closes it, quietly (the caller is already failing). */
export function discardAppender(appender: DuckDBAppender): void {
  try {
    appender.clear();
    appender.closeSync();
  } catch {
    // The transaction is rolled back anyway, taking whatever was flushed with it.
  }
}
