import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ColumnType, DELETED_AT } from '../destination.js';
import { convertExpression, duckDbType, quoteIdentifier, quoteLiteral } from '../duckdb/sql.js';
import {
  BATCH_COLUMN,
  CURRENT_LINK,
  DELETIONS_FOLDER,
  DELETIONS_GLOB,
  GLOB_CHARACTERS,
  SCHEMA_FILE,
  tableFolderName,
} from './layout.js';
import type { DeletionKey, ManifestColumn, TableManifest } from './manifest.js';
import { readManifest } from './table-folder.js';

/** `<root>/<table folder>`: where a table's generations and its `current` link are. */
export function tableFolder(root: string, table: string): string {
  return join(resolve(root), tableFolderName(table));
}

/** `<root>/<table folder>/current`: the folder of the table's visible files. */
export function currentFolder(root: string, table: string): string {
  return join(tableFolder(root, table), CURRENT_LINK);
}

/** The manifest of a table's visible generation, or undefined when the table does not exist. */
export async function readTableManifest(root: string, table: string): Promise<TableManifest | undefined> {
  const path = join(currentFolder(root, table), SCHEMA_FILE);
  try {
    await stat(path);
  } catch {
    return undefined;
  }
  return readManifest(path);
}

/**
 * DuckDB SQL (a `SELECT`, to run or to wrap in `CREATE VIEW … AS`) reading the latest version of
 * every record of a table written by a file destination. It reads the table's current files (a
 * live glob: commits made later are included; a replace switches it to the new generation) and:
 *
 * - keeps, per primary key, the row of the highest `_sync_batch` (the last commit that wrote the
 *   key; within a commit a merge writer keeps only the last row of a key) — when the table was last
 *   written in merge mode, or for the key given; append and replace tables keep every row;
 * - applies recorded deletions: a hard one removes every row of an earlier batch matching it, a soft
 *   one sets `_deleted_at` (when NULL) to the `at` of the first such deletion;
 * - shows columns under their physical names (the spec's names unless two collide ignoring case)
 *   with their current types, plus `_sync_batch`.
 *
 * The column list comes from the table's manifest as it is now: rebuild the SQL after a schema
 * change (a new column is otherwise left out; JSON Lines columns are read as the types listed).
 * Rejects when the table does not exist, or when `root` contains glob characters.
 *
 *   const sql = await latestViewSql('/data/lake', 'contacts');
 *   await connection.run(`CREATE OR REPLACE VIEW contacts AS ${sql}`);
 */
export async function latestViewSql(
  root: string,
  table: string,
  primaryKey?: readonly string[],
): Promise<string> {
  const manifest = await readTableManifest(root, table);
  if (manifest === undefined) {
    throw new Error(
      `table ${JSON.stringify(table)} does not exist under ${resolve(root)} (no ${CURRENT_LINK}/${SCHEMA_FILE})`,
    );
  }
  return buildLatestViewSql(currentFolder(root, table), manifest, primaryKey);
}

