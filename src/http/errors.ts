/**
 * Errors grouped by what the caller should do with them:
 * - `configuration`: the user must change the configuration (the CLI exits with code 2);
 * - `retriable`: a transient failure that outlived the retries; running again later may work;
 * - `fatal`: stop the sync, something is wrong that retrying will not fix;
 * - `skippable`: count it and go on with the next record/stream (the caller decides).
 *
 * None of these ever holds the access token: the client redacts everything it hands over.
 */
export type ErrorKind = 'configuration' | 'retriable' | 'fatal' | 'skippable';

export interface IntercomErrorDetails {
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** Intercom's error code (`errors[0].code`), e.g. `token_revoked`, `not_found`. */
  code?: string;
  /** A label for the call, e.g. `GET /contacts/search` or `GET /conversations/{id}`. */
  endpoint?: string;
  /** Intercom's `request_id` from the body, or the `X-Request-Id` header. */
  requestId?: string;
  /** The underlying error (already redacted). */
  cause?: unknown;
}

/** The JSON shape of an error (what `JSON.stringify(error)` writes). */
export interface IntercomSyncErrorJson {
  name: string;
  kind: ErrorKind;
  message: string;
  status?: number;
  code?: string;
  endpoint?: string;
  requestId?: string;
}

export abstract class IntercomSyncError extends Error {
  abstract readonly kind: ErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly endpoint?: string;
  readonly requestId?: string;

  constructor(message: string, details: IntercomErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.endpoint !== undefined) this.endpoint = details.endpoint;
    if (details.requestId !== undefined) this.requestId = details.requestId;
  }

  toJSON(): IntercomSyncErrorJson {
    const json: IntercomSyncErrorJson = { name: this.name, kind: this.kind, message: this.message };
    if (this.status !== undefined) json.status = this.status;
    if (this.code !== undefined) json.code = this.code;
    if (this.endpoint !== undefined) json.endpoint = this.endpoint;
    if (this.requestId !== undefined) json.requestId = this.requestId;
    return json;
  }
}

/** The user must fix the configuration; the message is one sentence saying what to fix. */
export class ConfigurationError extends IntercomSyncError {
  readonly kind = 'configuration' as const;
  /** The exit code the CLI uses for this error. */
  readonly exitCode = 2;
}

/** A transient failure that persisted through every retry. */
export class RetriableError extends IntercomSyncError {
  readonly kind = 'retriable' as const;
}

/** Stop: retrying will not help. */
export class FatalError extends IntercomSyncError {
  readonly kind = 'fatal' as const;
}

/** Count it and go on; the caller decides whether skipping is acceptable. */
export class SkippableError extends IntercomSyncError {
  readonly kind = 'skippable' as const;
}

export function isIntercomSyncError(error: unknown): error is IntercomSyncError {
  return error instanceof IntercomSyncError;
}

/** The process exit code for an error: 2 for configuration errors, 1 otherwise. */
export function exitCodeFor(error: unknown): number {
  return error instanceof ConfigurationError ? error.exitCode : 1;
}

/** `GET /contacts, request_id abc` or `GET /contacts, no request_id`: the tail every message carries. */
export function describeCall(endpoint: string | undefined, requestId: string | undefined): string {
  const where = endpoint ?? 'unknown endpoint';
  return requestId ? `${where}, request_id ${requestId}` : `${where}, no request_id`;
}
