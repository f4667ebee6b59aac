import type { StreamState } from '../../engine/sync.js';
import { ConfigurationError } from '../../http/index.js';
import type { StreamDefinition } from '../../streams/index.js';
import { isoTime, unixSeconds } from '../airbyte/record-shape.js';

/** The Singer STATE value: `{"bookmarks": {"contacts": {...}}}` (other keys are kept as they came). */
export interface SingerStateValue {
  bookmarks: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A stream's bookmark: the replication key and its value in the records' format (ISO 8601), and
 * `deleted_until` for streams whose deletions are read. Every record whose replication key is
 * below `replication_key_value` has been emitted.
 */
export function bookmarkOf(def: StreamDefinition, state: StreamState): Record<string, unknown> {
  return {
    ...(def.cursor === undefined ? {} : { replication_key: def.cursor }),
    ...(state.cursor === undefined ? {} : { replication_key_value: isoTime(new Date(state.cursor * 1000)) }),
    ...(state.deleted_until === undefined
      ? {}
      : { deleted_until: isoTime(new Date(state.deleted_until * 1000)) }),
  };
}

/**
 * Reads `--state`: the value of a STATE message (`{"bookmarks": …}`), a whole STATE message, or
 * Meltano's `{"singer_state": …}`. Returns the engine's state per stream and the value to extend.
 */
export function parseSingerState(
  raw: unknown,
  find: (name: string) => StreamDefinition | undefined,
): { states: Map<string, StreamState>; value: SingerStateValue } {
  const states = new Map<string, StreamState>();
  if (raw === undefined || raw === null) return { states, value: { bookmarks: {} } };
  let value: unknown = raw;
  if (isObject(value) && value.type === 'STATE') value = value.value;
  if (isObject(value) && isObject(value.singer_state)) value = value.singer_state;
  if (!isObject(value))
    throw new ConfigurationError('The state must be a JSON object such as {"bookmarks": {}}.');
  const bookmarks = value.bookmarks ?? {};
  if (!isObject(bookmarks)) throw new ConfigurationError('Set bookmarks in the state to an object.');
  const kept: Record<string, Record<string, unknown>> = {};
  for (const [name, bookmark] of Object.entries(bookmarks)) {
    if (!isObject(bookmark)) continue;
    kept[name] = bookmark;
    const def = find(name);
    if (!def) continue;
    const cursor = unixSeconds(
      bookmark.replication_key_value ?? (def.cursor ? bookmark[def.cursor] : undefined) ?? bookmark.cursor,
    );
    const deletedUntil = unixSeconds(bookmark.deleted_until);
    if (cursor === undefined && deletedUntil === undefined) continue;
    states.set(name, {
      ...(cursor === undefined ? {} : { cursor }),
      ...(deletedUntil === undefined ? {} : { deleted_until: deletedUntil }),
    });
  }
  return { states, value: { ...value, bookmarks: kept } };
}
