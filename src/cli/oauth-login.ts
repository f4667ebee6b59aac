import { spawn } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_USER_AGENT, type IntercomRegion, resolveBaseUrl } from '../http/index.js';
import { UsageError } from './errors.js';

/** Where each region's workspaces authorise apps (Intercom's OAuth page). */
export const AUTHORIZE_ORIGINS: Readonly<Record<IntercomRegion, string>> = {
  us: 'https://app.intercom.com',
  eu: 'https://app.eu.intercom.com',
  au: 'https://app.au.intercom.com',
};

export const CALLBACK_PATH = '/callback';
/** How long the token request may take. */
const EXCHANGE_TIMEOUT_MS = 30_000;
const TOKEN_PATTERN = /^[\x21-\x7e]{1,4096}$/;

/** A login that did not work out for another reason than the configuration (exit code 1). */
export class LoginError extends Error {
  override name = 'LoginError';
}

export interface OAuthEndpoints {
  /** The page the user approves the app on: Intercom's, or the simulator's `/oauth`. */
  authorizeUrl: string;
  /** Where the code is exchanged for a token: the region's API host, or `baseUrl`. */
  tokenUrl: string;
}

/** Intercom's OAuth endpoints for a region, or those of `baseUrl` (a proxy, or the simulator). */
export function oauthEndpoints(region: IntercomRegion, baseUrl: string | undefined): OAuthEndpoints {
  const api = resolveBaseUrl({ region, ...(baseUrl === undefined ? {} : { baseUrl }) });
  return {
    authorizeUrl: `${baseUrl === undefined ? AUTHORIZE_ORIGINS[region] : api}/oauth`,
    tokenUrl: `${api}/auth/eagle/token`,
  };
}

/** `https://app.intercom.com/oauth?client_id=…&state=…&redirect_uri=…` */
export function authorizationUrl(authorizeUrl: string, clientId: string, state: string, redirectUri: string) {
  const url = new URL(authorizeUrl);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('state', state);
  url.searchParams.set('redirect_uri', redirectUri);
  return url.href;
}

