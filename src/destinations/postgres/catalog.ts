import { isInternalTable, logicalNameFromComment } from './physical-names.js';

/** Runs one statement and resolves to its rows: a transaction of the destination, or a test's client. */
export interface SqlRunner {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

export interface CatalogTable {
  physical: string;
  logical: string;
}

export interface CatalogColumn {
  physical: string;
  logical: string;
  /** As `format_type` spells it, e.g. `bigint`, `timestamp with time zone`, `jsonb`. */
  sqlType: string;
}

export interface SchemaCatalog {
  /** The tables (plain or partitioned) of the schema, with their logical names. */
  tables: CatalogTable[];
  /**
   * Every name a new table cannot take: relations of any kind (indexes and sequences share the
   * namespace with tables) and types (a table's row type takes its name).
   */
  taken: Set<string>;
}

function asString(value: unknown, what: string): string {
  if (typeof value !== 'string')
    throw new TypeError(`Expected ${what} from the catalog, got ${typeof value}`);
  return value;
}

function asNullableString(value: unknown, what: string): string | null {
  return value === null ? null : asString(value, what);
}

export async function schemaExists(runner: SqlRunner, schema: string): Promise<boolean> {
  const rows = await runner.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [schema]);
  return rows.length > 0;
}

/** The schema's tables and taken names. */
export async function readSchemaCatalog(runner: SqlRunner, schema: string): Promise<SchemaCatalog> {
  const rows = await runner.query(
    `SELECT c.relname::text AS name, c.relkind::text AS kind, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1
     UNION ALL
     SELECT t.typname::text, 'type', NULL
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 AND t.typcategory <> 'A'`,
    [schema],
  );
  const tables: CatalogTable[] = [];
  const taken = new Set<string>();
  for (const row of rows) {
    const physical = asString(row.name, 'a relation name');
    taken.add(physical);
    if (row.kind === 'r' || row.kind === 'p') {
      const comment = asNullableString(row.comment, 'a comment');
      tables.push({ physical, logical: logicalNameFromComment(comment) ?? physical });
    }
  }
  return { tables, taken };
}

/** The stream table whose logical name is exactly `logical`, among `tables`. */
export function pickTable(tables: readonly CatalogTable[], logical: string): CatalogTable | undefined {
  return tables.find((table) => table.logical === logical && !isInternalTable(table.physical));
}

/** The stream table whose logical name is exactly `logical`, if it exists. */
export async function findTable(
  runner: SqlRunner,
  schema: string,
  logical: string,
): Promise<CatalogTable | undefined> {
  return pickTable((await readSchemaCatalog(runner, schema)).tables, logical);
}

/** The columns of a table (by physical name), in table order, with their logical names. */
export async function listColumns(
  runner: SqlRunner,
  schema: string,
  table: string,
): Promise<CatalogColumn[]> {
  const rows = await runner.query(
    `SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
            col_description(a.attrelid, a.attnum) AS comment
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [schema, table],
  );
  return rows.map((row) => {
    const physical = asString(row.name, 'a column name');
    return {
      physical,
      logical: logicalNameFromComment(asNullableString(row.comment, 'a comment')) ?? physical,
      sqlType: asString(row.type, 'a type'),
    };
  });
}

/** The columns of `table`'s primary key, by physical name, or undefined when it has none. */
export async function primaryKeyColumns(
  runner: SqlRunner,
  schema: string,
  table: string,
): Promise<string[] | undefined> {
  const rows = await runner.query(
    `SELECT a.attname::text AS name
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE n.nspname = $1 AND c.relname = $2 AND i.indisprimary`,
    [schema, table],
  );
  return rows.length === 0 ? undefined : rows.map((row) => asString(row.name, 'a column name'));
}

/**
 * Whether `table` has a unique index ON CONFLICT can use for exactly `columns` (physical names, in
 * any order): not partial, no expressions, not deferrable.
 */
export async function hasUniqueKey(
  runner: SqlRunner,
  schema: string,
  table: string,
  columns: readonly string[],
): Promise<boolean> {
  const rows = await runner.query(
    `SELECT 1
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2
        AND i.indisunique AND i.indimmediate AND i.indisvalid
        AND i.indpred IS NULL AND i.indexprs IS NULL AND i.indnatts = i.indnkeyatts
        AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text)
               FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey))
            = (SELECT array_agg(k ORDER BY k) FROM unnest($3::text[]) AS k)`,
    [schema, table, [...columns]],
  );
  return rows.length > 0;
}
