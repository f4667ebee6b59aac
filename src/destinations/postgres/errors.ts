/** Which server the destination talks to, as its messages name it (never with the password). */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  /** The user `pg` connects as. */
  user: string;
  /** The sslmode asked for, if any. */
  sslMode?: string;
  /** The connect timeout in seconds (0: none). */
  connectTimeoutSeconds: number;
}

/**
 * Why connecting or setting up failed, for callers that react to it: `unreachable` and `timeout`
 * may pass when retried later; the others need the configuration or the server changed.
 */
export type PostgresFailure =
  | 'unreachable'
  | 'timeout'
  | 'authentication'
  | 'database-missing'
  | 'permission'
  | 'ssl'
  | 'too-many-connections';

/** What the destination was doing when PostgreSQL (or a row) refused. */
export interface PostgresErrorContext {
  /** e.g. `commit`, `prepare`, `open` */
  operation: string;
  /** The destination's description, e.g. `postgresql://sync@db:5432/warehouse`. */
  destination: string;
  stream?: string;
  /** Schema-qualified, as it would appear in SQL. */
  table?: string;
}

/**
 * An error from the PostgreSQL destination, naming the operation, stream and table involved;
 * `cause` is `pg`'s error, `code` PostgreSQL's SQLSTATE when there is one. Its message never holds
 * the password (the destination never puts it in one, and PostgreSQL never echoes it).
 */
export class PostgresDestinationError extends Error {
  readonly operation: string;
  readonly stream: string | undefined;
  readonly table: string | undefined;
  readonly code: string | undefined;
  readonly failure: PostgresFailure | undefined;

  constructor(
    message: string,
    context: PostgresErrorContext,
    options?: { cause?: unknown; code?: string; failure?: PostgresFailure },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PostgresDestinationError';
    this.operation = context.operation;
    this.stream = context.stream;
    this.table = context.table;
    this.code = options?.code;
    this.failure = options?.failure;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** PostgreSQL's SQLSTATE, or Node's error code (`ECONNREFUSED`), if `error` carries one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error as { code: unknown };
  return typeof code === 'string' ? code : undefined;
}

/** `host:port (database "db")`, or the socket directory for a Unix socket. */
function where(target: ConnectionTarget): string {
  const server = target.host.startsWith('/')
    ? `the socket in ${target.host} (port ${target.port})`
    : `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return `${server} (database ${JSON.stringify(target.database)})`;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOENT']);
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const TLS_CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|ERR_TLS/;

/** Whether `error` is a failure to reach or talk to the server, rather than a refused statement. */
export function isConnectionFailure(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  if (UNREACHABLE.has(code) || UNRESOLVED.has(code) || DROPPED.has(code) || code === 'ETIMEDOUT') return true;
  if (['28P01', '28000', '3D000', '53300', '57P03'].includes(code)) return true;
  if (TLS_CERTIFICATE.test(code)) return true;
  return /^Connection terminated|timeout expired|does not support SSL/i.test(messageOf(error));
}

/**
 * Turns a failure to connect into one sentence that names the server and database (never the
 * password) and says what to check: refused or unreachable, no answer in time, name does not
 * resolve, wrong credentials (28P01, 28000), no such database (3D000), TLS refused or certificate
 * rejected, no free connection slot (53300). `elapsedMs`, given while connecting, tells a
 * connect timeout from a dropped connection, which `pg` reports alike.
 */
export function connectionError(
  error: unknown,
  target: ConnectionTarget,
  context: PostgresErrorContext,
  elapsedMs?: number,
): PostgresDestinationError {
  const code = errorCode(error);
  const message = messageOf(error);
  const at = where(target);
  const make = (text: string, failure?: PostgresFailure): PostgresDestinationError =>
    new PostgresDestinationError(text, context, { cause: error, code, failure });
  const timeoutMs = target.connectTimeoutSeconds * 1000;
  const timedOut =
    code === 'ETIMEDOUT' ||
    /timeout/i.test(message) ||
    (/^Connection terminated/.test(message) &&
      timeoutMs > 0 &&
      elapsedMs !== undefined &&
      elapsedMs >= timeoutMs - 50);

  if (code === '28P01') {
    return make(
      `PostgreSQL at ${at} rejected the password of user ${JSON.stringify(target.user)}; check the user name and password.`,
      'authentication',
    );
  }
  if (code === '28000') {
    return make(
      `PostgreSQL at ${at} refused user ${JSON.stringify(target.user)} (${message}); check the user name and the server's pg_hba.conf.`,
      'authentication',
    );
  }
  if (code === '3D000') {
    return make(
      `PostgreSQL at ${at} has no database ${JSON.stringify(target.database)}; create it or correct the database name in the URI.`,
      'database-missing',
    );
  }
  if (code === '53300') {
    return make(
      `PostgreSQL at ${at} has no free connection slot (${message}); lower maxConnections or raise the server's max_connections.`,
      'too-many-connections',
    );
  }
  if (code !== undefined && UNREACHABLE.has(code)) {
    return make(
      `Cannot connect to PostgreSQL at ${at}: ${code === 'ECONNREFUSED' ? 'the connection was refused' : 'the server is unreachable'} (${code}); check that the server is running and accepts TCP connections on port ${target.port}.`,
      'unreachable',
    );
  }
  if (code !== undefined && UNRESOLVED.has(code)) {
    return make(
      `Cannot connect to PostgreSQL at ${at}: the host name ${JSON.stringify(target.host)} does not resolve (${code}).`,
      'unreachable',
    );
  }
  if (timedOut) {
    return make(
      `Cannot connect to PostgreSQL at ${at}: no answer within ${target.connectTimeoutSeconds} second${target.connectTimeoutSeconds === 1 ? '' : 's'}; check the host, the port and any firewall in between.`,
      'timeout',
    );
  }
  if (/does not support SSL/i.test(message)) {
    return make(
      `Cannot connect to PostgreSQL at ${at}: the server does not accept TLS connections, which sslmode=${target.sslMode ?? 'require'} demands; use sslmode=prefer or sslmode=disable, or enable ssl on the server.`,
      'ssl',
    );
  }
  if (code !== undefined && TLS_CERTIFICATE.test(code)) {
    return make(
      `Cannot connect to PostgreSQL at ${at}: the server's TLS certificate was rejected (${message}); pass its CA with sslrootcert=… or use sslmode=require to encrypt without verifying.`,
      'ssl',
    );
  }
  const dropped = (code !== undefined && DROPPED.has(code)) || /^Connection terminated/.test(message);
  if (dropped && elapsedMs !== undefined) {
    return make(
      `Cannot connect to PostgreSQL at ${at}: the connection was closed before the server answered (${message}); check the host and port, and that nothing in between drops the connection.`,
      'unreachable',
    );
  }
  if (dropped) {
    return make(
      `Lost the connection to PostgreSQL at ${at} (${message}); check that the server is up and the network stable.`,
      'unreachable',
    );
  }
  return make(`Cannot use PostgreSQL at ${at}: ${message}.`);
}

