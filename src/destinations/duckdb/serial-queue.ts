/**
 * Runs async tasks one at a time, in the order they were queued.
 *
 * A DuckDB connection has one transaction at a time, so everything that touches the destination's
 * connection goes through one queue: a writer's BEGIN…COMMIT never interleaves with another's.
 * A task whose signal aborts while it waits is dropped from the line and rejects at once.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });

    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      void previous.then(async () => {
        signal?.removeEventListener('abort', onAbort);
        try {
          if (settled) return;
          const result = await task();
          settled = true;
          resolve(result);
        } catch (error) {
          settled = true;
          reject(error);
        } finally {
          release();
        }
      });
    });
  }

  /** Resolves once every task queued so far has finished. */
  drain(): Promise<void> {
    return this.run(async () => undefined);
  }
}
