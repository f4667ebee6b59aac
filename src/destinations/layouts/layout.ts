import type { ColumnType } from '../destination.js';

/**
 * Warehouse layouts: extra tables a SQL destination derives from the stream tables a sync keeps,
 * after the sync's streams have committed. A layout never reads the API and never changes a stream
 * table; it only reads them, so applying it again (after a crash, or on the next sync) converges
 * to the same result. Extension point: a new layout is a module under `layouts/<name>/` that turns
 * a `LayoutSession` into its tables, added to `LAYOUT_NAMES` and to `applyLayout` in `index.ts`.
 */

/** The layouts `--layout` accepts. */
export const LAYOUT_NAMES = ['fivetran'] as const;
export type LayoutName = (typeof LAYOUT_NAMES)[number];

export function isLayoutName(name: string): name is LayoutName {
  return (LAYOUT_NAMES as readonly string[]).includes(name);
}

/** A column of a table as the destination's catalog reports it. */
export interface LayoutCatalogColumn {
  /** The name streams and layouts use. */
  logical: string;
  /** The name in the database (the same unless it was too long for it). */
  physical: string;
  /** The logical type, or undefined for a column of a type the destination never creates. */
  type: ColumnType | undefined;
}

export interface LayoutCatalogTable {
  physical: string;
  columns: LayoutCatalogColumn[];
}

/**
 * How a layout's SQL differs between databases. Everything else (UPDATE … FROM, NOT EXISTS,
 * `->`/`->>` on JSON, INTERVAL, to_timestamp, GREATEST) is written once and runs on both.
 */
export interface SqlDialect {
  readonly name: 'duckdb' | 'postgres';
  quoteIdentifier(name: string): string;
  /** The SQL type a logical column type is stored as. */
  sqlType(type: ColumnType): string;
}

/**
 * What a layout sees of a destination: one transaction at a time, on the destination's schema.
 * `table` names are logical (as streams name them); `qualified` turns a physical name into the
 * schema-qualified name to put in SQL.
 */
export interface LayoutTransaction {
  readonly dialect: SqlDialect;
  /** The table with this logical name, or undefined when it does not exist (yet). */
  table(logical: string): Promise<LayoutCatalogTable | undefined>;
  qualified(physical: string): string;
  /** Runs one statement. */
  run(sql: string): Promise<void>;
  /** Runs one query and returns its rows. */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
}

/** Runs `body` in one transaction of the destination: all of it commits, or none of it. */
export type LayoutTransactionRunner = <T>(
  body: (transaction: LayoutTransaction) => Promise<T>,
  signal?: AbortSignal,
) => Promise<T>;

/** What applying a layout did, per layout table. */
export interface LayoutTableReport {
  table: string;
  /** Rows (versions) inserted. */
  inserted: number;
  /** Versions closed (`_fivetran_active` set to false) or rows marked `_fivetran_deleted`. */
  closed: number;
  /** False when the stream table it derives from does not exist (the layout table is left empty). */
  sourced: boolean;
}

export interface LayoutReport {
  layout: LayoutName;
  tables: LayoutTableReport[];
  durationMs: number;
}

export interface ApplyLayoutOptions {
  /** The time of this application: `_fivetran_synced` of deletions, `_fivetran_end` of vanished records. */
  now?: Date;
  signal?: AbortSignal;
}

/** A destination that can apply layouts (DuckDB and PostgreSQL; not the file destination). */
export interface LayoutCapable {
  applyLayout(layout: LayoutName, options?: ApplyLayoutOptions): Promise<LayoutReport>;
}

export function supportsLayouts<T extends object>(destination: T): destination is T & LayoutCapable {
  return typeof (destination as Partial<LayoutCapable>).applyLayout === 'function';
}
