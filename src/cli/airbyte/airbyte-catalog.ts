import type { TableSpec } from '../../destinations/destination.js';
import { ConfigurationError } from '../../http/index.js';
import type { StreamDefinition } from '../../streams/index.js';
import { recordProperties } from './record-shape.js';

export type AirbyteSyncMode = 'full_refresh' | 'incremental';

/** One stream of the CATALOG message. */
export function airbyteStream(def: StreamDefinition, spec: TableSpec): Record<string, unknown> {
  const incremental = def.cursor !== undefined;
  return {
    name: def.name,
    json_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      description: def.description,
      // Fields Intercom adds after discovery still arrive (as the warehouse destinations add columns).
      additionalProperties: true,
      properties: recordProperties(spec, 'unix-seconds'),
    },
    supported_sync_modes: incremental ? ['full_refresh', 'incremental'] : ['full_refresh'],
    source_defined_primary_key: def.primaryKey.map((k) => [k]),
    ...(incremental
      ? { source_defined_cursor: true, default_cursor_field: [def.cursor], is_resumable: true }
      : { is_resumable: false }),
  };
}

/** A stream the configured catalog selects, and how. */
export interface SelectedStream {
  def: StreamDefinition;
  syncMode: AirbyteSyncMode;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a ConfiguredAirbyteCatalog: the selected streams and their sync modes. A stream this source
 * does not offer, a sync mode it does not support or another cursor field is a configuration error;
 * `destination_sync_mode` and `primary_key` are the destination's business.
 */
export function parseConfiguredCatalog(
  raw: unknown,
  find: (name: string) => StreamDefinition | undefined,
): SelectedStream[] {
  if (!isObject(raw) || !Array.isArray(raw.streams))
    throw new ConfigurationError('The catalog must be a ConfiguredAirbyteCatalog: {"streams": [...]}.');
  const selected: SelectedStream[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of raw.streams.entries()) {
    const name = isObject(entry) && isObject(entry.stream) ? entry.stream.name : undefined;
    if (typeof name !== 'string')
      throw new ConfigurationError(`Give streams[${i}] of the catalog a stream with a name.`);
    const def = find(name);
    if (!def)
      throw new ConfigurationError(
        `The catalog selects the stream "${name}", which this source does not offer; run discover for the list.`,
      );
    if (seen.has(name)) throw new ConfigurationError(`The catalog selects the stream "${name}" twice.`);
    seen.add(name);
    const mode = (entry as Record<string, unknown>).sync_mode ?? 'full_refresh';
    if (mode !== 'full_refresh' && mode !== 'incremental')
      throw new ConfigurationError(`Set sync_mode of ${name} to full_refresh or incremental.`);
    if (mode === 'incremental') {
      if (def.cursor === undefined)
        throw new ConfigurationError(`The stream ${name} supports only full_refresh; set its sync_mode so.`);
      const cursorField = (entry as Record<string, unknown>).cursor_field;
      const isDefault =
        cursorField === undefined ||
        cursorField === null ||
        (Array.isArray(cursorField) &&
          (cursorField.length === 0 || (cursorField.length === 1 && cursorField[0] === def.cursor)));
      if (!isDefault)
        throw new ConfigurationError(
          `The cursor of ${name} is defined by the source: set its cursor_field to ["${def.cursor}"] or leave it out.`,
        );
    }
    selected.push({ def, syncMode: mode });
  }
  if (selected.length === 0) throw new ConfigurationError('The catalog selects no stream.');
  return selected;
}