/** Compares the callback's state with ours in constant time. */
export function stateMatches(expected: string, received: string | null): boolean {
  if (received === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Exchanges an authorisation code for an access token: a form-encoded POST of `code`,
 * `client_id` and `client_secret` to the token endpoint, answered `{"token_type":"Bearer",
 * "access_token":"…"}`. A refused client (401/403) is a `UsageError`; anything else a `LoginError`.
 * Messages never contain the secret, the code or the token.
 */
export async function exchangeCode(
  tokenUrl: string,
  form: { code: string; clientId: string; clientSecret: string },
  signal: AbortSignal,
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'user-agent': DEFAULT_USER_AGENT,
      },
      body: new URLSearchParams({
        code: form.code,
        client_id: form.clientId,
        client_secret: form.clientSecret,
      }),
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(EXCHANGE_TIMEOUT_MS)]),
    });
  } catch (error) {
    if (signal.aborted) throw error;
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${EXCHANGE_TIMEOUT_MS / 1000} s`
        : typeof cause?.code === 'string'
          ? cause.code
          : typeof cause?.message === 'string'
            ? cause.message.slice(0, 100)
            : 'network error';
    throw new LoginError(`Cannot reach the token endpoint ${tokenUrl} (${reason}); nothing was stored.`);
  }
  const text = await response.text().catch(() => '');
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: described by its status below
  }
  if (response.ok) {
    const token = typeof body.access_token === 'string' ? body.access_token : body.token;
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token))
      throw new LoginError(
        `The token endpoint ${tokenUrl} answered without an access token; nothing was stored.`,
      );
    return token;
  }
  const detail = errorDetail(body, form);
  if (response.status === 401 || response.status === 403)
    throw new UsageError(
      `Intercom refused the client id or client secret (HTTP ${response.status}${detail}); check --client-id and --client-secret.`,
    );
  if (response.status === 400 || response.status === 404 || response.status === 422)
    throw new LoginError(
      `Intercom refused the authorisation code (HTTP ${response.status}${detail}); a code works once and expires after about 5 minutes, so run auth login again.`,
    );
  throw new LoginError(
    `The token endpoint ${tokenUrl} answered HTTP ${response.status}${detail}; nothing was stored.`,
  );
}

/** `: code, message` from Intercom's error list (or an OAuth error), with the form's values blanked. */
function errorDetail(body: Record<string, unknown>, form: { code: string; clientSecret: string }): string {
  const first = Array.isArray(body.errors)
    ? (body.errors[0] as Record<string, unknown> | undefined)
    : undefined;
  const code = first?.code ?? body.error;
  const message = first?.message ?? body.error_description ?? body.message;
  const parts = [code, message].filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (parts.length === 0) return '';
  let text = parts.join(': ').slice(0, 300);
  for (const secret of [form.clientSecret, form.code])
    if (secret.length >= 4) text = text.split(secret).join('[REDACTED]');
  return `: ${text}`;
}

/**
 * Opens the URL in the user's browser when there is one to open (`open` on macOS, the URL handler
 * on Windows, `xdg-open` under a graphical session elsewhere). Never fails: false when it could not try.
 */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv): boolean {
  const command: [string, string[]] | undefined =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? ['xdg-open', [url]]
          : undefined;
  if (!command) return false;
  try {
    const child = spawn(command[0], command[1], { stdio: 'ignore', detached: true, env });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

export interface LoginOptions {
  clientId: string;
  clientSecret: string;
  region: IntercomRegion;
  /** The API base URL for a proxy or the simulator (whose `/oauth` page is used too). */
  baseUrl?: string;
  /** Port of the local callback server on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** How long to wait for the browser to come back, in ms. */
  timeoutMs: number;
  /** Tries to open the authorisation page in a browser (it is printed either way). */
  openBrowser: (url: string) => boolean;
  /** Instructions for the user (the authorisation URL among them). */
  say: (line: string) => void;
  signal: AbortSignal;
}

/**
 * The OAuth authorisation-code flow for a command-line tool: a callback server on 127.0.0.1, the
 * authorisation page opened (and printed) with a random `state`, the code that comes back checked
 * against that state and exchanged for a token. Resolves with the access token.
 */
export async function oauthLogin(options: LoginOptions): Promise<string> {
  const endpoints = oauthEndpoints(options.region, options.baseUrl);
  const state = randomBytes(24).toString('base64url');
  let settle: { resolve: (token: string) => void; reject: (error: unknown) => void } | undefined;
  const outcome = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let handled = false;

  /** Answers the browser; resolves once the page is handed to the socket. */
  const page = (res: ServerResponse, status: number, title: string, text: string) =>
    new Promise<void>((resolve) => {
      const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${escapeHtml(text)}</p></body></html>`;
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': String(Buffer.byteLength(html)),
        'cache-control': 'no-store',
        connection: 'close',
      });
      res.end(html, () => resolve());
      res.once('close', () => resolve());
    });

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== CALLBACK_PATH)
      return page(res, 404, 'Not found', 'This is intercom-sync’s login callback.');
    if (req.method !== 'GET') return page(res, 405, 'Method not allowed', 'The callback takes a GET.');
    if (handled) return page(res, 409, 'Already handled', 'This login has already received its answer.');
    handled = true;
    if (!stateMatches(state, url.searchParams.get('state'))) {
      await page(
        res,
        400,
        'Login refused',
        'The state of this callback does not match the login; nothing was stored.',
      );
      return settle?.reject(
        new LoginError(
          'The authorisation callback came back with another state than this login sent (a possible cross-site request forgery); nothing was stored, run auth login again.',
        ),
      );
    }
    const denied = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (denied !== null || code === null || code === '') {
      const reason = printable(url.searchParams.get('error_description') ?? denied ?? 'no code');
      await page(res, 400, 'Login not completed', `Intercom did not authorise the app (${reason}).`);
      return settle?.reject(
        new LoginError(`Intercom did not authorise the app (${reason}); nothing was stored.`),
      );
    }
    try {
      const token = await exchangeCode(
        endpoints.tokenUrl,
        { code, clientId: options.clientId, clientSecret: options.clientSecret },
        options.signal,
      );
      await page(
        res,
        200,
        'intercom-sync is authorised',
        'You can close this tab and go back to the terminal.',
      );
      settle?.resolve(token);
    } catch (error) {
      await page(res, 502, 'Login failed', (error as Error).message);
      settle?.reject(error);
    }
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) page(res, 500, 'Login failed', 'The callback could not be handled.');
      settle?.reject(error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`Port ${options.port} on 127.0.0.1 is in use; choose another with --port.`)
          : error,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
  const url = authorizationUrl(endpoints.authorizeUrl, options.clientId, state, redirectUri);

  const timer = setTimeout(
    () =>
      settle?.reject(
        new LoginError(
          `No authorisation came back within ${Math.round(options.timeoutMs / 1000)} s; nothing was stored, run auth login again.`,
        ),
      ),
    options.timeoutMs,
  );
  const onAbort = () => settle?.reject(options.signal.reason);
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const opened = options.openBrowser(url);
    options.say(
      opened
        ? 'Opening the authorisation page in your browser; if it does not open, visit:'
        : 'Open this page in a browser to authorise intercom-sync:',
    );
    options.say(url);
    options.say(`Waiting for Intercom to redirect to ${redirectUri} …`);
    return await outcome;
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Text from the callback's query, safe for a terminal: no control characters, 200 at most. */
function printable(text: string): string {
  return [...text.slice(0, 200)].map((c) => (c.charCodeAt(0) < 0x20 || c === '\x7f' ? ' ' : c)).join('');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
