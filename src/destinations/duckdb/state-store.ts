import type { DuckDBConnection } from '@duckdb/node-api';
import { REPLACE_RUNS_TABLE, STATE_TABLE } from './catalog.js';
import { qualifiedName, type SchemaRef } from './sql.js';

/**
 * The two bookkeeping tables, in the destination's schema:
 * - `_intercom_sync_state(stream VARCHAR PRIMARY KEY, state JSON, updated_at TIMESTAMPTZ)`: the
 *   committed state of each stream, written in the same transaction as the rows it covers;
 * - `_intercom_sync_replace_runs`: one row per replace run in progress (its staging table, the
 *   target, and the state its commits carried), written with the staged rows and deleted by the
 *   transaction that swaps the staging table in.
 */
export async function createBookkeepingTables(
  connection: DuckDBConnection,
  schema: SchemaRef,
): Promise<void> {
  await connection.run(
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(schema, STATE_TABLE)} (
       stream VARCHAR PRIMARY KEY, state JSON, updated_at TIMESTAMPTZ)`,
  );
  await connection.run(
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(schema, REPLACE_RUNS_TABLE)} (
       staging_table VARCHAR NOT NULL, target_table VARCHAR NOT NULL, target_physical VARCHAR NOT NULL,
       stream VARCHAR NOT NULL, state JSON, has_state BOOLEAN NOT NULL, created_at TIMESTAMPTZ NOT NULL)`,
  );
}

/** `JSON.stringify(state)`, refusing what JSON cannot hold (undefined, functions, symbols). */
export function serialiseState(state: unknown): string {
  const json: string | undefined = JSON.stringify(state);
  if (json === undefined)
    throw new TypeError(`A stream state must be JSON-serialisable, got ${typeof state}`);
  return json;
}

/** Sets a stream's state (already serialised) inside the caller's transaction. */
export async function upsertState(
  connection: DuckDBConnection,
  schema: SchemaRef,
  stream: string,
  stateJson: string,
): Promise<void> {
  // An UPDATE first: every commit but a stream's first finds its row, and an UPDATE costs DuckDB
  // about half of an INSERT … ON CONFLICT.
  const updated = await connection.run(
    `UPDATE ${qualifiedName(schema, STATE_TABLE)} SET state = CAST($2 AS JSON), updated_at = now() WHERE stream = $1`,
    [stream, stateJson],
  );
  if (updated.rowsChanged > 0) return;
  await connection.run(
    `INSERT INTO ${qualifiedName(schema, STATE_TABLE)} (stream, state, updated_at)
     VALUES ($1, CAST($2 AS JSON), now())
     ON CONFLICT (stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [stream, stateJson],
  );
}

export async function readStates(
  connection: DuckDBConnection,
  schema: SchemaRef,
): Promise<Map<string, unknown>> {
  const reader = await connection.runAndReadAll(
    `SELECT stream, CAST(state AS VARCHAR) FROM ${qualifiedName(schema, STATE_TABLE)} ORDER BY stream`,
  );
  const states = new Map<string, unknown>();
  for (const [stream, state] of reader.getRows()) {
    if (typeof stream === 'string' && typeof state === 'string') states.set(stream, JSON.parse(state));
  }
  return states;
}

export interface ReplaceRun {
  staging: string;
  /** Logical name of the table the run replaces. */
  target: string;
  /** Physical name the table has (or will have once swapped in). */
  targetPhysical: string;
}

export async function readReplaceRuns(
  connection: DuckDBConnection,
  schema: SchemaRef,
): Promise<ReplaceRun[]> {
  const reader = await connection.runAndReadAll(
    `SELECT staging_table, target_table, target_physical FROM ${qualifiedName(schema, REPLACE_RUNS_TABLE)}`,
  );
  return reader.getRows().map(([staging, target, targetPhysical]) => ({
    staging: String(staging),
    target: String(target),
    targetPhysical: String(targetPhysical),
  }));
}

export async function insertReplaceRun(
  connection: DuckDBConnection,
  schema: SchemaRef,
  run: ReplaceRun & { stream: string },
): Promise<void> {
  await connection.run(
    `INSERT INTO ${qualifiedName(schema, REPLACE_RUNS_TABLE)}
     VALUES ($1, $2, $3, $4, NULL, false, now())`,
    [run.staging, run.target, run.targetPhysical, run.stream],
  );
}

/** Keeps the state a replace commit carried with its staging table, for `finish` to commit. */
export async function setReplaceRunState(
  connection: DuckDBConnection,
  schema: SchemaRef,
  staging: string,
  stateJson: string,
): Promise<void> {
  await connection.run(
    `UPDATE ${qualifiedName(schema, REPLACE_RUNS_TABLE)} SET state = CAST($1 AS JSON), has_state = true
     WHERE staging_table = $2`,
    [stateJson, staging],
  );
}

/** The state kept with a replace run: `null` when no run, `{ stateJson: undefined }` when no state. */
export async function readReplaceRunState(
  connection: DuckDBConnection,
  schema: SchemaRef,
  staging: string,
): Promise<{ stateJson: string | undefined } | null> {
  const reader = await connection.runAndReadAll(
    `SELECT CAST(state AS VARCHAR), has_state FROM ${qualifiedName(schema, REPLACE_RUNS_TABLE)}
     WHERE staging_table = $1`,
    [staging],
  );
  const row = reader.getRows()[0];
  if (row === undefined) return null;
  const [state, hasState] = row;
  return { stateJson: hasState === true && typeof state === 'string' ? state : undefined };
}

export async function deleteReplaceRun(
  connection: DuckDBConnection,
  schema: SchemaRef,
  staging: string,
): Promise<void> {
  await connection.run(`DELETE FROM ${qualifiedName(schema, REPLACE_RUNS_TABLE)} WHERE staging_table = $1`, [
    staging,
  ]);
}
