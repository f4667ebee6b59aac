import type { ColumnType, Deletion } from '../destination.js';
import { BATCH_COLUMN } from './layout.js';
import type { DeletionKey, ManifestColumn, TableManifest } from './manifest.js';

/**
 * Deletions, recorded rather than applied: a table's files are immutable. Each `delete()` call
 * writes one JSON Lines file to the generation's `_deletions/` folder, a line per deletion:
 *
 *   {"_sync_batch":7,"at":"2026-01-02T03:04:05.000Z","hard":true,"keys":"[\"conversation_id\"]","values":["x"]}
 *
 * `keys` names the matched columns (physical names, in table order, as a JSON array in a string so
 * that readers can compare it as a whole), `values` their values as text (null for NULL). The
 * latest view removes (hard) or marks (soft, `_deleted_at`) every row of an earlier batch that
 * matches; rows written after the deletion are not affected.
 */
export interface DeletionRecord {
  /** `JSON.stringify` of the matched columns' physical names. */
  keys: string;
  key: DeletionKey;
  values: (string | null)[];
  at: Date;
}

/** A match value as the text the view compares (after casting it to the column's type). */
function matchText(value: unknown, column: ManifestColumn): string {
  let text: string;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new Error(`cannot delete by ${JSON.stringify(column.name)}: Invalid Date`);
    text = value.toISOString();
  } else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    text = String(value);
  else text = JSON.stringify(value);
  if (!fitsType(text, column.type)) {
    throw new Error(
      `cannot delete by ${JSON.stringify(column.name)}: ${JSON.stringify(text)} is not a ${column.type} value`,
    );
  }
  return text;
}

function fitsType(text: string, type: ColumnType): boolean {
  switch (type) {
    case 'integer':
      return /^-?\d+$/.test(text);
    case 'float':
      return text.trim() !== '' && (!Number.isNaN(Number(text)) || text === 'NaN');
    case 'boolean':
      return text === 'true' || text === 'false';
    case 'timestamp':
      return !Number.isNaN(Date.parse(text));
    default:
      return true;
  }
}

/**
 * Checks `deletions` against the table's columns and turns them into records. Throws, naming the
 * column, for a match on a column the table lacks, a value that cannot be of the column's type, or
 * a match naming no column.
 */
export function encodeDeletions(
  deletions: readonly Deletion[],
  manifest: TableManifest,
  hard: boolean,
): DeletionRecord[] {
  const position = new Map(manifest.columns.map((column, index) => [column.name, index]));
  return deletions.map(({ match, at }) => {
    if (!(at instanceof Date) || Number.isNaN(at.getTime()))
      throw new Error('a deletion needs a valid `at` Date');
    const entries = Object.entries(match).map(([name, value]) => {
      const index = position.get(name);
      if (index === undefined)
        throw new Error(`cannot delete by ${JSON.stringify(name)}: the table has no such column`);
      return { index, value };
    });
    if (entries.length === 0) throw new Error('a delete match names no column');
    entries.sort((a, b) => a.index - b.index);
    const columns = entries.map(({ index }) => manifest.columns[index] as ManifestColumn);
    const physical = columns.map((column) => column.physical);
    return {
      keys: JSON.stringify(physical),
      key: { columns: physical, hard },
      values: entries.map(({ value }, i) =>
        value === null || value === undefined ? null : matchText(value, columns[i] as ManifestColumn),
      ),
      at,
    };
  });
}

/** The records as the lines of a deletions file, all of batch `batch`. */
export function deletionLines(records: readonly DeletionRecord[], batch: number, hard: boolean): string {
  return records
    .map(
      (record) =>
        `{${JSON.stringify(BATCH_COLUMN)}:${batch},"at":${JSON.stringify(record.at.toISOString())},"hard":${hard},"keys":${JSON.stringify(record.keys)},"values":${JSON.stringify(record.values)}}\n`,
    )
    .join('');
}

/** The key sets of `records` that `known` lacks. */
export function newDeletionKeys(
  known: readonly DeletionKey[],
  records: readonly DeletionRecord[],
): DeletionKey[] {
  const seen = new Set(known.map((key) => `${key.hard}:${JSON.stringify(key.columns)}`));
  const added: DeletionKey[] = [];
  for (const { key } of records) {
    const id = `${key.hard}:${JSON.stringify(key.columns)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    added.push(key);
  }
  return added;
}
