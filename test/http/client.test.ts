import { getEventListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IntercomClient, type IntercomClientOptions } from '../../src/http/client.js';
import { createSystemClock } from '../../src/http/clock.js';
import {
  ConfigurationError,
  FatalError,
  type IntercomSyncError,
  RetriableError,
  SkippableError,
} from '../../src/http/errors.js';
import type { LogFields, Logger } from '../../src/http/logger.js';
import { RateLimiter, type RateLimiterOptions } from '../../src/http/rate-limiter.js';
import { errorEnvelope, sendHtml, sendJson, startTestServer, type TestServer } from './test-server.js';

const TOKEN = 'tok_SECRET_MARKER_123';

interface LogLine {
  level: string;
  msg: string;
  fields: LogFields | undefined;
}

let server: TestServer;
const logs: LogLine[] = [];
const seenErrors: unknown[] = [];
const clients: IntercomClient[] = [];

const logger: Logger = {
  debug: (msg, fields) => logs.push({ level: 'debug', msg, fields }),
  info: (msg, fields) => logs.push({ level: 'info', msg, fields }),
  warn: (msg, fields) => logs.push({ level: 'warn', msg, fields }),
  error: (msg, fields) => logs.push({ level: 'error', msg, fields }),
};

function limiter(options: Partial<RateLimiterOptions> = {}): RateLimiter {
  return new RateLimiter({
    clock: createSystemClock(),
    initialBudget: 1_000,
    initialConcurrency: 8,
    maxInFlight: 8,
    rolloverMarginMs: 20,
    ...options,
  });
}

function makeClient(options: Partial<IntercomClientOptions> = {}): IntercomClient {
  const client = new IntercomClient({
    accessToken: TOKEN,
    baseUrl: server.url,
    limiter: limiter(),
    logger,
    timeoutMs: 2_000,
    maxRetries: 3,
    backoff: { baseMs: 5, maxMs: 20 },
    ...options,
  });
  clients.push(client);
  return client;
}

/** Awaits a promise that must reject, and keeps the error for the token check at the end. */
async function failure(promise: Promise<unknown>): Promise<IntercomSyncError> {
  try {
    await promise;
  } catch (error) {
    seenErrors.push(error);
    return error as IntercomSyncError;
  }
  throw new Error('expected the request to fail');
}

function signal(): AbortSignal {
  return new AbortController().signal;
}

function later(ms: number, action: () => void): void {
  setTimeout(action, ms).unref();
}

function safeEnd(res: ServerResponse, action: () => void): void {
  if (!res.destroyed && !res.writableEnded) action();
}

const ok = { type: 'list', data: [{ id: '1' }] };

beforeAll(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.close();
});

