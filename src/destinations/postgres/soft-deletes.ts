import { createHash } from 'node:crypto';
import { DELETED_AT, type IdReconciliation, type ReconcileOptions, type Row } from '../destination.js';
import { type CatalogColumn, listColumns } from './catalog.js';
import { lockSchemaChanges } from './locks.js';
import {
  allocatePhysicalName,
  INTERNAL_TABLE_PREFIX,
  logicalNameComment,
  SYSTEM_COLUMNS,
} from './physical-names.js';
import type { PostgresSession, Transaction } from './session.js';
import { convertExpression, logicalTypeOf, qualifiedName, quoteIdentifier, quoteLiteral } from './sql.js';

/**
 * Deletes found by comparison rather than reported by Intercom: replace with soft deletes (the old
 * rows the new ones lack are carried into the staging table, marked) and reconciliation (the rows
 * whose id a full listing lacks are marked or removed). Both are anti-joins done in SQL, inside the
 * transaction that commits the stream's state.
 */

/** Ids staged per INSERT (one text[] parameter). */
const IDS_PER_STATEMENT = 10_000;

/**
 * `alias.column = $n AND …` for a partition's columns (every row when there is none), pushing the
 * values onto `params`; a column the table lacks counts as NULL, as partitioned replace has it.
 */
export function scopeCondition(
  alias: string,
  columns: readonly CatalogColumn[],
  scope: Row | undefined,
  params: unknown[],
): string {
  const byLogical = new Map(columns.map((column) => [column.logical, column]));
  const parts = Object.entries(scope ?? {}).flatMap(([name, value]) => {
    const column = byLogical.get(name);
    if (column === undefined) return value === null || value === undefined ? [] : ['FALSE'];
    const ref = `${alias}.${quoteIdentifier(column.physical)}`;
    if (value === null || value === undefined) return [`${ref} IS NULL`];
    params.push(
      value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value),
    );
    return [`${ref} = CAST($${params.length}::text AS ${column.sqlType})`];
  });
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

/** Adds `_deleted_at` to a table that lacks it (under the schema lock); returns its physical name. */
async function ensureDeletedAt(transaction: Transaction, schema: string, table: string): Promise<string> {
  let columns = await listColumns(transaction, schema, table);
  const existing = columns.find((column) => column.logical === DELETED_AT);
  if (existing !== undefined) return existing.physical;
  await lockSchemaChanges(transaction, schema);
  columns = await listColumns(transaction, schema, table);
  const again = columns.find((column) => column.logical === DELETED_AT);
  if (again !== undefined) return again.physical;
  const physical = allocatePhysicalName(
    DELETED_AT,
    new Set([...SYSTEM_COLUMNS, ...columns.map((c) => c.physical)]),
  );
  const qualified = qualifiedName(schema, table);
  await transaction.query(`ALTER TABLE ${qualified} ADD COLUMN ${quoteIdentifier(physical)} timestamptz`);
  if (physical !== DELETED_AT) {
    await transaction.query(
      `COMMENT ON COLUMN ${qualified}.${quoteIdentifier(physical)} IS ${quoteLiteral(logicalNameComment(DELETED_AT))}`,
    );
  }
  return physical;
}

/**
 * Replace with soft deletes, in the swap's transaction before the old table is dropped: every row of
 * `target` (in scope) whose primary key `staging` lacks is copied into `staging` with `_deleted_at`
 * set to `at` unless it had one. Keyless tables carry nothing (no row can be told apart). Returns
 * the rows carried over.
 */
export async function carryDeletedRows(
  transaction: Transaction,
  schema: string,
  target: string,
  staging: string,
  primaryKey: readonly string[],
  at: Date,
  scope: Row | undefined,
): Promise<number> {
  const old = await listColumns(transaction, schema, target);
  if (old.length === 0 || primaryKey.length === 0) return 0;
  const oldByLogical = new Map(old.map((column) => [column.logical, column]));
  const freshBefore = new Map((await listColumns(transaction, schema, staging)).map((c) => [c.logical, c]));
  const keys = primaryKey.map((name) => ({ old: oldByLogical.get(name), fresh: freshBefore.get(name) }));
  if (keys.some((key) => key.old === undefined || key.fresh === undefined)) return 0;
  const deletedAt = await ensureDeletedAt(transaction, schema, staging);
  const fresh = await listColumns(transaction, schema, staging);
  const params: unknown[] = [at.toISOString()];
  const targets: string[] = [];
  const values: string[] = [];
  for (const column of fresh) {
    const before = oldByLogical.get(column.logical);
    const to = logicalTypeOf(column.sqlType);
    const from = before === undefined ? undefined : `old.${quoteIdentifier(before.physical)}`;
    const value =
      from === undefined || before === undefined
        ? 'NULL'
        : to === undefined
          ? `CAST(${from} AS ${column.sqlType})`
          : convertExpression(from, logicalTypeOf(before.sqlType), to);
    targets.push(quoteIdentifier(column.physical));
    values.push(column.physical === deletedAt ? `COALESCE(${value}, $1::timestamptz)` : value);
  }
  const matches = keys.map(
    (key) =>
      `kept.${quoteIdentifier((key.fresh as CatalogColumn).physical)} IS NOT DISTINCT FROM old.${quoteIdentifier((key.old as CatalogColumn).physical)}`,
  );
  const scoped = scopeCondition('old', old, scope, params);
  return countOf(
    await transaction.query(
      `WITH carried AS (INSERT INTO ${qualifiedName(schema, staging)} (${targets.join(', ')})
         SELECT ${values.join(', ')} FROM ${qualifiedName(schema, target)} AS old
         WHERE ${scoped}
           AND NOT EXISTS (SELECT 1 FROM ${qualifiedName(schema, staging)} AS kept WHERE ${matches.join(' AND ')})
         RETURNING 1)
       SELECT count(*)::text AS n FROM carried`,
      params,
    ),
  );
}

