/** What the destination was doing when DuckDB (or a row) refused. */
export interface DuckDbErrorContext {
  /** e.g. `commit`, `prepare`, `open` */
  operation: string;
  /** The destination's description, e.g. `duckdb:///data/intercom.duckdb`. */
  destination: string;
  stream?: string;
  /** Schema-qualified, as it would appear in SQL. */
  table?: string;
}

/** An error from the DuckDB destination, naming the stream and table involved; `cause` is DuckDB's. */
export class DuckDbDestinationError extends Error {
  readonly operation: string;
  readonly stream: string | undefined;
  readonly table: string | undefined;

  constructor(message: string, context: DuckDbErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DuckDbDestinationError';
    this.operation = context.operation;
    this.stream = context.stream;
    this.table = context.table;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Wraps `error` so its message says which stream, table and operation failed. */
export function wrapDuckDbError(error: unknown, context: DuckDbErrorContext): DuckDbDestinationError {
  if (error instanceof DuckDbDestinationError) return error;
  const subject = [
    context.stream === undefined ? undefined : `stream ${JSON.stringify(context.stream)}`,
    context.table === undefined ? undefined : `table ${context.table}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const where = subject === '' ? context.destination : `${subject} in ${context.destination}`;
  return new DuckDbDestinationError(
    `${context.operation} failed for ${where}: ${messageOf(error)}`,
    context,
    {
      cause: error,
    },
  );
}

/**
 * Turns DuckDB's error on opening a database file into one that says what to do: the file is
 * locked by another process (with its PID when DuckDB knows it), the directory is not writable,
 * or it does not exist.
 */
export function openError(error: unknown, path: string, destination: string): DuckDbDestinationError {
  const message = messageOf(error);
  const context = { operation: 'open', destination };
  if (/Could not set lock|Conflicting lock/i.test(message)) {
    const holder = /Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(message);
    const by = holder === null ? 'another process' : `another process (PID ${holder[2]}, ${holder[1]})`;
    return new DuckDbDestinationError(
      `Cannot open DuckDB file ${path}: it is locked by ${by}. Stop that process or use another file.`,
      context,
      { cause: error },
    );
  }
  if (/Permission denied|Read-only file system/i.test(message)) {
    return new DuckDbDestinationError(
      `Cannot open DuckDB file ${path}: permission denied (the file or its directory is read-only; DuckDB needs to write the file and its .wal next to it).`,
      context,
      { cause: error },
    );
  }
  if (/No such file or directory/i.test(message)) {
    return new DuckDbDestinationError(
      `Cannot open DuckDB file ${path}: its directory does not exist.`,
      context,
      { cause: error },
    );
  }
  return new DuckDbDestinationError(`Cannot open DuckDB file ${path}: ${message}`, context, { cause: error });
}
