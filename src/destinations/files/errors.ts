/** What the destination was doing when the file system (or a row) refused. */
export interface FileErrorContext {
  /** e.g. `commit`, `prepare`, `open` */
  operation: string;
  /** The destination's description, e.g. `parquet:///data/lake`. */
  destination: string;
  stream?: string;
  /** The table's logical name. */
  table?: string;
}

/** An error from a file destination, naming the stream and table involved; `cause` is the original. */
export class FileDestinationError extends Error {
  readonly operation: string;
  readonly stream: string | undefined;
  readonly table: string | undefined;

  constructor(message: string, context: FileErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileDestinationError';
    this.operation = context.operation;
    this.stream = context.stream;
    this.table = context.table;
  }
}

/**
 * A file or folder the destination could not read, write, rename or remove, in one sentence that
 * names the path and says why in plain words, e.g.
 * `cannot write /lake/contacts/g-…/000000000003-….parquet: no space left on device (the disk is full)`.
 */
export class FileIoError extends Error {
  readonly path: string;
  /** The errno code (`ENOSPC`, `EACCES`, …) when known. */
  readonly code: string | undefined;

  constructor(action: string, path: string, cause: unknown) {
    const code = errnoCode(cause);
    super(`cannot ${action} ${path}: ${reasonOf(cause, code)}`, { cause });
    this.name = 'FileIoError';
    this.path = path;
    this.code = code;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code: unknown = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  // DuckDB reports I/O failures in its message only.
  const message = messageOf(error);
  if (/No space left on device/i.test(message)) return 'ENOSPC';
  if (/Disk quota exceeded/i.test(message)) return 'EDQUOT';
  if (/Read-only file system/i.test(message)) return 'EROFS';
  if (/Permission denied|Operation not permitted/i.test(message)) return 'EACCES';
  return undefined;
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied (the folder is read-only)',
  EPERM: 'permission denied (the folder is read-only)',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on device (the disk is full)',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
};

function reasonOf(error: unknown, code: string | undefined): string {
  const reason = code === undefined ? undefined : REASONS[code];
  return reason ?? messageOf(error).replace(/\s+/g, ' ').trim();
}

/** Wraps `error` so its message says which stream, table and operation failed. */
export function wrapFileError(error: unknown, context: FileErrorContext): FileDestinationError {
  if (error instanceof FileDestinationError) return error;
  const subject = [
    context.stream === undefined ? undefined : `stream ${JSON.stringify(context.stream)}`,
    context.table === undefined ? undefined : `table ${JSON.stringify(context.table)}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const where = subject === '' ? context.destination : `${subject} in ${context.destination}`;
  return new FileDestinationError(`${context.operation} failed for ${where}: ${messageOf(error)}`, context, {
    cause: error,
  });
}
