import { IntercomClient } from './client.js';
import { createSystemClock } from './clock.js';
import type { Logger } from './logger.js';
import { RateLimiter } from './rate-limiter.js';

/** Where the API is and the token that reaches it. */
export interface IntercomConnectionOptions {
  accessToken: string;
  /** `us`, `eu` or `au`. */
  region: string;
  /** Overrides `region`: a proxy, or the local simulator. */
  baseUrl?: string;
}

export interface IntercomClientSetup {
  /** `Intercom-Version` of every request (a request may override it). */
  version: string;
  /** The user's own cap, leaving budget for the workspace's other apps. */
  maxRequestsPerMinute: number | undefined;
  /** Requests in flight at most; also the connections kept to the API host. */
  maxInFlight: number;
  timeoutMs: number;
  logger: Logger;
}

/** The one client of a run and the one rate limiter every request of it goes through. */
export interface RateLimitedClient {
  client: IntercomClient;
  limiter: RateLimiter;
}

/** Builds the one client (and its one rate limiter) a sync shares between all its requests. */
export function createIntercomClient(
  connection: IntercomConnectionOptions,
  options: IntercomClientSetup,
): RateLimitedClient {
  const clock = createSystemClock();
  const limiter = new RateLimiter({
    clock,
    maxInFlight: options.maxInFlight,
    ...(options.maxRequestsPerMinute === undefined
      ? {}
      : { maxRequestsPerMinute: options.maxRequestsPerMinute }),
  });
  const client = new IntercomClient({
    accessToken: connection.accessToken,
    region: connection.region,
    ...(connection.baseUrl ? { baseUrl: connection.baseUrl } : {}),
    version: options.version,
    timeoutMs: options.timeoutMs,
    limiter,
    clock,
    logger: options.logger,
    maxConnections: Math.max(1, options.maxInFlight),
  });
  return { client, limiter };
}
