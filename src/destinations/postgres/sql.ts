import { widenColumnType } from '../column-types.js';
import type { ColumnType } from '../destination.js';

/**
 * Quotes an identifier: always quoted (PostgreSQL then keeps its case, so `CamelCase` and
 * `camelcase` are two names), embedded double quotes doubled. Callers pass physical names, which
 * fit in 63 bytes (see `physical-names.ts`), so PostgreSQL never truncates them.
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a string literal, for the statements that take no parameters (COMMENT ON). With a
 * backslash inside it is written as an escape string (`E'…'`, backslashes doubled), so the
 * result does not depend on `standard_conforming_strings`.
 */
export function quoteLiteral(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** `"schema"."table"` */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}

const POSTGRES_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'text',
  integer: 'bigint',
  float: 'double precision',
  boolean: 'boolean',
  timestamp: 'timestamp with time zone',
  json: 'jsonb',
};

/** The PostgreSQL type a logical column type is stored as (as `format_type` spells it). */
export function postgresType(type: ColumnType): string {
  return POSTGRES_TYPES[type];
}

const LOGICAL_TYPES: ReadonlyMap<string, ColumnType> = new Map(
  Object.entries(POSTGRES_TYPES).map(([logical, sql]) => [sql, logical as ColumnType]),
);

/**
 * The logical type of a column whose type `format_type` spells `sqlType`, or undefined for a type
 * this destination never creates (someone else's column: widened to string once a spec names it).
 */
export function logicalTypeOf(sqlType: string): ColumnType | undefined {
  return LOGICAL_TYPES.get(sqlType);
}

/** ISO 8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
function isoTimestampExpression(expression: string): string {
  return `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * An SQL expression converting `expression`, of logical type `from` (undefined: a foreign type),
 * to the column type `to`, which is `from` or a widening of it. The same expressions convert the
 * old values when a column is widened (ALTER … USING) and new values of the narrower type on
 * their way into a widened column, so both read alike: numbers and booleans as their SQL text
 * (`42`, `1.5`, `true`), timestamps as ISO 8601 strings, and, for json, the JSON of those values.
 */
export function convertExpression(expression: string, from: ColumnType | undefined, to: ColumnType): string {
  if (from === to) return expression;
  switch (to) {
    case 'string':
      return from === 'timestamp' ? isoTimestampExpression(expression) : `CAST(${expression} AS text)`;
    case 'json':
      return from === 'timestamp'
        ? `to_jsonb(${isoTimestampExpression(expression)})`
        : `to_jsonb(${expression})`;
    default:
      return `CAST(${expression} AS ${postgresType(to)})`;
  }
}

/**
 * The expression storing `expression` (a value of logical type `valueType`) into a column whose
 * type `format_type` spells `sqlType`: as is when the types agree, converted when the column is a
 * widening of the value's type, and otherwise (a column someone else changed) cast, letting
 * PostgreSQL convert or refuse.
 */
export function storeExpression(expression: string, valueType: ColumnType, sqlType: string): string {
  const columnType = logicalTypeOf(sqlType);
  if (columnType === valueType) return expression;
  if (columnType !== undefined && widenColumnType(valueType, columnType) === columnType) {
    return convertExpression(expression, valueType, columnType);
  }
  return `CAST(${expression} AS ${sqlType})`;
}
