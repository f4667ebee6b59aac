import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VirtualClock } from './clock.js';
import { errorBody, HttpError } from './errors.js';
import { addHostileAttributes, hostileBody } from './hostile.js';
import { type FaultKind, type ResolvedOptions, resolveOptions, type SimulatorOptions } from './options.js';
import { hash32, Rng } from './random.js';
import { WindowRateLimiter } from './rate-limit.js';
import { apiRoutes } from './routes/api.js';
import { applyConfig, controlRoutes, type LiveSettings, settingsJson } from './routes/control.js';
import { OAuthProvider } from './routes/oauth.js';
import {
  type CompiledRoute,
  compileRoute,
  KNOWN_VERSIONS,
  type RouteContext,
  type RouteResult,
  versionAtLeast,
} from './routes/route.js';
import { ScrollRegistry } from './scroll.js';
import { SimulatorStats } from './stats.js';
import type { JsonRecord } from './workspace/table.js';
import { type MutationRequest, type MutationResult, Workspace } from './workspace/workspace.js';

const MAX_BODY_BYTES = 1024 * 1024;
const GENERIC_FAULTS: readonly FaultKind[] = [
  'http_500',
  'http_502',
  'http_503',
  'http_504',
  'reset',
  'truncated',
  'timeout',
  'rate_limit',
];
const SCROLL_RESTART_MESSAGE =
  'Request failed due to an internal network error. Please restart the scroll operation.';

/** In-process access to a running simulator, for tests and benchmarks. */
export interface SimulatorControl {
  readonly workspace: Workspace;
  readonly clock: VirtualClock;
  readonly settings: Readonly<LiveSettings>;
  mutate(request: MutationRequest): MutationResult;
  truth(stream: string): JsonRecord[];
  stats(): Record<string, unknown>;
  resetStats(): void;
  /** Same fields as `POST /_simulator/config` (`latency_ms`, `fault_rate`, …). */
  configure(change: Record<string, unknown>): void;
}

export interface RunningSimulator {
  /** `http://127.0.0.1:PORT`: pass it to the extractor as the base URL. */
  url: string;
  token: string;
  options: ResolvedOptions;
  control: SimulatorControl;
  close(): Promise<void>;
}

