import { open, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ColumnSpec, Row, TableSpec, WriteMode } from '../destination.js';
import { RowEncodingError } from '../duckdb/row-loader.js';
import { SerialQueue } from '../duckdb/serial-queue.js';
import {
  ensureFolder,
  onPath,
  publishFile,
  readLinkTarget,
  removeLink,
  removeQuietly,
  switchLink,
  syncFolder,
  writeFileAtomically,
} from './atomic-fs.js';
import { type DeletionRecord, deletionLines, newDeletionKeys } from './deletions.js';
import { FileIoError } from './errors.js';
import type { BatchFileWriter, FileFormat } from './file-format.js';
import {
  batchFileName,
  batchOfFileName,
  CURRENT_LINK,
  DELETIONS_FOLDER,
  EMPTY_DELETIONS_FILE,
  GENERATION_PREFIX,
  inflightName,
  isInflightName,
  type RunLabel,
  SCHEMA_FILE,
} from './layout.js';
import {
  evolveColumns,
  newManifest,
  parseManifest,
  serialiseManifest,
  type TableManifest,
} from './manifest.js';

/** A generation: one folder of a table's files, with its manifest. */
export interface Generation {
  /** `g-<run>` */
  readonly name: string;
  readonly folder: string;
  manifest: TableManifest;
}

/**
 * One table's folder, as this destination sees it: its visible generation (`current`), the
 * staging generations of replace runs in progress, and the batch counter. Every method that
 * changes the folder must run inside `queue`, one at a time per table; different tables proceed
 * in parallel.
 */
export class TableFolder {
  readonly queue = new SerialQueue();
  /** The next batch number: one above every batch found or written. */
  private nextBatch = 1;
  /** The generation `current` points at, once loaded; undefined while the table does not exist. */
  current: Generation | undefined;
  /** Staging generations of this destination's replace writers still running: not stale. */
  readonly live = new Set<string>();
  private loaded = false;

  constructor(
    readonly folder: string,
    private readonly format: FileFormat,
  ) {}

  private get link(): string {
    return join(this.folder, CURRENT_LINK);
  }

  /**
   * On first use: creates the folder, reads the visible generation's manifest, removes the files
   * interrupted writes left in it, and sets the batch counter above every batch present.
   */
  async load(): Promise<void> {
    if (this.loaded) return;
    await ensureFolder(this.folder);
    const target = await readLinkTarget(this.link);
    if (target !== undefined) {
      if (!target.startsWith(GENERATION_PREFIX) || target.includes('/')) {
        throw new Error(`${this.link} points outside the table's folder (to ${target})`);
      }
      const folder = join(this.folder, target);
      this.current = { name: target, folder, manifest: await readManifest(join(folder, SCHEMA_FILE)) };
      const batches = await Promise.all([tidyFolder(folder), tidyFolder(join(folder, DELETIONS_FOLDER))]);
      this.nextBatch = Math.max(this.nextBatch, ...batches) + 1;
    }
    this.loaded = true;
  }

  /**
   * Removes what crashed or abandoned runs left in the table's folder: generations other than the
   * visible one and those of live replace writers, and temporary links.
   */
  async discardStale(): Promise<void> {
    const entries = await onPath('list', this.folder, () => readdir(this.folder));
    for (const name of entries) {
      const stale =
        isInflightName(name) ||
        (name.startsWith(GENERATION_PREFIX) && name !== this.current?.name && !this.live.has(name));
      if (stale) await removeQuietly(join(this.folder, name));
    }
  }

  /**
   * A new generation folder for `spec`, holding its manifest (the columns of `base`, the
   * generation it replaces, evolved by the spec) and an empty data file with those columns.
   * Not visible until `show` points `current` at it.
   */
  async createGeneration(
    base: TableManifest | undefined,
    spec: TableSpec,
    mode: WriteMode,
    run: RunLabel,
    writer: BatchFileWriter,
    signal?: AbortSignal,
  ): Promise<Generation> {
    const name = `${GENERATION_PREFIX}${run.label}`;
    const folder = join(this.folder, name);
    const generation: Generation = {
      name,
      folder,
      manifest: newManifest(base, spec.table, this.format.name, spec.columns, mode, spec.primaryKey),
    };
    try {
      await ensureFolder(folder);
      await this.writeBatch(generation, [], run, writer, signal);
      await writeManifest(generation);
    } catch (error) {
      await removeQuietly(folder);
      throw error;
    }
    return generation;
  }

  /**
   * Makes the generation's columns cover `columns` (adding or widening), when they do not yet:
   * an empty data file with the new columns goes in first, then the manifest naming them, so that a
   * reader holding the manifest always finds every column it lists (and its widest type) in a file.
   */
  async ensureColumns(
    generation: Generation,
    columns: readonly ColumnSpec[],
    run: RunLabel,
    writer: BatchFileWriter,
    signal?: AbortSignal,
  ): Promise<void> {
    const evolved = evolveColumns(generation.manifest.columns, columns, this.nextBatch);
    if (evolved === undefined) return;
    const manifest = { ...generation.manifest, columns: evolved };
    await this.writeBatch({ ...generation, manifest }, [], run, writer, signal);
    await writeManifest({ ...generation, manifest });
    generation.manifest = manifest;
  }

