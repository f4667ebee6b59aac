import {
  ConfigurationError,
  createIntercomClient,
  createSilentLogger,
  DEFAULT_INTERCOM_VERSION,
  DEFAULT_REGION,
  type IntercomClient,
  type IntercomClientStats,
  type IntercomRegion,
  isIntercomRegion,
  type Logger,
  type RateLimiter,
  type RateLimiterStats,
} from '../http/index.js';

export interface ClientOptions {
  /** An access token of your Intercom app (or the one `intercom-sync auth login` stored). */
  accessToken: string;
  /** The workspace's region. Default `us`. */
  region?: IntercomRegion;
  /** Overrides `region`: a proxy, or the simulator (plain `http` only for loopback addresses). */
  baseUrl?: string;
  /** `Intercom-Version` of every request. Default `2.14` (the version the record types follow). */
  version?: string;
  /** Leave rate-limit budget for the workspace's other apps. Default: the app's whole budget. */
  maxRequestsPerMinute?: number;
  /** Requests in flight at most. Default 64. */
  maxInFlight?: number;
  /** Budget of one request, in milliseconds. Default 30,000. */
  timeoutMs?: number;
  /** Where retries, scroll restarts and skipped records are reported. Default: nowhere. */
  logger?: Logger;
}

/**
 * The one connection a program keeps to Intercom: one HTTP client and the one rate limiter all
 * its requests share, whichever streams and syncs use it (at the same time too). Close it when done.
 */
export interface Client {
  /** The HTTP client (auth, version header, retries, error mapping). */
  readonly http: IntercomClient;
  /** Paces every request of this client within Intercom's rate limit. */
  readonly limiter: RateLimiter;
  readonly logger: Logger;
  /** The API base URL requests go to. */
  readonly baseUrl: string;
  stats(): { requests: IntercomClientStats; rateLimiter: RateLimiterStats };
  /** Closes the connections. Streams and syncs of this client must have finished. */
  close(): Promise<void>;
}

/**
 * Creates a client. Options are checked at once: a missing token, an unknown region or a plain
 * `http` base URL off loopback throw a `ConfigurationError` saying what to fix.
 *
 *   const client = createClient({ accessToken: process.env.INTERCOM_ACCESS_TOKEN ?? '' });
 */
export function createClient(options: ClientOptions): Client {
  const region = options.region ?? DEFAULT_REGION;
  if (!isIntercomRegion(region))
    throw new ConfigurationError(`Set region to us, eu or au (got ${JSON.stringify(String(region))}).`);
  const maxInFlight = options.maxInFlight ?? 64;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > 256)
    throw new ConfigurationError('Set maxInFlight to a whole number from 1 to 256.');
  const max = options.maxRequestsPerMinute;
  if (max !== undefined && (!Number.isFinite(max) || max < 6))
    throw new ConfigurationError('Set maxRequestsPerMinute to at least 6 (one per 10-second window).');
  const logger = options.logger ?? createSilentLogger();
  const { client, limiter } = createIntercomClient(
    {
      accessToken: options.accessToken,
      region,
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    },
    {
      version: options.version ?? DEFAULT_INTERCOM_VERSION,
      maxRequestsPerMinute: max,
      maxInFlight,
      timeoutMs: options.timeoutMs ?? 30_000,
      logger,
    },
  );
  return {
    http: client,
    limiter,
    logger,
    baseUrl: client.baseUrl,
    stats: () => ({ requests: client.stats(), rateLimiter: limiter.stats() }),
    close: () => client.close(),
  };
}
