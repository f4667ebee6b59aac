import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import { type BackoffPolicy, backoffDelay, backoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
import { type Clock, createSystemClock } from './clock.js';
import { errorFromResponse, requestIdOf } from './error-mapping.js';
import {
  ConfigurationError,
  describeCall,
  FatalError,
  type IntercomSyncError,
  isIntercomSyncError,
  RetriableError,
} from './errors.js';
import { createSilentLogger, type Logger } from './logger.js';
import { parseRateLimitHeaders, type RequestLimiter } from './rate-limiter.js';
import { resolveBaseUrl } from './regions.js';

export const DEFAULT_INTERCOM_VERSION = '2.14';
export const DEFAULT_USER_AGENT = 'intercom-sync/0.1';

export interface IntercomClientOptions {
  accessToken: string;
  /** `us` (default), `eu`, `au`. */
  region?: string;
  /** Overrides `region` (proxy, local simulator). */
  baseUrl?: string;
  /** `Intercom-Version` header. Default `2.14`; a request may override it. */
  version?: string;
  /** Budget for one whole exchange (connect, headers and body). Default 30,000 ms. */
  timeoutMs?: number;
  /** Retries after network errors, timeouts, 5xx and unreadable 2xx bodies. Default 6. */
  maxRetries?: number;
  /** 429s in a row on one request before giving up (they do not use `maxRetries`). Default 20. */
  maxRateLimitRetries?: number;
  /** The rate limiter shared by every request of the sync. */
  limiter: RequestLimiter;
  clock?: Clock;
  /** Returns a number in [0, 1); used for backoff jitter. */
  random?: () => number;
  logger?: Logger;
  userAgent?: string;
  /** Connections kept to the API host. Default 10; keep it >= the limiter's maxInFlight. */
  maxConnections?: number;
  /** Backoff between retries. Defaults: base 500 ms, max 30 s. */
  backoff?: { baseMs?: number; maxMs?: number };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly (string | number | boolean)[];

export interface IntercomRequest {
  method: HttpMethod;
  /** `/contacts/search`, or an absolute URL on the same origin as the base URL (`pages.next`). */
  path: string;
  /** Appended to the URL; `undefined`/`null` values are left out, arrays repeat the key. */
  query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  body?: unknown;
  /** Overrides the client's `Intercom-Version` for this call (a stream may pin one). */
  version?: string;
  signal: AbortSignal;
  /** Label used in errors, logs and stats, e.g. `GET /conversations/{id}`. Default: method and path. */
  endpoint?: string;
  /**
   * `false`: do not resend after a network error, a timeout, a 5xx or an unreadable body; fail with
   * the error instead (429s are still waited out: the request was refused, not served). For calls
   * that are not safe to repeat, such as a scroll page: the scroll moves on even if the answer is lost.
   */
  retry?: boolean;
}

export interface IntercomResponse<T> {
  status: number;
  /** The parsed JSON body (`null` when the body was empty). Not validated. */
  body: T;
  /** Response headers, lower-case names, repeated values joined with `, `. */
  headers: Record<string, string>;
  requestId: string | undefined;
}

export type RetryReason = 'network' | 'timeout' | 'server_error' | 'invalid_body';

export interface IntercomClientStats {
  /** HTTP exchanges started, retries included. */
  requests: number;
  retries: Record<RetryReason, number>;
  /** 429 answers. */
  rateLimited: number;
  /** Response body bytes received. */
  bytes: number;
}

type Exchange =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; text: string; bytes: number }
  | {
      kind: 'failure';
      reason: 'network' | 'timeout';
      error: unknown;
      headers: IncomingHttpHeaders | undefined;
    };

interface Failure {
  reason: RetryReason;
  error: IntercomSyncError;
}

const VERSION_PATTERN = /^(\d{1,2}\.\d{1,2}|Preview|Unstable)$/;
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;
const REDACTED = '[REDACTED]';
/**
 * Abort reasons of an exchange, created once: aborting with them allocates nothing (an abort
 * without a reason builds a DOMException with a stack trace every time).
 */
const TIMED_OUT = new Error('intercom-sync: the request timed out');
const DONE = new Error('intercom-sync: the exchange is over');

/**
 * The abort signal of one exchange, in the EventEmitter form undici accepts (`aborted`, `reason`,
 * an `abort` event): constructing and aborting it is cheap, unlike an AbortController.
 */
class ExchangeSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/**
 * Intercom's REST API over a keep-alive connection pool: auth, versions, rate limiting (through the
 * shared limiter), retries with backoff, and errors classified by what the caller should do.
 * It knows nothing about streams.
 */
export class IntercomClient {
  readonly #accessToken: string;
  readonly #baseOrigin: string;
  readonly #basePath: string;
  readonly #version: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #maxRateLimitRetries: number;
  readonly #limiter: RequestLimiter;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #logger: Logger;
  readonly #userAgent: string;
  readonly #backoff: BackoffPolicy;
  readonly #pool: Pool;
  /** Exchanges in progress, by the caller's signal they follow (see `#follow`). */
  readonly #followers = new WeakMap<AbortSignal, Set<ExchangeSignal>>();
  readonly #stats: IntercomClientStats = {
    requests: 0,
    retries: { network: 0, timeout: 0, server_error: 0, invalid_body: 0 },
    rateLimited: 0,
    bytes: 0,
  };

  constructor(options: IntercomClientOptions) {
    const token = typeof options.accessToken === 'string' ? options.accessToken.trim() : '';
    if (token === '')
      throw new ConfigurationError('Set accessToken to an Intercom access token (it is empty).');
    if (!TOKEN_PATTERN.test(token)) {
      throw new ConfigurationError(
        'Set accessToken to the token exactly as Intercom shows it (it contains spaces, quotes or control characters).',
      );
    }
    this.#accessToken = token;
    const base = new URL(resolveBaseUrl({ region: options.region, baseUrl: options.baseUrl }));
    this.#baseOrigin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.#version = checkVersion(options.version ?? DEFAULT_INTERCOM_VERSION);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    if (!Number.isFinite(this.#timeoutMs) || this.#timeoutMs <= 0) {
      throw new ConfigurationError('Set timeoutMs to a number of milliseconds above 0.');
    }
    this.#maxRetries = options.maxRetries ?? 6;
    if (!Number.isInteger(this.#maxRetries) || this.#maxRetries < 0) {
      throw new ConfigurationError('Set maxRetries to a whole number of at least 0.');
    }
    this.#maxRateLimitRetries = options.maxRateLimitRetries ?? 20;
    if (!Number.isInteger(this.#maxRateLimitRetries) || this.#maxRateLimitRetries < 0) {
      throw new ConfigurationError('Set maxRateLimitRetries to a whole number of at least 0.');
    }
    const maxConnections = options.maxConnections ?? 10;
    if (!Number.isInteger(maxConnections) || maxConnections < 1) {
      throw new ConfigurationError('Set maxConnections to a whole number of at least 1.');
    }
    this.#backoff = backoffPolicy({
      baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs,
      maxMs: options.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs,
      maxAttempts: this.#maxRetries,
    });
    this.#limiter = options.limiter;
    this.#clock = options.clock ?? createSystemClock();
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger ?? createSilentLogger();
    this.#userAgent = options.userAgent ?? `${DEFAULT_USER_AGENT} node/${process.versions.node}`;
    this.#pool = new Pool(this.#baseOrigin, {
      connections: maxConnections,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      // Our own timer covers the whole exchange; these are a backstop.
      headersTimeout: this.#timeoutMs + 1_000,
      bodyTimeout: this.#timeoutMs + 1_000,
    });
  }

  /** The base URL requests go to (no trailing slash). */
  get baseUrl(): string {
    return `${this.#baseOrigin}${this.#basePath}`;
  }

  stats(): IntercomClientStats {
    return { ...this.#stats, retries: { ...this.#stats.retries } };
  }

  /** Closes the pooled connections once requests in flight are done. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  /**
   * Sends one request, retrying transient failures, and returns the parsed JSON body.
   * Rejects with an IntercomSyncError subclass, or with `signal.reason` when the caller aborts.
   */
  async request<T = unknown>(request: IntercomRequest): Promise<IntercomResponse<T>> {
    const { signal, method } = request;
    signal.throwIfAborted();
    const url = this.#buildUrl(request.path, request.query, request.endpoint ?? method);
    const endpoint = request.endpoint ?? `${method} ${this.#relativePath(url)}`;
    const version = request.version === undefined ? this.#version : checkVersion(request.version);
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#accessToken}`,
      accept: 'application/json',
      'intercom-version': version,
      'user-agent': this.#userAgent,
    };
    if (payload !== undefined) headers['content-type'] = 'application/json';

    let failures = 0;
    let rateLimitedInRow = 0;
    for (let attempt = 1; ; attempt += 1) {
      signal.throwIfAborted();
      const permit = await this.#limiter.acquire(signal);
      this.#stats.requests += 1;
      const startedAt = this.#clock.now();
      let exchange: Exchange;
      try {
        exchange = await this.#exchange(url, method, headers, payload, signal, endpoint);
      } catch (error) {
        permit.release(undefined);
        throw error;
      }
      permit.release(exchange.headers);

      let failure: Failure;
      if (exchange.kind === 'response') {
        const { status } = exchange;
        this.#stats.bytes += exchange.bytes;
        this.#logger.debug('intercom response', {
          endpoint,
          status,
          attempt,
          ms: this.#clock.now() - startedAt,
          bytes: exchange.bytes,
          requestId: requestIdOf(undefined, exchange.headers),
        });
        if (status === 429) {
          this.#stats.rateLimited += 1;
          rateLimitedInRow += 1;
          const error = this.#errorFor(exchange, endpoint, version);
          if (rateLimitedInRow > this.#maxRateLimitRetries) {
            throw new RetriableError(
              `Intercom kept answering 429 (rate limit) on ${describeCall(endpoint, error.requestId)}: gave up after ${rateLimitedInRow} in a row`,
              {
                status,
                endpoint,
                code: error.code ?? 'rate_limit_exceeded',
                requestId: error.requestId,
                cause: error,
              },
            );
          }
          const resetAt = parseRateLimitHeaders(exchange.headers).resetAt;
          this.#limiter.onRateLimited(resetAt);
          this.#logger.warn('intercom rate limit hit; waiting for the window to reset', {
            endpoint,
            status,
            attempt: rateLimitedInRow,
            requestId: error.requestId,
            resetAt,
          });
          continue;
        }
        rateLimitedInRow = 0;
        if (status >= 200 && status < 300) {
          const parsed = parseJson(exchange.text);
          if (parsed.ok) {
            return {
              status,
              body: parsed.value as T,
              headers: flattenHeaders(exchange.headers),
              requestId: requestIdOf(parsed.value, exchange.headers),
            };
          }
          const requestId = requestIdOf(undefined, exchange.headers);
          failure = {
            reason: 'invalid_body',
            error: new RetriableError(
              `Intercom answered ${status} with a truncated or invalid JSON body on ${describeCall(endpoint, requestId)}`,
              { status, endpoint, requestId },
            ),
          };
        } else if (status >= 500) {
          failure = { reason: 'server_error', error: this.#errorFor(exchange, endpoint, version) };
        } else {
          throw this.#errorFor(exchange, endpoint, version);
        }
      } else {
        failure = this.#networkFailure(exchange, endpoint);
      }

      failures += 1;
      if (request.retry === false) throw failure.error;
      const delayMs = backoffDelay(this.#backoff, failures, this.#random);
      if (delayMs === undefined) {
        const last = failure.error;
        throw new RetriableError(
          `Gave up on ${endpoint} after ${failures} failed attempts; the last one: ${last.message}`,
          {
            endpoint,
            ...(last.status === undefined ? {} : { status: last.status }),
            ...(last.code === undefined ? {} : { code: last.code }),
            ...(last.requestId === undefined ? {} : { requestId: last.requestId }),
            cause: last,
          },
        );
      }
      this.#stats.retries[failure.reason] += 1;
      this.#logger.warn('retrying intercom request', {
        endpoint,
        status: failure.error.status,
        attempt: failures,
        maxRetries: this.#maxRetries,
        reason: failure.reason,
        requestId: failure.error.requestId,
        delayMs,
        error: failure.error.message,
      });
      await this.#clock.sleep(delayMs, signal);
    }
  }

  async #exchange(
    url: URL,
    method: HttpMethod,
    headers: Record<string, string>,
    payload: string | undefined,
    signal: AbortSignal,
    endpoint: string,
  ): Promise<Exchange> {
    // undici takes an EventEmitter as a request's signal: one per exchange, aborted by the caller's
    // signal (through one shared listener per caller signal, see `#follow`) or by the timeout. It
    // is far cheaper than an AbortController, `AbortSignal.any` and the DOMException an abort
    // without a reason builds; this runs for every request of a sync.
    const exchange = new ExchangeSignal();
    const unfollow = this.#follow(signal, exchange);
    const cancelTimeout = this.#startTimeout(exchange);
    let responseHeaders: IncomingHttpHeaders | undefined;
    try {
      const response = await this.#pool.request({
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        body: payload ?? null,
        signal: exchange,
      });
      responseHeaders = response.headers;
      // undici joins the chunks and decodes them once; no ArrayBuffer → Buffer → string copies.
      const text = await response.body.text();
      return {
        kind: 'response',
        status: response.statusCode,
        headers: response.headers,
        text,
        bytes: contentLength(response.headers) ?? Buffer.byteLength(text, 'utf8'),
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (exchange.reason === TIMED_OUT)
        return { kind: 'failure', reason: 'timeout', error, headers: responseHeaders };
      if (isProgrammingError(error)) {
        throw new FatalError(`Could not send ${endpoint}: ${this.#redact(errorMessage(error))}`, {
          endpoint,
          cause: this.#sanitize(error),
        });
      }
      return { kind: 'failure', reason: 'network', error, headers: responseHeaders };
    } finally {
      cancelTimeout();
      unfollow();
    }
  }

  /** Aborts `exchange` with TIMED_OUT after the timeout; returns the function that cancels it. */
  #startTimeout(exchange: ExchangeSignal): () => void {
    const onTimeout = (): void => exchange.abort(TIMED_OUT);
    if (this.#clock.timeout) return this.#clock.timeout(this.#timeoutMs, onTimeout);
    const cancel = new AbortController();
    this.#clock.sleep(this.#timeoutMs, cancel.signal).then(onTimeout, () => {});
    return () => cancel.abort(DONE);
  }

  /**
   * Makes `exchange` abort when `signal` does. A sync passes one signal to every request, so the
   * exchanges following a signal share a single listener on it (hundreds of listeners would trip
   * Node's leak warning, and adding and removing them per request costs CPU).
   */
  #follow(signal: AbortSignal, exchange: ExchangeSignal): () => void {
    if (signal.aborted) {
      exchange.abort(signal.reason);
      return () => {};
    }
    let followers = this.#followers.get(signal);
    if (!followers) {
      const group = new Set<ExchangeSignal>();
      followers = group;
      this.#followers.set(signal, group);
      signal.addEventListener(
        'abort',
        () => {
          this.#followers.delete(signal);
          for (const follower of group) follower.abort(signal.reason);
          group.clear();
        },
        { once: true },
      );
    }
    const group = followers;
    group.add(exchange);
    return () => {
      group.delete(exchange);
    };
  }

  #networkFailure(exchange: Extract<Exchange, { kind: 'failure' }>, endpoint: string): Failure {
    const requestId = requestIdOf(undefined, exchange.headers);
    const call = describeCall(endpoint, requestId);
    const message =
      exchange.reason === 'timeout'
        ? `No complete answer within ${this.#timeoutMs} ms on ${call}`
        : `Network error on ${call}: ${this.#redact(errorMessage(exchange.error))}`;
    return {
      reason: exchange.reason,
      error: new RetriableError(message, {
        endpoint,
        ...(requestId === undefined ? {} : { requestId }),
        ...(exchange.reason === 'network' ? { cause: this.#sanitize(exchange.error) } : {}),
      }),
    };
  }

  #errorFor(
    exchange: Extract<Exchange, { kind: 'response' }>,
    endpoint: string,
    version: string,
  ): IntercomSyncError {
    return errorFromResponse({
      status: exchange.status,
      bodyText: this.#redact(exchange.text),
      headers: exchange.headers,
      endpoint,
      version,
    });
  }

  #buildUrl(path: string, query: IntercomRequest['query'], label: string): URL {
    let url: URL;
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
      try {
        url = new URL(path);
      } catch {
        throw new FatalError(`${label}: the URL to follow is not valid`, { endpoint: label });
      }
      if (url.origin !== this.#baseOrigin) {
        throw new FatalError(
          `${label}: refusing to follow a URL on ${url.origin}; only ${this.#baseOrigin} receives the access token`,
          { endpoint: label },
        );
      }
    } else {
      const relative = path.startsWith('/') ? path : `/${path}`;
      url = new URL(`${this.#baseOrigin}${this.#basePath}${relative}`);
      if (url.origin !== this.#baseOrigin) {
        throw new FatalError(`${label}: the path leaves the API host`, { endpoint: label });
      }
    }
    url.hash = '';
    if (query) {
      for (const [key, value] of Object.entries(query)) {
        if (value === undefined || value === null) continue;
        if (Array.isArray(value)) {
          for (const item of value) url.searchParams.append(key, String(item));
        } else {
          url.searchParams.append(key, String(value));
        }
      }
    }
    return url;
  }

  #relativePath(url: URL): string {
    const path = url.pathname;
    if (this.#basePath !== '' && path.startsWith(`${this.#basePath}/`))
      return path.slice(this.#basePath.length);
    return path;
  }

  #redact(text: string): string {
    return text.split(this.#accessToken).join(REDACTED);
  }

  /** A copy of an error that keeps its name, code and (redacted) message, and nothing else. */
  #sanitize(error: unknown): Error {
    if (isIntercomSyncError(error)) return error;
    const copy = new Error(this.#redact(errorMessage(error)));
    if (error instanceof Error) copy.name = error.name;
    const code = errorCode(error);
    if (code !== undefined) Object.assign(copy, { code: this.#redact(code) });
    copy.stack = `${copy.name}: ${copy.message}`;
    return copy;
  }
}

function checkVersion(version: string): string {
  if (!VERSION_PATTERN.test(version)) {
    throw new ConfigurationError(
      `Set the Intercom API version to a value such as 2.14 or Preview (got ${JSON.stringify(String(version).slice(0, 20))}).`,
    );
  }
  return version;
}

const BLANK = /^\s*$/;

/** Parses a body once, without a trimmed copy of it; a blank body is `null`. */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return BLANK.test(text) ? { ok: true, value: null } : { ok: false };
  }
}

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['content-length'];
  if (typeof raw !== 'string') return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = errorCode(error);
    const causeCode = error.cause === undefined ? undefined : errorCode(error.cause);
    const extra = [code, causeCode].filter((c): c is string => c !== undefined && !error.message.includes(c));
    return extra.length > 0 ? `${error.message} (${extra.join(', ')})` : error.message;
  }
  return String(error);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Errors that say our request is malformed: retrying cannot help. */
function isProgrammingError(error: unknown): boolean {
  const code = errorCode(error);
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED' || code === 'ERR_INVALID_ARG_TYPE')
    return true;
  return error instanceof TypeError && code === undefined;
}
