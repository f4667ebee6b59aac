import { Client, type ClientConfig, Pool, type PoolClient } from 'pg';
import type { SqlRunner } from './catalog.js';
import { copyChunks } from './copy-loader.js';

/**
 * A pool of at most `max` connections configured by `config`. Its connect timeout applies to
 * opening each connection, not to waiting for a free one (which pg-pool would otherwise also
 * bound by it). An idle connection that breaks (a server restart) is dropped by the pool; the next
 * transaction connects anew and reports the failure if it persists.
 */
export function createPool(config: ClientConfig, max: number): Pool {
  const { connectionTimeoutMillis, ...poolConfig } = config;
  class TimedClient extends Client {
    constructor(clientConfig?: ClientConfig) {
      super({ ...clientConfig, connectionTimeoutMillis });
      // A connection that breaks while checked out (its backend terminated, the server gone) emits
      // 'error' with no pool listener attached: without this the process crashes with a stack
      // trace. The statement in flight, or the next one, rejects with the cause instead.
      this.on('error', () => undefined);
    }
  }
  const pool = new Pool({ ...poolConfig, max, Client: TimedClient });
  pool.on('error', () => undefined);
  return pool;
}

/** One transaction on one pooled connection: statements, and COPY. */
export interface Transaction extends SqlRunner {
  /** Streams COPY data (text or binary, as `sql` says) into `sql` (`COPY … FROM STDIN`); resolves to the rows copied. */
  copy(sql: string, chunks: Iterator<string | Uint8Array, void, undefined>): Promise<number>;
}

export interface PostgresSessionOptions {
  /** Called with the text of each statement of a transaction (BEGIN … COMMIT) just before it is sent. */
  onStatement?: (sql: string) => void;
  /** Asks the server to cancel what backend `pid` is running (on another connection); best effort. */
  cancelBackend: (pid: number) => Promise<void>;
}

/**
 * The destination's connection pool and how a transaction uses it: one client per transaction,
 * so writers of different streams commit concurrently, each in its own transaction.
 */
export class PostgresSession {
  private readonly pids = new WeakMap<PoolClient, number>();
  private readonly cancellations = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresSessionOptions,
  ) {}

  /**
   * Runs `body` in one transaction on a client of its own. Commits when it resolves; rolls back
   * when it throws. When `signal` aborts before COMMIT is sent, the running COPY is failed or the
   * running statement cancelled, nothing is committed, and the promise rejects with the signal's
   * reason; once COMMIT is sent the signal is no longer looked at. A connection whose statement
   * was cancelled is closed rather than reused, so that a late cancel cannot hit another
   * transaction.
   */
  async transaction<T>(body: (transaction: Transaction) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) throw new Error('the destination is closed');
    signal?.throwIfAborted();
    const client = await this.acquire(signal);
    let pid: number | undefined;
    let running: 'statement' | 'copy' | undefined;
    let cancelled = false;
    const copies = new AbortController();
    const onAbort = (): void => {
      copies.abort(signal?.reason);
      if (running === 'statement' && pid !== undefined) {
        cancelled = true;
        this.cancel(pid);
      }
    };
    const transaction: Transaction = {
      query: async (sql, params) => {
        this.options.onStatement?.(sql);
        signal?.throwIfAborted();
        running = 'statement';
        try {
          const result = await client.query(sql, params === undefined ? undefined : [...params]);
          return result.rows as Record<string, unknown>[];
        } finally {
          running = undefined;
        }
      },
      copy: async (sql, chunks) => {
        this.options.onStatement?.(sql);
        signal?.throwIfAborted();
        running = 'copy';
        try {
          return await copyChunks(client, sql, chunks, copies.signal);
        } finally {
          running = undefined;
        }
      },
    };

    let begun = false;
    try {
      if (signal !== undefined) pid = await this.backendPid(client);
      signal?.addEventListener('abort', onAbort, { once: true });
      await transaction.query('BEGIN');
      begun = true;
      const result = await body(transaction);
      signal?.removeEventListener('abort', onAbort);
      signal?.throwIfAborted();
      this.options.onStatement?.('COMMIT');
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      signal?.removeEventListener('abort', onAbort);
      await this.discard(client, begun, cancelled);
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  }

  /**
   * Rolls back and returns the client to the pool, or closes it when it cannot be trusted: after a
   * cancel, or a failure before the transaction began (the connection itself is the likely cause).
   */
  private async discard(client: PoolClient, begun: boolean, cancelled: boolean): Promise<void> {
    if (cancelled || !begun) {
      client.release(true);
      return;
    }
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch {
      // The connection is broken; closing it ends the transaction on the server as well.
      client.release(true);
    }
  }

  /** A client from the pool; an abort while waiting rejects at once (the client, once there, goes back). */
  private acquire(signal?: AbortSignal): Promise<PoolClient> {
    const connecting = this.pool.connect();
    if (signal === undefined) return connecting;
    return new Promise<PoolClient>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      connecting.then(
        (client) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) client.release();
          else resolve(client);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** The server process behind `client`, asked once per connection (needed to cancel its statements). */
  private async backendPid(client: PoolClient): Promise<number> {
    const known = this.pids.get(client);
    if (known !== undefined) return known;
    const result = await client.query('SELECT pg_backend_pid()::text AS pid');
    const row = result.rows[0] as Record<string, unknown> | undefined;
    const pid = Number(row?.pid);
    this.pids.set(client, pid);
    return pid;
  }

  private cancel(pid: number): void {
    const cancelling = this.options.cancelBackend(pid).catch(() => undefined);
    this.cancellations.add(cancelling);
    void cancelling.finally(() => this.cancellations.delete(cancelling));
  }

  /** Refuses new transactions, waits for pending cancellations, then closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.cancellations);
    await this.pool.end();
  }
}