/**
 * Starts the Intercom simulator: a real HTTP server speaking Intercom's REST API over a generated
 * workspace, with Intercom's rate limits, pagination and scroll rules, latency and faults.
 *
 *   const sim = await startSimulator({ scale: 'tiny', seed: 7 });
 *   const res = await fetch(`${sim.url}/contacts`, { headers: { Authorization: `Bearer ${sim.token}` } });
 *   await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const opts = resolveOptions(options);
  const clock = new VirtualClock(opts.now);
  const workspace = new Workspace({ seed: opts.seed, counts: opts.counts, anchor: opts.anchor, clock });
  const settings: LiveSettings = {
    latencyMs: opts.latencyMs,
    jitterMs: opts.jitterMs,
    rateLimitPerMinute: opts.rateLimitPerMinute,
    faultRate: opts.faultRate,
    faultKinds: [...opts.faultKinds],
    slowMs: opts.slowMs,
    restrictedRoutes: [...opts.restrictedRoutes],
    faultRoutes: [...opts.faultRoutes],
    scrollIdleExpirySeconds: opts.scrollIdleExpirySeconds,
    scrollPageSize: opts.scrollPageSize,
    hostile: [...opts.hostile],
  };
  const stats = new SimulatorStats();
  const limiter = new WindowRateLimiter(clock, settings.rateLimitPerMinute);
  const scrolls = new ScrollRegistry(() => clock.nowMs(), settings.scrollIdleExpirySeconds);
  const onConfig = () => {
    if (settings.hostile.includes('hostile_names')) addHostileAttributes(workspace);
    limiter.perMinute = settings.rateLimitPerMinute;
    scrolls.idleExpirySeconds = settings.scrollIdleExpirySeconds;
  };
  onConfig();
  const faultRng = new Rng(hash32(opts.seed, 0xfa17));
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const api = apiRoutes({ workspace, scrolls, scrollPageSize: () => settings.scrollPageSize }).map(
    compileRoute,
  );
  const control = controlRoutes({ workspace, stats, settings, onConfig }).map(compileRoute);
  const oauth = new OAuthProvider(opts.oauthClients, () => clock.nowMs());

  const match = (routes: CompiledRoute[], method: string, path: string) => {
    for (const route of routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, k) => {
        params[name] = decodeURIComponent(m[k + 1] ?? '');
      });
      return { route, params };
    }
    return undefined;
  };

  const pickFault = (label: string, query: URLSearchParams): FaultKind | undefined => {
    if (settings.faultRoutes.length > 0 && !settings.faultRoutes.includes(label)) return undefined;
    if (settings.faultRate <= 0 || faultRng.next() >= settings.faultRate) return undefined;
    const applicable = GENERIC_FAULTS.filter((k) => settings.faultKinds.includes(k));
    if (label === 'GET /companies/scroll') {
      const kind = query.get('scroll_param') ? 'scroll_expire' : 'scroll_exists';
      if (settings.faultKinds.includes(kind)) applicable.push(kind);
    }
    if (label === 'GET /conversations/{id}' && settings.faultKinds.includes('vanish'))
      applicable.push('vanish');
    return applicable.length > 0 ? faultRng.pick(applicable) : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.sendDate = false;
    const requestId = randomUUID();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    // The host the client addressed, or the simulator's own when the request names none.
    const origin = `http://${req.headers.host || `${hostForUrl}:${port}`}`;
    const headers: Record<string, string> = {
      Date: new Date(clock.nowMs()).toUTCString(),
      'X-Request-Id': requestId,
    };
    const isControl = url.pathname.startsWith('/_simulator/');
    const found = match(isControl ? control : api, method, url.pathname);
    const label = found?.route.label ?? `${method} (no such route)`;
    let fault: FaultKind | undefined;
    const reply = async (status: number, result: RouteResult): Promise<void> => {
      stats.record(label, status);
      if (!isControl) {
        const jitter = settings.jitterMs * (faultRng.next() * 2 - 1);
        await sleep(Math.max(0, settings.latencyMs + jitter));
      }
      if (result.lines) {
        await sendLines(res, { ...headers, ...result.headers }, result.lines);
        return;
      }
      sendJson(
        res,
        status,
        { ...headers, ...result.headers },
        !isControl && status === 200 ? hostileBody(label, result.body, settings.hostile) : result.body,
        fault === 'reset' || fault === 'truncated' ? fault : undefined,
      );
    };
    const fail = (status: number, code: string, message: string, field?: string) =>
      reply(status, { body: errorBody(requestId, [{ code, message, ...(field ? { field } : {}) }]) });

    try {
      const oauthLabel = oauth.route(method, url.pathname);
      if (oauthLabel) {
        stats.record(
          oauthLabel,
          await oauth.handle(oauthLabel, req, res, url.searchParams, headers, requestId),
        );
        return;
      }
      let body: unknown;
      try {
        body = await readJsonBody(req);
      } catch (error) {
        if (error instanceof HttpError) return await fail(error.status, error.code, error.message);
        throw error;
      }
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
      if (token !== opts.token && !oauth.accepts(token))
        return await fail(401, 'unauthorized', 'Access Token Invalid');
      const app = workspace.appId;

      const version = firstHeader(req.headers['intercom-version']) ?? opts.defaultVersion;
      if (!isControl) {
        // Every authenticated answer carries the rate-limit headers, a refused version too.
        const decision = limiter.take(app);
        headers['X-RateLimit-Limit'] = String(decision.limit);
        headers['X-RateLimit-Remaining'] = String(decision.remaining);
        headers['X-RateLimit-Reset'] = String(decision.reset);
        const tooMany = () =>
          fail(429, 'rate_limit_exceeded', `Exceeded rate limit of ${decision.limit} in 10_seconds`);
        if (!decision.allowed) return await tooMany();
        if (!KNOWN_VERSIONS.includes(version)) {
          return await fail(
            400,
            'intercom_version_invalid',
            `The requested version "${version}" could not be found`,
          );
        }
        fault = pickFault(label, url.searchParams);
        if (fault) stats.fault(fault);
        if (fault === 'rate_limit') {
          limiter.exhaust(app);
          headers['X-RateLimit-Remaining'] = '0';
          return await tooMany();
        }
        if (fault === 'timeout') await sleep(settings.slowMs);
        if (!found) return await fail(404, 'not_found', 'Resource Not Found');
        if (found.route.minVersion && !versionAtLeast(version, found.route.minVersion)) {
          return await fail(
            400,
            'intercom_version_invalid',
            `${label} is not available in version ${version}; it needs ${found.route.minVersion} or later`,
          );
        }
        if (settings.restrictedRoutes.includes(label)) {
          return await fail(403, 'api_plan_restricted', 'Active subscription needed.');
        }
        if (fault?.startsWith('http_')) {
          const status = Number(fault.slice(5));
          if (label === 'GET /companies/scroll') scrolls.end(app);
          return await sendServerError(
            status,
            label === 'GET /companies/scroll' ? SCROLL_RESTART_MESSAGE : undefined,
          );
        }
        if (fault === 'scroll_exists')
          return await fail(400, 'scroll_exists', 'scroll already exists for this workspace');
        if (fault === 'scroll_expire') scrolls.end(app);
        if (fault === 'vanish') {
          const i = workspace.conversationIndex(found.params.id ?? '');
          if (workspace.conversations.isLive(i))
            workspace.deleteRecord(workspace.conversations, i, clock.now());
        }
      } else if (!found) {
        return await fail(404, 'not_found', 'Resource Not Found');
      }

      const ctx: RouteContext = {
        method,
        path: url.pathname,
        params: found.params,
        query: url.searchParams,
        body,
        version,
        requestId,
        origin,
        app,
      };
      let result: RouteResult;
      try {
        result = await found.route.handler(ctx);
      } catch (error) {
        if (error instanceof HttpError)
          return await fail(error.status, error.code, error.message, error.field);
        throw error;
      }
      await reply(result.status ?? 200, result);
    } catch (error) {
      if (!res.headersSent) await fail(500, 'server_error', `Simulator error: ${(error as Error).message}`);
      else res.destroy();
    }

    async function sendServerError(status: number, message?: string): Promise<void> {
      const html = faultRng.chance(0.5);
      if (!html) {
        const code =
          status === 503 ? 'service_unavailable' : status === 504 ? 'request_timeout' : 'server_error';
        return fail(status, code, message ?? 'An unexpected error occurred');
      }
      stats.record(label, status);
      await sleep(Math.max(0, settings.latencyMs));
      const text = `<html><head><title>${status} Error</title></head><body><h1>${status} Error</h1><p>${message ?? 'The server encountered an error.'}</p></body></html>`;
      res.writeHead(status, {
        ...headers,
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(text)),
      });
      res.end(text);
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':')
    ? `[${opts.host}]`
    : opts.host === '0.0.0.0'
      ? '127.0.0.1'
      : opts.host;

  return {
    url: `http://${hostForUrl}:${port}`,
    token: opts.token,
    options: opts,
    control: {
      workspace,
      clock,
      settings,
      mutate: (request) => workspace.mutate(request),
      truth: (stream) => [...workspace.truth(stream)],
      stats: () => stats.toJSON(),
      resetStats: () => stats.reset(),
      configure: (change) => {
        applyConfig(settings, change);
        onConfig();
      },
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { settingsJson };

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'bad_request', 'Request body is larger than 1 MB');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_request', 'Request body is not valid JSON');
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: unknown,
  damage?: 'reset' | 'truncated',
): void {
  const text = JSON.stringify(body);
  const full = Buffer.from(text, 'utf8');
  const base = { ...headers, 'Content-Type': 'application/json; charset=utf-8' };
  if (damage === 'reset') {
    res.writeHead(status, { ...base, 'Content-Length': String(full.length) });
    res.write(full.subarray(0, Math.floor(full.length / 2)));
    setImmediate(() => res.socket?.destroy());
    return;
  }
  const payload =
    damage === 'truncated' ? full.subarray(0, Math.max(1, Math.floor(full.length * 0.6))) : full;
  res.writeHead(status, { ...base, 'Content-Length': String(payload.length) });
  res.end(payload);
}

async function sendLines(
  res: ServerResponse,
  headers: Record<string, string>,
  lines: Iterable<unknown>,
): Promise<void> {
  res.writeHead(200, { ...headers, 'Content-Type': 'application/x-ndjson; charset=utf-8' });
  let buffer = '';
  for (const line of lines) {
    buffer += `${JSON.stringify(line)}\n`;
    if (buffer.length >= 64 * 1024) {
      const flushed = res.write(buffer);
      buffer = '';
      if (!flushed) await new Promise<void>((resolve) => res.once('drain', resolve));
    }
  }
  res.end(buffer);
}
