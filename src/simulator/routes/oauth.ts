import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../errors.js';

/** An OAuth app the simulator knows: its client id and secret. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** The app every simulator knows unless told otherwise (`oauthClients`). */
export const DEFAULT_OAUTH_CLIENT: Readonly<OAuthClient> = {
  clientId: 'sim_client_id',
  clientSecret: 'sim_client_secret',
};

/** Intercom's codes expire after about 5 minutes. */
export const CODE_LIFETIME_SECONDS = 300;
const MAX_FORM_BYTES = 64 * 1024;

interface IssuedCode {
  clientId: string;
  issuedAtMs: number;
  used: boolean;
}

type Answer = { status: 302; location: string } | { status: number; body: Record<string, unknown> };

/**
 * Intercom's OAuth authorisation-code flow, for tests: `GET /oauth?client_id&state&redirect_uri`
 * answers at once with a redirect to `redirect_uri?code=…&state=…` (there is no one to click
 * "Authorise"), and `POST /auth/eagle/token` (form-encoded `code`, `client_id`, `client_secret`)
 * exchanges a code, once and within 5 minutes of the simulator's clock, for an access token the
 * API then accepts. Errors use Intercom's `error.list` envelope.
 */
export class OAuthProvider {
  readonly #clients: ReadonlyMap<string, string>;
  readonly #codes = new Map<string, IssuedCode>();
  readonly #tokens = new Set<string>();

  constructor(
    clients: readonly OAuthClient[],
    private readonly nowMs: () => number,
  ) {
    this.#clients = new Map(clients.map((c) => [c.clientId, c.clientSecret]));
  }

  /** The stats label of an OAuth request, or undefined when it is not one. */
  route(method: string, path: string): string | undefined {
    if (method === 'GET' && /^\/oauth\/?$/.test(path)) return 'GET /oauth';
    if (method === 'POST' && /^\/auth\/eagle\/token\/?$/.test(path)) return 'POST /auth/eagle/token';
    return undefined;
  }

  /** True for a token this simulator issued through the flow. */
  accepts(token: string | undefined): boolean {
    return token !== undefined && this.#tokens.has(token);
  }

  /** Answers an OAuth request (see `route`); resolves with the status sent. */
  async handle(
    label: string,
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
    headers: Record<string, string>,
    requestId: string,
  ): Promise<number> {
    let answer: Answer;
    try {
      answer = label === 'GET /oauth' ? this.#authorize(query, requestId) : await this.#token(req, requestId);
    } catch (error) {
      answer = fail(requestId, 400, 'bad_request', (error as Error).message);
    }
    if ('location' in answer) {
      res.writeHead(302, { ...headers, Location: answer.location, 'Content-Length': '0' });
      res.end();
      return 302;
    }
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
      'Cache-Control': 'no-store',
    });
    res.end(text);
    return answer.status;
  }

  #authorize(query: URLSearchParams, requestId: string): Answer {
    const clientId = query.get('client_id');
    if (!clientId) return fail(requestId, 400, 'parameter_not_found', 'client_id is required', 'client_id');
    if (!this.#clients.has(clientId))
      return fail(requestId, 400, 'parameter_invalid', 'No app has this client_id', 'client_id');
    const redirect = query.get('redirect_uri');
    if (!redirect)
      return fail(requestId, 400, 'parameter_not_found', 'redirect_uri is required', 'redirect_uri');
    let target: URL;
    try {
      target = new URL(redirect);
    } catch {
      return fail(requestId, 400, 'parameter_invalid', 'redirect_uri is not a URL', 'redirect_uri');
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      return fail(requestId, 400, 'parameter_invalid', 'redirect_uri must be an http(s) URL', 'redirect_uri');
    this.#forgetExpired();
    const code = randomBytes(24).toString('base64url');
    this.#codes.set(code, { clientId, issuedAtMs: this.nowMs(), used: false });
    target.searchParams.set('code', code);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return { status: 302, location: target.href };
  }

  async #token(req: IncomingMessage, requestId: string): Promise<Answer> {
    const form = await readForm(req);
    for (const name of ['code', 'client_id', 'client_secret'])
      if (!form.get(name)) return fail(requestId, 400, 'parameter_not_found', `${name} is required`, name);
    const clientId = form.get('client_id') as string;
    const secret = this.#clients.get(clientId);
    if (secret === undefined || secret !== form.get('client_secret'))
      return fail(requestId, 401, 'unauthorized', 'Invalid client_id or client_secret');
    const code = this.#codes.get(form.get('code') as string);
    if (!code || code.clientId !== clientId)
      return fail(requestId, 400, 'parameter_invalid', 'Invalid authorization code', 'code');
    if (code.used)
      return fail(requestId, 400, 'parameter_invalid', 'Authorization code has already been used', 'code');
    if (this.nowMs() - code.issuedAtMs > CODE_LIFETIME_SECONDS * 1000)
      return fail(requestId, 400, 'parameter_invalid', 'Authorization code has expired', 'code');
    code.used = true;
    const token = `sim_oauth_${randomBytes(24).toString('base64url')}`;
    this.#tokens.add(token);
    return { status: 200, body: { token_type: 'Bearer', access_token: token } };
  }

  /** Used and expired codes are kept a while (to answer "already used"), then dropped. */
  #forgetExpired(): void {
    const cutoff = this.nowMs() - 2 * CODE_LIFETIME_SECONDS * 1000;
    for (const [code, issued] of this.#codes) if (issued.issuedAtMs < cutoff) this.#codes.delete(code);
  }
}

function fail(requestId: string, status: number, code: string, message: string, field?: string): Answer {
  return { status, body: errorBody(requestId, [{ code, message, ...(field ? { field } : {}) }]) };
}

/** A form-encoded body (a JSON object is accepted too). */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('Request body is larger than 64 KB');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return new URLSearchParams(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('Request body is not valid JSON');
  }
  const form = new URLSearchParams();
  if (typeof parsed === 'object' && parsed !== null)
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') form.set(key, value);
  return form;
}
