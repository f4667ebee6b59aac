import { readFile } from 'node:fs/promises';
import { SerialQueue } from '../duckdb/serial-queue.js';
import { onPath, writeFileAtomically } from './atomic-fs.js';

/**
 * `_intercom_sync_state.json` in the root: the committed state of every stream,
 *
 *   { "version": 1,
 *     "streams": { "contacts": { "state": { "cursor": 1735689600 }, "updated_at": "2026-01-02T03:04:05.678Z" } } }
 *
 * rewritten whole (temporary file, fsync, rename, fsync of the root) for every state change, one
 * change at a time. A crash leaves the previous file or the next one, never a torn one.
 */
export class StateFile {
  private readonly queue = new SerialQueue();
  /** The streams' states as last written (or read at load), serialised. */
  private streams = new Map<string, { stateJson: string; updatedAt: string }>();

  constructor(readonly path: string) {}

  /** Reads the file into memory (an absent file is no state). */
  async load(): Promise<void> {
    const text = await this.readText();
    this.streams = new Map();
    if (text === undefined) return;
    for (const [stream, entry] of Object.entries(parseStateFile(text, this.path))) {
      this.streams.set(stream, { stateJson: JSON.stringify(entry.state), updatedAt: entry.updated_at });
    }
  }

  /** The committed states, read from the file itself. */
  async read(): Promise<Map<string, unknown>> {
    const text = await this.readText();
    const states = new Map<string, unknown>();
    if (text === undefined) return states;
    for (const [stream, entry] of Object.entries(parseStateFile(text, this.path)))
      states.set(stream, entry.state);
    return states;
  }

  private async readText(): Promise<string | undefined> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return onPath('read', this.path, () => Promise.reject(error));
    }
  }

  /** Durably sets one stream's state (already serialised); on failure the file is unchanged. */
  set(stream: string, stateJson: string): Promise<void> {
    return this.queue.run(async () => {
      const next = new Map(this.streams);
      next.set(stream, { stateJson, updatedAt: new Date().toISOString() });
      await writeFileAtomically(this.path, serialise(next));
      this.streams = next;
    });
  }

  /** Durably sets several streams' states at once (a parent's and its link tables'). */
  setMany(entries: ReadonlyArray<readonly [string, string]>): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.queue.run(async () => {
      const next = new Map(this.streams);
      const updatedAt = new Date().toISOString();
      for (const [stream, stateJson] of entries) next.set(stream, { stateJson, updatedAt });
      await writeFileAtomically(this.path, serialise(next));
      this.streams = next;
    });
  }

  /** Waits for the writes queued so far. */
  drain(): Promise<void> {
    return this.queue.drain();
  }
}

interface StoredEntry {
  state: unknown;
  updated_at: string;
}

function serialise(streams: ReadonlyMap<string, { stateJson: string; updatedAt: string }>): string {
  const entries = [...streams].map(
    ([stream, { stateJson, updatedAt }]) =>
      `    ${JSON.stringify(stream)}: { "state": ${stateJson}, "updated_at": ${JSON.stringify(updatedAt)} }`,
  );
  return `{\n  "version": 1,\n  "streams": {\n${entries.join(',\n')}\n  }\n}\n`;
}

function parseStateFile(text: string, path: string): Record<string, StoredEntry> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`the state file ${path} is not valid JSON (${(error as Error).message})`);
  }
  const streams =
    typeof value === 'object' && value !== null && (value as Record<string, unknown>).version === 1
      ? (value as Record<string, unknown>).streams
      : undefined;
  if (typeof streams !== 'object' || streams === null) {
    throw new Error(`the state file ${path} is not an intercom-sync state file (version 1)`);
  }
  return streams as Record<string, StoredEntry>;
}
