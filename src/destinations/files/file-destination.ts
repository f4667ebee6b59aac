import { randomBytes } from 'node:crypto';
import { open as openFile, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ColumnType, Destination, StreamWriter, TableSpec, WriteMode } from '../destination.js';
import { ensureFolder, onPath, removeQuietly } from './atomic-fs.js';
import { FileDestinationError, wrapFileError } from './errors.js';
import type { BatchFileWriter, FileFormat } from './file-format.js';
import { FileStreamWriter } from './file-stream-writer.js';
import { JsonlFormat } from './jsonl-format.js';
import {
  createRunLabel,
  RESERVED_TABLE_PREFIX,
  type RunLabel,
  STATE_FILE,
  tableFolderName,
} from './layout.js';
import type { FileFormatName } from './manifest.js';
import { type ParquetCompression, ParquetFormat } from './parquet-format.js';
import { carryOtherPartitions } from './partition-carry.js';
import { StateFile } from './state-file.js';
import { type Generation, TableFolder } from './table-folder.js';

export interface FileDestinationOptions {
  /** The folder holding one folder per table and the state file; created by `open()` if missing. */
  root: string;
  /** `parquet`: written through DuckDB; `jsonl`: JSON Lines, one object per row. */
  format: FileFormatName;
  /** JSON Lines only: gzip every file (`.jsonl.gz`). Default false. */
  gzip?: boolean;
  /** Parquet only: the compression codec. Default `zstd`. */
  compression?: ParquetCompression;
}

const FORMATS: ReadonlySet<string> = new Set<FileFormatName>(['parquet', 'jsonl']);
const WRITE_MODES: ReadonlySet<string> = new Set<WriteMode>(['replace', 'append', 'merge']);
const COLUMN_TYPES: ReadonlySet<string> = new Set<ColumnType>([
  'string',
  'integer',
  'float',
  'boolean',
  'timestamp',
  'json',
]);
const COMPRESSIONS: ReadonlySet<string> = new Set<ParquetCompression>([
  'zstd',
  'snappy',
  'gzip',
  'lz4',
  'uncompressed',
]);
/** Most file systems refuse longer names. */
const MAX_FOLDER_NAME_BYTES = 255;

/**
 * A destination writing a data lake of files: Parquet or JSON Lines (optionally gzipped), one folder
 * per table, one immutable file per commit, and the state in `_intercom_sync_state.json`. Append and
 * merge only ever add files (merge's "one row per key" is what `latestViewSql` reads); deletions are
 * recorded in their own files; replace writes a new generation of the table and switches the
 * table's `current` link to it at `finish`. See `layout.ts` for the tree, `FileStreamWriter` for
 * how a commit keeps the state from ever running ahead of the files.
 *
 * Requirements: a local (POSIX) file system with symlinks and atomic rename; one process writing a
 * root at a time (the destination takes no lock).
 *
 *   const destination = createFileDestination({ root: '/data/lake', format: 'parquet' });
 *   await destination.open();
 */
export function createFileDestination(options: FileDestinationOptions): Destination {
  return new FileDestination(options);
}

interface OpenState {
  format: FileFormat;
  stateFile: StateFile;
}

class FileDestination implements Destination {
  readonly description: string;
  private readonly root: string;
  private opened: Promise<OpenState> | undefined;
  private closed = false;
  private readonly tables = new Map<string, TableFolder>();
  /** Batch writers of writers not yet finished or aborted (Parquet: each holds a DuckDB connection). */
  private readonly batchWriters = new Set<BatchFileWriter>();

  constructor(private readonly options: FileDestinationOptions) {
    this.root = resolve(options.root);
    const { format, gzip = false, compression } = options;
    this.description = `${format}${gzip ? '+gzip' : ''}:///${this.root}`;
    const problem = !FORMATS.has(format)
      ? `unknown file format ${JSON.stringify(format)} (use parquet or jsonl)`
      : gzip && format !== 'jsonl'
        ? 'gzip applies to the jsonl format only (Parquet files are compressed inside)'
        : compression !== undefined && (format !== 'parquet' || !COMPRESSIONS.has(compression))
          ? `compression ${JSON.stringify(compression)} is not a Parquet codec DuckDB writes`
          : options.root === ''
            ? 'the root folder is empty'
            : undefined;
    if (problem !== undefined) {
      throw new FileDestinationError(`Invalid file destination: ${problem}`, {
        operation: 'configure',
        destination: this.description,
      });
    }
  }

