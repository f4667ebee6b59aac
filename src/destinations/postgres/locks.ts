import { randomInt } from 'node:crypto';
import type { Client } from 'pg';
import type { SqlRunner } from './catalog.js';

/**
 * Advisory locks (two-key form: a namespace of ours, then a key) that coordinate destinations
 * sharing a database, whether in one process or several.
 *
 * - Schema changes: every transaction that changes the schema's catalog (creating the schema or
 *   the bookkeeping tables, creating, evolving, swapping or dropping tables, adding `_deleted_at`)
 *   first takes the schema's transaction-level lock, so two writers never race to create the same
 *   table (which fails with a duplicate-key error rather than waiting) nor take table locks in
 *   opposite orders. Commits of rows take no such lock and run concurrently.
 * - Owner leases: each open destination holds a session-level lock on a random key on a connection
 *   of its own, for as long as it is open. Replace runs record that key as their owner; a run whose
 *   owner's lock is free belongs to a destination that is gone (closed or crashed) and is stale.
 */
const SCHEMA_LOCKS = 0x49_53_59_01;
const OWNER_LEASES = 0x49_53_59_02;

/** Takes the schema-change lock for `schema` until the end of the transaction. */
export async function lockSchemaChanges(runner: SqlRunner, schema: string): Promise<void> {
  await runner.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [SCHEMA_LOCKS, schema]);
}

/**
 * Of `owners`, those whose destination is gone (no session holds their lease). Their lock is then
 * held by this transaction until it ends, so they cannot come back meanwhile.
 */
export async function goneOwners(runner: SqlRunner, owners: Iterable<number>): Promise<Set<number>> {
  const distinct = [...new Set(owners)];
  if (distinct.length === 0) return new Set();
  const rows = await runner.query(
    'SELECT owner FROM unnest($2::int[]) AS owner WHERE pg_try_advisory_xact_lock($1::int, owner)',
    [OWNER_LEASES, distinct],
  );
  return new Set(rows.map((row) => Number(row.owner)));
}

/** Takes a lease on `client` (a connection kept for that purpose), under a fresh random key. */
export async function takeOwnerLease(client: Client): Promise<number> {
  for (;;) {
    const owner = randomInt(1, 2 ** 31 - 1);
    const result = await client.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS taken', [
      OWNER_LEASES,
      owner,
    ]);
    const row = result.rows[0] as Record<string, unknown> | undefined;
    if (row?.taken === true) return owner;
  }
}
