import { createSilentLogger, createSystemClock, IntercomClient, RateLimiter } from '../../src/http/index.js';

/**
 * A real client for the simulator at `baseUrl`, for tests that drive the engine without the CLI:
 * system clock, silent logger, API 2.14, `maxInFlight` requests at once, `maxRetries` as given
 * (the client's default when undefined).
 */
export function createTestClient(
  baseUrl: string,
  accessToken: string,
  options: { maxInFlight: number; maxRetries?: number },
): IntercomClient {
  const clock = createSystemClock();
  return new IntercomClient({
    accessToken,
    region: 'us',
    baseUrl,
    version: '2.14',
    timeoutMs: 10_000,
    limiter: new RateLimiter({ clock, maxInFlight: options.maxInFlight }),
    clock,
    logger: createSilentLogger(),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
}
