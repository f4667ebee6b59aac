import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import {
  type ColumnSpec,
  DELETED_AT,
  type DeleteOptions,
  type Deletion,
  type FinishOptions,
  type IdReconciliation,
  type LinkBatch,
  type Row,
  type StreamWriter,
  stateKeyOf,
  type TableSpec,
  type WriteMode,
} from '../destination.js';
import { logicalNameComment } from './catalog.js';
import type { PlannedColumn, TableColumn } from './column-plan.js';
import type { DuckDbSession } from './duckdb-session.js';
import { wrapDuckDbError } from './errors.js';
import type { FreshKeys } from './key-filter.js';
import { copyOtherPartitions } from './partitions.js';
import { appenderFits, appendRows, lastRowPerKeyWithKeys, rowKey } from './row-loader.js';
import { SerialQueue } from './serial-queue.js';
import { carryDeletedRows, DuckDbIdReconciliation } from './soft-deletes.js';
import {
  convertExpression,
  qualifiedName,
  quoteIdentifier,
  quoteLiteral,
  type SchemaRef,
  temporaryTableName,
} from './sql.js';
import {
  deleteReplaceRun,
  readReplaceRunState,
  serialiseState,
  setReplaceRunState,
  upsertState,
} from './state-store.js';
import {
  APPENDER_FLUSH_ROWS,
  discardAppender,
  type OpenAppender,
  WriterTransaction,
} from './writer-transaction.js';

export interface DuckDbStreamWriterOptions {
  /** The destination's shared connection: DDL, reconciliation (serialised with `prepare`). */
  session: DuckDbSession;
  /**
   * Opens the writer's own connection on the destination's database. A writer keeps its
   * transaction open there while rows are staged, so each stream's transactions run side by side.
   */
  connect: () => Promise<DuckDBConnection>;
  /** For error messages. */
  description: string;
  schema: SchemaRef;
  spec: TableSpec;
  mode: WriteMode;
  /** The spec's columns, in spec order, with their physical names and table types. */
  columns: readonly PlannedColumn[];
  /** Every column of the table written (target, or staging for replace), in table order. */
  tableColumns: readonly TableColumn[];
  /** Physical name of the stream's table. */
  target: string;
  /**
   * Connection-local temporary table the landing path loads, columns `c0…cN` of the spec's types;
   * created on the connection that needs it (`landingColumns` is its column list in SQL).
   */
  landing: string;
  landingColumns: string;
  /** Replace mode: the per-run staging table that `finish` swaps in. */
  staging: string | undefined;
  /**
   * When the table written was empty at prepare and this writer is its only writer: the keys it
   * has written, so that a merge of keys it never wrote, or a link replacement for parents it never
   * wrote links of, skips the `DELETE` (a scan of the whole table). Undefined otherwise.
   */
  freshKeys?: FreshKeys;
  /** Called once the writer has finished or aborted. */
  onDone: () => void;
  /**
   * Called after each commit and each `stage` (the destination checkpoints when data piles up in
   * memory; it looks at most every 2 s).
   */
  onCommitted?: () => void;
  /** Where this writer's COMMIT waits its turn among the destination's writers (see there). */
  commits?: SerialQueue;
}

type Status = 'open' | 'finished' | 'aborted';

/**
 * The Appender's view of the table (one entry per table column: the spec column feeding it, or
 * null for a column the spec omits) when every spec column has exactly its table column's type;
 * undefined when some column was widened and values must be converted by SQL on the way in.
 */
function directLayout(
  columns: readonly PlannedColumn[],
  tableColumns: readonly TableColumn[],
): (ColumnSpec | null)[] | undefined {
  const byPhysical = new Map(columns.map((column) => [column.physical, column]));
  const layout = tableColumns.map((tableColumn) => {
    const column = byPhysical.get(tableColumn.physical);
    return column === undefined ? null : { column, tableColumn };
  });
  const fits = layout.every((entry) => entry === null || entry.column.valueType === entry.tableColumn.type);
  if (!fits || layout.filter((entry) => entry !== null).length !== columns.length) return undefined;
  return layout.map((entry) =>
    entry === null ? null : { name: entry.column.logical, type: entry.column.valueType },
  );
}

