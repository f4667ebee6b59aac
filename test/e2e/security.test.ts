import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { POSTGRES_TEST_URI, postgresUnavailable } from '../destinations/postgres-harness.js';
import { BUILT_CLI } from './cli-helpers.js';

/**
 * Secrets: every command and mode of the built CLI runs with marker secrets (an access token, an
 * OAuth client secret, a PostgreSQL password in the URI); then stdout, stderr, protocol messages,
 * every file the runs wrote and every table (state included) are scanned for them. Also: TLS
 * certificates are always checked, plain http is refused for hosts other than loopback, and files
 * that hold a secret are owner-only.
 */

const TOKEN = 'tok_SECURITY_MARKER_91f3a7c2e5';
const CLIENT_ID = 'app_security_client_1';
const CLIENT_SECRET = 'sec_SECURITY_MARKER_5b8e0d44';
const PG_PASSWORD = 'pw_SECURITY_MARKER_77d1c9';
const MARKERS = [TOKEN, CLIENT_SECRET, PG_PASSWORD];
const exec = promisify(execFile);

const pgUnavailable = await postgresUnavailable();

let sim: RunningSimulator;
let work: string;
let configDir: string;
const outputs: Array<{ what: string; text: string }> = [];
const commandsRun: string[] = [];
/** Tokens the simulator's OAuth issued to logins of this file: secrets too. */
const issuedTokens: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    scale: 'tiny',
    seed: 61,
    token: TOKEN,
    counts: { contacts: 30, companies: 8, conversations: 10 },
    oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
  });
  work = await mkdtemp(join(tmpdir(), 'intercom-sync-security-'));
  configDir = join(work, 'config', 'intercom-sync');
});
afterAll(async () => {
  await sim?.close();
  await rm(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI in `work`, with only the environment given (plus PATH/HOME). When the run
 * prints an authorisation URL, a browser is played: the redirect is followed to the callback.
 */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  commandsRun.push(args.slice(0, 2).join(' '));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: work, INTERCOM_SYNC_CONFIG_DIR: configDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let browsed = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      const url = /^(http:\/\/\S+\/oauth\?\S+)$/m.exec(stderr)?.[1];
      if (url && !browsed) {
        browsed = true;
        void fetch(url, { redirect: 'follow' })
          .then(async (res) => outputs.push({ what: 'oauth callback page', text: await res.text() }))
          .catch(() => undefined);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      outputs.push(
        { what: `stdout of ${args.join(' ')}`, text: stdout },
        { what: `stderr of ${args.join(' ')}`, text: stderr },
      );
      resolve({ code, stdout, stderr });
    });
  });
}

async function writeJson(name: string, value: unknown): Promise<string> {
  const path = join(work, name);
  await writeFile(path, JSON.stringify(value), { mode: 0o600 });
  return path;
}

/** Every file under `folder`, as text (binary files too: a secret written raw would show). */
async function filesUnder(folder: string): Promise<Array<{ path: string; text: string }>> {
  const found: Array<{ path: string; text: string }> = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    found.push({ path, text: (await readFile(path)).toString('latin1') });
  }
  return found;
}

/** Every row of every table of a DuckDB file, as JSON text. */
async function duckDbText(path: string): Promise<string> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const tables = (
      await connection.runAndReadAll(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'",
      )
    ).getRowObjectsJS();
    let text = '';
    for (const t of tables) {
      const rows = await connection.runAndReadAll(
        `SELECT * FROM "${String(t.table_schema)}"."${String(t.table_name)}"`,
      );
      text += JSON.stringify(rows.getRowObjectsJson());
    }
    connection.closeSync();
    return text;
  } finally {
    instance.closeSync();
  }
}

/** Every row of every parquet file under `folder`, as JSON text. */
async function parquetText(folder: string): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    let text = '';
    for (const file of await filesUnder(folder))
      if (file.path.endsWith('.parquet'))
        text += JSON.stringify(
          (
            await connection.runAndReadAll(`SELECT * FROM read_parquet('${file.path.replaceAll("'", "''")}')`)
          ).getRowObjectsJson(),
        );
    connection.closeSync();
    return text;
  } finally {
    instance.closeSync();
  }
}

const expectNoMarker = (what: string, text: string) => {
  for (const marker of [...MARKERS, ...issuedTokens])
    expect(text.includes(marker), `${what} holds ${marker}`).toBe(false);
};

