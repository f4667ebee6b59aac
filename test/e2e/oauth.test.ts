import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { CODE_LIFETIME_SECONDS, type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { api } from '../support/simulator-client.js';

const CLIENT_ID = 'app_oauth_test_7c1';
const CLIENT_SECRET = 'sec_oauth_MARKER_b4d2e9f1';
const API_TOKEN = 'tok_oauth_e2e_unused_5a0c';

let sim: RunningSimulator;
let root: string;
let configDir: string;
let caseNo = 0;
/** Everything any command of this file printed, for the "never printed" check. */
const printed: string[] = [];
/** Every access token the simulator issued to a login of this file. */
const tokens: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    scale: 'tiny',
    seed: 9,
    token: API_TOKEN,
    now: Date.UTC(2026, 0, 6, 10) / 1000,
    oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
  });
  root = await mkdtemp(join(tmpdir(), 'intercom-sync-oauth-'));
});

beforeEach(() => {
  configDir = join(root, `config-${++caseNo}`, 'intercom-sync');
});

afterAll(async () => {
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process; `browser` plays the user's browser when the authorisation URL appears. */
async function cli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; browser?: (url: string) => Promise<unknown> } = {},
): Promise<Run & { visited: unknown }> {
  const out: string[] = [];
  const err: string[] = [];
  let visiting: Promise<unknown> | undefined;
  const io: Io = {
    out: (line) => out.push(line),
    err: (line) => {
      err.push(line);
      if (options.browser && !visiting && /^http:\/\/\S+\/oauth\?\S+$/.test(line))
        visiting = options.browser(line);
    },
  };
  const code = await runCli(args, io, { INTERCOM_SYNC_CONFIG_DIR: configDir, ...options.env });
  const visited = await visiting;
  const run = { code, out: out.join('\n'), err: err.join('\n'), visited };
  printed.push(run.out, run.err, typeof visited === 'string' ? visited : '');
  return run;
}

const login = (extra: string[] = []) => [
  'auth',
  'login',
  '--no-browser',
  '--client-id',
  CLIENT_ID,
  '--client-secret',
  CLIENT_SECRET,
  '--base-url',
  sim.url,
  ...extra,
];

/** A browser that follows the redirect to the callback and returns the page it shows. */
const follow = async (url: string) => (await fetch(url, { redirect: 'follow' })).text();

/** The callback URL the simulator's authorisation page redirects to (not followed). */
async function callbackOf(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') as string);
}

async function storedToken(): Promise<string> {
  const stored = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8')) as Record<
    string,
    string
  >;
  tokens.push(stored.access_token as string);
  return stored.access_token as string;
}

