import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { Client, type ClientConfig } from 'pg';
import { ConfigurationError } from '../../http/index.js';
import type { ColumnType, Destination, StreamWriter, TableSpec, WriteMode } from '../destination.js';
import {
  type ApplyLayoutOptions,
  applyLayout,
  type LayoutName,
  type LayoutReport,
} from '../layouts/index.js';
import { postgresLayoutRunner } from '../layouts/postgres-layout.js';
import { listColumns, pickTable, readSchemaCatalog, schemaExists } from './catalog.js';
import { planColumns } from './column-plan.js';
import {
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  describeConnection,
  type PostgresConnectionConfig,
  parsePostgresUri,
  pgClientConfig,
  readSslFiles,
  sslOptions,
} from './connection-config.js';
import {
  type ConnectionTarget,
  connectionError,
  errorCode,
  PostgresDestinationError,
  schemaPermissionError,
  tablePermissionError,
  wrapPostgresError,
} from './errors.js';
import { goneOwners, lockSchemaChanges, takeOwnerLease } from './locks.js';
import { adoptUnpartitionedRows } from './partitions.js';
import {
  allocatePhysicalName,
  INTERNAL_TABLE_PREFIX,
  MAX_IDENTIFIER_BYTES,
  STAGING_TABLE_PREFIX,
} from './physical-names.js';
import { PostgresStreamWriter, type PostgresStreamWriterOptions } from './postgres-stream-writer.js';
import { createPool, PostgresSession, type Transaction } from './session.js';
import { qualifiedName, quoteIdentifier } from './sql.js';
import {
  createBookkeepingTables,
  insertReplaceRun,
  type ReplaceRun,
  readReplaceRuns,
  readStates,
} from './state-store.js';
import { commentTable, createTable, discardReplaceRuns, ensureMergeKey, evolveTable } from './table-ddl.js';

interface CommonOptions {
  /** The schema holding the stream tables and the state table (created if missing). Default `intercom`. */
  schema?: string;
  /** Connections in the pool, i.e. transactions at once. Default 10. */
  maxConnections?: number;
  /** Called with the text of every statement just before it is sent (for tests and logging; no values). */
  onStatement?: (sql: string) => void;
}

export type PostgresDestinationOptions = CommonOptions &
  (
    | {
        /** `postgresql://user:password@host:5432/database?sslmode=…`, see `parsePostgresUri`. */
        connectionString: string;
        config?: never;
      }
    | { config: PostgresConnectionConfig; connectionString?: never }
  );

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
 * A destination writing to a PostgreSQL schema: one table per stream, plus `_intercom_sync_state`.
 * Rows are bulk loaded with COPY (see `PostgresStreamWriter`); several writers commit at once, each
 * transaction on a connection of the pool. See `physical-names.ts` for names longer than
 * PostgreSQL's 63 bytes, and `copy-encoding.ts` for NUL characters, which PostgreSQL cannot store.
 *
 *   const destination = createPostgresDestination({
 *     connectionString: 'postgresql://sync@db.internal:5432/warehouse?sslmode=verify-full',
 *   });
 *   await destination.open();
 *
 * Throws a `ConfigurationError` at once for a malformed URI or schema name.
 */
export function createPostgresDestination(options: PostgresDestinationOptions): Destination {
  return new PostgresDestination(options);
}

interface OpenState {
  session: PostgresSession;
  /** The connection holding this destination's owner lease (see `locks.ts`). */
  lease: Client;
  owner: number;
  target: ConnectionTarget;
}

class PostgresDestination implements Destination {
  readonly description: string;
  private readonly config: PostgresConnectionConfig;
  private readonly schema: string;
  private opened: Promise<OpenState> | undefined;
  private closed = false;
  /** Staging tables of this destination's replace writers still running: not stale. */
  private readonly liveStaging = new Set<string>();

