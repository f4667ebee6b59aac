import {
  ConfigurationError,
  describeCall,
  FatalError,
  type IntercomSyncError,
  RetriableError,
  SkippableError,
} from './errors.js';
import type { HeaderBag } from './rate-limiter.js';

/** One entry of Intercom's `errors` array. */
export interface IntercomErrorEntry {
  code?: string;
  message?: string;
  field?: string;
}

/** What could be read from an error answer's body. */
export interface ParsedErrorBody {
  /** Whether the body was JSON at all (load balancers answer 5xx with HTML). */
  json: boolean;
  requestId?: string;
  errors: IntercomErrorEntry[];
}

/** An HTTP answer that is not a success, with its body already redacted by the caller. */
export interface ErrorResponse {
  status: number;
  bodyText: string;
  headers: HeaderBag | undefined;
  /** e.g. `GET /contacts/search`. */
  endpoint: string;
  /** The Intercom-Version the request was sent with. */
  version: string;
}

const MAX_MESSAGE_CHARS = 300;

/** Parses `{"type":"error.list","request_id":"…","errors":[{"code":"…","message":"…"}]}` leniently. */
export function parseErrorBody(text: string): ParsedErrorBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { json: false, errors: [] };
  }
  const parsed: ParsedErrorBody = { json: true, errors: [] };
  if (!isRecord(value)) return parsed;
  const requestId = stringField(value, 'request_id');
  if (requestId !== undefined) parsed.requestId = requestId;
  const errors = value.errors;
  if (Array.isArray(errors)) {
    for (const item of errors) {
      if (!isRecord(item)) continue;
      const entry: IntercomErrorEntry = {};
      const code = stringField(item, 'code');
      const message = stringField(item, 'message');
      const field = stringField(item, 'field');
      if (code !== undefined) entry.code = code;
      if (message !== undefined) entry.message = message;
      if (field !== undefined) entry.field = field;
      parsed.errors.push(entry);
    }
  } else {
    // A few endpoints answer a single error object: {"type":"error","code":…,"message":…}.
    const code = stringField(value, 'code');
    const message = stringField(value, 'message');
    if (code !== undefined || message !== undefined) {
      const entry: IntercomErrorEntry = {};
      if (code !== undefined) entry.code = code;
      if (message !== undefined) entry.message = message;
      parsed.errors.push(entry);
    }
  }
  return parsed;
}

/** Intercom's `request_id` from a parsed body, else the `X-Request-Id` header. */
export function requestIdOf(body: unknown, headers: HeaderBag | undefined): string | undefined {
  if (isRecord(body)) {
    const id = stringField(body, 'request_id');
    if (id !== undefined) return id;
  }
  if (!headers) return undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== 'x-request-id') continue;
    const value = headers[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined || first === '' ? undefined : String(first);
  }
  return undefined;
}

/** Maps a non-2xx answer to the error a caller should act on. */
export function errorFromResponse(response: ErrorResponse): IntercomSyncError {
  const { status, endpoint, version } = response;
  const parsed = parseErrorBody(response.bodyText);
  const requestId = parsed.requestId ?? requestIdOf(undefined, response.headers);
  const first = parsed.errors[0];
  const code = first?.code;
  const intercomMessage = first?.message === undefined ? undefined : clip(first.message);
  const call = describeCall(endpoint, requestId);
  const details = {
    status,
    endpoint,
    ...(code === undefined ? {} : { code }),
    ...(requestId ? { requestId } : {}),
  };
  const said = describeAnswer(status, code, intercomMessage, parsed.json);

  if (status === 401) {
    return new ConfigurationError(
      `Intercom rejected the access token (${code ?? 'HTTP 401'}; ${call}); check that it is valid, not revoked, and belongs to the chosen region.`,
      details,
    );
  }
  if (status === 403) {
    if (code === 'api_plan_restricted') {
      return new SkippableError(
        `${endpoint} requires an Intercom plan that includes this API: ${intercomMessage ?? 'Active subscription needed.'} (${code}; ${call})`,
        details,
      );
    }
    return new ConfigurationError(
      `Give the access token the permissions (scopes) that ${endpoint} needs, or turn off the streams that use it (${said}; ${call}).`,
      details,
    );
  }
  if (status === 404) {
    return new SkippableError(`Intercom found nothing at ${endpoint} (${said}; ${call})`, {
      ...details,
      code: code ?? 'not_found',
    });
  }
  if (status === 400 && code === 'intercom_version_invalid') {
    return new ConfigurationError(
      `Choose an Intercom API version in which ${endpoint} exists: Intercom refused version ${version} (${said}; ${call}).`,
      details,
    );
  }
  if (status === 429 || status >= 500) {
    return new RetriableError(`Intercom answered ${said} on ${call}`, details);
  }
  if (status >= 300 && status < 400) {
    return new FatalError(`Intercom answered an unexpected redirect (HTTP ${status}) on ${call}`, details);
  }
  return new FatalError(`Intercom answered ${said} on ${call}`, details);
}

function describeAnswer(
  status: number,
  code: string | undefined,
  message: string | undefined,
  json: boolean,
): string {
  const head = code === undefined ? `HTTP ${status}` : `HTTP ${status} ${code}`;
  if (message !== undefined) return `${head}: ${message}`;
  return json ? head : `${head} with a non-JSON body`;
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS)}…` : oneLine;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
