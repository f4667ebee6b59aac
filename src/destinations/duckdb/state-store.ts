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

/**
 * Sets a stream's state (already serialised) inside the caller's transaction: the stream's row is
 * deleted and inserted again, never updated. DuckDB refuses a CHECKPOINT while a transaction older
 * than a committed UPDATE is open (it would need the row's old version), and the writers keep
 * transactions open across checkpoints (see `DuckDbStreamWriter.hold`); a committed DELETE only
 * makes the checkpoint leave the deleted row for later.
 */
export async function upsertState(
  connection: DuckDBConnection,
  schema: SchemaRef,
  stream: string,
  stateJson: string,
): Promise<void> {
  const table = qualifiedName(schema, STATE_TABLE);
  await connection.run(`DELETE FROM ${table} WHERE stream = $1`, [stream]);
  await connection.run(
    `INSERT INTO ${table} (stream, state, updated_at) VALUES ($1, CAST($2 AS JSON), now())`,
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

/**
 * Keeps the state a replace commit carried with its staging table, for `finish` to commit. The run's
 * row is deleted and inserted again with the state, not updated (see `upsertState`).
 */
export async function setReplaceRunState(
  connection: DuckDBConnection,
  schema: SchemaRef,
  staging: string,
  stateJson: string,
): Promise<void> {
  const table = qualifiedName(schema, REPLACE_RUNS_TABLE);
  const reader = await connection.runAndReadAll(
    `SELECT target_table, target_physical, stream, created_at FROM ${table} WHERE staging_table = $1`,
    [staging],
  );
  const row = reader.getRows()[0];
  if (row === undefined) return;
  await connection.run(`DELETE FROM ${table} WHERE staging_table = $1`, [staging]);
  await connection.run(
    `INSERT INTO ${table} VALUES ($1, $2, $3, $4, CAST($5 AS JSON), true, CAST($6 AS TIMESTAMPTZ))`,
    [staging, String(row[0]), String(row[1]), String(row[2]), stateJson, String(row[3])],
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