describe('IntercomClient: requests', () => {
  it('sends auth, accept, version, user agent and JSON bodies, and returns the parsed body', async () => {
    server.route('/contacts/search', (_req, res) => sendJson(res, 200, ok, { 'x-request-id': 'req-search' }));
    const client = makeClient();
    const response = await client.request<typeof ok>({
      method: 'POST',
      path: '/contacts/search',
      query: { per_page: 50, starting_after: 'WzE3', skip: undefined, ids: ['a', 'b'] },
      body: { query: { field: 'updated_at', operator: '>', value: 1 } },
      signal: signal(),
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(ok);
    expect(response.requestId).toBe('req-search');
    expect(response.headers['content-type']).toBe('application/json');

    const sent = server.requests.at(-1);
    expect(sent?.url).toBe('/contacts/search?per_page=50&starting_after=WzE3&ids=a&ids=b');
    expect(sent?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent?.headers.accept).toBe('application/json');
    expect(sent?.headers['intercom-version']).toBe('2.14');
    expect(sent?.headers['user-agent']).toMatch(/^intercom-sync\//);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent?.body ?? '')).toEqual({ query: { field: 'updated_at', operator: '>', value: 1 } });
  });

  it('lets a call pin its own Intercom-Version and takes the request id from the body', async () => {
    server.route('/pinned', (_req, res) => sendJson(res, 200, { type: 'admin', request_id: 'req-body' }));
    const client = makeClient({ version: '2.16' });
    const response = await client.request({
      method: 'GET',
      path: '/pinned',
      version: '2.7',
      signal: signal(),
    });
    expect(server.requests.at(-1)?.headers['intercom-version']).toBe('2.7');
    expect(server.requests.at(-1)?.headers['content-type']).toBeUndefined();
    expect(response.requestId).toBe('req-body');
  });

  it('follows an absolute pages.next URL on the same origin, keeping auth', async () => {
    server.route('/articles', (_req, res) => sendJson(res, 200, ok));
    const client = makeClient();
    await client.request({
      method: 'GET',
      path: `${server.url}/articles?per_page=60&page=2`,
      signal: signal(),
    });
    const sent = server.requests.at(-1);
    expect(sent?.url).toBe('/articles?per_page=60&page=2');
    expect(sent?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('refuses an absolute URL on another origin without sending anything', async () => {
    const client = makeClient();
    const before = server.requests.length;
    const error = await failure(
      client.request({
        method: 'GET',
        path: 'https://api.intercom.io.evil.example/articles',
        signal: signal(),
      }),
    );
    expect(error).toBeInstanceOf(FatalError);
    expect(error.message).toContain('evil.example');
    expect(server.requests.length).toBe(before);
  });

  it('reuses kept-alive connections across sequential requests', async () => {
    server.route('/keepalive', (_req, res) => sendJson(res, 200, ok));
    const client = makeClient();
    const before = server.connections();
    for (let i = 0; i < 10; i += 1)
      await client.request({ method: 'GET', path: '/keepalive', signal: signal() });
    // A connection may still be finishing its previous response when the next request leaves.
    expect(server.connections() - before).toBeLessThanOrEqual(2);
  });

  it('counts requests and bytes', async () => {
    server.route('/counted', (_req, res) => sendJson(res, 200, ok));
    const client = makeClient();
    await client.request({ method: 'GET', path: '/counted', signal: signal() });
    await client.request({ method: 'GET', path: '/counted', signal: signal() });
    const stats = client.stats();
    expect(stats.requests).toBe(2);
    expect(stats.bytes).toBe(2 * Buffer.byteLength(JSON.stringify(ok)));
  });
});

describe('IntercomClient: retries', () => {
  it.each([
    [500, 'json'],
    [502, 'html'],
    [503, 'json'],
    [504, 'html'],
  ])('retries %i answers with %s bodies and then succeeds', async (status, kind) => {
    const path = `/flaky-${status}`;
    server.route(path, (_req, res, hit) => {
      if (hit > 2) return sendJson(res, 200, ok);
      if (kind === 'html')
        return sendHtml(res, status, `<html><body><h1>${status} Bad Gateway</h1></body></html>`);
      return sendJson(res, status, errorEnvelope(`req-${status}-${hit}`, 'server_error', 'Server Error'));
    });
    const client = makeClient();
    logs.length = 0;
    const response = await client.request({ method: 'GET', path, signal: signal() });
    expect(response.body).toEqual(ok);
    expect(client.stats().retries.server_error).toBe(2);
    expect(client.stats().requests).toBe(3);
    const warnings = logs.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.fields).toMatchObject({
      endpoint: `GET ${path}`,
      status,
      attempt: 1,
      reason: 'server_error',
    });
    expect(warnings[1]?.fields).toMatchObject({ attempt: 2 });
    if (kind === 'json') expect(warnings[0]?.fields?.requestId).toBe(`req-${status}-1`);
  });

  it('retries when the socket is closed in the middle of the body', async () => {
    server.route('/reset-mid-body', (_req, res, hit) => {
      if (hit > 1) return sendJson(res, 200, ok);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"type":"list","data":[{"id":"1"},');
      later(10, () => res.socket?.destroy());
    });
    const client = makeClient();
    const response = await client.request({ method: 'GET', path: '/reset-mid-body', signal: signal() });
    expect(response.body).toEqual(ok);
    expect(client.stats().retries.network).toBe(1);
  });

  it('retries a 200 whose JSON body is truncated', async () => {
    server.route('/truncated', (_req, res, hit) => {
      if (hit > 1) return sendJson(res, 200, ok);
      const text = '{"type":"list","data":[{"id":';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length) });
      res.end(text);
    });
    const client = makeClient();
    const response = await client.request({ method: 'GET', path: '/truncated', signal: signal() });
    expect(response.body).toEqual(ok);
    expect(client.stats().retries.invalid_body).toBe(1);
  });

  it('with retry: false, fails on the first error instead of resending (a scroll page), but still waits out a 429', async () => {
    server.route('/no-retry', (_req, res, hit) => {
      if (hit === 1) {
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)),
        });
        return res.end(JSON.stringify(errorEnvelope('r1', 'rate_limit_exceeded', 'Exceeded rate limit')));
      }
      if (hit === 2) return sendHtml(res, 502, '<html>bad gateway</html>');
      return sendJson(res, 200, ok);
    });
    const client = makeClient();
    const error = await failure(
      client.request({ method: 'GET', path: '/no-retry', signal: signal(), retry: false }),
    );
    expect(error.status).toBe(502);
    expect(server.hits('/no-retry')).toBe(2);
    expect(client.stats().retries.server_error).toBe(0);
  });

  it('times out an answer whose headers come too late, and retries', async () => {
    server.route('/slow-headers', (_req, res, hit) => {
      if (hit > 1) return sendJson(res, 200, ok);
      later(600, () => safeEnd(res, () => sendJson(res, 200, ok)));
    });
    const client = makeClient({ timeoutMs: 150 });
    const started = Date.now();
    const response = await client.request({ method: 'GET', path: '/slow-headers', signal: signal() });
    expect(response.body).toEqual(ok);
    expect(client.stats().retries.timeout).toBe(1);
    expect(Date.now() - started).toBeLessThan(550);
  });

  it('times out through sleep when the clock has no timeout method', async () => {
    server.route('/slow-headers-sleep', (_req, res, hit) => {
      if (hit > 1) return sendJson(res, 200, ok);
      later(600, () => safeEnd(res, () => sendJson(res, 200, ok)));
    });
    const system = createSystemClock();
    const clock = { now: () => system.now(), sleep: (ms: number, s?: AbortSignal) => system.sleep(ms, s) };
    const client = makeClient({ timeoutMs: 150, clock });
    const started = Date.now();
    const response = await client.request({ method: 'GET', path: '/slow-headers-sleep', signal: signal() });
    expect(response.body).toEqual(ok);
    expect(client.stats().retries.timeout).toBe(1);
    expect(Date.now() - started).toBeLessThan(550);
  });

  it('counts the body in the timeout', async () => {
    server.route('/slow-body', (_req, res, hit) => {
      if (hit > 1) return sendJson(res, 200, ok);
      const text = JSON.stringify(ok);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length) });
      res.write(text.slice(0, 5));
      later(600, () => safeEnd(res, () => res.end(text.slice(5))));
    });
    const client = makeClient({ timeoutMs: 150 });
    const response = await client.request({ method: 'GET', path: '/slow-body', signal: signal() });
    expect(response.body).toEqual(ok);
    expect(client.stats().retries.timeout).toBe(1);
  });

  it('gives up after maxRetries with a RetriableError that names the endpoint and request id', async () => {
    server.route('/always-503', (_req, res, hit) =>
      sendJson(res, 503, errorEnvelope(`req-503-${hit}`, 'service_unavailable', 'Service Unavailable')),
    );
    const client = makeClient({ maxRetries: 2 });
    const error = await failure(client.request({ method: 'GET', path: '/always-503', signal: signal() }));
    expect(error).toBeInstanceOf(RetriableError);
    expect(error).toMatchObject({
      kind: 'retriable',
      status: 503,
      code: 'service_unavailable',
      endpoint: 'GET /always-503',
      requestId: 'req-503-3',
    });
    expect(error.message).toContain('GET /always-503');
    expect(error.message).toContain('req-503-3');
    expect(client.stats().requests).toBe(3);
  });

  it('retries refused connections, then fails with a RetriableError', async () => {
    const closed = await startTestServer();
    const url = closed.url;
    await closed.close();
    const client = makeClient({ baseUrl: url, maxRetries: 2 });
    const error = await failure(client.request({ method: 'GET', path: '/admins', signal: signal() }));
    expect(error).toBeInstanceOf(RetriableError);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.endpoint).toBe('GET /admins');
    expect(client.stats().retries.network).toBe(2);
  });

  it('waits for the rate-limit reset after a 429 and retries without using the error retries', async () => {
    server.route('/rate-limited', (_req, res, hit) => {
      if (hit > 2) return sendJson(res, 200, ok);
      const reset = String(Math.floor(Date.now() / 1000)); // already due: the minimum wait applies
      sendJson(
        res,
        429,
        errorEnvelope(`req-429-${hit}`, 'rate_limit_exceeded', 'Exceeded rate limit of 167 in 10_seconds'),
        {
          'x-ratelimit-limit': '167',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': reset,
        },
      );
    });
    const shared = limiter();
    const client = makeClient({ maxRetries: 0, limiter: shared });
    const response = await client.request({ method: 'GET', path: '/rate-limited', signal: signal() });
    expect(response.body).toEqual(ok);
    expect(client.stats().rateLimited).toBe(2);
    expect(client.stats().retries).toEqual({ network: 0, timeout: 0, server_error: 0, invalid_body: 0 });
    expect(shared.stats().rateLimited).toBe(2);
  });

  it('gives up after too many 429s in a row', async () => {
    server.route('/always-429', (_req, res, hit) =>
      sendJson(res, 429, errorEnvelope(`req-429-${hit}`, 'rate_limit_exceeded', 'Exceeded rate limit'), {
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)),
      }),
    );
    const client = makeClient({ maxRateLimitRetries: 3 });
    const error = await failure(client.request({ method: 'GET', path: '/always-429', signal: signal() }));
    expect(error).toBeInstanceOf(RetriableError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', requestId: 'req-429-4' });
    expect(client.stats().rateLimited).toBe(4);
  });

  it('rejects with the abort reason when aborted during a request or a backoff wait', async () => {
    server.route('/hangs', (_req, res) => later(1_000, () => safeEnd(res, () => sendJson(res, 200, ok))));
    server.route('/fails-slowly', (_req, res) =>
      sendJson(res, 500, errorEnvelope('req-500', 'server_error', 'x')),
    );
    const client = makeClient({ backoff: { baseMs: 5_000, maxMs: 5_000 }, random: () => 0.99 });
    for (const path of ['/hangs', '/fails-slowly']) {
      const controller = new AbortController();
      later(80, () => controller.abort());
      const started = Date.now();
      const error = await failure(client.request({ method: 'GET', path, signal: controller.signal }));
      expect((error as Error).name).toBe('AbortError');
      expect(Date.now() - started).toBeLessThan(700);
    }
  });

  it('follows a signal shared by many requests with one listener, and aborts them all with its reason', async () => {
    server.route('/shared', (_req, res) => later(300, () => safeEnd(res, () => sendJson(res, 200, ok))));
    const client = makeClient();
    const controller = new AbortController();
    const calls = Array.from({ length: 8 }, () =>
      client.request({ method: 'GET', path: '/shared', signal: controller.signal }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    // One listener for the limiter's queue, one for the exchanges in flight: not one per request.
    expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(2);
    const reason = new Error('sync stopped');
    controller.abort(reason);
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.value))).toEqual(
      Array.from({ length: 8 }, () => reason),
    );
  });

  it("leaves no listener on the caller's signal once requests are answered", async () => {
    server.route('/quick', (_req, res) => sendJson(res, 200, ok));
    const client = makeClient();
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) {
      await client.request({ method: 'GET', path: '/quick', signal: controller.signal });
    }
    await Promise.all(
      Array.from({ length: 6 }, () =>
        client.request({ method: 'GET', path: '/quick', signal: controller.signal }),
      ),
    );
    expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(2);
  });
});