/**
 * Appends `rows` through `appender` (see `appendRows`) and closes it, flushing the rows into its
 * table; on an error the appender's rows are discarded (the caller's transaction rolls back the rest).
 */
function appendThrough(
  appender: DuckDBAppender,
  layout: readonly (ColumnSpec | null)[],
  rows: readonly Row[],
  signal?: AbortSignal,
): void {
  try {
    appendRows(appender, layout, rows, signal);
    appender.closeSync();
  } catch (error) {
    discardAppender(appender);
    throw error;
  }
}

function requireStaging(staging: string | undefined): string {
  if (staging === undefined) throw new Error('A replace writer needs a staging table');
  return staging;
}

async function rollbackQuietly(connection: DuckDBConnection): Promise<void> {
  try {
    await connection.run('ROLLBACK');
  } catch {
    // A failed COMMIT has already ended the transaction; nothing is left to roll back.
  }
}

/**
 * A stream's writer. It has a connection of its own, on which one transaction at a time stays open
 * while rows come in (`stage`), and is committed with the stream's state by `commit`,
 * `commitWithLinks`, `delete` or `finish`:
 *
 *   BEGIN                                 (at the first rows after the last commit)
 *   for each page staged (and for the rows a commit brings itself):
 *     append, replace: the table's Appender, open for the whole transaction, writes the rows
 *            straight into the target (append) or the staging table (replace), when no column needs
 *            converting; otherwise as for merge:
 *     merge, when no column needs converting: the page is reduced to the last row of each key;
 *            unless none of its keys can be stored yet (below), its keys go into the connection's
 *            landing table, DELETE FROM target USING landing WHERE the key matches (the rows staged
 *            earlier in the transaction included), DELETE FROM landing; then the Appender writes it
 *     merge, otherwise: the page, reduced to the last row of each key, goes into the landing table;
 *            DELETE FROM target USING landing WHERE the key matches; INSERT INTO target SELECT …
 *            FROM landing (casting widened columns); DELETE FROM landing
 *     link batches: the parents' stored links are deleted, the batch's rows loaded as above
 *   upsert the state rows (replace: keep the state with the run, for finish to commit)
 *   close the Appenders, COMMIT
 *
 * so the rows and the state become visible together, or (on any error, abort or crash) not at all.
 * A transaction spanning many pages lets DuckDB write its full row groups compressed into the file
 * as they fill, rather than through its WAL and memory (see `DuckDbDestination`).
 *
 * A merge's DELETE (and a link replacement's) is skipped when the writer knows none of the keys
 * can be stored yet: it saw its table empty, is its only writer, and never wrote them (`freshKeys`,
 * see key-filter.ts). That turns a first sync's merges into appends instead of whole-table scans.
 */
export class DuckDbStreamWriter implements StreamWriter {
  private status: Status = 'open';
  private readonly insertSql: string;
  private readonly mergeDeleteSql: string | undefined;
  /** The table's columns as the Appender sees them, when rows can go straight into it. */
  private readonly directLayout: (ColumnSpec | null)[] | undefined;
  /** The landing table's columns with only the primary key's filled (the others left NULL). */
  private readonly keyLayout: (ColumnSpec | null)[];
  /** This writer's operations, one at a time (its connection runs one transaction at a time). */
  private readonly queue = new SerialQueue();
  private connection: Promise<DuckDBConnection> | undefined;
  /** The transaction open on this writer's connection, if any. */
  private transaction: WriterTransaction | undefined;
  /**
   * Set when a transaction holding rows staged by earlier calls was rolled back: committing a state
   * after that would claim rows that are not there, so every later operation fails with it.
   */
  private failure: Error | undefined;

