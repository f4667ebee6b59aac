export {
  type BackoffPolicy,
  backoffCeiling,
  backoffDelay,
  backoffPolicy,
  DEFAULT_BACKOFF,
} from './backoff.js';
export {
  DEFAULT_INTERCOM_VERSION,
  DEFAULT_USER_AGENT,
  type HttpMethod,
  IntercomClient,
  type IntercomClientOptions,
  type IntercomClientStats,
  type IntercomRequest,
  type IntercomResponse,
  type QueryValue,
  type RetryReason,
} from './client.js';
export { type Clock, createSystemClock } from './clock.js';
export {
  createIntercomClient,
  type IntercomClientSetup,
  type IntercomConnectionOptions,
  type RateLimitedClient,
} from './create-client.js';
export {
  type ErrorResponse,
  errorFromResponse,
  type IntercomErrorEntry,
  type ParsedErrorBody,
  parseErrorBody,
  requestIdOf,
} from './error-mapping.js';
export {
  ConfigurationError,
  describeCall,
  type ErrorKind,
  exitCodeFor,
  FatalError,
  type IntercomErrorDetails,
  IntercomSyncError,
  type IntercomSyncErrorJson,
  isIntercomSyncError,
  RetriableError,
  SkippableError,
} from './errors.js';
export { createSilentLogger, type LogFields, type Logger } from './logger.js';
export {
  type HeaderBag,
  type Permit,
  parseRateLimitHeaders,
  RateLimiter,
  type RateLimiterOptions,
  type RateLimiterStats,
  type RateLimitInfo,
  type RequestLimiter,
} from './rate-limiter.js';
export {
  type BaseUrlOptions,
  DEFAULT_REGION,
  INTERCOM_REGIONS,
  type IntercomRegion,
  isIntercomRegion,
  isLoopbackHost,
  resolveBaseUrl,
} from './regions.js';