/**
 * The error for a user who may not create the destination's schema (42501 on CREATE SCHEMA):
 * says which privilege is missing and how to proceed.
 */
export function schemaPermissionError(
  error: unknown,
  target: ConnectionTarget,
  schema: string,
  context: PostgresErrorContext,
): PostgresDestinationError {
  const user = JSON.stringify(target.user);
  const quoted = JSON.stringify(schema);
  return new PostgresDestinationError(
    `Cannot create schema ${quoted} in database ${JSON.stringify(target.database)} at ${target.host}:${target.port}: user ${user} lacks the CREATE privilege on the database; create the schema beforehand (CREATE SCHEMA ${quoted} AUTHORIZATION ${user}) or GRANT CREATE ON DATABASE to that user.`,
    context,
    { cause: error, code: errorCode(error), failure: 'permission' },
  );
}

/** The error for a user who may not create tables in the schema (42501 elsewhere in `open`). */
export function tablePermissionError(
  error: unknown,
  target: ConnectionTarget,
  schema: string,
  context: PostgresErrorContext,
): PostgresDestinationError {
  const user = JSON.stringify(target.user);
  return new PostgresDestinationError(
    `User ${user} may not create or use the tables of schema ${JSON.stringify(schema)} in database ${JSON.stringify(target.database)} at ${target.host}:${target.port} (${messageOf(error)}); GRANT USAGE, CREATE ON SCHEMA ${JSON.stringify(schema)} TO ${user}.`,
    context,
    { cause: error, code: errorCode(error), failure: 'permission' },
  );
}

/**
 * Wraps `error` so its message says which operation, stream and table failed; for a failure to
 * reach the server, followed by `connectionError`'s sentence (alone when opening).
 */
export function wrapPostgresError(
  error: unknown,
  context: PostgresErrorContext,
  target?: ConnectionTarget,
): PostgresDestinationError {
  if (error instanceof PostgresDestinationError) return error;
  const subject = [
    context.stream === undefined ? undefined : `stream ${JSON.stringify(context.stream)}`,
    context.table === undefined ? undefined : `table ${context.table}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const place = subject === '' ? context.destination : `${subject} in ${context.destination}`;
  if (target !== undefined && isConnectionFailure(error)) {
    const mapped = connectionError(error, target, context);
    if (context.operation === 'open') return mapped;
    return new PostgresDestinationError(
      `${context.operation} failed for ${place}: ${mapped.message}`,
      context,
      {
        cause: error,
        code: mapped.code,
        failure: mapped.failure,
      },
    );
  }
  const code = errorCode(error);
  const sqlState = code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : '';
  return new PostgresDestinationError(
    `${context.operation} failed for ${place}: ${messageOf(error)}${sqlState}`,
    context,
    {
      cause: error,
      code,
    },
  );
}
