import type { Row } from '../destination.js';
import { listColumns } from './catalog.js';
import type { Transaction } from './session.js';
import { qualifiedName, quoteIdentifier } from './sql.js';

/**
 * Partitions: the rows of one source (a workspace) in a table several sources share
 * (`TableSpec.partition`, e.g. `{ workspace_id: 'abc123' }`).
 */

/** A partition's columns (physical, quoted) with their values as text, leaving out missing columns. */
async function partitionConditions(
  transaction: Transaction,
  schema: string,
  table: string,
  partition: Row,
): Promise<{ column: string; sqlType: string; value: string | null }[]> {
  const columns = new Map(
    (await listColumns(transaction, schema, table)).map((column) => [column.logical, column]),
  );
  return Object.entries(partition).flatMap(([name, value]) => {
    const column = columns.get(name);
    if (column === undefined) return [];
    const text = value === null || value === undefined ? null : String(value);
    return [{ column: quoteIdentifier(column.physical), sqlType: column.sqlType, value: text }];
  });
}

/**
 * Replace of one partition (a workspace's rows in a table several workspaces share): at the swap,
 * under the schema lock, the staging table receives the old table's rows of every other partition
 * (so replace runs of two workspaces at once cannot drop each other's rows). Rows with NULL in a
 * partition column were written before the table was partitioned and count as this partition's.
 */
export async function copyOtherPartitions(
  transaction: Transaction,
  schema: string,
  table: string,
  staging: string,
  partition: Row,
): Promise<void> {
  const conditions = await partitionConditions(transaction, schema, table, partition);
  if (conditions.length === 0) return;
  const mine = conditions
    .map(
      ({ column, sqlType }, index) => `(${column} = CAST($${index + 1} AS ${sqlType}) OR ${column} IS NULL)`,
    )
    .join(' AND ');
  const stagingColumns = new Set(
    (await listColumns(transaction, schema, staging)).map((column) => column.physical),
  );
  const names = (await listColumns(transaction, schema, table))
    .filter((column) => stagingColumns.has(column.physical))
    .map((column) => quoteIdentifier(column.physical));
  await transaction.query(
    `INSERT INTO ${qualifiedName(schema, staging)} (${names.join(', ')}) SELECT ${names.join(', ')} FROM ${qualifiedName(schema, table)} WHERE NOT (${mine})`,
    conditions.map(({ value }) => value),
  );
}

/**
 * A table written before it was partitioned (by a version without workspace ids) is adopted by the
 * partition that writes it first: its rows' NULL partition columns get the partition's values.
 */
export async function adoptUnpartitionedRows(
  transaction: Transaction,
  schema: string,
  table: string,
  partition: Row,
): Promise<void> {
  for (const { column, sqlType, value } of await partitionConditions(transaction, schema, table, partition)) {
    if (value === null) continue;
    await transaction.query(
      `UPDATE ${qualifiedName(schema, table)} SET ${column} = CAST($1 AS ${sqlType}) WHERE ${column} IS NULL`,
      [value],
    );
  }
}