  constructor(private readonly options: PostgresDestinationOptions) {
    this.config =
      options.config === undefined ? parsePostgresUri(options.connectionString) : { ...options.config };
    this.schema = options.schema ?? 'intercom';
    this.description = describeConnection(this.config);
    if (this.schema === '' || this.schema.includes('\u0000')) {
      throw new ConfigurationError(`The PostgreSQL schema name ${JSON.stringify(this.schema)} is not valid.`);
    }
    if (Buffer.byteLength(this.schema, 'utf8') > MAX_IDENTIFIER_BYTES) {
      throw new ConfigurationError(
        `The PostgreSQL schema name ${JSON.stringify(this.schema)} is longer than ${MAX_IDENTIFIER_BYTES} bytes.`,
      );
    }
    const max = options.maxConnections;
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
      throw new ConfigurationError(`maxConnections must be a positive whole number, not ${max}.`);
    }
  }

  private context(operation: string): { operation: string; destination: string } {
    return { operation, destination: this.description };
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

  /**
   * Connects the lease connection first (which also settles sslmode=prefer: TLS when the server
   * offers it, plaintext when it does not), then the pool, then sets up the schema.
   */
  private async connect(signal?: AbortSignal): Promise<OpenState> {
    signal?.throwIfAborted();
    const files = await readSslFiles(this.config);
    let ssl: false | ConnectionOptions | undefined = sslOptions(this.config.sslMode, files);
    const probe = new Client(pgClientConfig(this.config, ssl));
    const target: ConnectionTarget = {
      host: this.config.host,
      port: this.config.port,
      database: this.config.database,
      user: this.config.user ?? probe.user ?? '',
      connectTimeoutSeconds: this.config.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    };
    if (this.config.sslMode !== undefined) target.sslMode = this.config.sslMode;

    let lease: Client;
    try {
      lease = await this.connectClient(probe, target, signal);
    } catch (error) {
      const refusedTls = error instanceof PostgresDestinationError && error.failure === 'ssl';
      if (
        this.config.sslMode !== 'prefer' ||
        !refusedTls ||
        !/does not support SSL/i.test(String(error.cause))
      ) {
        throw error;
      }
      ssl = false;
      lease = await this.connectClient(new Client(pgClientConfig(this.config, ssl)), target, signal);
    }

    let session: PostgresSession | undefined;
    try {
      const owner = await takeOwnerLease(lease);
      const clientConfig = pgClientConfig(this.config, ssl);
      const pool = createPool(clientConfig, this.options.maxConnections ?? 10);
      session = new PostgresSession(pool, {
        ...(this.options.onStatement === undefined ? {} : { onStatement: this.options.onStatement }),
        cancelBackend: (pid) => cancelBackend(clientConfig, pid),
      });
      await session.transaction((transaction) => this.setUpSchema(transaction, target), signal);
      return { session, lease, owner, target };
    } catch (error) {
      await session?.close().catch(() => undefined);
      await lease.end().catch(() => undefined);
      if (signal?.aborted && error === signal.reason) throw error;
      if (error instanceof PostgresDestinationError) throw error;
      const context = this.context('open');
      if (errorCode(error) === '42501') throw tablePermissionError(error, target, this.schema, context);
      throw wrapPostgresError(error, context, target);
    }
  }

  /** Connects `client`, mapping a failure to a sentence naming the server (never the password). */
  private async connectClient(
    client: Client,
    target: ConnectionTarget,
    signal?: AbortSignal,
  ): Promise<Client> {
    // A broken lease connection only means other destinations may take this one's replace runs
    // for abandoned; the error event must not go unhandled.
    client.on('error', () => undefined);
    const started = Date.now();
    const onAbort = (): void => void client.end().catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      return client;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw connectionError(error, target, this.context('open'), Date.now() - started);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Under the schema lock: creates the schema (when missing: CREATE SCHEMA needs the CREATE
   * privilege on the database even with IF NOT EXISTS) and the bookkeeping tables, and discards
   * the replace runs of destinations that are gone.
   */
  private async setUpSchema(transaction: Transaction, target: ConnectionTarget): Promise<void> {
    await lockSchemaChanges(transaction, this.schema);
    if (!(await schemaExists(transaction, this.schema))) {
      try {
        await transaction.query(`CREATE SCHEMA ${quoteIdentifier(this.schema)}`);
      } catch (error) {
        if (errorCode(error) === '42501') {
          throw schemaPermissionError(error, target, this.schema, this.context('open'));
        }
        throw error;
      }
    }
    const catalog = await readSchemaCatalog(transaction, this.schema);
    await createBookkeepingTables(transaction, this.schema, catalog.taken);
    const runs = await readReplaceRuns(transaction, this.schema);
    const gone = await goneOwners(
      transaction,
      runs.map((run) => run.owner),
    );
    await discardReplaceRuns(
      transaction,
      this.schema,
      runs.filter((run) => gone.has(run.owner)),
    );
  }

  private closedError(operation: string): PostgresDestinationError {
    return new PostgresDestinationError(
      `${operation} failed for ${this.description}: the destination is closed`,
      this.context(operation),
    );
  }

  private async ready(operation: string): Promise<OpenState> {
    if (this.closed) throw this.closedError(operation);
    if (this.opened === undefined) {
      throw new PostgresDestinationError(
        `${operation} failed for ${this.description}: call open() first`,
        this.context(operation),
      );
    }
    return this.opened;
  }

  async readState(signal?: AbortSignal): Promise<Map<string, unknown>> {
    const { session, target } = await this.ready('readState');
    try {
      return await session.transaction((transaction) => readStates(transaction, this.schema), signal);
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw wrapPostgresError(error, this.context('readState'), target);
    }
  }

  async prepare(spec: TableSpec, mode: WriteMode, signal?: AbortSignal): Promise<StreamWriter> {
    const context = {
      ...this.context('prepare'),
      stream: spec.stream,
      table: qualifiedName(this.schema, spec.table),
    };
    const state = await this.ready('prepare');
    const problem = specProblem(spec, mode);
    if (problem !== undefined) throw wrapPostgresError(new Error(problem), context);
    let options: Omit<PostgresStreamWriterOptions, 'onDone'>;
    try {
      options = await state.session.transaction(
        (transaction) => this.prepareTable(transaction, state, spec, mode),
        signal,
      );
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw wrapPostgresError(error, context, state.target);
    }
    const { staging } = options;
    if (staging !== undefined) this.liveStaging.add(staging);
    return new PostgresStreamWriter({
      ...options,
      onDone: () => {
        if (staging !== undefined) this.liveStaging.delete(staging);
      },
    });
  }

  /**
   * In one transaction, under the schema lock: find or name the table, evolve it (or, for replace,
   * create the staging table with the evolved columns, leaving the table itself untouched), and
   * for merge make sure the key has a unique index.
   */
  private async prepareTable(
    transaction: Transaction,
    state: OpenState,
    spec: TableSpec,
    mode: WriteMode,
  ): Promise<Omit<PostgresStreamWriterOptions, 'onDone'>> {
    const { schema } = this;
    await lockSchemaChanges(transaction, schema);
    const catalog = await readSchemaCatalog(transaction, schema);
    const runs = await readReplaceRuns(transaction, schema);
    const existing = pickTable(catalog.tables, spec.table);
    const liveRun = runs.find((run) => run.target === spec.table && this.liveStaging.has(run.staging));
    const taken = new Set([...catalog.taken, ...runs.map((run) => run.targetPhysical)]);
    const target = existing?.physical ?? liveRun?.targetPhysical ?? allocatePhysicalName(spec.table, taken);
    const plan = planColumns(
      existing === undefined ? [] : await listColumns(transaction, schema, existing.physical),
      spec.columns,
    );
    const key = spec.primaryKey.map(
      (name) => plan.columns.find((column) => column.logical === name)?.physical ?? name,
    );

    let staging: string | undefined;
    if (mode === 'replace') {
      await discardReplaceRuns(
        transaction,
        schema,
        await this.staleRuns(transaction, state, runs, spec.table),
      );
      staging = `${STAGING_TABLE_PREFIX}${randomBytes(8).toString('hex')}`;
      // The old table stays untouched until finish; the staging table has its columns (widened)
      // plus the new ones, so the swap drops none, and the key, so rows upsert as in merge.
      await createTable(transaction, schema, staging, plan.table, key);
      await insertReplaceRun(transaction, schema, {
        staging,
        target: spec.table,
        targetPhysical: target,
        stream: spec.stream,
        owner: state.owner,
      });
    } else if (existing === undefined) {
      await createTable(transaction, schema, target, plan.table, mode === 'merge' ? key : []);
      await commentTable(transaction, schema, target, spec.table);
    } else {
      await evolveTable(transaction, schema, target, plan);
      if (spec.partition !== undefined)
        await adoptUnpartitionedRows(transaction, schema, target, spec.partition);
      if (mode === 'merge') await ensureMergeKey(transaction, schema, target, key);
    }

    return {
      session: state.session,
      description: this.description,
      connection: state.target,
      schema,
      spec,
      mode,
      columns: plan.columns,
      upsertKey: mode === 'append' ? [] : key,
      target,
      staging,
    };
  }

  /**
   * Earlier replace runs of `table` that nobody will finish: this destination's own that no live
   * writer holds, and those of destinations that are gone. Runs of other live destinations stay.
   */
  private async staleRuns(
    transaction: Transaction,
    state: OpenState,
    runs: readonly ReplaceRun[],
    table: string,
  ): Promise<ReplaceRun[]> {
    const candidates = runs.filter((run) => run.target === table && !this.liveStaging.has(run.staging));
    const gone = await goneOwners(
      transaction,
      candidates.filter((run) => run.owner !== state.owner).map((run) => run.owner),
    );
    return candidates.filter((run) => run.owner === state.owner || gone.has(run.owner));
  }

  /**
   * Derives a warehouse layout's tables (e.g. `fivetran`) from the committed stream tables, one
   * transaction per layout table; call it after the sync's streams have finished. See `../layouts/`.
   */
  async applyLayout(layout: LayoutName, options: ApplyLayoutOptions = {}): Promise<LayoutReport> {
    const { session, target } = await this.ready('applyLayout');
    try {
      return await applyLayout(layout, postgresLayoutRunner(session, this.schema), options);
    } catch (error) {
      if (options.signal?.aborted && error === options.signal.reason) throw error;
      throw wrapPostgresError(error, this.context(`applyLayout (${layout})`), target);
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
    await state.session.close();
    await state.lease.end().catch(() => undefined);
  }
}

/** Asks the server, on a connection of its own, to cancel the statement backend `pid` runs. */
async function cancelBackend(config: ClientConfig, pid: number): Promise<void> {
  const client = new Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT pg_cancel_backend($1)', [pid]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why a spec cannot be written, or undefined when it can. */
function specProblem(spec: TableSpec, mode: WriteMode): string | undefined {
  if (!WRITE_MODES.has(mode)) return `unknown write mode ${JSON.stringify(mode)}`;
  const badName = (name: string): boolean => name === '' || name.includes('\u0000');
  if (badName(spec.table)) return `invalid table name ${JSON.stringify(spec.table)}`;
  if (spec.table.startsWith(INTERNAL_TABLE_PREFIX)) {
    return `table names starting with ${INTERNAL_TABLE_PREFIX} are reserved for the destination's own tables`;
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
  if (new Set(spec.primaryKey).size !== spec.primaryKey.length) return 'the primary key names a column twice';
  if (mode === 'merge' && spec.primaryKey.length === 0) return 'merge mode needs a primary key';
  return undefined;
}
