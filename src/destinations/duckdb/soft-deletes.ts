import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DELETED_AT, type IdReconciliation, type ReconcileOptions, type Row } from '../destination.js';
import { type CatalogColumn, INTERNAL_TABLE_PREFIX, listColumns } from './catalog.js';
import type { DuckDbSession } from './duckdb-session.js';
import {
  convertExpression,
  logicalTypeOf,
  qualifiedName,
  quoteIdentifier,
  quoteLiteral,
  type SchemaRef,
  temporaryTableName,
} from './sql.js';

/**
 * Deletes found by comparison rather than reported by Intercom: replace with soft deletes (the old
 * rows the new ones lack are carried into the staging table, marked) and reconciliation (the rows
 * whose id a full listing lacks are marked or removed). Both are anti-joins done in SQL, inside the
 * transaction that commits the stream's state.
 */

/** A literal of `value` compared with column `column` of type `dataType`. */
function literal(value: unknown, dataType: string): string {
  if (value instanceof Date) return `CAST(${quoteLiteral(value.toISOString())} AS TIMESTAMPTZ)`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `CAST(${quoteLiteral(text)} AS ${dataType})`;
}

/**
 * `alias.column = value AND …` for a partition's columns (every row when there is none); a column
 * the table lacks counts as NULL, as the destinations' partitioned replace has it.
 */