  constructor(private readonly options: DuckDbStreamWriterOptions) {
    this.stage =
      options.freshKeys === undefined && options.mode !== 'replace'
        ? undefined
        : (rows, links, signal) => this.stageRows(rows, links, signal);
    const { schema, columns, target, staging, landing, mode, spec } = options;
    const destinationTable = qualifiedName(schema, mode === 'replace' ? requireStaging(staging) : target);
    const columnList = columns.map((column) => quoteIdentifier(column.physical)).join(', ');
    const values = columns
      .map((column, index) => convertExpression(`landed.c${index}`, column.valueType, column.tableType))
      .join(', ');
    this.insertSql = `INSERT INTO ${destinationTable} (${columnList}) SELECT ${values} FROM ${temporaryTableName(landing)} AS landed`;
    if (mode === 'merge') {
      const matches = spec.primaryKey.map((key) => {
        const index = columns.findIndex((column) => column.logical === key);
        const column = columns[index];
        const landed = convertExpression(`landed.c${index}`, column.valueType, column.tableType);
        return `existing.${quoteIdentifier(column.physical)} IS NOT DISTINCT FROM ${landed}`;
      });
      this.mergeDeleteSql = `DELETE FROM ${destinationTable} AS existing USING ${temporaryTableName(landing)} AS landed WHERE ${matches.join(' AND ')}`;
    }
    this.directLayout = directLayout(columns, options.tableColumns);
    // Merge by key: the landing table only carries the batch's keys, to delete the rows they replace.
    this.keyLayout = spec.columns.map((column) => (spec.primaryKey.includes(column.name) ? column : null));
  }

  /** The logical table this writer writes (what `prepare` names, to settle writers first). */
  get table(): string {
    return this.options.spec.table;
  }

  private get tableForMessages(): string {
    const { schema, spec, staging, mode } = this.options;
    const table = qualifiedName(schema, spec.table);
    return mode === 'replace' ? `${table} (staging ${quoteIdentifier(requireStaging(staging))})` : table;
  }

  /** Names the stream and table in the error; an abort's reason is passed through untouched. */
  private wrap(operation: string, error: unknown, signal?: AbortSignal): unknown {
    if (signal?.aborted && error === signal.reason) return error;
    return wrapDuckDbError(error, {
      operation,
      destination: this.options.description,
      stream: this.options.spec.stream,
      table: this.tableForMessages,
    });
  }

  private assertOpen(operation: string): void {
    if (this.failure !== undefined) throw this.wrap(operation, this.failure);
    if (this.status !== 'open') {
      throw this.wrap(
        operation,
        new Error(`the writer has already ${this.status === 'finished' ? 'finished' : 'aborted'}`),
      );
    }
  }

  private ownConnection(): Promise<DuckDBConnection> {
    if (this.connection === undefined) {
      const opening = this.options.connect();
      this.connection = opening;
      // A connection that failed to open is not kept: the next operation tries again.
      opening.catch(() => {
        if (this.connection === opening) this.connection = undefined;
      });
    }
    return this.connection;
  }

