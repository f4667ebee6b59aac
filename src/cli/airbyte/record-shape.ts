import {
  type ColumnType,
  DELETED_AT,
  type Deletion,
  type Row,
  type TableSpec,
} from '../../destinations/destination.js';
import { RowShaper, SYNCED_AT, setField } from '../../engine/schema.js';
import { loadCustomAttributes } from '../../engine/sync.js';
import type { IntercomClient } from '../../http/index.js';
import type { StreamDefinition } from '../../streams/index.js';

/**
 * How the protocol adapters print the engine's typed rows. Both print exactly the columns the
 * engine shapes (the stream's fields, typed `custom_<name>` columns, fields Intercom added), without
 * `_synced_at` (the protocols carry the extraction time in the message). Timestamps are printed as
 * Unix seconds for Airbyte (as Airbyte's source-intercom declares them) and as ISO 8601 strings
 * for Singer (`format: date-time`, as Singer targets expect).
 */
export type TimestampStyle = 'unix-seconds' | 'iso-8601';

export type JsonSchema = Record<string, unknown>;

/** A JSON column holds whatever Intercom sent: objects mostly, lists, sometimes scalars. */
const ANY_JSON = ['null', 'object', 'array', 'string', 'number', 'boolean'];

export function columnSchema(type: ColumnType, style: TimestampStyle): JsonSchema {
  switch (type) {
    case 'string':
      return { type: ['null', 'string'] };
    case 'integer':
      return { type: ['null', 'integer'] };
    case 'float':
      return { type: ['null', 'number'] };
    case 'boolean':
      return { type: ['null', 'boolean'] };
    case 'timestamp':
      return style === 'unix-seconds'
        ? { type: ['null', 'integer'], description: 'Unix seconds' }
        : { type: ['null', 'string'], format: 'date-time' };
    case 'json':
      return { type: [...ANY_JSON] };
  }
}

/** The columns a record may carry: everything but `_synced_at`. */
export function recordColumns(spec: TableSpec): TableSpec['columns'] {
  return spec.columns.filter((c) => c.name !== SYNCED_AT);
}

/** The JSON schema of a stream's records, property for column. */
export function recordProperties(spec: TableSpec, style: TimestampStyle): Record<string, JsonSchema> {
  return Object.fromEntries(recordColumns(spec).map((c) => [c.name, columnSchema(c.type, style)]));
}

/** `2026-01-14T23:50:00Z` (milliseconds only when there are some). */
export function isoTime(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** Unix seconds from a number, a numeric string or an ISO 8601 date (state written by hand or by us). */
export function unixSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.floor(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) return Math.floor(n);
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  return undefined;
}

/** A typed row as JSON record data, in the style's timestamps. */
export function recordData(row: Row, style: TimestampStyle): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === SYNCED_AT || value === undefined) continue;
    if (value instanceof Date)
      setField(out, key, style === 'unix-seconds' ? Math.floor(value.getTime() / 1000) : isoTime(value));
    else if (typeof value === 'bigint')
      setField(out, key, Number.isSafeInteger(Number(value)) ? Number(value) : value.toString());
    else setField(out, key, value);
  }
  return out;
}

/**
 * Deletions as rows ("tombstones"): the record's key, its cursor set to the deletion time (so a
 * destination that keeps the latest version per key keeps the tombstone) and `_deleted_at`. Only
 * deletions that name a whole primary key can be printed: a deleted conversation's parts are
 * matched by `conversation_id`, not by their key, and are left to a join on the conversation.
 */
export function tombstones(def: StreamDefinition, deletions: readonly Deletion[]): Row[] {
  const rows: Row[] = [];
  for (const deletion of deletions) {
    if (!def.primaryKey.every((k) => deletion.match[k] !== undefined && deletion.match[k] !== null)) continue;
    rows.push({
      ...deletion.match,
      ...(def.cursor ? { [def.cursor]: deletion.at } : {}),
      [DELETED_AT]: deletion.at,
    });
  }
  return rows;
}

/** True when the stream's deletions can be printed as tombstones. */
export function printsDeletions(def: StreamDefinition): boolean {
  if (!def.deletions) return false;
  // The engine adds the workspace to every deletion's match.
  const sample = { workspace_id: 'w', ...def.deletions.match({ id: 'x' }) };
  return def.primaryKey.every((k) => k in sample);
}

/**
 * The table specs the engine will shape for these streams, custom attribute columns included
 * (read from GET /data_attributes, as the engine does at the start of a sync).
 */
export async function describeStreams(
  client: IntercomClient,
  defs: readonly StreamDefinition[],
  signal: AbortSignal,
): Promise<TableSpec[]> {
  const custom = await loadCustomAttributes(client, [...defs], signal);
  return defs.map((def) =>
    new RowShaper(
      def,
      def.customAttributes ? (custom.get(def.customAttributes) ?? []) : [],
      def.name,
      def.deletions !== undefined,
    ).spec(),
  );
}