  open(signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError('open'));
    this.opened ??= this.connect(signal);
    const opened = this.opened;
    return opened.then(
      () => undefined,
      (error: unknown) => {
        if (this.opened === opened) this.opened = undefined;
        throw error;
      },
    );
  }

  private async connect(signal?: AbortSignal): Promise<OpenState> {
    signal?.throwIfAborted();
    const stateFile = new StateFile(join(this.root, STATE_FILE));
    try {
      await ensureFolder(this.root);
      await probeWritable(this.root);
      await removeStateLeftovers(this.root);
      await stateFile.load();
    } catch (error) {
      throw new FileDestinationError(
        `Cannot open ${this.description}: ${messageOf(error)}`,
        {
          operation: 'open',
          destination: this.description,
        },
        { cause: error },
      );
    }
    let format: FileFormat;
    if (this.options.format === 'parquet') {
      try {
        format = new ParquetFormat(
          await DuckDBInstance.create(':memory:'),
          this.options.compression ?? 'zstd',
        );
      } catch (error) {
        throw wrapFileError(error, { operation: 'open (DuckDB)', destination: this.description });
      }
    } else {
      format = new JsonlFormat(this.options.gzip ?? false);
    }
    return { format, stateFile };
  }

  private closedError(operation: string): FileDestinationError {
    return new FileDestinationError(
      `${operation} failed for ${this.description}: the destination is closed`,
      {
        operation,
        destination: this.description,
      },
    );
  }

  private async ready(operation: string): Promise<OpenState> {
    if (this.closed) throw this.closedError(operation);
    if (this.opened === undefined) {
      throw new FileDestinationError(`${operation} failed for ${this.description}: call open() first`, {
        operation,
        destination: this.description,
      });
    }
    return this.opened;
  }

  async readState(signal?: AbortSignal): Promise<Map<string, unknown>> {
    const { stateFile } = await this.ready('readState');
    signal?.throwIfAborted();
    try {
      return await stateFile.read();
    } catch (error) {
      throw wrapFileError(error, { operation: 'readState', destination: this.description });
    }
  }

  private tableFolder(table: string, format: FileFormat): TableFolder {
    let folder = this.tables.get(table);
    if (folder === undefined) {
      folder = new TableFolder(join(this.root, tableFolderName(table)), format);
      this.tables.set(table, folder);
    }
    return folder;
  }

  async prepare(spec: TableSpec, mode: WriteMode, signal?: AbortSignal): Promise<StreamWriter> {
    const context = {
      operation: 'prepare',
      destination: this.description,
      stream: spec.stream,
      table: spec.table,
    };
    const { format, stateFile } = await this.ready('prepare');
    const problem = specProblem(spec, mode);
    if (problem !== undefined) throw wrapFileError(new Error(problem), context);
    const table = this.tableFolder(spec.table, format);
    const run = createRunLabel();
    let batchWriter: BatchFileWriter | undefined;
    let staging: Generation | undefined;
    try {
      batchWriter = await format.openWriter(spec.columns);
      const opened = batchWriter;
      staging = await table.queue.run(
        () => this.prepareTable(table, format, spec, mode, run, opened, signal),
        signal,
      );
    } catch (error) {
      await batchWriter?.close();
      if (signal?.aborted && error === signal.reason) throw error;
      throw wrapFileError(error, context);
    }
    const opened = batchWriter;
    this.batchWriters.add(opened);
    return new FileStreamWriter({
      description: this.description,
      spec,
      mode,
      table,
      run,
      staging,
      batchWriter: opened,
      stateFile,
      isClosed: () => this.closed,
      onDone: () => this.batchWriters.delete(opened),
    });
  }

  /**
   * Inside the table's queue: loads the table's folder, removes what interrupted runs left, and
   * either creates the replace run's staging generation (returned), or makes sure the visible
   * generation exists, is of this format, and has the spec's columns.
   */
  private async prepareTable(
    table: TableFolder,
    format: FileFormat,
    spec: TableSpec,
    mode: WriteMode,
    run: RunLabel,
    batchWriter: BatchFileWriter,
    signal?: AbortSignal,
  ): Promise<Generation | undefined> {
    signal?.throwIfAborted();
    await table.load();
    await table.discardStale();
    const current = table.current;
    if (mode === 'replace') {
      // The new generation carries the other partitions' files as they are now: a second replace
      // finishing later would bring back what the first one replaced, or drop what it wrote.
      if (spec.partition !== undefined && table.live.size > 0)
        throw new Error(
          `another replace run of ${spec.table} is in progress: a lake carries the other workspaces' rows as they are when a run starts, so run replace syncs of different workspaces one after the other`,
        );
      const staging = await table.createGeneration(current?.manifest, spec, mode, run, batchWriter, signal);
      table.live.add(staging.name);
      if (spec.partition !== undefined && current !== undefined && current.manifest.format === format.name)
        await carryOtherPartitions(table, current, staging, spec, run, batchWriter, signal);
      return staging;
    }
    if (current === undefined) {
      await table.show(await table.createGeneration(undefined, spec, mode, run, batchWriter, signal));
      return undefined;
    }
    if (current.manifest.format !== format.name) {
      throw new Error(
        `the table's files are ${current.manifest.format}, this destination writes ${format.name} (a replace run switches a table to another format)`,
      );
    }
    await table.ensureColumns(current, spec.columns, run, batchWriter, signal);
    await table.setMode(current, mode, spec.primaryKey);
    return undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opened = this.opened;
    if (opened === undefined) return;
    let state: OpenState;
    try {
      state = await opened;
    } catch {
      return;
    }
    await Promise.all([...this.tables.values()].map((table) => table.queue.drain()));
    await state.stateFile.drain();
    await Promise.all([...this.batchWriters].map((writer) => writer.close()));
    this.batchWriters.clear();
    await state.format.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates and removes a file in `root`, so that a read-only root is reported by `open()`. */
async function probeWritable(root: string): Promise<void> {
  const probe = join(root, `.${STATE_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  await onPath('write in', root, async () => {
    const handle = await openFile(probe, 'wx');
    await handle.close();
    await rm(probe);
  });
}

/** Removes temporary state files a crash left in the root. */
async function removeStateLeftovers(root: string): Promise<void> {
  const names = await onPath('list', root, () => readdir(root));
  for (const name of names) {
    if (name.startsWith(`.${STATE_FILE}.`)) await removeQuietly(join(root, name));
  }
}

/** Why a spec cannot be written, or undefined when it can. */
function specProblem(spec: TableSpec, mode: WriteMode): string | undefined {
  if (!WRITE_MODES.has(mode)) return `unknown write mode ${JSON.stringify(mode)}`;
  const badName = (name: string): boolean => name === '' || name.includes('\u0000');
  if (badName(spec.table)) return `invalid table name ${JSON.stringify(spec.table)}`;
  if (spec.table.toLowerCase().startsWith(RESERVED_TABLE_PREFIX)) {
    return `table names starting with ${RESERVED_TABLE_PREFIX} are reserved for the destination's own files`;
  }
  if (Buffer.byteLength(tableFolderName(spec.table)) > MAX_FOLDER_NAME_BYTES) {
    return `the table name ${JSON.stringify(spec.table)} is too long for a folder name`;
  }
  if (spec.columns.length === 0) return 'a table needs at least one column';
  const names = new Set<string>();
  for (const column of spec.columns) {
    if (badName(column.name)) return `invalid column name ${JSON.stringify(column.name)}`;
    if (names.has(column.name)) return `column ${JSON.stringify(column.name)} appears twice`;
    if (!COLUMN_TYPES.has(column.type)) {
      return `column ${JSON.stringify(column.name)} has unknown type ${JSON.stringify(column.type)}`;
    }
    names.add(column.name);
  }
  for (const key of spec.primaryKey) {
    if (!names.has(key)) return `primary key column ${JSON.stringify(key)} is not a column`;
  }
  if (mode === 'merge' && spec.primaryKey.length === 0) return 'merge mode needs a primary key';
  return undefined;
}