  /** Records the mode and key of the writer last prepared, which the latest view follows. */
  async setMode(generation: Generation, mode: WriteMode, primaryKey: readonly string[]): Promise<void> {
    const { manifest } = generation;
    if (manifest.mode === mode && JSON.stringify(manifest.primaryKey) === JSON.stringify(primaryKey)) return;
    const updated = { ...manifest, mode, primaryKey: [...primaryKey] };
    await writeManifest({ ...generation, manifest: updated });
    generation.manifest = updated;
  }

  /**
   * Writes `rows` as the next batch's file: to a temporary name, fsynced, then renamed into place
   * and the folder fsynced. Returns the file's path; once it resolves the rows are in place for good.
   * On failure nothing is left behind.
   */
  async writeBatch(
    generation: Generation,
    rows: readonly Row[],
    run: RunLabel,
    writer: BatchFileWriter,
    signal?: AbortSignal,
  ): Promise<string> {
    const batch = this.nextBatch++;
    const path = join(generation.folder, batchFileName(batch, run, this.format.extension));
    const temporary = join(generation.folder, inflightName());
    try {
      await writer.write(temporary, rows, { columns: generation.manifest.columns, batch }, signal);
      signal?.throwIfAborted();
    } catch (error) {
      await removeQuietly(temporary);
      if (error instanceof RowEncodingError || error instanceof FileIoError) throw error;
      if (signal?.aborted && error === signal.reason) throw error;
      throw new FileIoError('write', path, error);
    }
    await this.publish(temporary, path);
    return path;
  }

  /**
   * Writes one deletions file (the next batch) to the generation's `_deletions/` folder, then adds
   * key sets the manifest does not know yet. Returns the file's path.
   */
  async writeDeletions(
    generation: Generation,
    records: readonly DeletionRecord[],
    hard: boolean,
    run: RunLabel,
    signal?: AbortSignal,
  ): Promise<string> {
    const folder = join(generation.folder, DELETIONS_FOLDER);
    await ensureFolder(folder);
    const placeholder = join(folder, EMPTY_DELETIONS_FILE);
    if (!(await exists(placeholder))) await writeFileAtomically(placeholder, '');
    signal?.throwIfAborted();
    const batch = this.nextBatch++;
    const path = join(folder, batchFileName(batch, run, '.jsonl'));
    const temporary = join(folder, inflightName());
    try {
      await onPath('write', path, async () => {
        const handle = await open(temporary, 'wx');
        try {
          await handle.writeFile(deletionLines(records, batch, hard), 'utf8');
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
    } catch (error) {
      await removeQuietly(temporary);
      throw error;
    }
    await this.publish(temporary, path);
    const added = newDeletionKeys(generation.manifest.deletions, records);
    if (added.length > 0) {
      const manifest = { ...generation.manifest, deletions: [...generation.manifest.deletions, ...added] };
      try {
        await writeManifest({ ...generation, manifest });
      } catch (error) {
        await this.unpublish(path);
        throw error;
      }
      generation.manifest = manifest;
    }
    return path;
  }

  private async publish(temporary: string, path: string): Promise<void> {
    try {
      await publishFile(temporary, path);
    } catch (error) {
      // The rename may have happened before the folder could be flushed: take the file out again.
      await removeQuietly(path);
      throw error;
    }
  }

  /**
   * Takes a published file out again (its commit failed after it went in). Resolves to undefined,
   * or to the error that kept it in place.
   */
  async unpublish(path: string): Promise<unknown> {
    const error = await removeQuietly(path);
    if (error !== undefined) return error;
    try {
      await syncFolder(dirname(path));
      return undefined;
    } catch (syncError) {
      return syncError;
    }
  }

  /** Points `current` at `generation` (or removes it, for undefined): readers switch at once. */
  async show(generation: Generation | undefined): Promise<void> {
    try {
      if (generation === undefined) await removeLink(this.link);
      else await switchLink(this.link, generation.name);
    } catch (error) {
      // The link may have switched before the folder could be flushed: follow what it says.
      const target = await readLinkTarget(this.link).catch(() => undefined);
      if (target === generation?.name) this.current = generation;
      throw error;
    }
    this.current = generation;
  }

  /** Removes a generation no longer visible; what cannot be removed now goes at the next prepare. */
  async discard(generation: Generation): Promise<void> {
    this.live.delete(generation.name);
    await removeQuietly(generation.folder);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function readManifest(path: string): Promise<TableManifest> {
  const text = await onPath('read', path, () => readFile(path, 'utf8'));
  try {
    return parseManifest(text);
  } catch (error) {
    throw new Error(`the manifest ${path} is unreadable: ${(error as Error).message}`);
  }
}

function writeManifest(generation: Generation): Promise<void> {
  return writeFileAtomically(join(generation.folder, SCHEMA_FILE), serialiseManifest(generation.manifest));
}

/** Removes leftovers of interrupted writes from a folder; returns the highest batch in it (0 if none). */
async function tidyFolder(folder: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new FileIoError('list', folder, error);
  }
  let highest = 0;
  for (const name of names) {
    if (isInflightName(name)) await removeQuietly(join(folder, name));
    else highest = Math.max(highest, batchOfFileName(name) ?? 0);
  }
  return highest;
}
