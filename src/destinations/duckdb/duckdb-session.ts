import type { DuckDBConnection } from '@duckdb/node-api';
import { SerialQueue } from './serial-queue.js';

/**
 * The destination's one DuckDB connection and the queue that serialises its use.
 *
 * Every writer of the destination shares it: a DuckDB connection runs one transaction at a time,
 * and DuckDB itself parallelises each statement over its own threads, so serialising commits costs
 * little while it rules out interleaved transactions and the write-write conflicts that several
 * connections (each with its own transaction) would raise on the shared state table and catalog.
 */
export class DuckDbSession {
  private readonly queue = new SerialQueue();
  private closed = false;

  constructor(private readonly connection: DuckDBConnection) {}

  /** Runs `task` alone on the connection, after everything queued before it. */
  exclusive<T>(task: (connection: DuckDBConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The DuckDB destination is closed'));
    return this.queue.run(() => task(this.connection), signal);
  }

  /**
   * Runs `body` in one transaction, alone on the connection. Commits when it resolves; rolls back
   * when it throws or when `signal` aborts before COMMIT is sent (an abort interrupts the running
   * statement). Rejects with the signal's reason on abort, with the original error otherwise.
   * Once COMMIT is sent the signal is no longer looked at: the outcome is whatever COMMIT says.
   */
  transaction<T>(body: (connection: DuckDBConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.exclusive(async (connection) => {
      signal?.throwIfAborted();
      const onAbort = (): void => connection.interrupt();
      signal?.addEventListener('abort', onAbort, { once: true });
      let begun = false;
      try {
        await connection.run('BEGIN TRANSACTION');
        begun = true;
        const result = await body(connection);
        signal?.removeEventListener('abort', onAbort);
        signal?.throwIfAborted();
        await connection.run('COMMIT');
        return result;
      } catch (error) {
        signal?.removeEventListener('abort', onAbort);
        if (begun) await rollbackQuietly(connection);
        if (signal?.aborted) throw signal.reason;
        throw error;
      }
    }, signal);
  }

  /** Refuses new work, waits for the work already queued, then closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    this.connection.closeSync();
  }
}

async function rollbackQuietly(connection: DuckDBConnection): Promise<void> {
  try {
    await connection.run('ROLLBACK');
  } catch {
    // A failed COMMIT has already ended the transaction; nothing is left to roll back.
  }
}
