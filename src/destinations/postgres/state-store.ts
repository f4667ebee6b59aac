import type { SqlRunner } from './catalog.js';
import { serialiseJson } from './copy-encoding.js';
import { REPLACE_RUNS_TABLE, STATE_TABLE } from './physical-names.js';
import { qualifiedName } from './sql.js';

/**
 * The two bookkeeping tables, in the destination's schema:
 * - `_intercom_sync_state(stream text PRIMARY KEY, state jsonb, updated_at timestamptz)`: the
 *   committed state of each stream, written in the same transaction as the rows it covers;
 * - `_intercom_sync_replace_runs`: one row per replace run in progress (its staging table, the
 *   target, the destination that owns it, and the state its commits carried), written with the
 *   staged rows and deleted by the transaction that swaps the staging table in.
 *
 * `existing` are the names the schema already has: only the missing tables are created (so a user
 * without CREATE on an already set-up schema can still open it). The caller holds the schema lock.
 */
export async function createBookkeepingTables(
  runner: SqlRunner,
  schema: string,
  existing: ReadonlySet<string>,
): Promise<void> {
  if (!existing.has(STATE_TABLE)) {
    await runner.query(
      `CREATE TABLE ${qualifiedName(schema, STATE_TABLE)} (
         stream text PRIMARY KEY, state jsonb, updated_at timestamptz)`,
    );
  }
  if (!existing.has(REPLACE_RUNS_TABLE)) {
    await runner.query(
      `CREATE TABLE ${qualifiedName(schema, REPLACE_RUNS_TABLE)} (
         staging_table text PRIMARY KEY, target_table text NOT NULL, target_physical text NOT NULL,
         stream text NOT NULL, owner integer NOT NULL, state jsonb, has_state boolean NOT NULL DEFAULT false,
         created_at timestamptz NOT NULL DEFAULT now())`,
    );
  }
}

/**
 * A stream state as jsonb text: `JSON.stringify`, with NUL removed as for rows (see
 * `copy-encoding.ts`), refusing what JSON cannot hold (undefined, functions, symbols).
 */
export function serialiseState(state: unknown): string {
  const json = serialiseJson(state);
  if (json === undefined)
    throw new TypeError(`A stream state must be JSON-serialisable, got ${typeof state}`);
  return json;
}

/** Sets a stream's state (already serialised) inside the caller's transaction. */
export async function upsertState(
  runner: SqlRunner,
  schema: string,
  stream: string,
  stateJson: string,
): Promise<void> {
  await runner.query(
    `INSERT INTO ${qualifiedName(schema, STATE_TABLE)} (stream, state, updated_at)
     VALUES ($1, $2::jsonb, now())
     ON CONFLICT (stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [stream, stateJson],
  );
}

export async function readStates(runner: SqlRunner, schema: string): Promise<Map<string, unknown>> {
  const rows = await runner.query(
    `SELECT stream, state::text AS state FROM ${qualifiedName(schema, STATE_TABLE)}
      WHERE state IS NOT NULL ORDER BY stream`,
  );
  const states = new Map<string, unknown>();
  for (const { stream, state } of rows) {
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
  /** The lease key of the destination running it. */
  owner: number;
}

export async function readReplaceRuns(runner: SqlRunner, schema: string): Promise<ReplaceRun[]> {
  const rows = await runner.query(
    `SELECT staging_table, target_table, target_physical, owner
       FROM ${qualifiedName(schema, REPLACE_RUNS_TABLE)} ORDER BY created_at`,
  );
  return rows.map((row) => ({
    staging: String(row.staging_table),
    target: String(row.target_table),
    targetPhysical: String(row.target_physical),
    owner: Number(row.owner),
  }));
}

export async function insertReplaceRun(
  runner: SqlRunner,
  schema: string,
  run: ReplaceRun & { stream: string },
): Promise<void> {
  await runner.query(
    `INSERT INTO ${qualifiedName(schema, REPLACE_RUNS_TABLE)}
       (staging_table, target_table, target_physical, stream, owner) VALUES ($1, $2, $3, $4, $5)`,
    [run.staging, run.target, run.targetPhysical, run.stream, run.owner],
  );
}

/** Keeps the state a replace commit carried with its staging table, for `finish` to commit. */
export async function setReplaceRunState(
  runner: SqlRunner,
  schema: string,
  staging: string,
  stateJson: string,
): Promise<void> {
  const rows = await runner.query(
    `UPDATE ${qualifiedName(schema, REPLACE_RUNS_TABLE)} SET state = $1::jsonb, has_state = true
      WHERE staging_table = $2 RETURNING 1 AS found`,
    [stateJson, staging],
  );
  if (rows.length === 0) throw replaceRunGone(staging);
}

/** The error for a replace run whose staging table was discarded (by another destination, as stale). */
export function replaceRunGone(staging: string): Error {
  return new Error(
    `the staging table ${staging} of this replace run is gone (another destination discarded it as abandoned); run the stream again`,
  );
}

/** The state kept with a replace run: `null` when no run, `{ stateJson: undefined }` when no state. */
export async function readReplaceRunState(
  runner: SqlRunner,
  schema: string,
  staging: string,
): Promise<{ stateJson: string | undefined } | null> {
  const rows = await runner.query(
    `SELECT state::text AS state, has_state FROM ${qualifiedName(schema, REPLACE_RUNS_TABLE)}
      WHERE staging_table = $1 FOR UPDATE`,
    [staging],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return { stateJson: row.has_state === true && typeof row.state === 'string' ? row.state : undefined };
}

export async function deleteReplaceRun(runner: SqlRunner, schema: string, staging: string): Promise<void> {
  await runner.query(`DELETE FROM ${qualifiedName(schema, REPLACE_RUNS_TABLE)} WHERE staging_table = $1`, [
    staging,
  ]);
}