describe('IntercomClient: error classification', () => {
  it.each(['unauthorized', 'token_revoked', 'token_not_found'])(
    'maps 401 %s to a ConfigurationError',
    async (code) => {
      server.route('/me', (_req, res) =>
        sendJson(res, 401, errorEnvelope('req-401', code, 'Access Token Invalid')),
      );
      const client = makeClient();
      const before = server.hits('/me');
      const error = await failure(client.request({ method: 'GET', path: '/me', signal: signal() }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({
        kind: 'configuration',
        status: 401,
        code,
        endpoint: 'GET /me',
        requestId: 'req-401',
      });
      expect(error.message).toContain('Intercom rejected the access token');
      expect(error.message).toContain('belongs to the chosen region');
      expect(error.message).toContain(code);
      expect(error.message).toContain('req-401');
      expect((error as ConfigurationError).exitCode).toBe(2);
      expect(server.hits('/me') - before).toBe(1);
    },
  );

  it('maps 403 api_plan_restricted to a SkippableError naming the plan restriction', async () => {
    server.route('/tickets/search', (_req, res) =>
      sendJson(res, 403, errorEnvelope('req-403p', 'api_plan_restricted', 'Active subscription needed.')),
    );
    const error = await failure(
      makeClient().request({ method: 'POST', path: '/tickets/search', body: {}, signal: signal() }),
    );
    expect(error).toBeInstanceOf(SkippableError);
    expect(error.message).toContain(
      'POST /tickets/search requires an Intercom plan that includes this API: Active subscription needed.',
    );
    expect(error).toMatchObject({ code: 'api_plan_restricted', requestId: 'req-403p' });
  });

  it('maps other 403s to a ConfigurationError about permissions', async () => {
    server.route('/admins', (_req, res) =>
      sendJson(res, 403, errorEnvelope('req-403', 'forbidden', 'Forbidden')),
    );
    const error = await failure(makeClient().request({ method: 'GET', path: '/admins', signal: signal() }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/permissions/);
    expect(error.message).toContain('req-403');
  });

  it('maps 404 to a SkippableError with the endpoint label', async () => {
    server.route('/contacts/123', (_req, res) =>
      sendJson(res, 404, errorEnvelope('req-404', 'not_found', 'User Not Found')),
    );
    const error = await failure(
      makeClient().request({
        method: 'GET',
        path: '/contacts/123',
        endpoint: 'GET /contacts/{id}',
        signal: signal(),
      }),
    );
    expect(error).toBeInstanceOf(SkippableError);
    expect(error).toMatchObject({
      status: 404,
      code: 'not_found',
      endpoint: 'GET /contacts/{id}',
      requestId: 'req-404',
    });
    expect(error.message).toContain('GET /contacts/{id}');
  });

  it('maps 400 intercom_version_invalid to a ConfigurationError naming the version and endpoint', async () => {
    server.route('/tickets', (_req, res) =>
      sendJson(
        res,
        400,
        errorEnvelope('req-400v', 'intercom_version_invalid', 'Requested resource is not available'),
      ),
    );
    const error = await failure(
      makeClient().request({ method: 'GET', path: '/tickets', version: '2.7', signal: signal() }),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('2.7');
    expect(error.message).toContain('GET /tickets');
    expect(error.code).toBe('intercom_version_invalid');
  });

  it("maps other 4xx to a FatalError carrying Intercom's message", async () => {
    server.route('/data_attributes', (_req, res) =>
      sendJson(
        res,
        422,
        errorEnvelope('req-422', 'parameter_invalid', 'model must be one of contact, company'),
      ),
    );
    const error = await failure(
      makeClient().request({
        method: 'GET',
        path: '/data_attributes',
        query: { model: 'conversation' },
        signal: signal(),
      }),
    );
    expect(error).toBeInstanceOf(FatalError);
    expect(error.message).toContain('model must be one of contact, company');
    expect(error).toMatchObject({ status: 422, code: 'parameter_invalid', requestId: 'req-422' });
  });

  it('redacts the token when an answer echoes it', async () => {
    server.route('/echo-token', (req, res) =>
      sendJson(
        res,
        400,
        errorEnvelope('req-echo', 'bad_request', `Bad header: ${req.headers.authorization}`),
      ),
    );
    const error = await failure(
      makeClient().request({ method: 'GET', path: '/echo-token', signal: signal() }),
    );
    expect(error).toBeInstanceOf(FatalError);
    expect(error.message).toContain('[REDACTED]');
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('IntercomClient: one limiter, many requests', () => {
  it("never exceeds the server's advertised per-window budget", async () => {
    const budget = 10;
    const windowMs = 1_000;
    const counts = new Map<number, number>();
    let refused = 0;
    server.route('/budget', (_req, res, hit) => {
      const now = Date.now();
      const window = Math.floor(now / windowMs);
      const count = (counts.get(window) ?? 0) + 1;
      counts.set(window, count);
      const headers = {
        'x-ratelimit-limit': String(budget),
        'x-ratelimit-remaining': String(Math.max(0, budget - count)),
        'x-ratelimit-reset': String(((window + 1) * windowMs) / 1000),
      };
      const latency = 10 + ((hit * 17) % 40);
      later(latency, () => {
        if (count > budget) {
          refused += 1;
          sendJson(res, 429, errorEnvelope(`req-b-${hit}`, 'rate_limit_exceeded', 'Exceeded'), headers);
        } else {
          sendJson(res, 200, ok, headers);
        }
      });
    });
    const shared = limiter({
      windowMs,
      initialBudget: 4,
      initialConcurrency: 2,
      maxInFlight: 6,
      rolloverMarginMs: 100,
    });
    const a = makeClient({ limiter: shared });
    const b = makeClient({ limiter: shared });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? a : b).request({ method: 'GET', path: '/budget', signal: signal() }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(refused).toBe(0);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(budget);
    expect(shared.stats().sent).toBe(30);
  });
});

describe('IntercomClient: the access token stays secret', () => {
  it('rejects an empty or malformed token without echoing it', () => {
    const shared = limiter();
    expect(() => new IntercomClient({ accessToken: '  ', baseUrl: server.url, limiter: shared })).toThrow(
      ConfigurationError,
    );
    try {
      new IntercomClient({ accessToken: `${TOKEN} extra`, baseUrl: server.url, limiter: shared });
      expect.unreachable();
    } catch (error) {
      seenErrors.push(error);
      expect(error).toBeInstanceOf(ConfigurationError);
    }
  });

  it('does not show the token when the client is inspected or serialised', () => {
    const client = makeClient();
    expect(inspect(client, { depth: 5, showHidden: true })).not.toContain(TOKEN);
    expect(JSON.stringify(client)).not.toContain(TOKEN);
  });

  it('appears in no error message, stack, cause, JSON, or log line', () => {
    expect(seenErrors.length).toBeGreaterThan(15);
    for (const error of seenErrors) {
      const views = [
        String(error),
        (error as Error).stack ?? '',
        JSON.stringify(error),
        inspect(error, { depth: 10, showHidden: true }),
      ];
      for (const view of views) expect(view).not.toContain(TOKEN);
    }
    expect(logs.length).toBeGreaterThan(0);
    const logText = JSON.stringify(logs);
    expect(logText).not.toContain(TOKEN);
    expect(logText.toLowerCase()).not.toContain('authorization');
  });
});
