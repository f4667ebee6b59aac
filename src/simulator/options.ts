import { HOSTILE_KINDS, type HostileKind } from './hostile.js';
import { DEFAULT_OAUTH_CLIENT, type OAuthClient } from './routes/oauth.js';
import { isScale, SCALES, type Scale, type WorkspaceCounts } from './scales.js';

/** Kinds of faults the simulator can inject, each as Intercom (or the network) really fails. */
export const FAULT_KINDS = [
  /** 500/502/503/504 with an Intercom JSON error body or an HTML error page. */
  'http_500',
  'http_502',
  'http_503',
  'http_504',
  /** Headers and half the body, then the connection is reset. */
  'reset',
  /** A 200 whose JSON body ends early (the connection closes cleanly). */
  'truncated',
  /** An answer slower than any reasonable client timeout (`slowMs`). */
  'timeout',
  /** A 429 storm: the rest of the current rate-limit window is refused. */
  'rate_limit',
  /** A scroll continued after this fault finds its scroll_param expired (404). */
  'scroll_expire',
  /** Starting a scroll answers 400 scroll_exists, as when another tool of the app is scrolling. */
  'scroll_exists',
  /** GET /conversations/{id} finds the conversation deleted since it was listed (404). */
  'vanish',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SimulatorOptions {
  /** Interface to listen on; loopback unless said otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  seed?: number;
  scale?: Scale;
  /** Overrides some of the scale's counts (e.g. `{ contacts: 300 }`). */
  counts?: Partial<WorkspaceCounts>;
  /** The bearer token the simulator accepts. */
  token?: string;
  latencyMs?: number;
  jitterMs?: number;
  /** Per app, per minute; Intercom enforces a sixth of it per 10-second window. */
  rateLimitPerMinute?: number;
  /** Probability (0–1) that an API request gets a fault. */
  faultRate?: number;
  /** Which faults to inject (default: all that apply to the request). */
  faultKinds?: FaultKind[];
  /** How long a `timeout` fault stalls, in milliseconds. */
  slowMs?: number;
  /** Routes outside the workspace's plan, answered 403 `api_plan_restricted` (e.g. `['POST /tickets/search']`). */
  restrictedRoutes?: string[];
  /** When not empty, faults are injected only on these routes (labels as in stats, e.g. `GET /conversations/{id}`). */
  faultRoutes?: string[];
  scrollIdleExpirySeconds?: number;
  /** Companies per scroll page. */
  scrollPageSize?: number;
  /** The clock's start, Unix seconds (default: the real time). */
  now?: number;
  /** The generated history ends here, Unix seconds (default 2026-01-01T00:00:00Z, or `now` if earlier). */
  anchor?: number;
  /** The API version assumed when a request sends no `Intercom-Version`. */
  defaultVersion?: string;
  /**
   * OAuth apps whose codes `POST /auth/eagle/token` exchanges for tokens the API accepts
   * (default: client id `sim_client_id`, secret `sim_client_secret`).
   */
  oauthClients?: OAuthClient[];
  /**
   * Hostile responses (see hostile.ts): `true` for every kind, or the kinds to serve. Records keep
   * their ids and timestamps, so the truth still applies. Default off.
   */
  hostile?: boolean | HostileKind[];
}

export interface ResolvedOptions
  extends Required<Omit<SimulatorOptions, 'counts' | 'now' | 'anchor' | 'faultKinds' | 'hostile'>> {
  counts: WorkspaceCounts;
  now: number | undefined;
  anchor: number;
  faultKinds: FaultKind[];
  hostile: HostileKind[];
}

export const DEFAULT_TOKEN = 'sim_access_token';
export const DEFAULT_ANCHOR = Date.UTC(2026, 0, 1) / 1000;

/** Thrown for options the simulator cannot run with; the message is one sentence naming the option. */
export class SimulatorOptionError extends Error {
  override name = 'SimulatorOptionError';
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new SimulatorOptionError(message);
}

function nonNegative(value: number | undefined, name: string, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  check(
    Number.isFinite(value) && value >= 0 && value <= max,
    `${name} must be a number from 0 to ${max}, got ${String(value)}.`,
  );
}

export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const scale = options.scale ?? 'small';
  check(
    typeof scale === 'string' && isScale(scale),
    `scale must be one of ${Object.keys(SCALES).join(', ')}, got "${String(scale)}".`,
  );
  nonNegative(options.port, 'port', 65535);
  check(options.port === undefined || Number.isInteger(options.port), 'port must be an integer.');
  nonNegative(options.seed, 'seed', 2 ** 32 - 1);
  nonNegative(options.latencyMs, 'latency-ms', 600_000);
  nonNegative(options.jitterMs, 'jitter-ms', 600_000);
  nonNegative(options.slowMs, 'slow-ms', 3_600_000);
  nonNegative(options.rateLimitPerMinute, 'rate-limit-per-minute', 10_000_000);
  check(
    options.rateLimitPerMinute === undefined || options.rateLimitPerMinute >= 6,
    'rate-limit-per-minute must be at least 6 (one request per 10-second window).',
  );
  nonNegative(options.faultRate, 'fault-rate', 1);
  nonNegative(options.scrollIdleExpirySeconds, 'scroll-idle-expiry-s', 86_400);
  nonNegative(options.scrollPageSize, 'scroll-page-size', 1000);
  check(
    options.scrollPageSize === undefined || options.scrollPageSize >= 1,
    'scroll-page-size must be at least 1.',
  );
  check(
    options.token === undefined ||
      (typeof options.token === 'string' && /^[\x21-\x7e]{1,512}$/.test(options.token)),
    'token must be 1 to 512 printable characters without spaces.',
  );
  for (const kind of options.faultKinds ?? [])
    check(
      (FAULT_KINDS as readonly string[]).includes(kind),
      `fault-kinds has an unknown kind "${kind}"; known kinds: ${FAULT_KINDS.join(', ')}.`,
    );
  for (const route of [...(options.restrictedRoutes ?? []), ...(options.faultRoutes ?? [])]) {
    check(
      typeof route === 'string' && /^(GET|POST) \//.test(route),
      `restricted and fault routes must name routes such as "POST /tickets/search", got "${String(route)}".`,
    );
  }
  const counts: WorkspaceCounts = { ...SCALES[scale] };
  for (const [key, value] of Object.entries(options.counts ?? {})) {
    check(key in counts, `counts.${key} is not a known count; known: ${Object.keys(counts).join(', ')}.`);
    nonNegative(value, `counts.${key}`, 5_000_000);
    counts[key as keyof WorkspaceCounts] = Math.floor(value as number);
  }
  for (const client of options.oauthClients ?? [])
    check(
      [client?.clientId, client?.clientSecret].every(
        (v) => typeof v === 'string' && /^[\x21-\x7e]{1,512}$/.test(v),
      ),
      'oauth-clients need a clientId and a clientSecret of 1 to 512 printable characters without spaces.',
    );
  const hostile =
    options.hostile === true ? [...HOSTILE_KINDS] : options.hostile === false ? [] : (options.hostile ?? []);
  check(
    Array.isArray(hostile) && hostile.every((k) => (HOSTILE_KINDS as readonly string[]).includes(k)),
    `hostile must be true, false or a list of: ${HOSTILE_KINDS.join(', ')}.`,
  );
  const now = options.now;
  nonNegative(now, 'now', 32_503_680_000);
  const anchor = Math.min(
    options.anchor ?? DEFAULT_ANCHOR,
    now ?? Number.POSITIVE_INFINITY,
    Math.floor(Date.now() / 1000),
  );
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    seed: options.seed ?? 1,
    scale,
    counts,
    token: options.token ?? DEFAULT_TOKEN,
    latencyMs: options.latencyMs ?? 0,
    jitterMs: options.jitterMs ?? 0,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 10_000,
    faultRate: options.faultRate ?? 0,
    faultKinds: options.faultKinds ?? [...FAULT_KINDS],
    slowMs: options.slowMs ?? 35_000,
    restrictedRoutes: options.restrictedRoutes ?? [],
    faultRoutes: options.faultRoutes ?? [],
    scrollIdleExpirySeconds: options.scrollIdleExpirySeconds ?? 60,
    scrollPageSize: options.scrollPageSize ?? 100,
    now,
    anchor,
    defaultVersion: options.defaultVersion ?? '2.14',
    oauthClients: (options.oauthClients ?? [DEFAULT_OAUTH_CLIENT]).map((c) => ({ ...c })),
    hostile: [...hostile],
  };
}
