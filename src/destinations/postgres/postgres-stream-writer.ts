import {
  type ColumnType,
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
import { type CatalogColumn, hasUniqueKey, listColumns } from './catalog.js';
import type { PlannedColumn } from './column-plan.js';
import { encodeCopyBinary, FORMATTERS, lastRowPerKey } from './copy-encoding.js';
import { RecordedChunks } from './copy-loader.js';
import { type ConnectionTarget, errorCode, wrapPostgresError } from './errors.js';
import { lockSchemaChanges } from './locks.js';
import { copyOtherPartitions } from './partitions.js';
import { allocatePhysicalName, LANDING_TABLE, logicalNameComment, SYSTEM_COLUMNS } from './physical-names.js';
import type { PostgresSession, Transaction } from './session.js';
import { carryDeletedRows, PostgresIdReconciliation } from './soft-deletes.js';
import {
  logicalTypeOf,
  postgresType,
  qualifiedName,
  quoteIdentifier,
  quoteLiteral,
  storeExpression,
} from './sql.js';
import {
  deleteReplaceRun,
  readReplaceRunState,
  replaceRunGone,
  serialiseState,
  setReplaceRunState,
  upsertState,
} from './state-store.js';
import { commentTable } from './table-ddl.js';

export interface PostgresStreamWriterOptions {
  session: PostgresSession;
  /** For error messages. */
  description: string;
  connection: ConnectionTarget;
  schema: string;
  spec: TableSpec;
  mode: WriteMode;
  /** The spec's columns, in spec order, with their physical names. */
  columns: readonly PlannedColumn[];
  /**
   * Physical names of the key to upsert on (merge, and replace of a keyed stream: the staging table
   * has the primary key); empty to insert every row as it comes (append, keyless replace).
   */
  upsertKey: readonly string[];
  /** Physical name of the stream's table. */
  target: string;
  /** Replace mode: the per-run staging table that `finish` swaps in. */
  staging: string | undefined;
  /** Called once the writer has finished or aborted. */
  onDone: () => void;
}

type Status = 'open' | 'finished' | 'aborted';

/** Deletions per DELETE or UPDATE statement (each costs a parameter or two per match column). */
const DELETIONS_PER_STATEMENT = 500;
const LANDING = `pg_temp.${quoteIdentifier(LANDING_TABLE)}`;
/** The savepoint an optimistic COPY into the table runs under (see `load`). */
const DIRECT_SAVEPOINT = '_intercom_sync_direct';
/** unique_violation */
const UNIQUE_VIOLATION = '23505';

function requireStaging(staging: string | undefined): string {
  if (staging === undefined) throw new Error('A replace writer needs a staging table');
  return staging;
}

/** A deletion's match value as the text of its column's value type. */
function formatMatchValue(column: string, value: unknown, type: ColumnType): string {
  try {
    return (FORMATTERS[type] as (value: unknown) => string)(value);
  } catch (error) {
    if (type === 'string' && (typeof value === 'number' || typeof value === 'bigint')) return String(value);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot delete by ${JSON.stringify(column)}: ${reason}`);
  }
}

/**
 * A stream's writer. Every commit is one transaction on a pooled connection of its own:
 *
 *   BEGIN
 *   LOCK the written table (target, or the staging table for replace) IN ROW EXCLUSIVE MODE, and
 *     read its columns (so a commit also works after another writer widened the table)
 *   the rows, streamed in COPY's binary format, either
 *   - directly: COPY table (columns) FROM STDIN, when every column of the table has its values'
 *     type (nothing to convert) and either rows are only inserted (append, keyless replace) or
 *     the table has a unique index on the key, every row has a key, and no commit of this writer
 *     has met a stored key yet. Merge then copies the batch as it is under a savepoint: should a
 *     key be stored already, or repeat within the batch, the index refuses the row
 *     (unique_violation), the savepoint is rolled back and the rows go the way below (which this
 *     writer keeps to from then on). A batch of new, distinct keys thus costs one COPY, with the
 *     result the upsert would have had;
 *   - or through a landing table (merge: only the last row of each key): CREATE TEMP TABLE
 *     _intercom_sync_landing (c0 … cN, of the spec's types) ON COMMIT DROP, COPY into it, then
 *     append, keyless replace: INSERT INTO table SELECT … FROM landing (converting widened columns)
 *     merge, keyed replace:    the same, ON CONFLICT (key) DO UPDATE SET every other column
 *   upsert the state row (replace: keep it with the run, for finish to commit)
 *   COMMIT
 *
 * so the rows and the state become visible together, or (on any error or abort) not at all.
 */
export class PostgresStreamWriter implements StreamWriter {
  private status: Status = 'open';
  /** The INSERT for the table's columns as last seen, by their signature. */
  private insert: { signature: string; sql: string; direct: boolean } | undefined;
  private readonly createLandingSql: string;
  private readonly copySql: string;
  /** COPY straight into the written table, its columns named. */
  private readonly directCopySql: string;
  /** Whether a merge commit first tries the direct COPY (until one meets a stored key). */
  private optimistic = true;

  constructor(private readonly options: PostgresStreamWriterOptions) {
    const landingColumns = options.columns.map(
      (column, index) => `c${index} ${postgresType(column.valueType)}`,
    );
    this.createLandingSql = `CREATE TEMP TABLE ${quoteIdentifier(LANDING_TABLE)} (${landingColumns.join(', ')}) ON COMMIT DROP`;
    this.copySql = `COPY ${LANDING} FROM STDIN (FORMAT binary)`;
    const names = options.columns.map((column) => quoteIdentifier(column.physical));
    this.directCopySql = `COPY ${qualifiedName(options.schema, this.written)} (${names.join(', ')}) FROM STDIN (FORMAT binary)`;
  }

  /** Physical name of the table this writer writes: the target, or the staging table for replace. */
  private get written(): string {
    const { mode, staging, target } = this.options;
    return mode === 'replace' ? requireStaging(staging) : target;
  }

  private get tableForMessages(): string {
    const { schema, spec, staging, mode } = this.options;
    const table = qualifiedName(schema, spec.table);
    return mode === 'replace' ? `${table} (staging ${quoteIdentifier(requireStaging(staging))})` : table;
  }

  /** Names the stream and table in the error; an abort's reason is passed through untouched. */
  private wrap(operation: string, error: unknown, signal?: AbortSignal): unknown {
    if (signal?.aborted && error === signal.reason) return error;
    return wrapPostgresError(
      error,
      {
        operation,
        destination: this.options.description,
        stream: this.options.spec.stream,
        table: this.tableForMessages,
      },
      this.options.connection,
    );
  }

  private assertOpen(operation: string): void {
    if (this.status !== 'open') {
      throw this.wrap(
        operation,
        new Error(`the writer has already ${this.status === 'finished' ? 'finished' : 'aborted'}`),
      );
    }
  }

  /** Writes the state with the rows: to the state table, or for replace, to the run (for finish). */
  private async saveState(transaction: Transaction, stateJson: string | undefined): Promise<void> {
    if (stateJson === undefined) return;
    const { schema, spec, mode, staging } = this.options;
    if (mode === 'replace') await setReplaceRunState(transaction, schema, requireStaging(staging), stateJson);
    else await upsertState(transaction, schema, stateKeyOf(spec), stateJson);
  }

  async commit(rows: Row[], state: unknown | undefined, signal?: AbortSignal): Promise<void> {
    this.assertOpen('commit');
    const { session } = this.options;
    try {
      const stateJson = state === undefined ? undefined : serialiseState(state);
      await session.transaction(async (transaction) => {
        if (rows.length > 0) await this.load(transaction, rows);
        await this.saveState(transaction, stateJson);
      }, signal);
    } catch (error) {
      throw this.wrap('commit', error, signal);
    }
  }

  /**
   * `commit`, plus each link table's rows and state, in one transaction (see `LinkBatch`). Every
   * link writer must be a Postgres writer of this destination (the same session).
   */
  async commitWithLinks(
    rows: Row[],
    state: unknown | undefined,
    links: LinkBatch[],
    signal?: AbortSignal,
  ): Promise<void> {
    this.assertOpen('commit');
    const { session } = this.options;
    try {
      const linkWriters = links.map((link) => {
        const writer = link.writer;
        if (!(writer instanceof PostgresStreamWriter) || writer.options.session !== session)
          throw new Error('a link batch needs a writer of the same Postgres destination');
        writer.assertOpen('commit');
        return writer;
      });
      const stateJson = state === undefined ? undefined : serialiseState(state);
      await session.transaction(async (transaction) => {
        if (rows.length > 0) {
          await this.load(transaction, rows);
          // The landing table is dropped at COMMIT; the next load of this transaction creates it again.
          await transaction.query(`DROP TABLE IF EXISTS ${LANDING}`);
        }
        await this.saveState(transaction, stateJson);
        for (const [index, link] of links.entries())
          await (linkWriters[index] as PostgresStreamWriter).replaceLinks(transaction, link);
      }, signal);
    } catch (error) {
      throw this.wrap('commit', error, signal);
    }
  }

  /** Inside a parent's transaction: the parents' stored links go, the batch's rows and state come. */
  private async replaceLinks(transaction: Transaction, link: LinkBatch): Promise<void> {
    const { schema, mode } = this.options;
    if (mode !== 'append' && link.parents.length > 0) {
      const table = qualifiedName(schema, this.written);
      const columns = new Map(
        (await listColumns(transaction, schema, this.written)).map((column) => [column.logical, column]),
      );
      const arrays: (string | null)[][] = link.parentKey.map(() => []);
      const conditions = link.parentKey.map((name, index) => {
        const column = columns.get(name);
        if (column === undefined) throw new Error(`the link table has no parent column "${name}"`);
        return `t.${quoteIdentifier(column.physical)} = CAST(p.k${index} AS ${column.sqlType})`;
      });
      for (const parent of link.parents) {
        link.parentKey.forEach((name, index) => {
          const value = parent[name];
          (arrays[index] as (string | null)[]).push(
            value === null || value === undefined
              ? null
              : value instanceof Date
                ? value.toISOString()
                : String(value),
          );
        });
      }
      const unnest = link.parentKey.map((_, index) => `$${index + 1}::text[]`).join(', ');
      const aliases = link.parentKey.map((_, index) => `k${index}`).join(', ');
      await transaction.query(
        `DELETE FROM ${table} AS t USING unnest(${unnest}) AS p(${aliases}) WHERE ${conditions.join(' AND ')}`,
        arrays,
      );
    }
    if (link.rows.length > 0) {
      await this.load(transaction, link.rows);
      await transaction.query(`DROP TABLE IF EXISTS ${LANDING}`);
    }
    await this.saveState(transaction, link.state === undefined ? undefined : serialiseState(link.state));
  }

  /**
   * Whether a row lacks a key value: a unique index lets such rows repeat, where the upsert keeps
   * only the last of them (see `lastRowPerKey`), so they are not copied straight in.
   */
  private hasNullKey(rows: readonly Row[]): boolean {
    const key = this.options.spec.primaryKey;
    for (const row of rows) {
      for (const name of key) {
        const value = row[name];
        if (value === null || value === undefined) return true;
      }
    }
    return false;
  }

  /** When upserting, only the last row of each key in `rows` (ON CONFLICT cannot touch a row twice). */
  private lastRowPerKey(rows: readonly Row[]): readonly Row[] {
    const { spec, columns, upsertKey } = this.options;
    if (upsertKey.length === 0 || rows.length < 2) return rows;
    const keyColumns = spec.primaryKey.map((name) => ({
      name,
      type: (columns.find((column) => column.logical === name) as PlannedColumn).valueType,
    }));
    return lastRowPerKey(rows, keyColumns);
  }

  /** Loads `rows` (merge: the last row of each key) into the written table, inside `transaction`. */
  private async load(transaction: Transaction, rows: readonly Row[]): Promise<void> {
    const { schema, spec, upsertKey } = this.options;
    const table = qualifiedName(schema, this.written);
    await transaction.query(`LOCK TABLE ${table} IN ROW EXCLUSIVE MODE`);
    const insert = this.insertSql(await listColumns(transaction, schema, this.written));
    if (insert.direct && upsertKey.length === 0) {
      await transaction.copy(this.directCopySql, encodeCopyBinary(rows, spec.columns));
      return;
    }
    let chunks: Iterator<Uint8Array, void, undefined>;
    // The lock taken above keeps the index (DROP INDEX needs an ACCESS EXCLUSIVE lock) until COMMIT.
    if (
      insert.direct &&
      this.optimistic &&
      !this.hasNullKey(rows) &&
      (await hasUniqueKey(transaction, schema, this.written, upsertKey))
    ) {
      // Not deduplicated first: a key repeated within the batch is refused by the index as well.
      const recorded = new RecordedChunks(encodeCopyBinary(rows, spec.columns));
      await transaction.query(`SAVEPOINT ${DIRECT_SAVEPOINT}`);
      try {
        await transaction.copy(this.directCopySql, recorded.iterate());
        await transaction.query(`RELEASE SAVEPOINT ${DIRECT_SAVEPOINT}`);
        return;
      } catch (error) {
        if (errorCode(error) !== UNIQUE_VIOLATION) throw error;
      }
      // A key is already stored or repeats within the batch (or another unique index refused a
      // row, which the upsert below reports in turn): the rows are upserted, the encoded ones
      // sent again unless keeping the last row of each key dropped some.
      await transaction.query(`ROLLBACK TO SAVEPOINT ${DIRECT_SAVEPOINT}`);
      this.optimistic = false;
      const batch = this.lastRowPerKey(rows);
      chunks = batch === rows ? recorded.iterate() : encodeCopyBinary(batch, spec.columns);
    } else {
      chunks = encodeCopyBinary(this.lastRowPerKey(rows), spec.columns);
    }
    await transaction.query(this.createLandingSql);
    await transaction.copy(this.copySql, chunks);
    await transaction.query(insert.sql);
  }

  /**
   * The INSERT … SELECT from the landing table into the written table, as its columns now are, and
   * whether the rows can be copied into the table as they are (every column of its values' type).
   */
  private insertSql(tableColumns: readonly CatalogColumn[]): { sql: string; direct: boolean } {
    const signature = JSON.stringify(tableColumns.map((column) => [column.physical, column.sqlType]));
    if (this.insert?.signature === signature) return this.insert;
    const { schema, columns, upsertKey } = this.options;
    const byPhysical = new Map(tableColumns.map((column) => [column.physical, column]));
    let direct = true;
    const values = columns.map((column, index) => {
      const current = byPhysical.get(column.physical);
      if (current === undefined) {
        throw new Error(`column ${JSON.stringify(column.logical)} is no longer in the table`);
      }
      if (current.sqlType !== postgresType(column.valueType)) direct = false;
      return storeExpression(`landed.c${index}`, column.valueType, current.sqlType);
    });
    const names = columns.map((column) => quoteIdentifier(column.physical));
    let sql = `INSERT INTO ${qualifiedName(schema, this.written)} (${names.join(', ')}) SELECT ${values.join(', ')} FROM ${LANDING} AS landed`;
    if (upsertKey.length > 0) {
      const keys = new Set(upsertKey);
      const loaded = new Set(columns.map((column) => column.physical));
      // The row replaces the stored one whole: columns the spec leaves out go back to their default.
      const updates = tableColumns
        .filter((column) => !keys.has(column.physical))
        .map((column) => {
          const name = quoteIdentifier(column.physical);
          return loaded.has(column.physical) ? `${name} = excluded.${name}` : `${name} = DEFAULT`;
        });
      const conflict = `ON CONFLICT (${upsertKey.map(quoteIdentifier).join(', ')})`;
      sql +=
        updates.length === 0 ? ` ${conflict} DO NOTHING` : ` ${conflict} DO UPDATE SET ${updates.join(', ')}`;
    }
    this.insert = { signature, sql, direct };
    return this.insert;
  }

  async delete(
    deletions: Deletion[],
    options: DeleteOptions,
    state: unknown | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    this.assertOpen('delete');
    const { session } = this.options;
    try {
      const stateJson = state === undefined ? undefined : serialiseState(state);
      await session.transaction(async (transaction) => {
        if (deletions.length > 0) await this.deleteRows(transaction, deletions, options.hard);
        await this.saveState(transaction, stateJson);
      }, signal);
    } catch (error) {
      throw this.wrap('delete', error, signal);
    }
  }

  private async deleteRows(
    transaction: Transaction,
    deletions: readonly Deletion[],
    hard: boolean,
  ): Promise<void> {
    const { schema, spec } = this.options;
    const table = qualifiedName(schema, this.written);
    let columns = await listColumns(transaction, schema, this.written);
    if (!hard && !columns.some((column) => column.logical === DELETED_AT)) {
      columns = await this.addDeletedAt(transaction);
    }
    const byLogical = new Map(columns.map((column) => [column.logical, column]));
    const specTypes = new Map(spec.columns.map((column) => [column.name, column.type]));
    const deletedAt = byLogical.get(DELETED_AT);

    for (let start = 0; start < deletions.length; start += DELETIONS_PER_STATEMENT) {
      const chunk = deletions.slice(start, start + DELETIONS_PER_STATEMENT);
      const params: string[] = [];
      const conditions = chunk.map(({ match }) => {
        const parts = Object.entries(match).map(([name, value]) => {
          const column = byLogical.get(name);
          if (column === undefined)
            throw new Error(`cannot delete by ${JSON.stringify(name)}: the table has no such column`);
          const physical = quoteIdentifier(column.physical);
          if (value === null || value === undefined) return `${physical} IS NULL`;
          const type = specTypes.get(name) ?? logicalTypeOf(column.sqlType) ?? 'string';
          params.push(formatMatchValue(name, value, type));
          return `${physical} = ${storeExpression(`$${params.length}::${postgresType(type)}`, type, column.sqlType)}`;
        });
        if (parts.length === 0) throw new Error('a delete match names no column');
        return `(${parts.join(' AND ')})`;
      });
      const where = conditions.join(' OR ');
      if (hard || deletedAt === undefined) {
        await transaction.query(`DELETE FROM ${table} WHERE ${where}`, params);
        continue;
      }
      // Soft: the first deletion matching a row (in order) gives its time, as if applied one by one.
      const column = quoteIdentifier(deletedAt.physical);
      const cases = conditions.map((condition, index) => {
        params.push(FORMATTERS.timestamp((chunk[index] as Deletion).at));
        const at = storeExpression(`$${params.length}::timestamptz`, 'timestamp', deletedAt.sqlType);
        return `WHEN ${condition} THEN ${at}`;
      });
      await transaction.query(
        `UPDATE ${table} SET ${column} = CASE ${cases.join(' ')} END WHERE (${where}) AND ${column} IS NULL`,
        params,
      );
    }
  }

  /** Adds the `_deleted_at` column (under the schema lock, unless another writer just did); returns the columns. */
  private async addDeletedAt(transaction: Transaction): Promise<CatalogColumn[]> {
    const { schema } = this.options;
    await lockSchemaChanges(transaction, schema);
    const columns = await listColumns(transaction, schema, this.written);
    if (columns.some((column) => column.logical === DELETED_AT)) return columns;
    const taken = new Set([...SYSTEM_COLUMNS, ...columns.map((column) => column.physical)]);
    const physical = allocatePhysicalName(DELETED_AT, taken);
    const table = qualifiedName(schema, this.written);
    await transaction.query(`ALTER TABLE ${table} ADD COLUMN ${quoteIdentifier(physical)} timestamptz`);
    if (physical !== DELETED_AT) {
      await transaction.query(
        `COMMENT ON COLUMN ${table}.${quoteIdentifier(physical)} IS ${quoteLiteral(logicalNameComment(DELETED_AT))}`,
      );
    }
    return [...columns, { physical, logical: DELETED_AT, sqlType: 'timestamp with time zone' }];
  }

  async finish(state: unknown | undefined, signal?: AbortSignal, options?: FinishOptions): Promise<void> {
    this.assertOpen('finish');
    const { session, schema, spec, mode } = this.options;
    try {
      const stateJson = state === undefined ? undefined : serialiseState(state);
      if (mode === 'replace') {
        await session.transaction((transaction) => this.swapIn(transaction, stateJson, options), signal);
      } else if (stateJson !== undefined) {
        await session.transaction(
          (transaction) => upsertState(transaction, schema, stateKeyOf(spec), stateJson),
          signal,
        );
      } else {
        signal?.throwIfAborted();
      }
    } catch (error) {
      throw this.wrap('finish', error, signal);
    }
    this.status = 'finished';
    this.options.onDone();
  }

  /** Replace: the old table goes, the staging table takes its name, the state is committed. */
  private async swapIn(
    transaction: Transaction,
    stateJson: string | undefined,
    options?: FinishOptions,
  ): Promise<void> {
    const { schema, spec, target } = this.options;
    const staging = requireStaging(this.options.staging);
    await lockSchemaChanges(transaction, schema);
    const run = await readReplaceRunState(transaction, schema, staging);
    if (run === null) throw replaceRunGone(staging);
    // Several workspaces share the table: only this run's partition is replaced.
    if (spec.partition !== undefined)
      await copyOtherPartitions(transaction, schema, target, staging, spec.partition);
    if (options?.softDeleteAt !== undefined) {
      // Soft deletes: the rows that disappeared stay, marked, instead of going with the old table.
      await carryDeletedRows(
        transaction,
        schema,
        target,
        staging,
        spec.primaryKey,
        options.softDeleteAt,
        spec.partition,
      );
    }
    await transaction.query(`DROP TABLE IF EXISTS ${qualifiedName(schema, target)}`);
    await transaction.query(
      `ALTER TABLE ${qualifiedName(schema, staging)} RENAME TO ${quoteIdentifier(target)}`,
    );
    await commentTable(transaction, schema, target, spec.table);
    await deleteReplaceRun(transaction, schema, staging);
    const finalState = stateJson ?? run.stateJson;
    if (finalState !== undefined) await upsertState(transaction, schema, stateKeyOf(spec), finalState);
  }

  /** Reconciliation against a full listing of ids (merge and append tables; see soft-deletes.ts). */
  async reconcile(idColumn: string, signal?: AbortSignal): Promise<IdReconciliation> {
    this.assertOpen('reconcile');
    const { session, schema, spec, mode, target } = this.options;
    if (mode === 'replace') throw this.wrap('reconcile', new Error('a replace writer cannot reconcile'));
    try {
      return await PostgresIdReconciliation.start(
        session,
        schema,
        target,
        stateKeyOf(spec),
        idColumn,
        spec.partition,
        (transaction, state) => upsertState(transaction, schema, stateKeyOf(spec), serialiseState(state)),
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
        await session.transaction(async (transaction) => {
          await transaction.query(`DROP TABLE IF EXISTS ${qualifiedName(schema, stagingTable)}`);
          await deleteReplaceRun(transaction, schema, stagingTable);
        });
      }
    } catch (error) {
      throw this.wrap('abort', error);
    } finally {
      this.options.onDone();
    }
  }
}
