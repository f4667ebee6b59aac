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

export interface DuckDbStreamWriterOptions {
  session: DuckDbSession;
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
  /** Connection-local temporary table the appender loads, columns `c0…cN` of the spec's types. */
  landing: string;
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
    discard(appender);
    throw error;
  }
}

/** Drops what `appender` holds and closes it, quietly (the caller is already failing). */
function discard(appender: DuckDBAppender): void {
  try {
    appender.clear();
    appender.closeSync();
  } catch {
    // The transaction is rolled back anyway, taking whatever was flushed with it.
  }
}

function requireStaging(staging: string | undefined): string {
  if (staging === undefined) throw new Error('A replace writer needs a staging table');
  return staging;
}

/**
 * A stream's writer. Every commit is one transaction on the destination's connection:
 *
 *   BEGIN
 *   append, replace: the Appender writes the rows straight into the target (append) or the
 *            staging table (replace), when no column needs converting; otherwise as for merge:
 *   merge, when no column needs converting: the batch is reduced to the last row of each key; its
 *            keys alone go into the connection-local landing table; DELETE FROM target USING
 *            landing WHERE the key matches; DELETE FROM landing; the Appender writes the rows
 *            straight into the target
 *   merge, otherwise: the Appender writes the batch, reduced to the last row of each key, into a
 *            connection-local landing table; DELETE FROM target USING landing WHERE the key
 *            matches; INSERT INTO target SELECT … FROM landing (casting widened columns);
 *            DELETE FROM landing
 *   upsert the state row (replace: keep it with the run, for finish to commit)
 *   COMMIT
 *
 * A merge's DELETE (and a link replacement's) is skipped when the writer knows none of the keys
 * can be stored yet: it saw its table empty, is its only writer, and never wrote them (`freshKeys`,
 * see key-filter.ts). That turns a first sync's merges into appends instead of whole-table scans.
 *
 * so the rows and the state become visible together, or (on any error or abort) not at all.
 */
export class DuckDbStreamWriter implements StreamWriter {
  private status: Status = 'open';
  private readonly insertSql: string;
  private readonly mergeDeleteSql: string | undefined;
  /** The table's columns as the Appender sees them, when rows can go straight into it. */
  private readonly directLayout: (ColumnSpec | null)[] | undefined;
  /** The landing table's columns with only the primary key's filled (the others left NULL). */
  private readonly keyLayout: (ColumnSpec | null)[];

  constructor(private readonly options: DuckDbStreamWriterOptions) {
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
    if (this.status !== 'open') {
      throw this.wrap(
        operation,
        new Error(`the writer has already ${this.status === 'finished' ? 'finished' : 'aborted'}`),
      );
    }
  }

  async commit(rows: Row[], state: unknown | undefined, signal?: AbortSignal): Promise<void> {
    this.assertOpen('commit');
    const { session, schema, spec, mode, staging } = this.options;
    try {
      const stateJson = state === undefined ? undefined : serialiseState(state);
      // Rows not written through a link replacement: which parents have links is no longer known.
      if (rows.length > 0) this.options.freshKeys?.forgetParents();
      await session.transaction(async (connection) => {
        if (rows.length > 0) await this.load(connection, rows, signal);
        if (stateJson === undefined) return;
        if (mode === 'replace')
          await setReplaceRunState(connection, schema, requireStaging(staging), stateJson);
        else await upsertState(connection, schema, stateKeyOf(spec), stateJson);
      }, signal);
    } catch (error) {
      throw this.wrap('commit', error, signal);
    }
  }

  /**
   * `commit`, plus each link table's rows and state, in one transaction (see `LinkBatch`). Every
   * link writer must be a DuckDB writer of this destination (the same connection).
   */
  async commitWithLinks(
    rows: Row[],
    state: unknown | undefined,
    links: LinkBatch[],
    signal?: AbortSignal,
  ): Promise<void> {
    this.assertOpen('commit');
    const { session, schema, spec, mode, staging } = this.options;
    try {
      const linkWriters = links.map((link) => {
        const writer = link.writer;
        if (!(writer instanceof DuckDbStreamWriter) || writer.options.session !== session)
          throw new Error('a link batch needs a writer of the same DuckDB destination');
        writer.assertOpen('commit');
        return writer;
      });
      const stateJson = state === undefined ? undefined : serialiseState(state);
      if (rows.length > 0) this.options.freshKeys?.forgetParents();
      await session.transaction(async (connection) => {
        if (rows.length > 0) await this.load(connection, rows, signal);
        if (stateJson !== undefined) {
          if (mode === 'replace')
            await setReplaceRunState(connection, schema, requireStaging(staging), stateJson);
          else await upsertState(connection, schema, stateKeyOf(spec), stateJson);
        }
        for (const [index, link] of links.entries())
          await (linkWriters[index] as DuckDbStreamWriter).replaceLinks(connection, link, signal);
      }, signal);
    } catch (error) {
      throw this.wrap('commit', error, signal);
    }
  }

