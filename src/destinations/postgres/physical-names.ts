import { createHash } from 'node:crypto';

/**
 * Physical names in PostgreSQL's catalog.
 *
 * Quoted identifiers keep their case and any unicode, so a logical name (the spec's, exact) is its
 * own physical name, with two exceptions: PostgreSQL truncates identifiers to 63 bytes, and a few
 * column names are taken by system columns (`xmin`, `ctid`, …). Such a name gets a physical name
 * that fits: as many whole characters of it as fit in 54 bytes, `_`, and 8 hex digits of its
 * SHA-256 (`<first 54 bytes>_1a2b3c4d`), the same every time. The table or column then carries a
 * comment recording its logical name, so it reads back (and is found again) by that name. The
 * comment lives in the catalog next to the object: it survives ALTER and RENAME, and commits or
 * rolls back with them.
 */

/** NAMEDATALEN - 1: the longest identifier PostgreSQL keeps whole. */
export const MAX_IDENTIFIER_BYTES = 63;
const HASH_DIGITS = 8;

/** Every table the destination creates for itself starts with this; streams may not use it. */
export const INTERNAL_TABLE_PREFIX = '_intercom_sync_';
/** `(stream text PRIMARY KEY, state jsonb, updated_at timestamptz)` */
export const STATE_TABLE = '_intercom_sync_state';
/** One row per replace run in progress: its staging table, target, owner, and the state to commit at finish. */
export const REPLACE_RUNS_TABLE = '_intercom_sync_replace_runs';
/** Per-run staging tables of replace mode: `_intercom_sync_staging_<random>`. */
export const STAGING_TABLE_PREFIX = '_intercom_sync_staging_';
/** The transaction-local table a commit copies its rows into. */
export const LANDING_TABLE = '_intercom_sync_landing';

/** Column names PostgreSQL reserves for system columns of every table. */
export const SYSTEM_COLUMNS: ReadonlySet<string> = new Set([
  'tableoid',
  'xmin',
  'cmin',
  'xmax',
  'cmax',
  'ctid',
]);

const COMMENT_KEY = 'intercom_sync_name';

/** `name` cut to at most `maxBytes` bytes of UTF-8, without splitting a character. */
export function truncateUtf8(name: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const character of name) {
    const size = Buffer.byteLength(character, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += character.length;
  }
  return name.slice(0, end);
}

/**
 * The physical name to try for `logical`: attempt 0 is the logical name itself when it fits in 63
 * bytes, otherwise (and for later attempts, when the earlier ones are taken) a prefix of it plus a
 * hash of it (and of the attempt number).
 */
export function physicalNameCandidate(logical: string, attempt = 0): string {
  if (attempt === 0 && Buffer.byteLength(logical, 'utf8') <= MAX_IDENTIFIER_BYTES) return logical;
  const digest = createHash('sha256')
    .update(attempt === 0 ? logical : `${logical}\u0000${attempt}`)
    .digest('hex')
    .slice(0, HASH_DIGITS);
  return `${truncateUtf8(logical, MAX_IDENTIFIER_BYTES - HASH_DIGITS - 1)}_${digest}`;
}

/** The first candidate physical name for `logical` that is not in `taken`. Deterministic. */
export function allocatePhysicalName(logical: string, taken: ReadonlySet<string>): string {
  for (let attempt = 0; ; attempt++) {
    const candidate = physicalNameCandidate(logical, attempt);
    if (!taken.has(candidate)) return candidate;
  }
}

/** The comment recording a logical name on a table or column whose physical name differs. */
export function logicalNameComment(logical: string): string {
  return JSON.stringify({ [COMMENT_KEY]: logical });
}

/** The logical name recorded in a comment, if the comment is one of ours. */
export function logicalNameFromComment(comment: string | null): string | undefined {
  if (comment === null || !comment.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(comment);
    if (typeof parsed === 'object' && parsed !== null && COMMENT_KEY in parsed) {
      const name: unknown = (parsed as Record<string, unknown>)[COMMENT_KEY];
      return typeof name === 'string' ? name : undefined;
    }
  } catch {
    // Someone else's comment: the object's logical name is its physical name.
  }
  return undefined;
}

/** Whether `physical` names one of the destination's own tables (never a stream's). */
export function isInternalTable(physical: string): boolean {
  return physical.startsWith(INTERNAL_TABLE_PREFIX);
}
