import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ColumnType, Destination, StreamWriter, TableSpec, WriteMode } from '../destination.js';
import { duckDbLayoutRunner } from '../layouts/duckdb-layout.js';
import {
  type ApplyLayoutOptions,
  applyLayout,
  type LayoutName,
  type LayoutReport,
} from '../layouts/index.js';
import {
  allocatePhysicalName,
  ensureSchema,
  foldIdentifier,
  INTERNAL_TABLE_PREFIX,
  listColumns,
  listTables,
  logicalNameComment,
  STAGING_TABLE_PREFIX,
} from './catalog.js';
import { type ColumnPlan, planColumns } from './column-plan.js';
import { DuckDbSession } from './duckdb-session.js';
import { DuckDbStreamWriter, type DuckDbStreamWriterOptions } from './duckdb-stream-writer.js';
import { DuckDbDestinationError, openError, wrapDuckDbError } from './errors.js';
import { FreshKeys } from './key-filter.js';
import { adoptUnpartitionedRows } from './partitions.js';
import { SerialQueue } from './serial-queue.js';
import {
  convertExpression,
  duckDbType,
  qualifiedName,
  quoteIdentifier,
  quoteLiteral,
  type SchemaRef,
} from './sql.js';
import {
  createBookkeepingTables,
  deleteReplaceRun,
  insertReplaceRun,
  type ReplaceRun,
  readReplaceRuns,
  readStates,
} from './state-store.js';

export interface DuckDbDestinationOptions {
  /** The database file (created if missing), or `':memory:'`. */
  path: string;
  /** The schema holding the stream tables and the state table. Default `intercom`. */
  schema?: string;
  /**
   * An already open instance to use instead of opening `path` (to share one database within the
   * process, or in tests). The destination opens its own connection on it and leaves the instance
   * open on `close()`. `path` is then only used in messages.
   */
  instance?: DuckDBInstance;
  /**
   * DuckDB's `checkpoint_threshold` for a database this destination opens itself: how much WAL
   * accumulates before committed data is checkpointed into the file. With DuckDB's default (16 MB)
   * nearly every large commit also runs a checkpoint; a larger threshold lets a commit only append
   * (and fsync) to the WAL, checkpointing far less often (and once more on `close()`). Commits are
   * durable either way. Measured on 100k-row commits: about half the commit time, a third less in
   * total. Default `256MB`.
   */
  checkpointThreshold?: string;
  /**
   * DuckDB's `memory_limit` for a database this destination opens itself (DuckDB otherwise allows
   * itself 80% of the machine's memory). Default `256MB`. Below it, what DuckDB cannot evict (the open
   * transactions' last, partly filled row groups, what a commit or a checkpoint pins) may not fit:
   * large-scale incremental syncs failed with "failed to pin block" at `64MB`, `128MB` and `256MB`
   * while their merges were staged (they no longer are), and a large first sync without a rate
   * limit failed at `64MB` ("could not allocate block": its staged transactions are large); `128MB`
   * gave no lower peak there. DuckDB evicts or spills (to `<path>.tmp`) past it.
   */
  memoryLimit?: string;
  /**
   * Rows per row group in a database file this destination opens itself (attached with DuckDB's
   * `ROW_GROUP_SIZE`). A transaction that fills a row group writes it compressed into the file at
   * once, so smaller groups bound the memory a sync takes; DuckDB reads files of any row group size.
   * A multiple of 2,048.
   * Default 8,192 (DuckDB's own is 122,880).
   */
  rowGroupSize?: number;
  /**
   * Committed rows DuckDB may hold in memory, not yet in the file, before this destination runs a
   * CHECKPOINT (writers pause for it, between their operations, what they staged left in their
   * transactions). Default `16MB`; `0` turns it off (DuckDB's own trigger, `checkpointThreshold`,
   * remains).
   */
  checkpointMemory?: string;
  /**
   * Called after each CHECKPOINT that `checkpointMemory` started, with the committed bytes DuckDB
   * held in memory before it, how long the writers waited, and the bytes of the file's blocks
   * DuckDB still caches after it (see `checkpointIfPiledUp`); e.g. to log or to chart.
   *
   *   onCheckpoint: ({ inMemoryBytes, ms }) => console.error(`checkpoint of ${inMemoryBytes} B in ${ms} ms`)
   */
  onCheckpoint?: (info: { inMemoryBytes: number; ms: number; cachedBytes: number }) => void;
  /**
   * Whether this destination's writers are the only ones writing its tables while it is open.
   * Then a writer that finds its table empty remembers the keys it writes (a Bloom filter, about
   * 4 bytes a key), and a merge or link replacement of keys it never wrote skips its `DELETE`,
   * which DuckDB would answer by scanning the whole table. Default: true when the destination opens
   * the database itself (DuckDB then locks the file against other processes), false when it is
   * given an `instance`, whose other connections could write the same tables.
   */
  soleWriter?: boolean;
}

