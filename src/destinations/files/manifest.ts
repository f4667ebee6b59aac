import { widenColumnType } from '../column-types.js';
import type { ColumnSpec, ColumnType, WriteMode } from '../destination.js';
import { allocatePhysicalName, foldIdentifier } from '../duckdb/catalog.js';
import { BATCH_COLUMN } from './layout.js';

/** The two file formats. */
export type FileFormatName = 'parquet' | 'jsonl';

/**
 * A column's type before it was widened: rows of batches below `before` were written as `type`.
 * Kept so that the latest view can convert them exactly (e.g. a timestamp column that became a
 * string shows its old values as ISO 8601, as newly written ones are).
 */
export interface ColumnEra {
  type: ColumnType;
  before: number;
}

export interface ManifestColumn {
  /** The logical name, exactly as the spec gives it. */
  name: string;
  /**
   * The name in the files: the logical name, unless it would collide case-insensitively with an
   * earlier column or with `_sync_batch` (DuckDB, Parquet readers and Spark ignore case), in which
   * case it gets a suffix (`camelcase_2`), as in the DuckDB destination.
   */
  physical: string;
  /** The column's type now: what every file from now on holds. */
  type: ColumnType;
  /** Earlier types, oldest first; absent when the type never changed in this generation. */
  eras?: ColumnEra[];
}

/** A set of columns deletions matched on, and whether they were hard or soft. */
export interface DeletionKey {
  /** Physical column names, in table order. */
  columns: string[];
  hard: boolean;
}

/**
 * `_schema.json` of a generation: what a reader needs to read its files. Written atomically before
 * any file that depends on it, so a reader that has it can always read the files present.
 */
export interface TableManifest {
  version: 1;
  /** The table's logical name. */
  table: string;
  format: FileFormatName;
  /** The mode of the last writer prepared: a `merge` table's latest view keeps one row per key. */
  mode: WriteMode;
  /** Logical names of the primary-key columns. */
  primaryKey: string[];
  /** Every column of the table in table order; never dropped, only added or widened. */
  columns: ManifestColumn[];
  /** The key sets of the deletions recorded in `_deletions/`. */
  deletions: DeletionKey[];
}

const COLUMN_TYPES: ReadonlySet<string> = new Set<ColumnType>([
  'string',
  'integer',
  'float',
  'boolean',
  'timestamp',
  'json',
]);
const MODES: ReadonlySet<string> = new Set<WriteMode>(['append', 'merge', 'replace']);

/**
 * The columns of a table holding `existing` once it takes rows of `spec`: new columns are added,
 * changed types widened (the rule every destination shares), nothing dropped. A widened column
 * records its old type as an era ending at `batch`, the batch of the file that introduces the new
 * type. Returns `undefined` when nothing changes. Pure.
 */
export function evolveColumns(
  existing: readonly ManifestColumn[],
  spec: readonly ColumnSpec[],
  batch: number,
): ManifestColumn[] | undefined {
  const columns = existing.map((column) => ({ ...column }));
  const byName = new Map(columns.map((column) => [column.name, column]));
  const taken = new Set([foldIdentifier(BATCH_COLUMN), ...columns.map((c) => foldIdentifier(c.physical))]);
  let changed = false;
  for (const { name, type } of spec) {
    const current = byName.get(name);
    if (current === undefined) {
      const physical = allocatePhysicalName(name, taken);
      taken.add(foldIdentifier(physical));
      const added: ManifestColumn = { name, physical, type };
      columns.push(added);
      byName.set(name, added);
      changed = true;
      continue;
    }
    const widened = widenColumnType(current.type, type);
    if (widened === current.type) continue;
    current.eras = [...(current.eras ?? []), { type: current.type, before: batch }];
    current.type = widened;
    changed = true;
  }
  return changed ? columns : undefined;
}

/** The manifest of a new generation: `base`'s columns (their eras dropped: no old file comes along) evolved by `spec`. */
export function newManifest(
  base: TableManifest | undefined,
  table: string,
  format: FileFormatName,
  spec: readonly ColumnSpec[],
  mode: WriteMode,
  primaryKey: readonly string[],
): TableManifest {
  const carried = (base?.columns ?? []).map(({ name, physical, type }) => ({ name, physical, type }));
  return {
    version: 1,
    table,
    format,
    mode,
    primaryKey: [...primaryKey],
    columns: (evolveColumns(carried, spec, 0) ?? carried).map(({ name, physical, type }) => ({
      name,
      physical,
      type,
    })),
    deletions: [],
  };
}

export function serialiseManifest(manifest: TableManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isColumn(value: unknown): value is ManifestColumn {
  if (typeof value !== 'object' || value === null) return false;
  const column = value as Record<string, unknown>;
  const eras = column.eras;
  return (
    typeof column.name === 'string' &&
    typeof column.physical === 'string' &&
    typeof column.type === 'string' &&
    COLUMN_TYPES.has(column.type) &&
    (eras === undefined ||
      (Array.isArray(eras) &&
        eras.every(
          (era: unknown) =>
            typeof era === 'object' &&
            era !== null &&
            COLUMN_TYPES.has(String((era as Record<string, unknown>).type)) &&
            typeof (era as Record<string, unknown>).before === 'number',
        )))
  );
}

/** Parses and checks a `_schema.json`; throws a message naming what is wrong. */
export function parseManifest(text: string): TableManifest {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('the manifest is not a JSON object');
  const manifest = value as Record<string, unknown>;
  if (manifest.version !== 1) throw new Error(`unknown manifest version ${JSON.stringify(manifest.version)}`);
  if (typeof manifest.table !== 'string') throw new Error('the manifest has no table name');
  if (manifest.format !== 'parquet' && manifest.format !== 'jsonl') {
    throw new Error(`unknown file format ${JSON.stringify(manifest.format)}`);
  }
  if (typeof manifest.mode !== 'string' || !MODES.has(manifest.mode))
    throw new Error('the manifest has no mode');
  if (!isStringArray(manifest.primaryKey)) throw new Error('the manifest has no primary key list');
  if (!Array.isArray(manifest.columns) || !manifest.columns.every(isColumn)) {
    throw new Error('the manifest has malformed columns');
  }
  const deletions = manifest.deletions;
  if (
    !Array.isArray(deletions) ||
    !deletions.every(
      (key: unknown) =>
        typeof key === 'object' &&
        key !== null &&
        isStringArray((key as Record<string, unknown>).columns) &&
        typeof (key as Record<string, unknown>).hard === 'boolean',
    )
  ) {
    throw new Error('the manifest has malformed deletion keys');
  }
  return value as TableManifest;
}
