import { appendFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  type ColumnSpec,
  DELETED_AT,
  type Deletion,
  type IdReconciliation,
  type ReconcileOptions,
  type Row,
} from '../destination.js';
import { quoteIdentifier, quoteLiteral } from '../duckdb/sql.js';
import type { BatchFileWriter } from './file-format.js';
import { buildLatestViewSql } from './latest-view.js';
import { inflightName, type RunLabel } from './layout.js';
import type { TableManifest } from './manifest.js';
import type { Generation, TableFolder } from './table-folder.js';

/**
 * Deletes found by comparison, for files. The files are immutable, so both work through what the
 * destination already has, with an in-memory DuckDB (which spills to disk) doing the anti-join
 * over the latest view:
 *
 * - replace with soft deletes: the old generation's rows whose key the new generation lacks are
 *   written into the new generation, as one more batch, with `_deleted_at` set;
 * - reconciliation: the listed ids are appended to a hidden spill file in the generation folder
 *   (removed like any leftover if the run is interrupted); `apply` finds the rows of the latest view
 *   whose id is not in it and records them as deletions (`_deletions/`), then the state.
 */

/** Rows per batch file written when carrying rows over, and per deletions file. */
const ROWS_PER_BATCH = 5000;

async function withDuckDb<T>(body: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await body(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** `alias.column = value AND …` for a partition (a column the table lacks counts as NULL). */
function scopeCondition(alias: string, manifest: TableManifest, scope: Row | undefined): string {
  const byName = new Map(manifest.columns.map((column) => [column.name, column]));
  const parts = Object.entries(scope ?? {}).map(([name, value]) => {
    const column = byName.get(name);
    if (column === undefined) return value === null || value === undefined ? 'TRUE' : 'FALSE';
    const ref = `${alias}.${quoteIdentifier(column.physical)}`;
    if (value === null || value === undefined) return `${ref} IS NULL`;
    const text =
      value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
    return `CAST(${ref} AS VARCHAR) = ${quoteLiteral(text)}`;
  });
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

/** The SELECT list reading `columns` from alias `o` as plain values (see `rowOf`). */
function plainColumns(columns: readonly ColumnSpec[], manifest: TableManifest): string[] {
  const byName = new Map(manifest.columns.map((column) => [column.name, column]));
  return columns.map((spec) => {
    const column = byName.get(spec.name);
    if (column === undefined) return 'NULL';
    const ref = `o.${quoteIdentifier(column.physical)}`;
    switch (spec.type) {
      case 'timestamp':
        return column.type === 'timestamp' ? `epoch_ms(${ref})` : 'NULL';
      case 'float':
        return `TRY_CAST(${ref} AS DOUBLE)`;
      case 'boolean':
        return `TRY_CAST(${ref} AS BOOLEAN)`;
      default:
        return `CAST(${ref} AS VARCHAR)`;
    }
  });
}

/** A row of `columns` from the plain values `plainColumns` selected. */
function rowOf(values: readonly unknown[], columns: readonly ColumnSpec[]): Row {
  const row: Row = {};
  columns.forEach((spec, index) => {
    const value = values[index];
    if (value === null || value === undefined) return;
    switch (spec.type) {
      case 'timestamp':
        row[spec.name] = new Date(Number(value));
        return;
      case 'integer': {
        const text = String(value);
        if (!/^-?\d+$/.test(text)) return;
        const big = BigInt(text);
        row[spec.name] =
          big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER)
            ? Number(big)
            : big;
        return;
      }
      case 'json':
        try {
          row[spec.name] = JSON.parse(String(value));
        } catch {
          row[spec.name] = String(value);
        }
        return;
      default:
        row[spec.name] = value;
    }
  });
  return row;
}

/**
 * Replace with soft deletes, before `current` switches to `staging`: the rows of `previous` (its
 * latest view, in scope) whose primary key `staging` lacks are written into `staging` as new
 * batches with `_deleted_at` set to `at` unless they had one. Returns the rows carried over.
 */
export async function carryDeletedRows(options: {
  table: TableFolder;
  previous: Generation | undefined;
  staging: Generation;
  columns: readonly ColumnSpec[];
  primaryKey: readonly string[];
  at: Date;
  scope: Row | undefined;
  run: RunLabel;
  batchWriter: BatchFileWriter;
  signal?: AbortSignal;
}): Promise<number> {
  const { table, previous, staging, primaryKey, at, run, batchWriter, signal } = options;
  if (previous === undefined || primaryKey.length === 0) return 0;
  const oldNames = new Map(previous.manifest.columns.map((column) => [column.name, column.physical]));
  const newNames = new Map(staging.manifest.columns.map((column) => [column.name, column.physical]));
  if (primaryKey.some((name) => !oldNames.has(name) || !newNames.has(name))) return 0;
  // The batch writer writes the spec's columns only: `_deleted_at` must be one (the engine's specs
  // list it when soft deletes are on).
  if (!options.columns.some((column) => column.name === DELETED_AT))
    throw new Error(`soft deletes need the table spec to list the ${DELETED_AT} column`);
  const columns = options.columns;
  await table.ensureColumns(staging, [{ name: DELETED_AT, type: 'timestamp' }], run, batchWriter, signal);
  const matches = primaryKey.map(
    (name) =>
      `CAST(n.${quoteIdentifier(newNames.get(name) as string)} AS VARCHAR) IS NOT DISTINCT FROM CAST(o.${quoteIdentifier(oldNames.get(name) as string)} AS VARCHAR)`,
  );
  const sql = `WITH o AS (${buildLatestViewSql(previous.folder, previous.manifest, primaryKey)}),
    n AS (${buildLatestViewSql(staging.folder, staging.manifest, primaryKey)})
    SELECT ${plainColumns(columns, previous.manifest).join(', ')} FROM o
    WHERE ${scopeCondition('o', previous.manifest, options.scope)}
      AND NOT EXISTS (SELECT 1 FROM n WHERE ${matches.join(' AND ')})`;
  return withDuckDb(async (connection) => {
    const result = await connection.stream(sql);
    let carried = 0;
    let rows: Row[] = [];
    const flush = async () => {
      if (rows.length === 0) return;
      await table.writeBatch(staging, rows, run, batchWriter, signal);
      carried += rows.length;
      rows = [];
    };
    for (;;) {
      signal?.throwIfAborted();
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      for (const values of chunk.getRows()) {
        const row = rowOf(values, columns);
        row[DELETED_AT] ??= at;
        rows.push(row);
      }
      if (rows.length >= ROWS_PER_BATCH) await flush();
    }
    await flush();
    return carried;
  });
}

/** What a file writer lends its reconciliation. */
export interface FileReconcileHost {
  /** The generation the writer writes to (read when applying). */
  generation(): Generation;
  /** `StreamWriter.delete` of the writer: one deletions file, then the state. */
  delete(
    deletions: Deletion[],
    hard: boolean,
    state: unknown | undefined,
    signal?: AbortSignal,
  ): Promise<void>;
  scope: Row | undefined;
}

/**
 * Reconciliation for files: ids spill to a hidden file (one id a line), the anti-join over the
 * latest view runs in DuckDB, and the rows found are recorded as deletions of their id (soft:
 * `_deleted_at` in the view; hard: left out of it), `ROWS_PER_BATCH` to a deletions file, the state
 * with the last. Only the ids found missing (the deleted rows, not the listing) are held in memory.
 */
export class FileIdReconciliation implements IdReconciliation {
  private readonly spill: string;
  private done = false;

  constructor(
    private readonly host: FileReconcileHost,
    private readonly idColumn: string,
  ) {
    this.spill = join(host.generation().folder, `${inflightName()}-ids.csv`);
  }

  async add(ids: readonly string[], signal?: AbortSignal): Promise<void> {
    if (this.done) throw new Error('the reconciliation has ended');
    signal?.throwIfAborted();
    if (ids.length === 0) return;
    await appendFile(this.spill, `${ids.map((id) => `"${id.replaceAll('"', '""')}"`).join('\n')}\n`);
  }

  async apply(options: ReconcileOptions, state: unknown | undefined, signal?: AbortSignal): Promise<number> {
    if (this.done) throw new Error('the reconciliation has ended');
    try {
      await appendFile(this.spill, '');
      const generation = this.host.generation();
      const { manifest } = generation;
      const id = manifest.columns.find((column) => column.name === this.idColumn);
      if (id === undefined)
        throw new Error(`cannot reconcile by "${this.idColumn}": the table has no such column`);
      const deletedAt = manifest.columns.find((column) => column.name === DELETED_AT);
      const view = buildLatestViewSql(generation.folder, manifest, manifest.primaryKey);
      const sql = `WITH o AS (${view}),
        listed AS (SELECT id FROM read_csv(${quoteLiteral(this.spill)}, header = false, columns = {'id': 'VARCHAR'}, quote = '"', escape = '"'))
        SELECT DISTINCT CAST(o.${quoteIdentifier(id.physical)} AS VARCHAR) FROM o
        WHERE ${scopeCondition('o', manifest, this.host.scope)}
          ${deletedAt === undefined || options.hard ? '' : `AND o.${quoteIdentifier(deletedAt.physical)} IS NULL`}
          AND NOT EXISTS (SELECT 1 FROM listed WHERE listed.id = CAST(o.${quoteIdentifier(id.physical)} AS VARCHAR))`;
      const missing = await withDuckDb(async (connection) => {
        const result = await connection.stream(sql);
        const found: string[] = [];
        for (;;) {
          signal?.throwIfAborted();
          const chunk = await result.fetchChunk();
          if (chunk === null || chunk.rowCount === 0) break;
          for (const [value] of chunk.getRows()) if (typeof value === 'string') found.push(value);
        }
        return found;
      });
      for (let start = 0; start < missing.length || start === 0; start += ROWS_PER_BATCH) {
        const chunk = missing.slice(start, start + ROWS_PER_BATCH);
        const last = start + ROWS_PER_BATCH >= missing.length;
        await this.host.delete(
          chunk.map((value) => ({ match: { [this.idColumn]: value }, at: options.at })),
          options.hard,
          last ? state : undefined,
          signal,
        );
        if (last) break;
      }
      return missing.length;
    } finally {
      await this.discard();
    }
  }

  async discard(): Promise<void> {
    this.done = true;
    await rm(this.spill, { force: true });
  }
}
