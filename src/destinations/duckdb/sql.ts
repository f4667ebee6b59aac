import type { ColumnType } from '../destination.js';

/** Quotes an identifier for DuckDB: always quoted, embedded double quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB (standard SQL: single quotes doubled, no backslash escapes). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Where the destination's tables live. Names are always fully qualified with the catalog (the
 * database): a file `intercom.duckdb` is attached as catalog `intercom`, so with the default schema
 * `intercom` a two-part `"intercom"."contacts"` would be ambiguous.
 */
export interface SchemaRef {
  /** The database (catalog) name, as `current_database()` reports it. */
  catalog: string;
  /** The schema name, as the catalog spells it. */
  schema: string;
}

/** `"catalog"."schema"` */
export function qualifiedSchema(ref: SchemaRef): string {
  return `${quoteIdentifier(ref.catalog)}.${quoteIdentifier(ref.schema)}`;
}

/** `"catalog"."schema"."table"` */
export function qualifiedName(ref: SchemaRef, table: string): string {
  return `${qualifiedSchema(ref)}.${quoteIdentifier(table)}`;
}

/** A table in the connection-local temporary catalog. */
export function temporaryTableName(table: string): string {
  return `temp.main.${quoteIdentifier(table)}`;
}

const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  float: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  json: 'JSON',
};

/** The DuckDB type a logical column type is stored as. */
export function duckDbType(type: ColumnType): string {
  return DUCKDB_TYPES[type];
}

/**
 * The logical type of a column as reported by `duckdb_columns().data_type`, or undefined when the
 * column has a type this destination never creates (someone else's column): such a column is
 * widened to string as soon as a spec mentions it.
 */
export function logicalTypeOf(dataType: string): ColumnType | undefined {
  switch (dataType.toUpperCase()) {
    case 'VARCHAR':
      return 'string';
    case 'BIGINT':
      return 'integer';
    case 'DOUBLE':
      return 'float';
    case 'BOOLEAN':
      return 'boolean';
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMPTZ':
      return 'timestamp';
    case 'JSON':
      return 'json';
    default:
      return undefined;
  }
}

/** ISO 8601 in UTC with milliseconds (`Date.prototype.toISOString`), whatever the session time zone. */
function isoTimestampExpression(expression: string): string {
  return `strftime(make_timestamp(epoch_us(${expression})), '%Y-%m-%dT%H:%M:%S.%gZ')`;
}

/**
 * An SQL expression converting `expression`, of logical type `from` (undefined: a foreign type),
 * to the column type `to`, which is always `from` or a widening of it. Timestamps become ISO 8601
 * strings so that a widened column reads the same as the JSON a client would have produced.
 */
export function convertExpression(expression: string, from: ColumnType | undefined, to: ColumnType): string {
  if (from === to) return expression;
  switch (to) {
    case 'float':
      return `CAST(${expression} AS DOUBLE)`;
    case 'json':
      return from === 'timestamp'
        ? `to_json(${isoTimestampExpression(expression)})`
        : `to_json(${expression})`;
    case 'string':
      return from === 'timestamp' ? isoTimestampExpression(expression) : `CAST(${expression} AS VARCHAR)`;
    default:
      return `CAST(${expression} AS ${duckDbType(to)})`;
  }
}
