import type { StreamState } from '../../engine/sync.js';
import { ConfigurationError } from '../../http/index.js';
import type { StreamDefinition } from '../../streams/index.js';
import { unixSeconds } from './record-shape.js';

/**
 * A stream's state as printed in STATE messages: the cursor under the stream's cursor field, in
 * Unix seconds like the records (`{"updated_at": 1736895600}`), and `deleted_until` for streams
 * whose deletions are read. Every record with a cursor below it has been printed.
 */
export function stateBlob(
  def: StreamDefinition | undefined,
  state: StreamState | undefined,
): Record<string, number> {
  const blob: Record<string, number> = {};
  if (state?.cursor !== undefined) blob[def?.cursor ?? 'cursor'] = state.cursor;
  if (state?.deleted_until !== undefined) blob.deleted_until = state.deleted_until;
  return blob;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The engine's state from a stream_state blob (ours, or `cursor` as the engine names it). */
function fromBlob(def: StreamDefinition, blob: unknown): StreamState | undefined {
  if (!isObject(blob)) return undefined;
  const cursor = unixSeconds(def.cursor !== undefined ? (blob[def.cursor] ?? blob.cursor) : blob.cursor);
  const deletedUntil = unixSeconds(blob.deleted_until);
  if (cursor === undefined && deletedUntil === undefined) return undefined;
  return {
    ...(cursor === undefined ? {} : { cursor }),
    ...(deletedUntil === undefined ? {} : { deleted_until: deletedUntil }),
  };
}

/**
 * Reads `--state`: what Airbyte hands back, i.e. an array of AirbyteStateMessage (per-stream
 * `STREAM`, `GLOBAL` with stream_states, or `LEGACY` with `data`), a single one, whole STATE
 * AirbyteMessages, or a legacy object `{stream: blob}`. Later entries win, so all the STATE
 * messages of a run, in order, resume from the last one. States of other streams are ignored.
 */
export function parseAirbyteState(
  raw: unknown,
  find: (name: string) => StreamDefinition | undefined,
): Map<string, StreamState> {
  const states = new Map<string, StreamState>();
  const put = (name: unknown, blob: unknown) => {
    if (typeof name !== 'string') return;
    const def = find(name);
    if (!def) return;
    const state = fromBlob(def, blob);
    if (state) states.set(name, state);
    else states.delete(name);
  };
  const streamState = (entry: unknown) => {
    if (!isObject(entry) || !isObject(entry.stream_descriptor))
      throw new ConfigurationError('Each stream state needs a stream_descriptor with a name.');
    put(entry.stream_descriptor.name, entry.stream_state);
  };
  const legacy = (data: unknown) => {
    if (!isObject(data)) throw new ConfigurationError('A LEGACY state needs a data object.');
    for (const [name, blob] of Object.entries(data)) put(name, blob);
  };
  const message = (entry: unknown) => {
    if (!isObject(entry)) throw new ConfigurationError('The state must hold objects (AirbyteStateMessage).');
    if (entry.type === 'STATE' && isObject(entry.state)) return message(entry.state);
    if (entry.type === 'STREAM' || (entry.type === undefined && isObject(entry.stream)))
      return streamState(entry.stream);
    if (entry.type === 'GLOBAL') {
      const global = entry.global;
      if (!isObject(global) || !Array.isArray(global.stream_states))
        throw new ConfigurationError('A GLOBAL state needs global.stream_states.');
      for (const s of global.stream_states) streamState(s);
      return;
    }
    if (entry.type === 'LEGACY' || (entry.type === undefined && isObject(entry.data)))
      return legacy(entry.data);
    if (entry.type === undefined) return legacy(entry);
    throw new ConfigurationError(`Unknown state type ${JSON.stringify(entry.type).slice(0, 30)}.`);
  };
  if (raw === undefined || raw === null) return states;
  if (Array.isArray(raw)) for (const entry of raw) message(entry);
  else message(raw);
  return states;
}
