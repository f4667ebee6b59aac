import { isIP } from 'node:net';
import { ConfigurationError } from './errors.js';

/** Intercom's regional API hosts. */
export const INTERCOM_REGIONS = {
  us: 'https://api.intercom.io',
  eu: 'https://api.eu.intercom.io',
  au: 'https://api.au.intercom.io',
} as const satisfies Record<string, string>;

export type IntercomRegion = keyof typeof INTERCOM_REGIONS;

export const DEFAULT_REGION: IntercomRegion = 'us';

export interface BaseUrlOptions {
  /** `us` (default), `eu` or `au`. */
  region?: string;
  /** Overrides the region: a proxy, or the local simulator (plain `http:` only on loopback hosts). */
  baseUrl?: string;
}

export function isIntercomRegion(value: string): value is IntercomRegion {
  return Object.hasOwn(INTERCOM_REGIONS, value);
}

/** True for `localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const lower = host.toLowerCase();
  if (lower === 'localhost') return true;
  const family = isIP(lower);
  if (family === 4) return lower.split('.')[0] === '127';
  if (family === 6) return lower === '::1' || lower === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * The API base URL, without a trailing slash (`https://api.eu.intercom.io`, or a `baseUrl` that may
 * carry a path prefix such as `http://127.0.0.1:4010/intercom`).
 */
export function resolveBaseUrl(options: BaseUrlOptions = {}): string {
  if (options.baseUrl !== undefined) return checkBaseUrl(options.baseUrl);
  const region = (options.region ?? DEFAULT_REGION).trim().toLowerCase();
  if (!isIntercomRegion(region)) {
    const allowed = Object.keys(INTERCOM_REGIONS).join(', ');
    throw new ConfigurationError(
      `Set region to one of ${allowed} (got ${JSON.stringify(options.region?.slice(0, 20))}).`,
    );
  }
  return INTERCOM_REGIONS[region];
}

function checkBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    // The raw value is not echoed: a mistyped value may contain a secret.
    throw new ConfigurationError('Set baseUrl to an absolute URL such as https://api.intercom.io.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigurationError(
      'Remove the user name and password from baseUrl; the access token is sent as a header.',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigurationError(
      `Remove the query string and fragment from baseUrl (${url.origin}${url.pathname}).`,
    );
  }
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      throw new ConfigurationError(
        `Use https in baseUrl (${url.origin}): plain http is allowed only for localhost, 127.0.0.0/8 and ::1.`,
      );
    }
  } else if (url.protocol !== 'https:') {
    throw new ConfigurationError(`Use an http(s) URL for baseUrl (got the ${url.protocol} scheme).`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path}`;
}
