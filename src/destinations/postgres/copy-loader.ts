import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** How much encoded data the COPY stream buffers before `write` asks the producer to wait. */
const HIGH_WATER_MARK = 1 << 20;

/**
 * Runs `sql` (a `COPY … FROM STDIN`) on `client`, streaming `chunks` (text or bytes, in the format
 * `sql` names) into it as they are produced, with backpressure: a chunk is only pulled once the
 * socket has taken the previous ones.
 * Resolves to the number of rows copied once PostgreSQL has them (inside the caller's transaction).
 *
 * When pulling a chunk throws (a row that does not encode) or `signal` aborts, the stream is
 * destroyed: pg-copy-streams sends CopyFail, the server ends the COPY with an error, and the
 * promise rejects with the producer's error or the signal's reason. The connection stays usable;
 * the transaction is failed and must be rolled back.
 */
export function copyChunks(
  client: ClientBase,
  sql: string,
  chunks: Iterator<string | Uint8Array, void, undefined>,
  signal?: AbortSignal,
): Promise<number> {
  signal?.throwIfAborted();
  const stream = client.query(copyFrom(sql, { highWaterMark: HIGH_WATER_MARK }));
  return new Promise<number>((resolve, reject) => {
    let failure: { error: unknown } | undefined;
    const fail = (error: unknown): void => {
      if (failure !== undefined || stream.destroyed) return;
      failure = { error };
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
    };
    const onAbort = (): void => fail(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => signal?.removeEventListener('abort', onAbort);

    stream.on('error', (error) => {
      settle();
      reject(failure === undefined ? error : failure.error);
    });
    stream.on('finish', () => {
      settle();
      resolve(stream.rowCount);
    });

    const pump = (): void => {
      try {
        while (failure === undefined && !stream.destroyed) {
          const next = chunks.next();
          if (next.done === true) {
            stream.end();
            return;
          }
          if (!stream.write(next.value)) {
            stream.once('drain', pump);
            return;
          }
        }
      } catch (error) {
        fail(error);
      }
    };
    pump();
  });
}

/**
 * The chunks of `source`, kept as they are pulled so that they can be sent again: after a COPY
 * that failed part way, `iterate()` yields the chunks already pulled, then pulls the rest. Holds
 * one batch's encoded bytes at most.
 */
export class RecordedChunks<T> {
  private readonly pulled: T[] = [];

  constructor(private readonly source: Iterator<T, void, undefined>) {}

  /** Every chunk of the source from the first: the recorded ones, then the rest (recorded too). */
  iterate(): Iterator<T, void, undefined> {
    let index = 0;
    return {
      next: () => {
        if (index < this.pulled.length) return { done: false, value: this.pulled[index++] as T };
        const next = this.source.next();
        if (next.done !== true) {
          this.pulled.push(next.value);
          index++;
        }
        return next;
      },
    };
  }
}