const WRITE_MODES: ReadonlySet<string> = new Set<WriteMode>(['replace', 'append', 'merge']);
const COLUMN_TYPES: ReadonlySet<string> = new Set<ColumnType>([
  'string',
  'integer',
  'float',
  'boolean',
  'timestamp',
  'json',
]);

/**
 * A destination writing to a DuckDB database file (or memory), one table per stream in `schema`,
 * plus the `_intercom_sync_state` table. See `DuckDbStreamWriter` for how a commit is made, and
 * `catalog.ts` for how names that DuckDB would confuse (it ignores case) are kept apart.
 *
 *   const destination = createDuckDbDestination({ path: 'intercom.duckdb' });
 *   await destination.open();
 */
export function createDuckDbDestination(options: DuckDbDestinationOptions): Destination {
  return new DuckDbDestination(options);
}

interface OpenState {
  instance: DuckDBInstance;
  ownsInstance: boolean;
  session: DuckDbSession;
  /** The database and schema as the catalog spells them. */
  schema: SchemaRef;
  /** Opens another connection on the database (each writer has one of its own). */
  connect: () => Promise<DuckDBConnection>;
}

/**
 * Rows per row group in a file this destination opens (DuckDB's default is 122,880). A transaction
 * writes each row group it fills compressed into the file, so a stream's uncommitted rows take at
 * most about a row group of memory per table, and committed rows none; see `DuckDbDestination`.
 */
const DEFAULT_ROW_GROUP_SIZE = 8192;
const DEFAULT_CHECKPOINT_THRESHOLD = '256MB';
const DEFAULT_MEMORY_LIMIT = '256MB';
const DEFAULT_CHECKPOINT_MEMORY = '16MB';
/** Slack left above what DuckDB holds besides its cache of the file, in `releaseMemory`: a block. */
const RELEASE_SLACK_BYTES = 256 * 1024;

/** `32MB`, `1.5GB`, `4096` (bytes) as a number of bytes; undefined for `0`. Throws on anything else. */
export function parseBytes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$/i.exec(text);
  if (match === null) throw new RangeError(`not a size: ${JSON.stringify(text)} (write e.g. 32MB)`);
  const units: Record<string, number> = {
    b: 1,
    kb: 1e3,
    kib: 1024,
    mb: 1e6,
    mib: 1024 ** 2,
    gb: 1e9,
    gib: 1024 ** 3,
  };
  const bytes = Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] as number);
  return bytes > 0 ? bytes : undefined;
}

/** The name a database file is attached under: its file name without extension, as DuckDB's own. */
export function databaseAlias(path: string): string {
  const stem = basename(path).replace(/\.[^.]*$/, '');
  if (stem === '') return 'intercom_sync';
  return RESERVED_DATABASE_NAMES.has(stem.toLowerCase()) ? `${stem}_db` : stem;
}

const RESERVED_DATABASE_NAMES: ReadonlySet<string> = new Set(['memory', 'temp', 'system', 'main']);

class DuckDbDestination implements Destination {
  readonly description: string;
  private readonly path: string;
  private readonly schemaOption: string;
  private opened: Promise<OpenState> | undefined;
  private closed = false;
  /** Staging tables of this destination's replace writers still running: not stale. */
  private readonly liveStaging = new Set<string>();
  private landingCounter = 0;
  /**
   * Per table (physical name of the stream's table): how many of this destination's writers are
   * writing it, and their key trackers. A second writer on a table turns tracking off for all of
   * them: a tracker only knows its own writer's keys.
   */
  private readonly tableWriters = new Map<string, { writers: number; trackers: FreshKeys[] }>();
  /** Writers prepared and not yet finished or aborted (each with a connection of its own). */
  private readonly liveWriters = new Set<DuckDbStreamWriter>();
  /**
   * The writers' COMMITs, one at a time. A commit moves its transaction's last, partly filled row
   * groups into the tables, holding both copies in DuckDB's memory while it does; several at once
   * (each writer has its own connection) could need more than `memory_limit` lets DuckDB keep
   * unevicted, which fails with "could not allocate block" (seen at large scale).
   */
  private readonly commits = new SerialQueue();
  /** The checkpoint running in the background (see `checkpointIfPiledUp`), if any. */
  private checkpointing: Promise<void> | undefined;
  private lastPileCheck = 0;
  /**
   * `IN_MEMORY_TABLE` bytes just after the last checkpoint, or the fewest seen since: the rows the
   * writers' open transactions hold, which DuckDB counts there too and no checkpoint writes.
   * Committed rows in memory are what rose above it.
   */
  private stagedFloor = 0;

