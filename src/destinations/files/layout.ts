import { randomBytes } from 'node:crypto';

/**
 * Names of everything a file destination writes under its root:
 *
 *   <root>/
 *     _intercom_sync_state.json             the committed state of every stream
 *     <table>/                              one folder per table (name encoded, see tableFolderName)
 *       current -> g-20260102T030405Z-ab12cd34      symlink to the table's visible generation
 *       g-20260102T030405Z-ab12cd34/                a generation: the table's files
 *         _schema.json                              the table's manifest (columns, types, mode, key)
 *         000000000001-20260102T030405Z-ab12cd34.parquet    one file per commit, immutable
 *         000000000002-20260102T031000Z-77e0f1aa.parquet
 *         _deletions/000000000003-20260102T031000Z-77e0f1aa.jsonl   one file per delete() call
 *       g-20260103T000000Z-5c1d9e02/                a replace run's staging generation (until finish)
 *
 * Readers glob `<root>/<table>/current/*.parquet` (or `*.jsonl*`); `latestViewSql` does it for them.
 * Files being written have names starting with a dot and without the data extension, so no glob
 * of the table's files ever matches one.
 */

/** The state file, in the root. */
export const STATE_FILE = '_intercom_sync_state.json';
/** Table names starting with this are reserved (the root also holds the destination's own files). */
export const RESERVED_TABLE_PREFIX = '_intercom_sync';
/** The symlink in a table's folder naming its visible generation. */
export const CURRENT_LINK = 'current';
/** Generation folders are `g-<run>`. */
export const GENERATION_PREFIX = 'g-';
/** The manifest in every generation folder. */
export const SCHEMA_FILE = '_schema.json';
/** Deletion records, in every generation folder that has any. */
export const DELETIONS_FOLDER = '_deletions';
/**
 * The column every data file (and deletion record) carries: the commit's sequence number within
 * the table, increasing across runs and generations. "Latest" means the highest `_sync_batch`.
 */
export const BATCH_COLUMN = '_sync_batch';
/**
 * The empty deletions file written with the `_deletions` folder, so that a glob of the folder
 * always matches a file (DuckDB refuses a glob that matches none). Batch 0 is never a commit's.
 */
export const EMPTY_DELETIONS_FILE = `${'0'.repeat(12)}-empty.jsonl`;
/** The glob of a generation's deletion files. */
export const DELETIONS_GLOB = '*.jsonl';

const BATCH_DIGITS = 12;
const BATCH_PATTERN = /^(\d{12})-/;

/** One writer's run: when it was prepared and a random id, e.g. `20260102T030405Z-ab12cd34`. */
export interface RunLabel {
  readonly label: string;
}

export function createRunLabel(now: Date = new Date()): RunLabel {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return { label: `${stamp}-${randomBytes(4).toString('hex')}` };
}

/** Characters a table folder name may not contain as such (path separators, globs, controls). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is escaped
const UNSAFE_IN_FOLDER = /[\u0000-\u001f\u007f/\\%*?[\]{}:<>|"]/gu;

/**
 * The folder name of a table: the table name with `%`, path separators, glob characters
 * (`* ? [ ] { }`), characters Windows refuses and control characters percent-encoded (UTF-8), and a
 * leading dot encoded (so `.` and `..` are plain names). Injective: different tables never share a
 * folder (on a case-sensitive file system; on macOS' default one `Tags` and `tags` would).
 */
export function tableFolderName(table: string): string {
  const escaped = table.replace(UNSAFE_IN_FOLDER, (character) =>
    [...Buffer.from(character, 'utf8')]
      .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
  return escaped.startsWith('.') ? `%2E${escaped.slice(1)}` : escaped;
}

/** `000000000042-20260102T030405Z-ab12cd34.parquet`: sorts by batch. */
export function batchFileName(batch: number, run: RunLabel, extension: string): string {
  return `${String(batch).padStart(BATCH_DIGITS, '0')}-${run.label}${extension}`;
}

/** The batch a data or deletions file name starts with, or undefined for any other name. */
export function batchOfFileName(name: string): number | undefined {
  const match = BATCH_PATTERN.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** A name for a file being written: hidden, and matching no data glob. */
export function inflightName(): string {
  return `.inflight-${randomBytes(8).toString('hex')}`;
}

/** Whether a name in a generation (or table) folder is a leftover of an interrupted write. */
export function isInflightName(name: string): boolean {
  return name.startsWith('.');
}

/** Characters that a glob would interpret: a root containing them cannot be read by a glob. */
export const GLOB_CHARACTERS = /[*?[\]{}\\]/;
