import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configDir,
  credentialsPath,
  isShared,
  loadCredentials,
  removeCredentials,
  saveCredentials,
} from '../../src/cli/credentials.js';
import { UsageError } from '../../src/cli/errors.js';
import {
  authorizationUrl,
  exchangeCode,
  LoginError,
  oauthEndpoints,
  stateMatches,
} from '../../src/cli/oauth-login.js';
import { resolveConnection } from '../../src/cli/sync-options.js';

let dir: string;
let server: Server;
let base: string;
const SECRET = 'sec_unit_MARKER_77aa';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-oauth-unit-'));
  // A token endpoint answering whatever the form's code asks for.
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => {
      text += d;
    });
    req.on('end', () => {
      const form = new URLSearchParams(text);
      const answers: Record<string, [number, string]> = {
        legacy: [200, JSON.stringify({ type: 'token', token: 'tok_legacy_0001' })],
        none: [200, JSON.stringify({ token_type: 'Bearer' })],
        oauth_error: [401, JSON.stringify({ error: 'invalid_client', error_description: `bad ${SECRET}` })],
        html: [502, '<html>Bad gateway</html>'],
        form: [
          200,
          JSON.stringify({ access_token: `${req.headers['content-type']}|${[...form.keys()].join(',')}` }),
        ],
      };
      const [status, body] = answers[form.get('code') ?? ''] ?? [500, '{}'];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('where credentials live', () => {
  it('INTERCOM_SYNC_CONFIG_DIR, then $XDG_CONFIG_HOME/intercom-sync, then ~/.config/intercom-sync', () => {
    expect(configDir({ INTERCOM_SYNC_CONFIG_DIR: '/x/y', XDG_CONFIG_HOME: '/xdg', HOME: '/h' })).toBe('/x/y');
    expect(configDir({ XDG_CONFIG_HOME: '/xdg', HOME: '/h' })).toBe('/xdg/intercom-sync');
    expect(configDir({ XDG_CONFIG_HOME: 'relative', HOME: '/h' })).toBe('/h/.config/intercom-sync');
    expect(credentialsPath({ HOME: '/h' })).toBe('/h/.config/intercom-sync/credentials.json');
  });

  it('saves 0600 in a 0700 directory (tightening an existing one), loads, refuses a damaged file, removes', async () => {
    const env = { INTERCOM_SYNC_CONFIG_DIR: join(dir, 'store', 'intercom-sync') };
    expect(loadCredentials(env)).toBeUndefined();
    const saved = { access_token: 'tok_a', region: 'eu', created_at: '2026-01-01T00:00:00.000Z' };
    const path = await saveCredentials(env, saved);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(isShared(path)).toBe(false);
    expect(loadCredentials(env)).toEqual(saved);
    await chmod(env.INTERCOM_SYNC_CONFIG_DIR, 0o755);
    await saveCredentials(env, { ...saved, base_url: 'http://127.0.0.1:1' });
    expect((await stat(env.INTERCOM_SYNC_CONFIG_DIR)).mode & 0o777).toBe(0o700);
    expect(loadCredentials(env)?.base_url).toBe('http://127.0.0.1:1');
    await writeFile(path, '{"access_token": 3}');
    expect(() => loadCredentials(env)).toThrow(/damaged; run intercom-sync auth logout/);
    expect(await removeCredentials(env)).toBe(true);
    expect(await removeCredentials(env)).toBe(false);
  });

  it('leaves an existing directory of the user’s choosing as it is (the file is 0600 anyway)', async () => {
    const own = join(dir, 'shared-dir');
    await mkdir(own, { mode: 0o755 });
    await chmod(own, 0o755);
    const path = await saveCredentials(
      { INTERCOM_SYNC_CONFIG_DIR: own },
      {
        access_token: 'tok_b',
        region: 'us',
        created_at: new Date().toISOString(),
      },
    );
    expect((await stat(own)).mode & 0o777).toBe(0o755);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('sync and check use the stored token (with its region and base URL) only when nothing else gives one', async () => {
    const env = { INTERCOM_SYNC_CONFIG_DIR: join(dir, 'resolve') };
    const warn = () => undefined;
    expect(() => resolveConnection({}, env, warn)).toThrow(/run intercom-sync auth login/);
    await saveCredentials(env, {
      access_token: 'tok_stored',
      region: 'eu',
      base_url: 'http://127.0.0.1:4010',
      created_at: new Date().toISOString(),
    });
    expect(resolveConnection({}, env, warn)).toEqual({
      accessToken: 'tok_stored',
      region: 'eu',
      baseUrl: 'http://127.0.0.1:4010',
    });
    expect(resolveConnection({ region: 'au' }, env, warn)).toMatchObject({
      accessToken: 'tok_stored',
      region: 'au',
    });
    expect(resolveConnection({}, { ...env, INTERCOM_ACCESS_TOKEN: 'tok_env' }, warn)).toEqual({
      accessToken: 'tok_env',
      region: 'us',
    });
    expect(resolveConnection({ accessToken: 'tok_flag' }, env, warn)).toEqual({
      accessToken: 'tok_flag',
      region: 'us',
    });
  });
});

describe('the OAuth flow’s pieces', () => {
  it('endpoints per region, or on the base URL', () => {
    expect(oauthEndpoints('us', undefined)).toEqual({
      authorizeUrl: 'https://app.intercom.com/oauth',
      tokenUrl: 'https://api.intercom.io/auth/eagle/token',
    });
    expect(oauthEndpoints('eu', undefined)).toEqual({
      authorizeUrl: 'https://app.eu.intercom.com/oauth',
      tokenUrl: 'https://api.eu.intercom.io/auth/eagle/token',
    });
    expect(oauthEndpoints('au', undefined).tokenUrl).toBe('https://api.au.intercom.io/auth/eagle/token');
    expect(oauthEndpoints('us', 'http://127.0.0.1:8080/')).toEqual({
      authorizeUrl: 'http://127.0.0.1:8080/oauth',
      tokenUrl: 'http://127.0.0.1:8080/auth/eagle/token',
    });
    expect(() => oauthEndpoints('us', 'http://example.com')).toThrow(/https/);
  });

  it('the authorisation URL carries client_id, state and redirect_uri; states compare exactly', () => {
    const url = new URL(
      authorizationUrl('https://app.intercom.com/oauth', 'abc', 's+/=', 'http://127.0.0.1:5/callback'),
    );
    expect(url.origin + url.pathname).toBe('https://app.intercom.com/oauth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'abc',
      state: 's+/=',
      redirect_uri: 'http://127.0.0.1:5/callback',
    });
    expect(stateMatches('abc', 'abc')).toBe(true);
    expect(stateMatches('abc', 'abd')).toBe(false);
    expect(stateMatches('abc', 'abcd')).toBe(false);
    expect(stateMatches('abc', null)).toBe(false);
  });

  it('the exchange posts a form, reads either token field, and classifies refusals without echoing secrets', async () => {
    const signal = new AbortController().signal;
    const exchange = (code: string) =>
      exchangeCode(`${base}/auth/eagle/token`, { code, clientId: 'id', clientSecret: SECRET }, signal);
    expect(await exchange('form')).toBe('application/x-www-form-urlencoded|code,client_id,client_secret');
    expect(await exchange('legacy')).toBe('tok_legacy_0001');
    await expect(exchange('none')).rejects.toThrow(LoginError);
    const refused = exchange('oauth_error');
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow('HTTP 401: invalid_client: bad [REDACTED]');
    await expect(exchange('html')).rejects.toThrow(/answered HTTP 502; nothing was stored/);
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const closed = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/auth/eagle/token`;
    await new Promise((resolve) => gone.close(resolve));
    await expect(
      exchangeCode(closed, { code: 'x', clientId: 'i', clientSecret: SECRET }, signal),
    ).rejects.toThrow(/Cannot reach the token endpoint .* \(ECONNREFUSED\)/);
  });
});