  /** See `DuckDbDestinationOptions.checkpointMemory`; undefined: DuckDB's own trigger only. */
  private readonly checkpointMemoryBytes: number | undefined;

  constructor(private readonly options: DuckDbDestinationOptions) {
    this.path = options.path === ':memory:' ? ':memory:' : resolve(options.path);
    this.schemaOption = options.schema ?? 'intercom';
    // ingestr's URI rule: duckdb:/// then the path, so an absolute path shows four slashes.
    this.description = `duckdb:///${this.path}`;
    let checkpointMemory: number | undefined;
    try {
      checkpointMemory = parseBytes(options.checkpointMemory ?? DEFAULT_CHECKPOINT_MEMORY);
    } catch (error) {
      throw new DuckDbDestinationError(`Invalid DuckDB checkpointMemory: ${(error as Error).message}`, {
        operation: 'configure',
        destination: this.description,
      });
    }
    this.checkpointMemoryBytes = this.path === ':memory:' ? undefined : checkpointMemory;
    const rowGroupSize = options.rowGroupSize;
    if (
      rowGroupSize !== undefined &&
      !(Number.isInteger(rowGroupSize) && rowGroupSize > 0 && rowGroupSize % 2048 === 0)
    ) {
      throw new DuckDbDestinationError(
        `Invalid DuckDB rowGroupSize ${rowGroupSize}: give a multiple of 2048 rows (DuckDB's vector size)`,
        { operation: 'configure', destination: this.description },
      );
    }
    if (this.schemaOption === '' || this.schemaOption.includes('\u0000')) {
      throw new DuckDbDestinationError(`Invalid DuckDB schema name ${JSON.stringify(this.schemaOption)}`, {
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
    let instance = this.options.instance;
    const ownsInstance = instance === undefined;
    // A file this destination opens itself is attached under this name, with its own row group size.
    const alias = ownsInstance && this.path !== ':memory:' ? databaseAlias(this.path) : undefined;
    if (instance === undefined) {
      try {
        // A new database file may live in a directory that does not exist yet.
        if (this.path !== ':memory:') await mkdir(dirname(resolve(this.path)), { recursive: true });
        instance = await DuckDBInstance.create(':memory:', {
          checkpoint_threshold: this.options.checkpointThreshold ?? DEFAULT_CHECKPOINT_THRESHOLD,
          memory_limit: this.options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
          // A transaction's full row groups go to the file one at a time, not five (DuckDB's default).
          write_buffer_row_group_count: '1',
          // Memory DuckDB frees goes back to the system within a second or so, not at its next use.
          allocator_background_threads: 'true',
          // Checkpoints write what is new; they do not rewrite neighbouring row groups to merge them.
          max_vacuum_tasks: '0',
          // Where DuckDB spills past its memory limit: beside the file, as it does for a file it opens.
          ...(alias === undefined ? {} : { temp_directory: `${this.path}.tmp` }),
        });
      } catch (error) {
        throw openError(error, this.path, this.description);
      }
    }
    const owned = instance;
    const useDatabase = async (connection: DuckDBConnection): Promise<DuckDBConnection> => {
      if (alias !== undefined) await connection.run(`USE ${quoteIdentifier(alias)}`);
      return connection;
    };
    let connection: DuckDBConnection | undefined;
    try {
      connection = await owned.connect();
      if (alias !== undefined) {
        try {
          await connection.run(
            `ATTACH ${quoteLiteral(this.path)} AS ${quoteIdentifier(alias)} (ROW_GROUP_SIZE ${this.options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE})`,
          );
        } catch (error) {
          throw openError(error, this.path, this.description);
        }
        await useDatabase(connection);
      }
      const session = new DuckDbSession(connection);
      const schema = await session.exclusive(async (db) => {
        const resolved = await ensureSchema(db, this.schemaOption);
        await createBookkeepingTables(db, resolved);
        // With the file to ourselves, every replace run on record was interrupted: discard them.
        if (ownsInstance) await discardAllStaging(db, resolved);
        return resolved;
      }, signal);
      const connect = async (): Promise<DuckDBConnection> => useDatabase(await owned.connect());
      return { instance: owned, ownsInstance, session, schema, connect };
    } catch (error) {
      connection?.closeSync();
      if (ownsInstance) owned.closeSync();
      if (signal?.aborted && error === signal.reason) throw error;
      throw wrapDuckDbError(error, { operation: 'open', destination: this.description });
    }
  }

  private closedError(operation: string): DuckDbDestinationError {
    return new DuckDbDestinationError(
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
      throw new DuckDbDestinationError(`${operation} failed for ${this.description}: call open() first`, {
        operation,
        destination: this.description,
      });
    }
    return this.opened;
  }

  async readState(signal?: AbortSignal): Promise<Map<string, unknown>> {
    const { session, schema } = await this.ready('readState');
    try {
      return await session.exclusive((connection) => readStates(connection, schema), signal);
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw wrapDuckDbError(error, { operation: 'readState', destination: this.description });
    }
  }

  async prepare(spec: TableSpec, mode: WriteMode, signal?: AbortSignal): Promise<StreamWriter> {
    const context = {
      operation: 'prepare',
      destination: this.description,
      stream: spec.stream,
      table: spec.table,
    };
    const { session, schema, ownsInstance, connect } = await this.ready('prepare');
    const soleWriter = this.options.soleWriter ?? ownsInstance;
    context.table = qualifiedName(schema, spec.table);
    const problem = specProblem(spec, mode);
    if (problem !== undefined) throw wrapDuckDbError(new Error(problem), context);
    let options: Omit<DuckDbStreamWriterOptions, 'onDone'>;
    try {
      // A table evolved under a transaction that appended to it would fail that transaction's
      // commit: what other writers have staged into this table is committed first.
      for (const writer of this.liveWriters) await writer.settle(spec.table);
      options = await session.transaction(
        (connection) => this.prepareTable(connection, schema, spec, mode, session, connect, soleWriter),
        signal,
      );
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw wrapDuckDbError(error, context);
    }
    const { staging, target, freshKeys } = options;
    if (staging !== undefined) this.liveStaging.add(staging);
    const table = foldIdentifier(target);
    const sharing = this.tableWriters.get(table) ?? { writers: 0, trackers: [] };
    this.tableWriters.set(table, sharing);
    sharing.writers++;
    if (freshKeys !== undefined) sharing.trackers.push(freshKeys);
    if (sharing.writers > 1) for (const tracker of sharing.trackers) tracker.disable();
    const writer: DuckDbStreamWriter = new DuckDbStreamWriter({
      ...options,
      onCommitted: () => this.checkpointIfPiledUp(),
      commits: this.commits,
      onDone: () => {
        if (!this.liveWriters.delete(writer)) return;
        if (staging !== undefined) this.liveStaging.delete(staging);
        if (--sharing.writers === 0) this.tableWriters.delete(table);
      },
    });
    this.liveWriters.add(writer);
    return writer;
  }

  /**
   * In one transaction: find or name the table, evolve it (or, for replace, create the staging
   * table with the evolved columns, leaving the table itself untouched), and create the writer's
   * landing table.
   */
  private async prepareTable(
    connection: DuckDBConnection,
    schema: SchemaRef,
    spec: TableSpec,
    mode: WriteMode,
    session: DuckDbSession,
    connect: () => Promise<DuckDBConnection>,
    soleWriter: boolean,
  ): Promise<Omit<DuckDbStreamWriterOptions, 'onDone'>> {
    const tables = await listTables(connection, schema);
    const runs = await readReplaceRuns(connection, schema);
    const liveRuns = runs.filter((run) => this.liveStaging.has(run.staging));
    const existing = tables.find(
      (table) =>
        table.logical === spec.table && !foldIdentifier(table.physical).startsWith(INTERNAL_TABLE_PREFIX),
    );
    const taken = new Set(
      [...tables.map((table) => table.physical), ...liveRuns.map((run) => run.targetPhysical)].map(
        foldIdentifier,
      ),
    );
    const target =
      existing?.physical ??
      liveRuns.find((run) => run.target === spec.table)?.targetPhysical ??
      allocatePhysicalName(spec.table, taken);
    const plan = planColumns(
      existing === undefined ? [] : await listColumns(connection, schema, existing.physical),
      spec.columns,
    );

    let staging: string | undefined;
    // Whether the table this writer writes is empty now: then, while it stays the only writer (in a
    // database no one else has open), the keys it writes are the only keys the table holds.
    let empty = false;
    if (mode === 'replace') {
      empty = true;
      const stale = runs.filter((run) => run.target === spec.table && !this.liveStaging.has(run.staging));
      await discardReplaceRuns(connection, schema, stale);
      staging = `${STAGING_TABLE_PREFIX}${randomBytes(8).toString('hex')}`;
      // The old table stays untouched until finish; the staging table has its columns (widened)
      // plus the new ones, so the swap drops none.
      await createTable(connection, schema, staging, plan.table);
      await insertReplaceRun(connection, schema, {
        staging,
        target: spec.table,
        targetPhysical: target,
        stream: spec.stream,
      });
    } else if (existing === undefined) {
      empty = true;
      await createTable(connection, schema, target, plan.table);
      if (target !== spec.table) {
        await connection.run(
          `COMMENT ON TABLE ${qualifiedName(schema, target)} IS ${quoteLiteral(logicalNameComment(spec.table))}`,
        );
      }
    } else {
      await evolveTable(connection, schema, target, plan);
      if (spec.partition !== undefined)
        await adoptUnpartitionedRows(connection, schema, target, spec.partition);
      if (soleWriter) {
        const reader = await connection.runAndReadAll(
          `SELECT count(*) FROM (SELECT 1 FROM ${qualifiedName(schema, target)} LIMIT 1)`,
        );
        empty = Number(reader.getRows()[0]?.[0]) === 0;
      }
    }

    // Each writer creates its landing table on the connection that loads it (temporary tables
    // belong to a connection).
    const landing = `_intercom_sync_landing_${++this.landingCounter}`;
    const landingColumns = spec.columns
      .map((column, index) => `c${index} ${duckDbType(column.type)}`)
      .join(', ');
    return {
      session,
      connect,
      landingColumns,
      description: this.description,
      schema,
      spec,
      mode,
      columns: plan.columns,
      tableColumns: plan.table,
      target,
      landing,
      staging,
      freshKeys: soleWriter && empty ? new FreshKeys() : undefined,
    };
  }

  /**
   * After a commit: when the committed rows DuckDB holds in memory (not yet in the file) pass
   * `checkpointMemory`, a CHECKPOINT writes them into the file. DuckDB's own trigger counts only WAL
   * bytes, and a transaction that writes its row groups straight into the file logs almost none:
   * what stays in memory is the last, partly filled row group of each table a commit wrote, a block
   * per column. DuckDB counts the rows staged in open transactions there too, and no checkpoint
   * writes those: what counts is the rise since the last checkpoint (see `stagedFloor`). Every
   * writer waits, idle, while the checkpoint runs, its transaction left open (see
   * `DuckDbStreamWriter.hold`); should DuckDB refuse to checkpoint beside them (a transaction begun
   * before an UPDATE or a catalog change that committed since), they first commit what they staged
   * (without a state: see `StreamWriter.stage`). The state table is written without UPDATEs for
   * this (see `upsertState`). Looked at every 2 s at most; a checkpoint that fails leaves the data
   * safe in the WAL (the final one on `close()` says so).
   *
   * While the writers still wait, DuckDB's cache of the file's blocks is dropped and the memory
   * DuckDB freed goes back to the system (see `releaseMemory`): otherwise the blocks a sync's
   * checkpoints and merges read stay cached up to `memory_limit`, and freed pages linger in DuckDB's
   * allocator, together most of the process's memory at large scale.
   */
  private checkpointIfPiledUp(): void {
    const opened = this.opened;
    if (opened === undefined || this.closed || this.checkpointing !== undefined) return;
    const limit = this.checkpointMemoryBytes;
    if (limit === undefined) return;
    const now = Date.now();
    if (now - this.lastPileCheck < 2000) return;
    this.lastPileCheck = now;
    const running = opened
      .then(async (state) => {
        if (!state.ownsInstance) return;
        const piledUp = await state.session.exclusive(async (connection) => {
          const bytes = (await memoryByTag(connection)).get('IN_MEMORY_TABLE') ?? 0;
          this.stagedFloor = Math.min(this.stagedFloor, bytes);
          const committed = bytes - this.stagedFloor;
          return committed >= limit ? committed : 0;
        });
        if (piledUp === 0 || this.closed) return;
        const started = Date.now();
        let release!: () => void;
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        let cachedBytes: number;
        try {
          const commits = await Promise.all([...this.liveWriters].map((writer) => writer.hold(released)));
          cachedBytes = await state.session.exclusive(async (connection) => {
            try {
              await connection.run('CHECKPOINT');
            } catch (error) {
              if (!/other write transactions active/i.test((error as Error).message)) throw error;
              for (const commit of commits) await commit();
              await connection.run('CHECKPOINT');
            }
            const memory = await memoryByTag(connection);
            this.stagedFloor = memory.get('IN_MEMORY_TABLE') ?? 0;
            return releaseMemory(connection, this.options.memoryLimit ?? DEFAULT_MEMORY_LIMIT, memory);
          });
        } finally {
          release();
        }
        this.options.onCheckpoint?.({ inMemoryBytes: piledUp, ms: Date.now() - started, cachedBytes });
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.checkpointing === running) this.checkpointing = undefined;
      });
    this.checkpointing = running;
  }

  /**
   * Derives a warehouse layout's tables (e.g. `fivetran`) from the committed stream tables, one
   * transaction per layout table; call it after the sync's streams have finished. See `../layouts/`.
   */
  async applyLayout(layout: LayoutName, options: ApplyLayoutOptions = {}): Promise<LayoutReport> {
    const { session, schema } = await this.ready('applyLayout');
    try {
      return await applyLayout(layout, duckDbLayoutRunner(session, schema), options);
    } catch (error) {
      if (options.signal?.aborted && error === options.signal.reason) throw error;
      throw wrapDuckDbError(error, { operation: `applyLayout (${layout})`, destination: this.description });
    }
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
    await this.checkpointing;
    let checkpointError: unknown;
    if (state.ownsInstance) {
      // Fold the WAL into the file now, off the event loop, rather than in closeSync() below.
      // Should it fail, the committed data is still safe in the WAL.
      await state.session
        .exclusive((connection) => connection.run('CHECKPOINT'))
        .catch((error: unknown) => {
          checkpointError = error;
        });
    }
    await state.session.close();
    if (state.ownsInstance) state.instance.closeSync();
    if (checkpointError !== undefined) {
      throw wrapDuckDbError(checkpointError, {
        operation: 'close (checkpoint)',
        destination: this.description,
      });
    }
  }
}

/** Why a spec cannot be written, or undefined when it can. */
function specProblem(spec: TableSpec, mode: WriteMode): string | undefined {
  if (!WRITE_MODES.has(mode)) return `unknown write mode ${JSON.stringify(mode)}`;
  const badName = (name: string): boolean => name === '' || name.includes('\u0000');
  if (badName(spec.table)) return `invalid table name ${JSON.stringify(spec.table)}`;
  if (foldIdentifier(spec.table).startsWith(INTERNAL_TABLE_PREFIX)) {
    return `table names starting with ${INTERNAL_TABLE_PREFIX} are reserved for the destination's own tables`;
  }
  if (spec.columns.length === 0) return 'a table needs at least one column';
  const names = new Set<string>();
  for (const column of spec.columns) {
    if (badName(column.name)) return `invalid column name ${JSON.stringify(column.name)}`;
    if (names.has(column.name)) return `column ${JSON.stringify(column.name)} appears twice`;
    if (!COLUMN_TYPES.has(column.type))
      return `column ${JSON.stringify(column.name)} has unknown type ${JSON.stringify(column.type)}`;
    names.add(column.name);
  }
  for (const key of spec.primaryKey) {
    if (!names.has(key)) return `primary key column ${JSON.stringify(key)} is not a column`;
  }
  if (mode === 'merge' && spec.primaryKey.length === 0) return 'merge mode needs a primary key';
  return undefined;
}

async function createTable(
  connection: DuckDBConnection,
  schema: SchemaRef,
  table: string,
  columns: ColumnPlan['table'],
): Promise<void> {
  const definitions = columns.map((column) => `${quoteIdentifier(column.physical)} ${column.sqlType}`);
  await connection.run(`CREATE TABLE ${qualifiedName(schema, table)} (${definitions.join(', ')})`);
  for (const column of columns) {
    if (column.physical !== column.logical) await commentColumn(connection, schema, table, column);
  }
}

async function commentColumn(
  connection: DuckDBConnection,
  schema: SchemaRef,
  table: string,
  column: { physical: string; logical: string },
): Promise<void> {
  await connection.run(
    `COMMENT ON COLUMN ${qualifiedName(schema, table)}.${quoteIdentifier(column.physical)} IS ${quoteLiteral(logicalNameComment(column.logical))}`,
  );
}

/** Widens changed columns (converting the values in place) and adds new ones. Never drops. */
async function evolveTable(
  connection: DuckDBConnection,
  schema: SchemaRef,
  table: string,
  plan: ColumnPlan,
): Promise<void> {
  const name = qualifiedName(schema, table);
  for (const change of plan.widened) {
    const column = quoteIdentifier(change.physical);
    await connection.run(
      `ALTER TABLE ${name} ALTER COLUMN ${column} SET DATA TYPE ${duckDbType(change.to)} USING ${convertExpression(column, change.from, change.to)}`,
    );
  }
  for (const column of plan.added) {
    await connection.run(
      `ALTER TABLE ${name} ADD COLUMN ${quoteIdentifier(column.physical)} ${duckDbType(column.tableType)}`,
    );
    if (column.physical !== column.logical) await commentColumn(connection, schema, table, column);
  }
}

/** Drops the staging tables of `runs` and forgets the runs; their targets are left untouched. */
async function discardReplaceRuns(
  connection: DuckDBConnection,
  schema: SchemaRef,
  runs: readonly ReplaceRun[],
): Promise<void> {
  for (const run of runs) {
    await connection.run(`DROP TABLE IF EXISTS ${qualifiedName(schema, run.staging)}`);
    await deleteReplaceRun(connection, schema, run.staging);
  }
}

/** Discards every replace run on record, and any staging table no run mentions. */
async function discardAllStaging(connection: DuckDBConnection, schema: SchemaRef): Promise<void> {
  await discardReplaceRuns(connection, schema, await readReplaceRuns(connection, schema));
  for (const table of await listTables(connection, schema)) {
    if (table.physical.startsWith(STAGING_TABLE_PREFIX)) {
      await connection.run(`DROP TABLE IF EXISTS ${qualifiedName(schema, table.physical)}`);
    }
  }
}

/**
 * Drops DuckDB's cache of the database file's blocks and has its allocator hand the freed memory
 * back to the system; returns the bytes of blocks still cached. DuckDB has no statement for either,
 * but setting `memory_limit` evicts down to the new limit (the file's blocks first, since they can
 * be read again) and then flushes the allocator. So the limit goes to what DuckDB holds besides
 * the cache (plus a block), which leaves the rows of open transactions where they are rather than
 * spilling them to disk (refused when it cannot be reached, which is harmless: whatever could be is
 * evicted), and back to `limit`, a value DuckDB took when the database opened. `memory` is DuckDB's
 * memory by tag just before (`memoryByTag`).
 *
 * Only while nothing else runs on the database: with the limit that low, another statement's
 * allocation would fail. A block evicted here is read again from the file if it is needed.
 */
async function releaseMemory(
  connection: DuckDBConnection,
  limit: string,
  memory: ReadonlyMap<string, number>,
): Promise<number> {
  let held = 0;
  for (const bytes of memory.values()) held += bytes;
  const floor = Math.max(0, held - (memory.get('BASE_TABLE') ?? 0)) + RELEASE_SLACK_BYTES;
  await connection.run(`SET memory_limit = '${floor}B'`).catch(() => undefined);
  await connection.run(`SET memory_limit = ${quoteLiteral(limit)}`);
  return (await memoryByTag(connection)).get('BASE_TABLE') ?? 0;
}

/**
 * DuckDB's memory by tag (`duckdb_memory()`), in bytes: `IN_MEMORY_TABLE`, rows not yet in the file
 * (committed, or staged in open transactions); `BASE_TABLE`, cached blocks of the file; and others.
 */
async function memoryByTag(connection: DuckDBConnection): Promise<Map<string, number>> {
  const reader = await connection.runAndReadAll('SELECT tag, memory_usage_bytes FROM duckdb_memory()');
  return new Map(reader.getRows().map(([tag, bytes]) => [String(tag), Number(bytes)]));
}