describe('auth login against the simulator', () => {
  it('stores the token (0600 in a 0700 directory); sync and check then work without --access-token', async () => {
    const run = await cli(login(), { browser: follow });
    expect(run.code, run.err).toBe(0);
    expect(run.visited).toContain('intercom-sync is authorised');
    expect(run.err).toMatch(/^Open this page in a browser/m);
    expect(run.out).toContain(join(configDir, 'credentials.json'));

    const file = join(configDir, 'credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(configDir)).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['access_token', 'base_url', 'created_at', 'region']);
    expect(stored).toMatchObject({ region: 'us', base_url: sim.url });
    expect(Date.parse(stored.created_at as string)).toBeGreaterThan(Date.now() - 60_000);
    const token = await storedToken();
    expect(token).toMatch(/^sim_oauth_/);
    expect((await api(sim, '/me', { token })).status).toBe(200);

    const status = await cli(['auth', 'status']);
    expect(status.code).toBe(0);
    expect(status.out).toContain(file);
    expect(status.out).toContain(`base URL ${sim.url}`);

    const check = await cli(['check']);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toMatch(/^OK: reached workspace/);
    const db = join(root, 'oauth.duckdb');
    const sync = await cli(['sync', '--streams', 'admins,tags', '--dest-uri', `duckdb:///${db}`]);
    expect(sync.code, sync.err).toBe(0);
    expect(sync.out).toMatch(/^admins\s+succeeded/m);

    // A token from elsewhere still wins over the stored one.
    const overridden = await cli(['check', '--base-url', sim.url], {
      env: { INTERCOM_ACCESS_TOKEN: 'tok_not_accepted_0000' },
    });
    expect(overridden.code).toBe(2);
    expect(overridden.err).toMatch(/401|rejected|token/i);
    expect((await cli(['auth', 'status'], { env: { INTERCOM_ACCESS_TOKEN: 'x' } })).err).toContain(
      'INTERCOM_ACCESS_TOKEN is set',
    );

    const logout = await cli(['auth', 'logout']);
    expect(logout.code).toBe(0);
    await expect(stat(file)).rejects.toThrow();
    expect((await cli(['auth', 'status'])).code).toBe(1);
    const none = await cli(['check']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('run intercom-sync auth login');
  });

  it('refuses a callback whose state is not the login’s (CSRF), storing nothing', async () => {
    const run = await cli(login(), {
      browser: async (url) => {
        const callback = await callbackOf(url);
        callback.searchParams.set('state', 'forged-state-value');
        const res = await fetch(callback);
        return `${res.status} ${await res.text()}`;
      },
    });
    expect(run.code).toBe(1);
    expect(run.visited).toMatch(/^400 /);
    expect(run.err).toMatch(
      /^error: The authorisation callback came back with another state .*cross-site request forgery/m,
    );
    await expect(stat(join(configDir, 'credentials.json'))).rejects.toThrow();
  });

  it('a wrong client secret: exit 2 with one sentence, nothing stored, the secret never shown', async () => {
    const wrong = 'sec_wrong_MARKER_0e7a';
    const args = login().map((a) => (a === CLIENT_SECRET ? wrong : a));
    const run = await cli(args, { browser: follow });
    expect(run.code).toBe(2);
    const errors = run.err.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toEqual([
      expect.stringMatching(
        /^error: Intercom refused the client id or client secret \(HTTP 401[^.]*\); check --client-id and --client-secret\.$/,
      ),
    ]);
    expect(`${run.out}${run.err}${String(run.visited)}`).not.toContain(wrong);
    await expect(stat(join(configDir, 'credentials.json'))).rejects.toThrow();
  });

  it('an expired code (the simulator clock moved 5 minutes on): exit 1, nothing stored', async () => {
    const run = await cli(login(), {
      browser: async (url) => {
        const callback = await callbackOf(url);
        sim.control.clock.advance(CODE_LIFETIME_SECONDS + 1);
        return (await fetch(callback)).text();
      },
    });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /^error: Intercom refused the authorisation code \(HTTP 400: parameter_invalid: Authorization code has expired\)/m,
    );
    await expect(stat(join(configDir, 'credentials.json'))).rejects.toThrow();
  });

  it('takes the client from the environment, and never fails for want of a browser', async () => {
    const run = await cli(['auth', 'login', '--base-url', sim.url, '--timeout-s', '20'], {
      env: {
        INTERCOM_CLIENT_ID: CLIENT_ID,
        INTERCOM_CLIENT_SECRET: CLIENT_SECRET,
        DISPLAY: ':99',
        PATH: join(root, 'no-such-bin'),
      },
      browser: follow,
    });
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/^Opening the authorisation page in your browser; if it does not open, visit:/m);
    await storedToken();
    const missing = await cli(['auth', 'login', '--no-browser', '--base-url', sim.url]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('pass --client-id or set INTERCOM_CLIENT_ID');
  });
});

describe('the simulator’s OAuth endpoints', () => {
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  const authorize = async () => {
    const url = new URL('/oauth', sim.url);
    url.search = new URLSearchParams({
      client_id: CLIENT_ID,
      state: 's1',
      redirect_uri: 'http://127.0.0.1:9/callback?keep=1',
    }).toString();
    const location = await callbackOf(url.href);
    expect(location.searchParams.get('state')).toBe('s1');
    expect(location.searchParams.get('keep')).toBe('1');
    return location.searchParams.get('code') as string;
  };

  it('exchanges a code once, for a token the API accepts; errors as Intercom shapes them', async () => {
    const tokenUrl = `${sim.url}/auth/eagle/token`;
    const code = await authorize();
    const wrongSecret = await fetch(tokenUrl, form({ code, client_id: CLIENT_ID, client_secret: 'nope' }));
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({
      type: 'error.list',
      request_id: expect.any(String),
      errors: [{ code: 'unauthorized' }],
    });
    const ok = await fetch(tokenUrl, form({ code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }));
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { token_type: string; access_token: string };
    tokens.push(body.access_token);
    expect(body.token_type).toBe('Bearer');
    expect((await api(sim, '/admins', { token: body.access_token })).status).toBe(200);
    expect((await api(sim, '/admins', { token: 'sim_oauth_made_up' })).status).toBe(401);

    const again = await fetch(tokenUrl, form({ code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }));
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({
      errors: [
        { code: 'parameter_invalid', field: 'code', message: 'Authorization code has already been used' },
      ],
    });
    const unknown = await fetch(
      tokenUrl,
      form({ code: 'made-up', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
    );
    expect(((await unknown.json()) as { errors: Array<{ message: string }> }).errors[0]?.message).toBe(
      'Invalid authorization code',
    );
    const missing = await fetch(tokenUrl, form({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET }));
    expect(await missing.json()).toMatchObject({ errors: [{ code: 'parameter_not_found', field: 'code' }] });
    const unknownApp = await fetch(`${sim.url}/oauth?client_id=other&redirect_uri=http://127.0.0.1:9/`, {
      redirect: 'manual',
    });
    expect(unknownApp.status).toBe(400);
  });
});

describe('everything this file printed', () => {
  it('never shows the client secret or a token', () => {
    expect(printed.length).toBeGreaterThan(10);
    expect(tokens.length).toBeGreaterThan(2);
    const all = printed.join('\n');
    expect(all).not.toContain(CLIENT_SECRET);
    for (const token of tokens) expect(all).not.toContain(token);
  });
});