/** `latestViewSql` for the files of `folder` described by `manifest` (no file-system access). */
export function buildLatestViewSql(
  folder: string,
  manifest: TableManifest,
  primaryKey?: readonly string[],
): string {
  if (GLOB_CHARACTERS.test(folder)) {
    throw new Error(`cannot build a glob for ${folder}: it contains one of * ? [ ] { } \\`);
  }
  const { columns } = manifest;
  const byName = new Map(columns.map((column) => [column.name, column]));
  const keyNames = primaryKey ?? (manifest.mode === 'merge' ? manifest.primaryKey : []);
  const keys = keyNames.map((name) => {
    const column = byName.get(name);
    if (column === undefined) throw new Error(`the table has no column ${JSON.stringify(name)} to key on`);
    return quoteIdentifier(column.physical);
  });
  const batch = quoteIdentifier(BATCH_COLUMN);

  const typed = [
    ...columns.map(
      (column) => `${columnExpression(column, manifest.format)} AS ${quoteIdentifier(column.physical)}`,
    ),
    `f.${batch}`,
  ];
  const ctes = [`"typed" AS (SELECT ${typed.join(', ')} FROM ${source(folder, manifest)} AS f)`];
  ctes.push(
    keys.length === 0
      ? `"latest" AS (SELECT * FROM "typed")`
      : `"latest" AS (SELECT * FROM "typed" QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${batch} DESC) = 1)`,
  );
  const hardKeys = manifest.deletions.filter((key) => key.hard);
  const softKeys = manifest.deletions.filter((key) => !key.hard);
  // Read by each key set's CTE (the files are small): a CTE referenced several times is
  // materialised by DuckDB, which then stops pruning the unused columns of the whole view.
  const deletions = `read_json(${quoteLiteral(join(folder, DELETIONS_FOLDER, DELETIONS_GLOB))}, format = 'newline_delimited', columns = {${quoteLiteral(BATCH_COLUMN)}: 'BIGINT', 'at': 'TIMESTAMPTZ', 'hard': 'BOOLEAN', 'keys': 'VARCHAR', 'values': 'VARCHAR[]'})`;
  const physical = new Map(columns.map((column) => [column.physical, column]));
  /**
   * A CTE of the deletions of one key set, with the matched values cast to the columns' types
   * (`k1`, `k2`, …), and the join condition matching them to a row of "latest".
   */
  const keyed = (key: DeletionKey, alias: string) => {
    const values: string[] = [];
    const conditions = key.columns.map((name, index) => {
      const column = physical.get(name);
      if (column === undefined)
        throw new Error(`deletions match on an unknown column ${JSON.stringify(name)}`);
      const value = `d."values"[${index + 1}]`;
      const row = `r.${quoteIdentifier(name)}`;
      values.push(
        `${column.type === 'json' ? value : `CAST(${value} AS ${duckDbType(column.type)})`} AS "k${index + 1}"`,
      );
      return `${column.type === 'json' ? `CAST(${row} AS VARCHAR)` : row} IS NOT DISTINCT FROM ${alias}."k${index + 1}"`;
    });
    const where = `${key.hard ? '' : 'NOT '}d."hard" AND d."keys" = ${quoteLiteral(JSON.stringify(key.columns))}`;
    return { values: values.join(', '), where, on: conditions.join(' AND ') };
  };
  const joins: string[] = [];
  const where: string[] = [];
  // Hard: a row goes when the last hard deletion of its key values is of a later batch than the row.
  hardKeys.forEach((key, index) => {
    const alias = `h${index}`;
    const { values, where: filter, on } = keyed(key, alias);
    ctes.push(
      `${alias} AS (SELECT ${values}, max(d.${batch}) AS "b" FROM ${deletions} AS d WHERE ${filter} GROUP BY ALL)`,
    );
    joins.push(`LEFT JOIN ${alias} ON ${on}`);
    where.push(`(${alias}."b" IS NULL OR ${alias}."b" < r.${batch})`);
  });
  // Soft: the first soft deletion of a later batch than the row (the nearest one: an ASOF join).
  softKeys.forEach((key, index) => {
    const alias = `s${index}`;
    const { values, where: filter, on } = keyed(key, alias);
    ctes.push(
      `${alias} AS (SELECT ${values}, d.${batch} AS "b", d."at" FROM ${deletions} AS d WHERE ${filter})`,
    );
    joins.push(`ASOF LEFT JOIN ${alias} ON ${on} AND ${alias}."b" > r.${batch}`);
  });
  const firstSoft =
    softKeys.length === 1
      ? 's0."at"'
      : `struct_extract(least(${softKeys
          .map(
            (_, index) =>
              `CASE WHEN s${index}."b" IS NULL THEN NULL ELSE {'b': s${index}."b", 'at': s${index}."at"} END`,
          )
          .join(', ')}), 'at')`;

  const deletedAt = byName.get(DELETED_AT);
  const select = columns.map((column) => {
    const name = `r.${quoteIdentifier(column.physical)}`;
    if (column !== deletedAt || softKeys.length === 0) return name;
    const at = convertExpression(firstSoft, 'timestamp', column.type);
    return `COALESCE(${name}, ${at}) AS ${quoteIdentifier(column.physical)}`;
  });
  select.push(`r.${batch}`);
  return [
    `WITH ${ctes.join(',\n  ')}`,
    `SELECT ${select.join(', ')}`,
    'FROM "latest" AS r',
    ...joins,
    ...(where.length === 0 ? [] : [`WHERE ${where.join('\n  AND ')}`]),
  ].join('\n');
}

/** The table function reading a generation's data files. */
function source(folder: string, manifest: TableManifest): string {
  if (manifest.format === 'parquet') {
    return `read_parquet(${quoteLiteral(join(folder, '*.parquet'))}, union_by_name = true)`;
  }
  const types = [
    ...manifest.columns.map(
      (column) => `${quoteLiteral(column.physical)}: ${quoteLiteral(duckDbType(column.type))}`,
    ),
    `${quoteLiteral(BATCH_COLUMN)}: 'BIGINT'`,
  ];
  return `read_json(${quoteLiteral(join(folder, '*.jsonl*'))}, format = 'newline_delimited', columns = {${types.join(', ')}})`;
}

/**
 * A column as the view shows it. JSON Lines values are read straight into the column's current
 * type. Parquet files of older batches may hold an older type (DuckDB unions them by name into a
 * common one); json columns are stored as strings and cast back to JSON, and the values of eras
 * whose conversion is not DuckDB's plain cast (strings into json, timestamps into text) are
 * converted as the writer would convert them today.
 */
function columnExpression(column: ManifestColumn, format: TableManifest['format']): string {
  const value = `f.${quoteIdentifier(column.physical)}`;
  if (format === 'jsonl') return value;
  const current = column.type === 'json' ? `CAST(${value} AS JSON)` : value;
  const arms = (column.eras ?? []).map((era) => {
    const converted = eraExpression(value, era.type, column.type);
    return `WHEN f.${quoteIdentifier(BATCH_COLUMN)} < ${era.before} THEN ${converted ?? current}`;
  });
  if (!arms.some((arm) => !arm.endsWith(`THEN ${current}`))) return current;
  return `CASE ${arms.join(' ')} ELSE ${current} END`;
}

/** How a value written as `from` (read back as text by the union) becomes `to`, when not by a cast. */
function eraExpression(value: string, from: ColumnType, to: ColumnType): string | undefined {
  if (from === 'timestamp' && (to === 'string' || to === 'json')) {
    return convertExpression(`CAST(${value} AS TIMESTAMPTZ)`, 'timestamp', to);
  }
  if (from === 'string' && to === 'json') return convertExpression(value, 'string', 'json');
  return undefined;
}
