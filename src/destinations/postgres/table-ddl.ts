import { hasUniqueKey, primaryKeyColumns, type SqlRunner } from './catalog.js';
import type { ColumnPlan, TableColumn } from './column-plan.js';
import { errorCode } from './errors.js';
import { logicalNameComment } from './physical-names.js';
import { convertExpression, postgresType, qualifiedName, quoteIdentifier, quoteLiteral } from './sql.js';
import { deleteReplaceRun, type ReplaceRun } from './state-store.js';

/**
 * The DDL of stream tables. Every function runs inside the caller's transaction, which holds the
 * schema-change lock (see `locks.ts`).
 */

/** Records `logical` on the table when its physical name differs (see `physical-names.ts`). */
export async function commentTable(
  runner: SqlRunner,
  schema: string,
  physical: string,
  logical: string,
): Promise<void> {
  if (physical === logical) return;
  await runner.query(
    `COMMENT ON TABLE ${qualifiedName(schema, physical)} IS ${quoteLiteral(logicalNameComment(logical))}`,
  );
}

async function commentColumn(
  runner: SqlRunner,
  schema: string,
  table: string,
  column: { physical: string; logical: string },
): Promise<void> {
  if (column.physical === column.logical) return;
  await runner.query(
    `COMMENT ON COLUMN ${qualifiedName(schema, table)}.${quoteIdentifier(column.physical)} IS ${quoteLiteral(logicalNameComment(column.logical))}`,
  );
}

/**
 * Creates `table` with `columns`, and a primary key on `primaryKey` (physical names) when not
 * empty: merge's ON CONFLICT needs a unique index on the key.
 */
export async function createTable(
  runner: SqlRunner,
  schema: string,
  table: string,
  columns: readonly TableColumn[],
  primaryKey: readonly string[],
): Promise<void> {
  const definitions = columns.map((column) => `${quoteIdentifier(column.physical)} ${column.sqlType}`);
  if (primaryKey.length > 0) definitions.push(`PRIMARY KEY (${primaryKey.map(quoteIdentifier).join(', ')})`);
  await runner.query(`CREATE TABLE ${qualifiedName(schema, table)} (${definitions.join(', ')})`);
  for (const column of columns) await commentColumn(runner, schema, table, column);
}

/**
 * Widens changed columns (converting the values in place, see `convertExpression`) and adds new
 * ones, in one ALTER TABLE (one rewrite of the table at most). Never drops.
 */
export async function evolveTable(
  runner: SqlRunner,
  schema: string,
  table: string,
  plan: ColumnPlan,
): Promise<void> {
  const actions = [
    ...plan.widened.map((change) => {
      const column = quoteIdentifier(change.physical);
      return `ALTER COLUMN ${column} TYPE ${postgresType(change.to)} USING ${convertExpression(column, change.from, change.to)}`;
    }),
    ...plan.added.map(
      (column) => `ADD COLUMN ${quoteIdentifier(column.physical)} ${postgresType(column.tableType)}`,
    ),
  ];
  if (actions.length === 0) return;
  await runner.query(`ALTER TABLE ${qualifiedName(schema, table)} ${actions.join(', ')}`);
  for (const column of plan.added) await commentColumn(runner, schema, table, column);
}

/**
 * Makes sure merge can upsert into `table` on `key` (physical names): adds a primary key on it (or
 * a unique constraint, if the table has another primary key) unless a usable unique index exists.
 * Fails, saying why, when the rows already there repeat a key or lack one (a table appended to).
 */
export async function ensureMergeKey(
  runner: SqlRunner,
  schema: string,
  table: string,
  key: readonly string[],
): Promise<void> {
  if (await hasUniqueKey(runner, schema, table, key)) return;
  const existingPrimaryKey = await primaryKeyColumns(runner, schema, table);
  const constraint = existingPrimaryKey === undefined ? 'PRIMARY KEY' : 'UNIQUE';
  try {
    await runner.query(
      `ALTER TABLE ${qualifiedName(schema, table)} ADD ${constraint} (${key.map(quoteIdentifier).join(', ')})`,
    );
  } catch (error) {
    const code = errorCode(error);
    if (code === '23505' || code === '23502') {
      throw new Error(
        `merge needs unique, non-null values in the key (${key.join(', ')}), but rows already in the table repeat or lack one (was it appended to?); deduplicate it or load it with replace`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** Drops the staging tables of `runs` and forgets the runs; their targets are left untouched. */
export async function discardReplaceRuns(
  runner: SqlRunner,
  schema: string,
  runs: readonly ReplaceRun[],
): Promise<void> {
  for (const run of runs) {
    await runner.query(`DROP TABLE IF EXISTS ${qualifiedName(schema, run.staging)}`);
    await deleteReplaceRun(runner, schema, run.staging);
  }
}
