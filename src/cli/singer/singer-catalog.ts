import type { TableSpec } from '../../destinations/destination.js';
import { ConfigurationError } from '../../http/index.js';
import type { StreamDefinition } from '../../streams/index.js';
import { type JsonSchema, recordProperties } from '../airbyte/record-shape.js';

export type ReplicationMethod = 'INCREMENTAL' | 'FULL_TABLE';

/** Properties a target always gets: the key and the replication key. */
function automatic(def: StreamDefinition): Set<string> {
  return new Set([...def.primaryKey, ...(def.cursor ? [def.cursor] : [])]);
}

/** The record schema of a stream, without the properties deselected in the catalog. */
export function singerSchema(spec: TableSpec, excluded: ReadonlySet<string> = new Set()): JsonSchema {
  const properties = Object.fromEntries(
    Object.entries(recordProperties(spec, 'iso-8601')).filter(([name]) => !excluded.has(name)),
  );
  return { type: 'object', properties };
}

/** One stream of the `--discover` catalog, with its metadata (breadcrumb `[]` and one per property). */
export function singerCatalogEntry(
  def: StreamDefinition,
  spec: TableSpec,
  selectedByDefault: boolean,
): Record<string, unknown> {
  const incremental = def.cursor !== undefined;
  const method: ReplicationMethod = incremental ? 'INCREMENTAL' : 'FULL_TABLE';
  const schema = singerSchema(spec);
  const always = automatic(def);
  return {
    tap_stream_id: def.name,
    stream: def.name,
    schema,
    key_properties: [...def.primaryKey],
    ...(incremental ? { replication_key: def.cursor } : {}),
    replication_method: method,
    metadata: [
      {
        breadcrumb: [],
        metadata: {
          inclusion: 'available',
          selected: selectedByDefault,
          'selected-by-default': selectedByDefault,
          'table-key-properties': [...def.primaryKey],
          'valid-replication-keys': incremental ? [def.cursor] : [],
          'replication-method': method,
          ...(incremental
            ? { 'replication-key': def.cursor }
            : { 'forced-replication-method': 'FULL_TABLE' }),
        },
      },
      ...Object.keys(schema.properties as object).map((name) => ({
        breadcrumb: ['properties', name],
        metadata: { inclusion: always.has(name) ? 'automatic' : 'available' },
      })),
    ],
  };
}

/** A stream the `--catalog` selects. */
export interface SingerSelection {
  def: StreamDefinition;
  method: ReplicationMethod;
  /** Properties deselected in the catalog (never the key or the replication key). */
  excluded: Set<string>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isBreadcrumb = (entry: unknown, path: string[]): entry is { metadata: Record<string, unknown> } =>
  isObject(entry) &&
  Array.isArray(entry.breadcrumb) &&
  entry.breadcrumb.length === path.length &&
  entry.breadcrumb.every((p, i) => p === path[i]) &&
  isObject(entry.metadata);

/**
 * Reads a Singer catalog (`--catalog`, or the older `--properties`): the streams whose breadcrumb
 * `[]` metadata says `selected: true` (or the older stream-level `selected`), their
 * `replication-method`, and properties marked `selected: false`.
 */
export function parseSingerCatalog(
  raw: unknown,
  find: (name: string) => StreamDefinition | undefined,
  warn: (message: string) => void,
): SingerSelection[] {
  if (!isObject(raw) || !Array.isArray(raw.streams))
    throw new ConfigurationError('The catalog must be a Singer catalog: {"streams": [...]}.');
  const out: SingerSelection[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of raw.streams.entries()) {
    if (!isObject(entry)) throw new ConfigurationError(`streams[${i}] of the catalog is not an object.`);
    const id = entry.tap_stream_id ?? entry.stream;
    if (typeof id !== 'string')
      throw new ConfigurationError(`Give streams[${i}] of the catalog a tap_stream_id.`);
    const def = find(id);
    if (!def)
      throw new ConfigurationError(
        `The catalog names the stream "${id}", which this tap does not offer; run --discover for the list.`,
      );
    const metadata = Array.isArray(entry.metadata) ? entry.metadata : [];
    const top = metadata.find((m) => isBreadcrumb(m, []))?.metadata ?? {};
    const selected =
      top.selected ?? entry.selected ?? (isObject(entry.schema) ? entry.schema.selected : undefined);
    if (selected !== true) continue;
    if (seen.has(id)) throw new ConfigurationError(`The catalog selects the stream "${id}" twice.`);
    seen.add(id);

    const requested = String(top['replication-method'] ?? entry.replication_method ?? '').toUpperCase();
    let method: ReplicationMethod = def.cursor !== undefined ? 'INCREMENTAL' : 'FULL_TABLE';
    if (requested === 'FULL_TABLE') method = 'FULL_TABLE';
    else if (requested === 'INCREMENTAL' && def.cursor === undefined)
      warn(`${id} has no replication key; it is replicated FULL_TABLE.`);
    else if (requested !== '' && requested !== 'INCREMENTAL')
      throw new ConfigurationError(`Set replication-method of ${id} to INCREMENTAL or FULL_TABLE.`);
    const key = top['replication-key'] ?? entry.replication_key;
    if (method === 'INCREMENTAL' && key !== undefined && key !== null && key !== def.cursor)
      throw new ConfigurationError(
        `The replication key of ${id} is ${def.cursor}; set replication-key so or leave it out.`,
      );

    const always = automatic(def);
    const excluded = new Set<string>();
    for (const m of metadata) {
      if (!isObject(m) || !Array.isArray(m.breadcrumb) || m.breadcrumb.length !== 2) continue;
      if (m.breadcrumb[0] !== 'properties' || !isObject(m.metadata)) continue;
      const name = String(m.breadcrumb[1]);
      if (always.has(name)) continue;
      if (m.metadata.selected === false || m.metadata.inclusion === 'unsupported') excluded.add(name);
    }
    out.push({ def, method, excluded });
  }
  return out;
}