  /** Inside a parent's transaction: the parents' stored links go, the batch's rows and state come. */
  private async replaceLinks(connection: DuckDBConnection, link: LinkBatch, signal?: AbortSignal) {
    const { schema, spec, mode, staging, target, columns, freshKeys } = this.options;
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
      for (let i = 0; i < conditions.length; i += 500) {
        signal?.throwIfAborted();
        await connection.run(`DELETE FROM ${table} WHERE ${conditions.slice(i, i + 500).join(' OR ')}`);
      }
    }
    if (link.rows.length > 0) await this.load(connection, link.rows, signal);
    if (link.state === undefined) return;
    const stateJson = serialiseState(link.state);
    if (mode === 'replace') await setReplaceRunState(connection, schema, requireStaging(staging), stateJson);
    else await upsertState(connection, schema, stateKeyOf(spec), stateJson);
  }

  private async load(
    connection: DuckDBConnection,
    rows: readonly Row[],
    signal?: AbortSignal,
  ): Promise<void> {
    const { spec, mode, landing, schema, target, staging, freshKeys } = this.options;
    const merged = mode === 'merge' ? lastRowPerKeyWithKeys(rows, spec.primaryKey) : undefined;
    const batch = merged?.rows ?? rows;
    // A merge of keys none of which the table can hold yet is an append: no DELETE to run.
    const mergeDeleteSql =
      merged !== undefined && freshKeys?.admitRows(merged.keys) === true ? undefined : this.mergeDeleteSql;
    let direct = this.directLayout;
    let appender: DuckDBAppender | undefined;
    if (direct !== undefined) {
      const table = mode === 'replace' ? requireStaging(staging) : target;
      appender = await connection.createAppender(table, schema.schema, schema.catalog);
      if (!appenderFits(appender, direct)) {
        // The table changed since prepare (another writer evolved it): go through the landing table.
        appender.closeSync();
        appender = undefined;
        direct = undefined;
      }
    }
    if (appender !== undefined && direct !== undefined) {
      if (mergeDeleteSql !== undefined) {
        // Merge straight into the table: first delete the rows the batch replaces (found by the keys,
        // landed alone), then append the batch. Every column is copied once, by the Appender.
        try {
          const keys = await connection.createAppender(landing, 'main', 'temp');
          appendThrough(keys, this.keyLayout, batch, signal);
          await connection.run(mergeDeleteSql);
          await connection.run(`DELETE FROM ${temporaryTableName(landing)}`);
        } catch (error) {
          discard(appender);
          throw error;
        }
      }
      appendThrough(appender, direct, batch, signal);
      return;
    }
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
    const { session, schema, spec, mode, staging, target, columns } = this.options;
    const table = qualifiedName(schema, mode === 'replace' ? requireStaging(staging) : target);
    const physical = new Map(columns.map((column) => [column.logical, column.physical]));
    try {
      const stateJson = state === undefined ? undefined : serialiseState(state);
      const conditions = deletions.map(({ match }) => {
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
      await session.transaction(async (connection) => {
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
        if (stateJson === undefined) return;
        if (mode === 'replace')
          await setReplaceRunState(connection, schema, requireStaging(staging), stateJson);
        else await upsertState(connection, schema, stateKeyOf(spec), stateJson);
      }, signal);
    } catch (error) {
      throw this.wrap('delete', error, signal);
    }
  }

  async finish(state: unknown | undefined, signal?: AbortSignal, options?: FinishOptions): Promise<void> {
    this.assertOpen('finish');
    const { session, schema, spec, mode } = this.options;
    try {
      const stateJson = state === undefined ? undefined : serialiseState(state);
      if (mode === 'replace') {
        await session.transaction((connection) => this.swapIn(connection, stateJson, options), signal);
      } else if (stateJson !== undefined) {
        await session.transaction(
          (connection) => upsertState(connection, schema, stateKeyOf(spec), stateJson),
          signal,
        );
      } else {
        signal?.throwIfAborted();
      }
    } catch (error) {
      throw this.wrap('finish', error, signal);
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
    const { session, schema, mode, staging } = this.options;
    try {
      if (mode === 'replace') {
        const stagingTable = requireStaging(staging);
        await session.transaction(async (connection) => {
          await connection.run(`DROP TABLE IF EXISTS ${qualifiedName(schema, stagingTable)}`);
          await deleteReplaceRun(connection, schema, stagingTable);
        });
      }
    } catch (error) {
      throw this.wrap('abort', error);
    } finally {
      await this.release();
    }
  }

  /** Drops the landing table; best effort (it is connection-local and vanishes with the connection). */
  private async release(): Promise<void> {
    this.options.onDone();
    try {
      await this.options.session.exclusive((connection) =>
        connection.run(`DROP TABLE IF EXISTS ${temporaryTableName(this.options.landing)}`),
      );
    } catch {
      // Closed meanwhile: the temporary table went with the connection.
    }
  }
}