function countOf(rows: readonly Record<string, unknown>[]): number {
  return Number(rows[0]?.n ?? 0);
}

/** The unlogged table holding a stream's listed ids while it is reconciled. */
export function idsTableName(stream: string): string {
  return `${INTERNAL_TABLE_PREFIX}ids_${createHash('sha256').update(stream).digest('hex').slice(0, 16)}`;
}

/**
 * Reconciliation on PostgreSQL: the listed ids go to an UNLOGGED table of their own (the pool's
 * connections cannot share a temporary table), one statement per page, and `apply` anti-joins the
 * stream's table with it in one transaction with the state, dropping it in the same transaction.
 * A leftover of an interrupted run (same stream) is dropped when the next reconciliation starts.
 */
export class PostgresIdReconciliation implements IdReconciliation {
  private done = false;

  private constructor(
    private readonly session: PostgresSession,
    private readonly schema: string,
    private readonly target: string,
    private readonly ids: string,
    private readonly idColumn: string,
    private readonly scope: Row | undefined,
    private readonly saveState: (transaction: Transaction, state: unknown) => Promise<void>,
  ) {}

  static async start(
    session: PostgresSession,
    schema: string,
    target: string,
    stream: string,
    idColumn: string,
    scope: Row | undefined,
    saveState: (transaction: Transaction, state: unknown) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<PostgresIdReconciliation> {
    const ids = idsTableName(stream);
    await session.transaction(async (transaction) => {
      const table = qualifiedName(schema, ids);
      await transaction.query(`DROP TABLE IF EXISTS ${table}`);
      await transaction.query(`CREATE UNLOGGED TABLE ${table} (id text NOT NULL)`);
    }, signal);
    return new PostgresIdReconciliation(session, schema, target, ids, idColumn, scope, saveState);
  }

  async add(ids: readonly string[], signal?: AbortSignal): Promise<void> {
    if (this.done) throw new Error('the reconciliation has ended');
    if (ids.length === 0) return;
    await this.session.transaction(async (transaction) => {
      for (let start = 0; start < ids.length; start += IDS_PER_STATEMENT) {
        await transaction.query(
          `INSERT INTO ${qualifiedName(this.schema, this.ids)} (id) SELECT unnest($1::text[])`,
          [ids.slice(start, start + IDS_PER_STATEMENT)],
        );
      }
    }, signal);
  }

  async apply(options: ReconcileOptions, state: unknown | undefined, signal?: AbortSignal): Promise<number> {
    if (this.done) throw new Error('the reconciliation has ended');
    const { schema, target } = this;
    const table = qualifiedName(schema, target);
    const idsTable = qualifiedName(schema, this.ids);
    const changed = await this.session.transaction(async (transaction) => {
      const deletedAt = options.hard ? undefined : await ensureDeletedAt(transaction, schema, target);
      const columns = await listColumns(transaction, schema, target);
      const id = columns.find((column) => column.logical === this.idColumn);
      if (id === undefined)
        throw new Error(`cannot reconcile by ${JSON.stringify(this.idColumn)}: the table has no such column`);
      await transaction.query(`CREATE INDEX ON ${idsTable} (id)`);
      await transaction.query(`ANALYZE ${idsTable}`);
      const params: unknown[] = [];
      const missing = `${scopeCondition('t', columns, this.scope, params)}
        AND NOT EXISTS (SELECT 1 FROM ${idsTable} AS listed WHERE listed.id = t.${quoteIdentifier(id.physical)}::text)`;
      let statement: string;
      if (deletedAt === undefined) {
        statement = `DELETE FROM ${table} AS t WHERE ${missing} RETURNING 1`;
      } else {
        params.push(options.at.toISOString());
        statement = `UPDATE ${table} AS t SET ${quoteIdentifier(deletedAt)} = $${params.length}::timestamptz
           WHERE t.${quoteIdentifier(deletedAt)} IS NULL AND ${missing} RETURNING 1`;
      }
      const count = countOf(
        await transaction.query(
          `WITH changed AS (${statement}) SELECT count(*)::text AS n FROM changed`,
          params,
        ),
      );
      await transaction.query(`DROP TABLE ${idsTable}`);
      if (state !== undefined) await this.saveState(transaction, state);
      return count;
    }, signal);
    this.done = true;
    return changed;
  }

  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.session.transaction((transaction) =>
        transaction.query(`DROP TABLE IF EXISTS ${qualifiedName(this.schema, this.ids)}`),
      );
    } catch {
      // The destination is closed or gone: the next reconciliation of the stream drops the table.
    }
  }
}
