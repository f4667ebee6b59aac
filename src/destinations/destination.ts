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
  /**
   * The key the stream's state is stored under (default `stream`). The engine keys it by workspace
   * too (`contacts@abc123`), so that several workspaces syncing into one warehouse keep apart.
   */
  stateKey?: string;
  /**
   * The column values all of this writer's rows share when several sources write one table, e.g.
   * `{ workspace_id: 'abc123' }`. Replace then replaces only these rows: the rows of other
   * partitions are carried over unchanged (a column the old table lacks counts as NULL).
   */
  partition?: Row;
}

/** The key a table's state is stored under: `spec.stateKey`, else the stream's name. */
export function stateKeyOf(spec: Pick<TableSpec, 'stream' | 'stateKey'>): string {
  return spec.stateKey ?? spec.stream;
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

/** How `finish` ends a run (see `StreamWriter.finish`). */
export interface FinishOptions {
  /**
   * Replace with soft deletes: the rows of the old table whose primary key the new rows lack are
   * kept, with `_deleted_at` (created if missing) set to this time unless they already had one;
   * rows that came back are the new rows, so theirs is NULL. Only the old rows of the spec's
   * `partition` are compared (other partitions' rows are not this run's). Append and merge ignore it.
   */
  softDeleteAt?: Date;
}

/** How a reconciliation ends (see `IdReconciliation.apply`). */
export interface ReconcileOptions {
  /** Remove the rows whose id was not listed, instead of setting their `_deleted_at`. */
  hard: boolean;
  /** The `_deleted_at` of the rows marked now. */
  at: Date;
}

/**
 * A full listing of a stream's ids, staged in the destination (a staging table, a spill file),
 * never held in the process: memory stays bounded however many ids there are. Nothing changes in
 * the stream's table until `apply`; `discard` (a failed or interrupted listing) changes nothing.
 */
export interface IdReconciliation {
  /** Stages a page of listed ids. */
  add(ids: readonly string[], signal?: AbortSignal): Promise<void>;
  /**
   * In one transaction with `state` (when not undefined): the rows of the writer's spec `partition`
   * (all rows when it has none) whose id column was not
   * listed get `_deleted_at` = `at` (created if missing; rows already marked keep theirs), or are
   * removed (`hard`). Resolves with the number of rows marked or removed; the staged ids are gone.
   */
  apply(options: ReconcileOptions, state: unknown | undefined, signal?: AbortSignal): Promise<number>;
  /** Drops the staged ids; the table is untouched. Idempotent. */
  discard(): Promise<void>;
}

/**
 * The rows of one link table (contact_tags, conversation_contacts, …) that a parent's commit writes
 * in the same transaction (`StreamWriter.commitWithLinks`). A link table holds a parent's current
 * links; the batch's parents' stored links are replaced by `rows`, so a link the parent lost goes:
 *
 *   await contactsWriter.commitWithLinks(contactRows, contactsState, [
 *     {
 *       writer: contactTagsWriter,                   // prepare(contact_tags spec) of this destination
 *       parentKey: ['workspace_id', 'contact_id'],
 *       parents: [{ workspace_id: 'abc', contact_id: '1' }, { workspace_id: 'abc', contact_id: '2' }],
 *       rows: [{ workspace_id: 'abc', contact_id: '1', tag_id: '7', contact_updated_at, _synced_at }],
 *       state: contactTagsState,
 *     },
 *   ]);
 *   // contact 1 now has exactly tag 7, contact 2 has no tags; both states are saved with the rows.
 */
export interface LinkBatch {
  /** The link table's writer, prepared by the same destination (any mode; append keeps old links). */
  writer: StreamWriter;
  /** The link table's columns naming a parent, e.g. `['workspace_id', 'contact_id']`. */
  parentKey: string[];
  /** Each parent of the batch, as its `parentKey` values (a parent without links is listed too). */
  parents: Row[];
  /** The parents' links: rows of the link table. */
  rows: Row[];
  /** The link stream's new state, or undefined (replace: kept for `finish`, as `commit` does). */
  state: unknown | undefined;
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
   * `commit(rows, state)`, and in the same transaction each link batch: the stored rows of the
   * batch's parents are removed from the link table (not in append mode) and the batch's rows and
   * state written. `rows` may be empty and `state` undefined (a link table synced without its parent
   * table), and a link's `writer` may be this writer itself. Files write the link rows after a hard
   * deletion of the parents' earlier links, so their latest view shows each parent's latest set.
   * Optional: the engine refuses to sync link tables into a destination without it.
   */
  commitWithLinks?(
    rows: Row[],
    state: unknown | undefined,
    links: LinkBatch[],
    signal?: AbortSignal,
  ): Promise<void>;
  /**
   * Optional: takes rows (and link batches, whose `state` is ignored) into the writer's open
   * transaction as they arrive, without making them durable or visible. The next `commit`,
   * `commitWithLinks`, `delete` or `finish` commits everything staged since the last one together
   * with its own rows and state; a failure, `abort` or a crash discards it all. Merge, link
   * replacement and "the last row of a key wins" apply across the whole transaction, as if the staged
   * rows had come in one batch.
   *
   * A destination may commit staged rows early, without a state (DuckDB does before a schema change,
   * or before a checkpoint it will not run beside the open transaction), so stage only rows that may
   * be written again after a crash without harm: merge and replace runs, not append.
   *
   * With it the engine hands rows over page by page instead of holding batches, and commits far less
   * often (a transaction spans many pages), which lets a destination write large transactions
   * efficiently: DuckDB, for one, writes a transaction's full row groups compressed into the file
   * instead of through its WAL and memory.
   *
   *   await contactsWriter.stage(page1Rows, [contactTagsBatch1]);
   *   await contactsWriter.stage(page2Rows, [contactTagsBatch2]);
   *   await contactsWriter.commitWithLinks([], { cursor: 1735776000 }, [
   *     { writer: contactTagsWriter, parentKey, parents: [], rows: [], state: { cursor: 1735776000 } },
   *   ]); // both pages, their links and both states, in one transaction
   */
  stage?(rows: Row[], links: LinkBatch[], signal?: AbortSignal): Promise<void>;
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
   * the state (with `options.softDeleteAt`, the old rows the new ones lack are kept as deleted). For append/merge: commit the state (if given). Idempotent rows are already written.
   */
  finish(state: unknown | undefined, signal?: AbortSignal, options?: FinishOptions): Promise<void>;
  /**
   * Starts comparing the table's `idColumn` with a full listing of the source's ids (contacts,
   * companies: `--reconcile`). Optional: a destination without it cannot reconcile (the engine says
   * so). Written with a merge writer; the writer stays usable after the reconciliation ends.
   */
  reconcile?(idColumn: string, signal?: AbortSignal): Promise<IdReconciliation>;
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
