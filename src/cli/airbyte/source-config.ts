import { readFile } from 'node:fs/promises';
import {
  ConfigurationError,
  createIntercomClient,
  type IntercomClient,
  isIntercomRegion,
  type Logger,
  resolveBaseUrl,
} from '../../http/index.js';
import { findStream, type StreamDefinition } from '../../streams/index.js';
import { UsageError } from '../errors.js';
import { DEFAULT_START_DATE, parseDate } from '../sync-options.js';

/**
 * The connector configuration shared by the Airbyte source and the Singer tap: a superset of
 * Airbyte source-intercom's (`access_token`, `start_date`, `lookback_window`,
 * `activity_logs_time_step`, `client_id`/`client_secret`), the `credentials` object other Airbyte
 * sources use, and intercom-sync's own `region`, `base_url`, `api_version`, `max_requests_per_minute`.
 * Unknown keys are ignored (the platforms add their own).
 */
export interface SourceConfig {
  accessToken: string;
  /** Every secret of the config (token, client id and secret): removed from all output. */
  secrets: string[];
  region: string;
  baseUrl?: string;
  /** Unix seconds. */
  startDate: number;
  lookbackDays: number;
  /** Shortest time slice of the activity_logs stream, in days. */
  activityLogsStepDays: number;
  apiVersion: string;
  maxRequestsPerMinute: number | undefined;
  timeoutMs: number;
}

export const DEFAULT_ACTIVITY_LOGS_STEP_DAYS = 30;
const VERSION_PATTERN = /^(\d{1,2}\.\d{1,2}|Preview|Unstable)$/;
const SECRET_KEYS = new Set(['access_token', 'client_id', 'client_secret', 'refresh_token']);

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads and parses a JSON file; every failure is a ConfigurationError naming the file. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigurationError(`Cannot read the ${what} file ${path} (${code}).`);
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigurationError(
      `The ${what} file ${path} is not valid JSON (${(error as Error).message.slice(0, 120)}).`,
    );
  }
}

/**
 * Collects the string values of secret keys, at any depth. Output is redacted of them, records
 * included, so secrets shorter than 8 characters other than the token (a short client id would
 * match ordinary data) are left out.
 */
function collectSecrets(value: unknown, out: string[]): string[] {
  if (Array.isArray(value)) for (const item of value) collectSecrets(item, out);
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (!SECRET_KEYS.has(key) || typeof item !== 'string') collectSecrets(item, out);
      else if (key === 'access_token' || item.trim().length >= 8) out.push(item.trim());
    }
  }
  return out;
}

function wholeNumber(config: JsonObject, key: string, min: number, max: number): number | undefined {
  const value = config[key];
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw new ConfigurationError(
      `Set ${key} to a whole number from ${min} to ${max} (got ${JSON.stringify(value).slice(0, 40)}).`,
    );
  return n;
}

function text(config: JsonObject, key: string): string | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConfigurationError(`Set ${key} to a string.`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Validates a parsed config file. Messages say what to change, never echo a secret. */
export function parseSourceConfig(raw: unknown): SourceConfig {
  if (!isObject(raw))
    throw new ConfigurationError('The config must be a JSON object such as {"access_token": "…"}.');
  const secrets = collectSecrets(raw, []);
  const credentials = raw.credentials;
  if (credentials !== undefined && credentials !== null && !isObject(credentials))
    throw new ConfigurationError(
      'Set credentials to an object with auth_type and access_token, or leave it out.',
    );
  const nested = isObject(credentials) ? credentials : {};
  if (
    nested.auth_type !== undefined &&
    nested.auth_type !== 'oauth2.0' &&
    nested.auth_type !== 'access_token'
  )
    throw new ConfigurationError('Set credentials.auth_type to "oauth2.0" or "access_token".');
  const token = text(raw, 'access_token') ?? text(nested, 'access_token');
  if (token === undefined)
    throw new ConfigurationError(
      'Set access_token (or credentials.access_token) to the access token of your Intercom app.',
    );

  const region = text(raw, 'region') ?? 'us';
  if (!isIntercomRegion(region))
    throw new ConfigurationError(`Set region to us, eu or au (got ${JSON.stringify(region.slice(0, 20))}).`);
  const baseUrl = text(raw, 'base_url');
  if (baseUrl !== undefined) {
    try {
      resolveBaseUrl({ baseUrl });
    } catch (error) {
      throw new ConfigurationError((error as Error).message.replaceAll('baseUrl', 'base_url'));
    }
  }

  let startDate: number;
  try {
    startDate = parseDate(text(raw, 'start_date') ?? DEFAULT_START_DATE, 'start_date');
  } catch (error) {
    if (error instanceof UsageError) throw new ConfigurationError(error.message);
    throw error;
  }

  const apiVersion = text(raw, 'api_version') ?? '2.14';
  if (!VERSION_PATTERN.test(apiVersion))
    throw new ConfigurationError(
      `Set api_version to a version such as 2.14 (got ${JSON.stringify(apiVersion.slice(0, 20))}).`,
    );

  return {
    accessToken: token,
    secrets,
    region,
    ...(baseUrl === undefined ? {} : { baseUrl }),
    startDate,
    lookbackDays: wholeNumber(raw, 'lookback_window', 0, 3650) ?? 0,
    activityLogsStepDays:
      wholeNumber(raw, 'activity_logs_time_step', 1, 91) ?? DEFAULT_ACTIVITY_LOGS_STEP_DAYS,
    apiVersion,
    // Airbyte's newer source-intercom calls this api_rate_limit.
    maxRequestsPerMinute:
      wholeNumber(raw, 'max_requests_per_minute', 6, 1_000_000) ??
      wholeNumber(raw, 'api_rate_limit', 6, 1_000_000),
    timeoutMs: (wholeNumber(raw, 'request_timeout_seconds', 1, 600) ?? 30) * 1000,
  };
}

/**
 * The stream definitions a connector run uses: the registry's, with the activity_logs slice length
 * from `activity_logs_time_step` (handed to the engine as `SyncPlan.definitions`).
 */
export function connectorDefinitions(config: SourceConfig): StreamDefinition[] {
  const base = findStream('activity_logs');
  if (base?.source.kind !== 'window') return [];
  return [{ ...base, source: { ...base.source, stepDays: config.activityLogsStepDays } }];
}

/** The one client (with its one rate limiter) of a connector run. */
export function connectorClient(config: SourceConfig, logger: Logger): IntercomClient {
  return createIntercomClient(
    {
      accessToken: config.accessToken,
      region: config.region,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    },
    {
      version: config.apiVersion,
      maxRequestsPerMinute: config.maxRequestsPerMinute,
      maxInFlight: 64,
      timeoutMs: config.timeoutMs,
      logger,
    },
  ).client;
}
