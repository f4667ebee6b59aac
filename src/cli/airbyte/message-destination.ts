import type {
  DeleteOptions,
  Deletion,
  Destination,
  LinkBatch,
  Row,
  StreamWriter,
  TableSpec,
  WriteMode,
} from '../../destinations/destination.js';
import type { StreamState } from '../../engine/sync.js';
import type { StreamDefinition } from '../../streams/index.js';
import { tombstones } from './record-shape.js';

/**
 * Where a protocol adapter prints what the engine commits. Calls arrive in commit order per
 * stream: a stream's `state` always follows the `records` it covers.
 */
export interface MessageSink {
  /** The stream's columns: when its writer is prepared, and again when new columns appear. */
  schema(spec: TableSpec, mode: WriteMode): void;
  /** Rows to print as records (deletions arrive as tombstone rows with `_deleted_at`). */
  records(spec: TableSpec, rows: readonly Row[]): void;
  /**
   * The stream's new state, after the records it covers. `final` is the end of the stream;
   * `state` is then undefined when nothing changed since the last one.
   */
  state(stream: string, state: StreamState | undefined, final: boolean): void;
}

/**
 * A Destination that prints instead of storing: the protocol adapters run the one engine with it.
 * `commit(rows, state)` prints the rows then the state; `finish` the final state; `delete` tombstone
 * records. The states the engine reads are the ones the caller was given (`--state`).
 */
export class MessageDestination implements Destination {
  readonly description: string;
  readonly #sink: MessageSink;
  readonly #states: ReadonlyMap<string, StreamState>;
  readonly #definitions: (stream: string) => StreamDefinition | undefined;

  constructor(options: {
    description: string;
    sink: MessageSink;
    states: ReadonlyMap<string, StreamState>;
    definitions: (stream: string) => StreamDefinition | undefined;
  }) {
    this.description = options.description;
    this.#sink = options.sink;
    this.#states = options.states;
    this.#definitions = options.definitions;
  }

  async open(): Promise<void> {}

  async readState(): Promise<Map<string, unknown>> {
    return new Map(this.#states);
  }

  async prepare(spec: TableSpec, mode: WriteMode, signal?: AbortSignal): Promise<StreamWriter> {
    signal?.throwIfAborted();
    this.#sink.schema(spec, mode);
    const sink = this.#sink;
    const def = this.#definitions(spec.stream);
    return {
      async commit(rows: Row[], state: unknown, commitSignal?: AbortSignal): Promise<void> {
        commitSignal?.throwIfAborted();
        if (rows.length > 0) sink.records(spec, rows);
        if (state !== undefined) sink.state(spec.stream, state as StreamState, false);
      },
      /** Prints the parent's rows and state, then each link table's (messages have no transactions). */
      async commitWithLinks(
        rows: Row[],
        state: unknown,
        links: LinkBatch[],
        commitSignal?: AbortSignal,
      ): Promise<void> {
        commitSignal?.throwIfAborted();
        if (rows.length > 0) sink.records(spec, rows);
        if (state !== undefined) sink.state(spec.stream, state as StreamState, false);
        for (const link of links) await link.writer.commit(link.rows, link.state, commitSignal);
      },
      async delete(
        deletions: Deletion[],
        _options: DeleteOptions,
        state: unknown,
        deleteSignal?: AbortSignal,
      ): Promise<void> {
        deleteSignal?.throwIfAborted();
        const rows = def ? tombstones(def, deletions) : [];
        if (rows.length > 0) sink.records(spec, rows);
        if (state !== undefined) sink.state(spec.stream, state as StreamState, false);
      },
      async finish(state: unknown, finishSignal?: AbortSignal): Promise<void> {
        finishSignal?.throwIfAborted();
        sink.state(spec.stream, state as StreamState | undefined, true);
      },
      async abort(): Promise<void> {},
    };
  }

  async close(): Promise<void> {}
}