describe('every command and mode with marker secrets', () => {
  it('runs them all: sync to each destination, check, streams, demo, airbyte, singer, auth, error paths', async () => {
    const base = ['--base-url', sim.url];
    const some = ['--streams', 'admins,contacts,conversations,conversation_parts'];
    const tokenEnv = { INTERCOM_ACCESS_TOKEN: TOKEN };

    // sync to each destination, with the token by flag, environment, ingestr URI and connections file.
    expect(
      (await cli(['sync', '--access-token', TOKEN, ...base, ...some, '--dest-uri', 'duckdb:///flag.duckdb']))
        .code,
    ).toBe(0);
    expect(
      (
        await cli(
          ['sync', ...base, ...some, '--dest-uri', 'duckdb:///env.duckdb', '--log-format', 'json'],
          tokenEnv,
        )
      ).code,
    ).toBe(0);
    expect(
      (await cli(['sync', ...base, ...some, '--dest-uri', 'parquet:///lake-parquet'], tokenEnv)).code,
    ).toBe(0);
    expect((await cli(['sync', ...base, ...some, '--dest-uri', 'jsonl:///lake-jsonl'], tokenEnv)).code).toBe(
      0,
    );
    const uri = `intercom://?access_token=${TOKEN}&base_url=${encodeURIComponent(sim.url)}`;
    expect(
      (
        await cli([
          'sync',
          '--source-uri',
          uri,
          '--source-table',
          'contacts',
          '--dest-uri',
          'duckdb:///uri.duckdb',
        ])
      ).code,
    ).toBe(0);
    const connections = join(work, 'connections.yml');
    await writeFile(
      connections,
      `connections:\n  intercom:\n    - name: main\n      access_token: "${TOKEN}"\n      base_url: "${sim.url}"\n`,
      { mode: 0o644 },
    );
    await chmod(connections, 0o644);
    const loose = await cli([
      'sync',
      '--connections',
      connections,
      '--connection',
      'main',
      '--streams',
      'admins',
      '--dest-uri',
      'duckdb:///conn.duckdb',
    ]);
    expect(loose.code).toBe(0);
    expect(loose.stderr).toContain(`${connections} is readable by other users`);
    expect(loose.stderr).toContain(`chmod 600 ${connections}`);
    if (pgUnavailable === undefined) {
      const pgUri = POSTGRES_TEST_URI.replace(
        'postgresql://postgres@',
        `postgresql://postgres:${PG_PASSWORD}@`,
      );
      const toPg = await cli(
        ['sync', ...base, ...some, '--dest-uri', pgUri, '--dest-schema', `security_${process.pid}`],
        tokenEnv,
      );
      expect(toPg.code, toPg.stderr).toBe(0);
      // An unreachable server: the error names host and port, never the password.
      const down = await cli(
        ['sync', ...base, '--streams', 'admins', '--dest-uri', `postgresql://u:${PG_PASSWORD}@127.0.0.1:1/x`],
        tokenEnv,
      );
      expect(down.code).not.toBe(0);
    }

    // check, streams, demo.
    expect((await cli(['check', ...base], tokenEnv)).code).toBe(0);
    expect((await cli(['streams'], tokenEnv)).code).toBe(0);
    expect(
      (await cli(['demo', '--scale', 'tiny', '--dest-uri', 'duckdb:///demo.duckdb'], tokenEnv)).code,
    ).toBe(0);

    // Airbyte: spec, check, discover, read (records, state and log messages on stdout).
    const config = await writeJson('airbyte.json', {
      access_token: TOKEN,
      base_url: sim.url,
      start_date: '2020-01-01T00:00:00Z',
    });
    expect((await cli(['airbyte', 'spec'])).code).toBe(0);
    expect((await cli(['airbyte', 'check', '--config', config])).code).toBe(0);
    const discover = await cli(['airbyte', 'discover', '--config', config]);
    expect(discover.code).toBe(0);
    const catalog = (
      JSON.parse(discover.stdout.trim().split('\n').at(-1) ?? '{}') as {
        catalog: { streams: Array<{ name: string }> };
      }
    ).catalog;
    const configured = await writeJson('configured.json', {
      streams: catalog.streams
        .filter((s) => ['admins', 'contacts'].includes(s.name))
        .map((stream) => ({ stream, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })),
    });
    const read = await cli(['airbyte', 'read', '--config', config, '--catalog', configured]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toContain('"type":"RECORD"');
    const badConfig = await writeJson('airbyte-bad.json', { access_token: `${TOKEN}x`, base_url: sim.url });
    const badCheck = await cli(['airbyte', 'check', '--config', badConfig]);
    expect(badCheck.stdout).toContain('FAILED');

    // Singer: discover, then a sync (records and STATE messages on stdout).
    const singerConfig = await writeJson('singer.json', { access_token: TOKEN, base_url: sim.url });
    expect((await cli(['singer', '--config', singerConfig, '--discover'])).code).toBe(0);
    const singer = await cli(['singer', '--config', singerConfig]);
    expect(singer.code, singer.stderr).toBe(0);
    expect(singer.stdout).toContain('"type":"STATE"');

    // OAuth: login (client secret by flag, then by environment), status, a wrong secret, logout.
    const login = ['auth', 'login', '--no-browser', '--client-id', CLIENT_ID, ...base];
    expect((await cli([...login, '--client-secret', CLIENT_SECRET])).code).toBe(0);
    const credentials = join(configDir, 'credentials.json');
    expect((await stat(credentials)).mode & 0o777).toBe(0o600);
    expect((await stat(configDir)).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(credentials, 'utf8')) as { access_token: string };
    issuedTokens.push(stored.access_token);
    expect(await readFile(credentials, 'utf8')).not.toContain(CLIENT_SECRET);
    expect((await cli(['auth', 'status'])).code).toBe(0);
    expect((await cli(['sync', '--streams', 'admins', '--dest-uri', 'duckdb:///oauth.duckdb'])).code).toBe(0);
    expect((await cli(login, { INTERCOM_CLIENT_SECRET: CLIENT_SECRET })).code).toBe(0);
    issuedTokens.push(
      (JSON.parse(await readFile(credentials, 'utf8')) as { access_token: string }).access_token,
    );
    expect((await cli([...login, '--client-secret', `${CLIENT_SECRET}-wrong`])).code).toBe(2);
    expect((await cli(['auth', 'logout'])).code).toBe(0);

    // Error paths: a wrong token, a token in a malformed URI, an https base URL of a non-Intercom host.
    expect((await cli(['check', ...base], { INTERCOM_ACCESS_TOKEN: `${TOKEN}-revoked` })).code).toBe(2);
    expect((await cli(['sync', '--source-uri', `intercom:/?access_token=${TOKEN}&bogus=1`])).code).toBe(2);
    expect(
      (await cli(['sync', ...base, '--dest-uri', `mysql://root:${PG_PASSWORD}@h/db`], tokenEnv)).code,
    ).toBe(2);
    expect(commandsRun.length).toBeGreaterThan(25);
  }, 150_000);

  it('no output, protocol message, file or table holds a secret', async () => {
    expect(outputs.length).toBeGreaterThan(40);
    for (const { what, text } of outputs) expectNoMarker(what, text);
    const files = await filesUnder(work);
    for (const file of files) {
      // The configuration files the test itself wrote hold the secrets on purpose; so does the
      // credentials file, written by login and removed by logout.
      if (/\/(airbyte|airbyte-bad|singer|configured)\.json$|connections\.yml$/.test(file.path)) continue;
      expectNoMarker(file.path, file.text);
    }
    for (const db of files.filter((f) => f.path.endsWith('.duckdb')))
      expectNoMarker(`tables of ${db.path}`, await duckDbText(db.path));
    expectNoMarker('parquet lake', await parquetText(join(work, 'lake-parquet')));
    expect(files.some((f) => f.path.endsWith('_intercom_sync_state.json'))).toBe(true);
    if (pgUnavailable === undefined) {
      const client = new pg.Client({ connectionString: POSTGRES_TEST_URI });
      await client.connect();
      try {
        const schema = `security_${process.pid}`;
        const tables = await client.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
          [schema],
        );
        expect(tables.rows.map((r) => r.table_name)).toContain('_intercom_sync_state');
        for (const { table_name } of tables.rows) {
          const rows = await client.query(
            `SELECT row_to_json(t)::text AS j FROM "${schema}"."${table_name}" t`,
          );
          expectNoMarker(`${schema}.${table_name}`, rows.rows.map((r: { j: string }) => r.j).join('\n'));
        }
      } finally {
        await client.query(`DROP SCHEMA IF EXISTS "security_${process.pid}" CASCADE`).catch(() => undefined);
        await client.end();
      }
    }
  });
});