export function scopeCondition(
  alias: string,
  columns: readonly CatalogColumn[],
  scope: Row | undefined,
): string {
  const byLogical = new Map(columns.map((column) => [column.logical, column]));
  const parts = Object.entries(scope ?? {}).flatMap(([name, value]) => {
    const column = byLogical.get(name);
    if (column === undefined) return value === null || value === undefined ? [] : ['FALSE'];
    const ref = `${alias}.${quoteIdentifier(column.physical)}`;
    return value === null || value === undefined
      ? [`${ref} IS NULL`]
      : [`${ref} = ${literal(value, column.dataType)}`];
  });
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

/** Adds `_deleted_at` to a table that lacks it; returns its physical name. */
async function ensureDeletedAt(
  connection: DuckDBConnection,
  schema: SchemaRef,
  table: string,
  columns: readonly CatalogColumn[],
): Promise<string> {
  const existing = columns.find((column) => column.logical === DELETED_AT);
  if (existing !== undefined) return existing.physical;
  await connection.run(
    `ALTER TABLE ${qualifiedName(schema, table)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(DELETED_AT)} TIMESTAMPTZ`,
  );
  return DELETED_AT;
}

/**
 * Replace with soft deletes, in the swap's transaction before the old table is dropped: every row of
 * `target` (in scope) whose primary key `staging` lacks is copied into `staging` with `_deleted_at`
 * set to `at` unless it had one. Keyless tables carry nothing (no row can be told apart). Returns
 * the rows carried over.
 */
export async function carryDeletedRows(
  connection: DuckDBConnection,
  schema: SchemaRef,
  target: string,
  staging: string,
  primaryKey: readonly string[],
  at: Date,
  scope: Row | undefined,
): Promise<number> {
  const old = await listColumns(connection, schema, target);
  if (old.length === 0 || primaryKey.length === 0) return 0;
  let fresh = await listColumns(connection, schema, staging);
  const oldByLogical = new Map(old.map((column) => [column.logical, column]));
  const freshByLogical = new Map(fresh.map((column) => [column.logical, column]));
  const keys = primaryKey.map((name) => ({ old: oldByLogical.get(name), fresh: freshByLogical.get(name) }));
  if (keys.some((key) => key.old === undefined || key.fresh === undefined)) return 0;
  const deletedAt = await ensureDeletedAt(connection, schema, staging, fresh);
  fresh = await listColumns(connection, schema, staging);
  const targets: string[] = [];
  const values: string[] = [];
  for (const column of fresh) {
    const before = oldByLogical.get(column.logical);
    const to = logicalTypeOf(column.dataType);
    const value =
      before === undefined
        ? 'NULL'
        : to === undefined
          ? `CAST(old.${quoteIdentifier(before.physical)} AS ${column.dataType})`
          : convertExpression(`old.${quoteIdentifier(before.physical)}`, logicalTypeOf(before.dataType), to);
    targets.push(quoteIdentifier(column.physical));
    values.push(
      column.physical === deletedAt
        ? `COALESCE(${before === undefined ? 'NULL' : value}, CAST(${quoteLiteral(at.toISOString())} AS TIMESTAMPTZ))`
        : value,
    );
  }
  const matches = keys.map(
    (key) =>
      `kept.${quoteIdentifier((key.fresh as CatalogColumn).physical)} IS NOT DISTINCT FROM old.${quoteIdentifier((key.old as CatalogColumn).physical)}`,
  );
  const result = await connection.run(
    `INSERT INTO ${qualifiedName(schema, staging)} (${targets.join(', ')})
     SELECT ${values.join(', ')} FROM ${qualifiedName(schema, target)} AS old
     WHERE ${scopeCondition('old', old, scope)}
       AND NOT EXISTS (SELECT 1 FROM ${qualifiedName(schema, staging)} AS kept WHERE ${matches.join(' AND ')})`,
  );
  return result.rowsChanged;
}

/**
 * Reconciliation on DuckDB: the listed ids go to a temporary table of the destination's one
 * connection (DuckDB spills it to disk when it outgrows memory), and `apply` anti-joins the table
 * with it in one transaction with the state. The temporary table vanishes with the connection, so
 * an interrupted run leaves nothing behind.
 */
export class DuckDbIdReconciliation implements IdReconciliation {
  private readonly ids = `${INTERNAL_TABLE_PREFIX}ids_${randomBytes(6).toString('hex')}`;
  private done = false;

  private constructor(
    private readonly session: DuckDbSession,
    private readonly schema: SchemaRef,
    private readonly target: string,
    private readonly idColumn: string,
    private readonly scope: Row | undefined,
    private readonly saveState: (connection: DuckDBConnection, state: unknown) => Promise<void>,
  ) {}

  static async start(
    session: DuckDbSession,
    schema: SchemaRef,
    target: string,
    idColumn: string,
    scope: Row | undefined,
    saveState: (connection: DuckDBConnection, state: unknown) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<DuckDbIdReconciliation> {
    const reconciliation = new DuckDbIdReconciliation(session, schema, target, idColumn, scope, saveState);
    await session.exclusive(
      (connection) =>
        connection.run(`CREATE TEMP TABLE ${temporaryTableName(reconciliation.ids)} (id VARCHAR NOT NULL)`),
      signal,
    );
    return reconciliation;
  }

  async add(ids: readonly string[], signal?: AbortSignal): Promise<void> {
    if (this.done) throw new Error('the reconciliation has ended');
    if (ids.length === 0) return;
    await this.session.exclusive(async (connection) => {
      const appender = await connection.createAppender(this.ids, 'main', 'temp');
      try {
        for (const id of ids) {
          appender.appendVarchar(id);
          appender.endRow();
        }
        appender.closeSync();
      } catch (error) {
        appender.clear();
        appender.closeSync();
        throw error;
      }
    }, signal);
  }

  async apply(options: ReconcileOptions, state: unknown | undefined, signal?: AbortSignal): Promise<number> {
    if (this.done) throw new Error('the reconciliation has ended');
    const { schema, target } = this;
    const table = qualifiedName(schema, target);
    const changed = await this.session.transaction(async (connection) => {
      let columns = await listColumns(connection, schema, target);
      const id = columns.find((column) => column.logical === this.idColumn);
      if (id === undefined)
        throw new Error(`cannot reconcile by "${this.idColumn}": the table has no such column`);
      let deletedAt: string | undefined;
      if (!options.hard) {
        deletedAt = await ensureDeletedAt(connection, schema, target, columns);
        columns = await listColumns(connection, schema, target);
      }
      const missing = `${scopeCondition('t', columns, this.scope)}
        AND NOT EXISTS (SELECT 1 FROM ${temporaryTableName(this.ids)} AS listed
                        WHERE listed.id = CAST(t.${quoteIdentifier(id.physical)} AS VARCHAR))`;
      const result =
        deletedAt === undefined
          ? await connection.run(`DELETE FROM ${table} AS t WHERE ${missing}`)
          : await connection.run(
              `UPDATE ${table} AS t SET ${quoteIdentifier(deletedAt)} = CAST(${quoteLiteral(options.at.toISOString())} AS TIMESTAMPTZ)
               WHERE t.${quoteIdentifier(deletedAt)} IS NULL AND ${missing}`,
            );
      if (state !== undefined) await this.saveState(connection, state);
      return result.rowsChanged;
    }, signal);
    await this.discard();
    return changed;
  }

  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.session.exclusive((connection) =>
        connection.run(`DROP TABLE IF EXISTS ${temporaryTableName(this.ids)}`),
      );
    } catch {
      // Closed meanwhile: the temporary table went with the connection.
    }
  }
}
