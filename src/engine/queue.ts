/**
 * A bounded async queue: `push` waits while the queue is full, so a fast reader is held back by a
 * slow writer (backpressure) and memory stays bounded whatever the workspace size.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly waitingPush: Array<() => void> = [];
  private waitingPop:
    | { resolve: (value: IteratorResult<T>) => void; reject: (reason: unknown) => void }
    | undefined;
  private closed = false;
  private failure: unknown;

  constructor(private readonly capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
  }

  get size(): number {
    return this.items.length;
  }

  async push(item: T, signal?: AbortSignal): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waitingPush.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    if (this.closed) throw new Error('push on a closed queue');
    const pop = this.waitingPop;
    if (pop) {
      this.waitingPop = undefined;
      pop.resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
  }

  /** No more items: the consumer drains what is left and ends. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** End the consumer with an error (the producer failed). */
  fail(error: unknown): void {
    this.failure = error;
    this.close();
  }

  private wake(): void {
    for (const resume of this.waitingPush.splice(0)) resume();
    if (this.waitingPop && this.items.length === 0 && this.closed) {
      const pop = this.waitingPop;
      this.waitingPop = undefined;
      // A consumer already waiting ends with the producer's failure too, not as a normal end.
      if (this.failure !== undefined) {
        const error = this.failure;
        this.failure = undefined;
        pop.reject(error);
      } else pop.resolve({ value: undefined, done: true });
    }
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const value = this.items.shift() as T;
      this.waitingPush.shift()?.();
      return { value, done: false };
    }
    if (this.closed) {
      if (this.failure !== undefined) {
        const error = this.failure;
        this.failure = undefined;
        throw error;
      }
      return { value: undefined, done: true };
    }
    return new Promise((resolve, reject) => {
      this.waitingPop = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() };
  }
}

/** Runs async tasks with at most `limit` at once; `run` waits for a free slot (backpressure). */
export class TaskPool {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly running = new Set<Promise<void>>();
  private firstError: unknown;

  constructor(private readonly limit: number) {}

  async run(task: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    while (this.active >= this.limit) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    if (this.firstError !== undefined) throw this.firstError;
    this.active++;
    const promise = task()
      .catch((error: unknown) => {
        this.firstError ??= error;
      })
      .finally(() => {
        this.active--;
        this.running.delete(promise);
        this.waiting.shift()?.();
      });
    this.running.add(promise);
  }

  /** Waits for every task; throws the first task error. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    if (this.firstError !== undefined) throw this.firstError;
  }
}
