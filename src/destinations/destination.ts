/**
 * The destination interface: the one extension point every warehouse implements
 * (`src/destinations/<name>/`). It is deliberately small; batching, type coercion and
 * state bookkeeping happen once, in the engine, outside every destination.
 *
 * The exactly-once rule lives here: `StreamWriter.commit(rows, state)` makes the rows and
 * the stream's new state durable together, or neither. A crash at any moment therefore
 * leaves the previous state next to exactly the rows it covers.
 *
 * Example: the engine loading two pages of `contacts` in merge mode
 *
 *   const dest = await createDuckDbDestination({ path: 'intercom.duckdb', schema: 'intercom' });
 *   await dest.open();
 *   const states = await dest.readState();            // Map { 'contacts' => { cursor: 1735689600 } }
 *   const w = await dest.prepare(contactsSpec, 'merge');
 *   await w.commit(page1Rows, undefined);             // rows only, state unchanged
 *   await w.commit(page2Rows, { cursor: 1735776000 }); // rows and state in one transaction
 *   await w.finish(undefined);
 *   await dest.close();
 */

/** How a stream's rows land in its table. */
export type WriteMode = 'replace' | 'append' | 'merge';

/**
 * Logical column types. Every destination maps them to its own types, e.g. DuckDB:
 * string→VARCHAR, integer→BIGINT, float→DOUBLE, boolean→BOOLEAN, timestamp→TIMESTAMPTZ, json→JSON.
 */
export type ColumnType = 'string' | 'integer' | 'float' | 'boolean' | 'timestamp' | 'json';

export interface ColumnSpec {
  /** The column name exactly as it should appear (any unicode; destinations always quote it). */
  name: string;
  type: ColumnType;
}

export interface TableSpec {
  /** The stream's name, also the key of its state. */
  stream: string;
  /** The table name within the destination's schema (or folder, for files). */
  table: string;
  columns: ColumnSpec[];
  /** Columns of the primary key; merge upserts on them. Empty for keyless append-only tables. */
  primaryKey: string[];
}

/**
 * A row handed to a destination. Values already conform to their column's type:
 * string → string; integer → number (safe integer) or bigint; float → number; boolean → boolean;
 * timestamp → Date; json → any JSON-serialisable value (object, array, string, number, boolean).
 * `null` or a missing key means NULL.
 */
export type Row = Record<string, unknown>;

/** The column a soft delete sets. */
export const DELETED_AT = '_deleted_at';

export interface Deletion {
  match: Row;
  at: Date;
}

export interface DeleteOptions {
  hard: boolean;
}

export interface StreamWriter {
  /**
   * Write `rows` and, when `state` is not undefined, the stream's new state, in one transaction.
   * Resolves once both are durable; if it rejects, neither the rows nor the state changed.
   * In merge mode, a row whose primary key exists replaces it (the last one wins within a batch).
   * In replace mode, rows go to a staging area that only `finish` makes visible; the state
   * passed here is kept with the staging area and committed by `finish`.
   */
  commit(rows: Row[], state: unknown | undefined, signal?: AbortSignal): Promise<void>;
  /**
   * Delete the rows that match each deletion's `match` (column values, e.g. `{ id: '42' }` or
   * `{ conversation_id: '42' }`), and write `state` when not undefined, in one transaction.
   * Soft (`hard: false`): set the `_deleted_at` column (created if missing) of the matching rows
   * that have none yet to the deletion's `at`, keeping them. Hard: remove them. A match that finds
   * no row is not an error. Append-only destinations (files) record the deletions so that their
   * "latest version" view shows them (soft) or leaves the rows out (hard).
   */
  delete(
    deletions: Deletion[],
    options: DeleteOptions,
    state: unknown | undefined,
    signal?: AbortSignal,
  ): Promise<void>;
  /**
   * End the stream. For replace: atomically swap the staged rows in for the old table and commit
   * the state. For append/merge: commit the state (if given). Idempotent rows are already written.
   */
  finish(state: unknown | undefined, signal?: AbortSignal): Promise<void>;
  /** Give up on this stream: discard a replace staging area; committed rows and state stay. */
  abort(): Promise<void>;
}

export interface Destination {
  /** A short name for messages, e.g. `duckdb:///data/intercom.duckdb` (never with a password). */
  readonly description: string;
  /** Connect, create the schema and the state table if needed. */
  open(signal?: AbortSignal): Promise<void>;
  /** The committed state of every stream that has one. */
  readState(signal?: AbortSignal): Promise<Map<string, unknown>>;
  /**
   * Create the stream's table, or evolve it: new columns are added; a column whose type changed
   * is widened so old and new values both fit (integer+float → float; otherwise → string or json),
   * never dropped. Returns the writer for this stream. Several streams may be written concurrently.
   */
  prepare(spec: TableSpec, mode: WriteMode, signal?: AbortSignal): Promise<StreamWriter>;
  close(): Promise<void>;
}
