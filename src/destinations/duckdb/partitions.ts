import type { DuckDBConnection } from '@duckdb/node-api';
import type { Row } from '../destination.js';
import { listColumns } from './catalog.js';
import { qualifiedName, quoteIdentifier, quoteLiteral, type SchemaRef } from './sql.js';

/**
 * Partitions: the rows of one source (a workspace) in a table several sources share
 * (`TableSpec.partition`, e.g. `{ workspace_id: 'abc123' }`).
 */

/** A partition's column = value conditions (physical column names), or undefined for a missing column. */
async function partitionConditions(
  connection: DuckDBConnection,
  schema: SchemaRef,
  table: string,
  partition: Row,
): Promise<{ column: string; value: string }[]> {
  const columns = await listColumns(connection, schema, table);
  const physical = new Map(columns.map((column) => [column.logical, column.physical]));
  return Object.entries(partition).flatMap(([name, value]) => {
    const column = physical.get(name);
    if (column === undefined) return [];
    const literal =
      value === null || value === undefined
        ? 'NULL'
        : typeof value === 'number' && Number.isFinite(value)
          ? String(value)
          : quoteLiteral(String(value));
    return [{ column: quoteIdentifier(column), value: literal }];
  });
}

/**
 * Replace of one partition (a workspace's rows in a table several workspaces share): at the swap,
 * the staging table receives the old table's rows of every other partition (so replace runs of two
 * workspaces at once cannot drop each other's rows). Rows with NULL in a partition
 * column were written before the table was partitioned and count as this partition's.
 */
export async function copyOtherPartitions(
  connection: DuckDBConnection,
  schema: SchemaRef,
  table: string,
  staging: string,
  partition: Row,
): Promise<void> {
  const conditions = await partitionConditions(connection, schema, table, partition);
  if (conditions.length === 0) return;
  const mine = conditions
    .map(({ column, value }) => `(${column} = ${value} OR ${column} IS NULL)`)
    .join(' AND ');
  const stagingColumns = new Set(
    (await listColumns(connection, schema, staging)).map((column) => column.physical),
  );
  const names = (await listColumns(connection, schema, table))
    .filter((column) => stagingColumns.has(column.physical))
    .map((column) => quoteIdentifier(column.physical));
  await connection.run(
    `INSERT INTO ${qualifiedName(schema, staging)} (${names.join(', ')}) SELECT ${names.join(', ')} FROM ${qualifiedName(schema, table)} WHERE NOT (${mine})`,
  );
}

/**
 * A table written before it was partitioned (by a version without workspace ids) is adopted by the
 * partition that writes it first: its rows' NULL partition columns get the partition's values, so
 * merges on keys that start with them find the rows.
 */
export async function adoptUnpartitionedRows(
  connection: DuckDBConnection,
  schema: SchemaRef,
  table: string,
  partition: Row,
): Promise<void> {
  for (const { column, value } of await partitionConditions(connection, schema, table, partition)) {
    if (value === 'NULL') continue;
    await connection.run(
      `UPDATE ${qualifiedName(schema, table)} SET ${column} = ${value} WHERE ${column} IS NULL`,
    );
  }
}