describe('TLS and plain http', () => {
  it('plain http to a host other than loopback is refused before any request, for every way to set it', async () => {
    const tokenEnv = { INTERCOM_ACCESS_TOKEN: TOKEN };
    for (const url of [
      'http://api.intercom.io',
      'http://10.1.2.3:8080',
      'http://[2001:db8::1]',
      'http://localhost.example.com',
    ]) {
      const run = await cli(['check', '--base-url', url], tokenEnv);
      expect(run.code, url).toBe(2);
      expect(run.stderr).toMatch(
        /Use https in baseUrl .*plain http is allowed only for localhost, 127\.0\.0\.0\/8 and ::1\./,
      );
    }
    const config = await writeJson('plain-http.json', {
      access_token: TOKEN,
      base_url: 'http://api.intercom.io',
    });
    expect((await cli(['singer', '--config', config, '--discover'])).code).toBe(2);
  });

  it('a certificate no trusted authority signed is refused, and no option or variable of ours turns the check off', async () => {
    // A self-signed certificate for 127.0.0.1, served over https on loopback.
    const key = join(work, 'tls.key');
    const cert = join(work, 'tls.crt');
    await mkdir(work, { recursive: true });
    await exec('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    let requests = 0;
    const server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) => {
      requests++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"type":"admin","id":"1","app":{"id_code":"x","name":"Fake"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await cli(['check', '--base-url', url, '--timeout-ms', '3000'], {
        INTERCOM_ACCESS_TOKEN: TOKEN,
      });
      expect(run.code).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`).toMatch(/certificate|self.signed|SELF_SIGNED/i);
      expect(requests).toBe(0);
      // No command offers a way around it.
      for (const command of [
        ['sync'],
        ['check'],
        ['auth', 'login'],
        ['singer'],
        ['airbyte', 'read'],
        ['demo'],
      ]) {
        const help = await cli([...command, '--help']);
        expect(help.stdout, command.join(' ')).not.toMatch(
          /insecure|no-verify|tls|reject-unauthori[sz]ed|skip-cert|ca-file/i,
        );
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});