  /**
   * Runs `body` alone among this writer's operations, in its open transaction (begun if none is);
   * `signal` interrupts the statement running. On any error the whole transaction is rolled back
   * and the error rethrown (the signal's reason when it aborted), named after `operation`.
   */
  private inTransaction<T>(
    operation: string,
    signal: AbortSignal | undefined,
    body: (transaction: WriterTransaction) => Promise<T>,
  ): Promise<T> {
    return this.queue.run(async () => {
      try {
        signal?.throwIfAborted();
        if (this.failure !== undefined) throw this.failure;
        const connection = await this.ownConnection();
        const onAbort = (): void => connection.interrupt();
        signal?.addEventListener('abort', onAbort, { once: true });
        try {
          const transaction = await this.begin(connection);
          try {
            return await body(transaction);
          } catch (error) {
            await this.rollback(transaction);
            throw error;
          }
        } finally {
          signal?.removeEventListener('abort', onAbort);
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw this.wrap(operation, error, signal);
      }
    }, signal);
  }

  private async begin(connection: DuckDBConnection): Promise<WriterTransaction> {
    if (this.transaction !== undefined) return this.transaction;
    await connection.run('BEGIN TRANSACTION');
    this.transaction = new WriterTransaction(connection);
    return this.transaction;
  }

  /**
   * Closes the Appenders, runs `last` (the state writes), and commits; once COMMIT is sent the
   * signal is no longer looked at. The state comes last: a transaction that has updated a row keeps
   * DuckDB from checkpointing until it ends, so it should end soon after.
   */
  private async commitTransaction(
    transaction: WriterTransaction,
    signal?: AbortSignal,
    last?: (connection: DuckDBConnection) => Promise<void>,
  ): Promise<void> {
    transaction.closeAppenders();
    if (last !== undefined) await last(transaction.connection);
    signal?.throwIfAborted();
    try {
      const commit = () => transaction.connection.run('COMMIT');
      await (this.options.commits === undefined ? commit() : this.options.commits.run(commit));
    } catch (error) {
      await this.rollback(transaction);
      throw error;
    }
    this.transaction = undefined;
    this.options.onCommitted?.();
  }

  private async rollback(transaction: WriterTransaction): Promise<void> {
    if (transaction.holdsStagedRows)
      this.failure ??= new Error(
        'rows staged earlier in the transaction were rolled back with it; the stream must be run again',
      );
    transaction.discardAppenders();
    if (this.transaction === transaction) this.transaction = undefined;
    await rollbackQuietly(transaction.connection);
  }

  /** Commits whatever is staged, without a state, when the open transaction wrote `table`. */
  async settle(table: string): Promise<void> {
    if (this.transaction?.tables.has(table) !== true) return;
    await this.commitStaged('commit');
  }

  /**
   * Commits the open transaction, if any, without a state; errors named after `operation`. Run it
   * in this writer's queue (see `commitStaged`).
   */
  private async commitOpen(operation: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const transaction = this.transaction;
    if (transaction === undefined) return;
    try {
      await this.commitTransaction(transaction, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw this.wrap(operation, error, signal);
    }
  }

  /** Commits what is staged (no state), so that what follows runs in a transaction of its own. */
  private commitStaged(operation: string, signal?: AbortSignal): Promise<void> {
    return this.queue.run(() => this.commitOpen(operation, signal), signal);
  }

  /**
   * Waits for this writer's operation in progress and keeps the writer idle until `released`
   * settles, its transaction left open: the destination checkpoints and hands memory back
   * meanwhile, which no statement may run beside. Resolves, once idle, with a function that commits
   * what the writer staged (without a state), for use while it is held: DuckDB checkpoints beside a
   * transaction that only appended or deleted, but not beside one begun before an UPDATE or a
   * catalog change (a new table, a replace's swap, an added column) that committed since. A commit
   * is otherwise avoided here: it appends each table's staged rows (when fewer than a row group) to
   * the table in memory, a block per column whatever their number, 20 to 30 MB for a wide table at
   * every checkpoint. The commit rejects if it fails (the writer then refuses further work).
   */
  hold(released: Promise<unknown>): Promise<() => Promise<void>> {
    return new Promise<() => Promise<void>>((resolve, reject) => {
      void this.queue
        .run(async () => {
          resolve(() => this.commitOpen('commit'));
          await released.catch(() => undefined);
        })
        .catch(reject);
    });
  }

  /** The writers of `links`, checked to be DuckDB writers of this destination. */
  private linkWriters(links: readonly LinkBatch[]): DuckDbStreamWriter[] {
    return links.map((link) => {
      const writer = link.writer;
      if (!(writer instanceof DuckDbStreamWriter) || writer.options.session !== this.options.session)
        throw new Error('a link batch needs a writer of the same DuckDB destination');
      writer.assertOpen('commit');
      return writer;
    });
  }

  /**
   * Offered only to a writer that saw its table empty (a first sync, or a replace's new table):
   * merging into a table that holds rows runs a `DELETE` scan of it per page, and inside one long
   * transaction those pile up memory DuckDB cannot evict (large-scale incremental syncs failed with
   * "failed to pin block" at a 256 MB limit); such writers commit every batch instead.
   */
  readonly stage: StreamWriter['stage'];

  private async stageRows(rows: Row[], links: LinkBatch[], signal?: AbortSignal): Promise<void> {
    this.assertOpen('stage');
    let linkWriters: DuckDbStreamWriter[];
    try {
      linkWriters = this.linkWriters(links);
    } catch (error) {
      throw this.wrap('stage', error, signal);
    }
    await this.inTransaction('stage', signal, async (transaction) => {
      await this.stageInto(transaction, rows, links, linkWriters, signal);
      transaction.holdsStagedRows = true;
    });
    this.options.onCommitted?.();
  }

  async commit(rows: Row[], state: unknown | undefined, signal?: AbortSignal): Promise<void> {
    await this.commitWithLinks(rows, state, [], signal);
  }

  /**
   * `commit`, plus each link table's rows and state, in one transaction (see `LinkBatch`). Every
   * link writer must be a DuckDB writer of this destination.
   */
  async commitWithLinks(
    rows: Row[],
    state: unknown | undefined,
    links: LinkBatch[],
    signal?: AbortSignal,
  ): Promise<void> {
    this.assertOpen('commit');
    let linkWriters: DuckDbStreamWriter[];
    let stateJson: string | undefined;
    let linkStates: (string | undefined)[];
    try {
      linkWriters = this.linkWriters(links);
      stateJson = state === undefined ? undefined : serialiseState(state);
      linkStates = links.map((link) => (link.state === undefined ? undefined : serialiseState(link.state)));
    } catch (error) {
      throw this.wrap('commit', error, signal);
    }
    await this.inTransaction('commit', signal, async (transaction) => {
      await this.stageInto(transaction, rows, links, linkWriters, signal);
      await this.commitTransaction(transaction, signal, async (connection) => {
        if (stateJson !== undefined) await this.saveState(connection, stateJson);
        for (const [index, json] of linkStates.entries())
          if (json !== undefined)
            await (linkWriters[index] as DuckDbStreamWriter).saveState(connection, json);
      });
    });
  }

  private async stageInto(
    transaction: WriterTransaction,
    rows: readonly Row[],
    links: readonly LinkBatch[],
    linkWriters: readonly DuckDbStreamWriter[],
    signal?: AbortSignal,
  ): Promise<void> {
    if (rows.length > 0) {
      // Rows not written through a link replacement: which parents have links is no longer known.
      this.options.freshKeys?.forgetParents();
      await this.loadInto(transaction, rows, signal);
      transaction.rows += rows.length;
    }
    for (const [index, link] of links.entries()) {
      await (linkWriters[index] as DuckDbStreamWriter).replaceLinksInto(transaction, link, signal);
      transaction.rows += link.rows.length;
    }
  }

  /** Saves the state (already serialised) in the transaction: the state table, or the replace run. */
  private async saveState(connection: DuckDBConnection, stateJson: string): Promise<void> {
    const { schema, spec, mode, staging } = this.options;
    if (mode === 'replace') await setReplaceRunState(connection, schema, requireStaging(staging), stateJson);
    else await upsertState(connection, schema, stateKeyOf(spec), stateJson);
  }

  /** Inside a parent's transaction: the parents' stored links go, the batch's rows come. */
  private async replaceLinksInto(transaction: WriterTransaction, link: LinkBatch, signal?: AbortSignal) {
    const { schema, mode, staging, target, columns, freshKeys } = this.options;
    transaction.tables.add(this.table);
    // Parents this writer never replaced the links of, in a table it saw empty, have none stored.
    let noneStored = false;
    if (freshKeys !== undefined) {
      const parents = link.parents.map((parent) => rowKey(parent, link.parentKey));
      noneStored = freshKeys.admitParents(parents);
      // A link row's parent is normally among the batch's parents; should one not be, it is still
      // remembered, so that replacing that parent's links later deletes the row.
      const listed = new Set(parents);
      const unlisted = link.rows
        .map((row) => rowKey(row, link.parentKey))
        .filter((parent) => !listed.has(parent));
      freshKeys.noteParents(unlisted);
    }
    if (mode !== 'append' && link.parents.length > 0 && !noneStored) {
      const table = qualifiedName(schema, mode === 'replace' ? requireStaging(staging) : target);
      const physical = new Map(columns.map((column) => [column.logical, column.physical]));
      const conditions = link.parents.map((parent) => {
        const parts = link.parentKey.map((name) => {
          const column = physical.get(name);
          if (column === undefined) throw new Error(`the link table has no parent column "${name}"`);
          const value = parent[name];
          if (value === null || value === undefined) return `${quoteIdentifier(column)} IS NULL`;
          const literal =
            typeof value === 'number' && Number.isFinite(value) ? String(value) : quoteLiteral(String(value));
          return `${quoteIdentifier(column)} = ${literal}`;
        });
        return `(${parts.join(' AND ')})`;
      });
      // The links staged earlier in this transaction are stored links too.
      transaction.flush(this);
      for (let i = 0; i < conditions.length; i += 500) {
        signal?.throwIfAborted();
        await transaction.connection.run(
          `DELETE FROM ${table} WHERE ${conditions.slice(i, i + 500).join(' OR ')}`,
        );
      }
    }
    if (link.rows.length > 0) await this.loadInto(transaction, link.rows, signal);
  }

  /**
   * The Appender of this writer's table in `transaction`, opened at first use; undefined when rows
   * must go through the landing table (a column needs converting, or the table changed since
   * prepare: another writer evolved it).
   */
  private async appenderIn(transaction: WriterTransaction): Promise<OpenAppender | undefined> {
    if (transaction.viaLanding.has(this)) return undefined;
    const open = transaction.appenders.get(this);
    if (open !== undefined) return open;
    const layout = this.directLayout;
    if (layout !== undefined) {
      const { schema, mode, staging, target } = this.options;
      const table = mode === 'replace' ? requireStaging(staging) : target;
      const appender = await transaction.connection.createAppender(table, schema.schema, schema.catalog);
      if (appenderFits(appender, layout)) {
        const created: OpenAppender = { appender, layout, buffered: 0 };
        transaction.appenders.set(this, created);
        return created;
      }
      appender.closeSync();
    }
    transaction.viaLanding.add(this);
    return undefined;
  }

  /** Creates this writer's landing table on the transaction's connection, once per transaction. */
  private async landingIn(transaction: WriterTransaction): Promise<void> {
    if (transaction.landings.has(this)) return;
    await transaction.connection.run(
      `CREATE TEMP TABLE IF NOT EXISTS ${quoteIdentifier(this.options.landing)} (${this.options.landingColumns})`,
    );
    transaction.landings.add(this);
  }

  private async loadInto(
    transaction: WriterTransaction,
    rows: readonly Row[],
    signal?: AbortSignal,
  ): Promise<void> {
    const { spec, mode, landing, freshKeys } = this.options;
    const { connection } = transaction;
    transaction.tables.add(this.table);
    const merged = mode === 'merge' ? lastRowPerKeyWithKeys(rows, spec.primaryKey) : undefined;
    const batch = merged?.rows ?? rows;
    // A merge of keys none of which the table can hold yet is an append: no DELETE to run.
    const mergeDeleteSql =
      merged !== undefined && freshKeys?.admitRows(merged.keys) === true ? undefined : this.mergeDeleteSql;
    const open = await this.appenderIn(transaction);
    if (open !== undefined) {
      if (mergeDeleteSql !== undefined) {
        // Delete the rows the page replaces (found by its keys, landed alone; the rows staged
        // earlier in the transaction included), then append the page.
        transaction.flush(this);
        await this.landingIn(transaction);
        appendThrough(
          await connection.createAppender(landing, 'main', 'temp'),
          this.keyLayout,
          batch,
          signal,
        );
        await connection.run(mergeDeleteSql);
        await connection.run(`DELETE FROM ${temporaryTableName(landing)}`);
      }
      appendRows(open.appender, open.layout, batch, signal);
      open.buffered += batch.length;
      if (open.buffered >= APPENDER_FLUSH_ROWS) transaction.flush(this);
      return;
    }
    await this.landingIn(transaction);
    appendThrough(await connection.createAppender(landing, 'main', 'temp'), spec.columns, batch, signal);
    if (mergeDeleteSql !== undefined) await connection.run(mergeDeleteSql);
    await connection.run(this.insertSql);
    await connection.run(`DELETE FROM ${temporaryTableName(landing)}`);
  }

  async delete(
    deletions: Deletion[],
    options: DeleteOptions,
    state: unknown | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    this.assertOpen('delete');
    const { schema, mode, staging, target, columns } = this.options;
    const table = qualifiedName(schema, mode === 'replace' ? requireStaging(staging) : target);
    const physical = new Map(columns.map((column) => [column.logical, column.physical]));
    let stateJson: string | undefined;
    let conditions: string[];
    try {
      stateJson = state === undefined ? undefined : serialiseState(state);
      conditions = deletions.map(({ match }) => {
        const parts = Object.entries(match).map(([column, value]) => {
          const name = physical.get(column);
          if (name === undefined)
            throw new Error(`cannot delete by "${column}": the table has no such column`);
          if (value === null || value === undefined) return `${quoteIdentifier(name)} IS NULL`;
          const literal =
            typeof value === 'number' && Number.isFinite(value) ? String(value) : quoteLiteral(String(value));
          return `${quoteIdentifier(name)} = ${literal}`;
        });
        if (parts.length === 0) throw new Error('a delete match names no column');
        return `(${parts.join(' AND ')})`;
      });
    } catch (error) {
      throw this.wrap('delete', error, signal);
    }
    // A soft delete may add a column: the rows staged so far are committed first, on their own.
    await this.commitStaged('delete', signal);
    await this.inTransaction('delete', signal, async (transaction) => {
      const { connection } = transaction;
      if (!options.hard && conditions.length > 0) {
        await connection.run(
          `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(physical.get(DELETED_AT) ?? DELETED_AT)} TIMESTAMPTZ`,
        );
      }
      const column = quoteIdentifier(physical.get(DELETED_AT) ?? DELETED_AT);
      for (let i = 0; i < conditions.length; i += 500) {
        signal?.throwIfAborted();
        const chunk = conditions.slice(i, i + 500);
        const where = chunk.join(' OR ');
        if (options.hard) {
          await connection.run(`DELETE FROM ${table} WHERE ${where}`);
          continue;
        }
        const cases = chunk
          .map(
            (condition, k) =>
              `WHEN ${condition} THEN CAST(${quoteLiteral((deletions[i + k] as Deletion).at.toISOString())} AS TIMESTAMPTZ)`,
          )
          .join(' ');
        await connection.run(
          `UPDATE ${table} SET ${column} = CASE ${cases} END WHERE (${where}) AND ${column} IS NULL`,
        );
      }
      if (stateJson !== undefined) await this.saveState(connection, stateJson);
      await this.commitTransaction(transaction, signal);
    });
  }

  async finish(state: unknown | undefined, signal?: AbortSignal, options?: FinishOptions): Promise<void> {
    this.assertOpen('finish');
    const { mode } = this.options;
    let stateJson: string | undefined;
    try {
      stateJson = state === undefined ? undefined : serialiseState(state);
    } catch (error) {
      throw this.wrap('finish', error, signal);
    }
    if (mode === 'replace') {
      // The staged rows go into the staging table first; the swap is a transaction of its own.
      await this.commitStaged('finish', signal);
      await this.inTransaction('finish', signal, async (transaction) => {
        await this.swapIn(transaction.connection, stateJson, options);
        await this.commitTransaction(transaction, signal);
      });
    } else if (stateJson !== undefined || this.transaction !== undefined) {
      await this.inTransaction('finish', signal, (transaction) =>
        this.commitTransaction(transaction, signal, async (connection) => {
          if (stateJson !== undefined) await this.saveState(connection, stateJson);
        }),
      );
    } else {
      signal?.throwIfAborted();
    }
    this.status = 'finished';
    await this.release();
  }

  /** Replace: the old table goes, the staging table takes its name, the state is committed. */
  private async swapIn(
    connection: DuckDBConnection,
    stateJson: string | undefined,
    options: FinishOptions | undefined,
  ): Promise<void> {
    const { schema, spec, target, staging } = this.options;
    const stagingTable = requireStaging(staging);
    const run = await readReplaceRunState(connection, schema, stagingTable);
    if (run === null)
      throw new Error(`the staging table ${quoteIdentifier(stagingTable)} of this run is gone`);
    // Several workspaces share the table: only this run's partition is replaced.
    if (spec.partition !== undefined)
      await copyOtherPartitions(connection, schema, target, stagingTable, spec.partition);
    if (options?.softDeleteAt !== undefined) {
      // Soft deletes: the rows that disappeared stay, marked, instead of going with the old table.
      await carryDeletedRows(
        connection,
        schema,
        target,
        stagingTable,
        spec.primaryKey,
        options.softDeleteAt,
        spec.partition,
      );
    }
    await connection.run(`DROP TABLE IF EXISTS ${qualifiedName(schema, target)}`);
    await connection.run(
      `ALTER TABLE ${qualifiedName(schema, stagingTable)} RENAME TO ${quoteIdentifier(target)}`,
    );
    if (target !== spec.table) {
      await connection.run(
        `COMMENT ON TABLE ${qualifiedName(schema, target)} IS ${quoteLiteral(logicalNameComment(spec.table))}`,
      );
    }
    await deleteReplaceRun(connection, schema, stagingTable);
    const finalState = stateJson ?? run.stateJson;
    if (finalState !== undefined) await upsertState(connection, schema, stateKeyOf(spec), finalState);
  }

  /** Reconciliation against a full listing of ids (merge and append tables; see soft-deletes.ts). */
  async reconcile(idColumn: string, signal?: AbortSignal): Promise<IdReconciliation> {
    this.assertOpen('reconcile');
    const { session, schema, spec, mode, target } = this.options;
    if (mode === 'replace') throw this.wrap('reconcile', new Error('a replace writer cannot reconcile'));
    // The comparison runs on the destination's connection and sees only committed rows.
    await this.commitStaged('reconcile', signal);
    try {
      return await DuckDbIdReconciliation.start(
        session,
        schema,
        target,
        idColumn,
        spec.partition,
        (connection, state) => upsertState(connection, schema, stateKeyOf(spec), serialiseState(state)),
        signal,
      );
    } catch (error) {
      throw this.wrap('reconcile', error, signal);
    }
  }

  async abort(): Promise<void> {
    if (this.status !== 'open') return;
    this.status = 'aborted';
    const { mode, staging, schema } = this.options;
    try {
      await this.queue.run(async () => {
        const transaction = this.transaction;
        if (transaction !== undefined) await this.rollback(transaction);
        // Aborting is what a failed writer is for: its staged rows are gone either way.
        this.failure = undefined;
      });
      if (mode === 'replace') {
        const stagingTable = requireStaging(staging);
        await this.inTransaction('abort', undefined, async (transaction) => {
          await transaction.connection.run(`DROP TABLE IF EXISTS ${qualifiedName(schema, stagingTable)}`);
          await deleteReplaceRun(transaction.connection, schema, stagingTable);
          await this.commitTransaction(transaction);
        });
      }
    } catch (error) {
      throw this.wrap('abort', error);
    } finally {
      await this.release();
    }
  }

  /** Closes this writer's connection (its landing table goes with it). */
  private async release(): Promise<void> {
    this.options.onDone();
    const opening = this.connection;
    this.connection = undefined;
    if (opening === undefined) return;
    await this.queue.drain();
    try {
      (await opening).closeSync();
    } catch {
      // It never opened, or is closed already.
    }
  }
}
