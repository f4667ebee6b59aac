import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import type { ClientConfig } from 'pg';
import { ConfigurationError } from '../../http/index.js';

/**
 * libpq's `sslmode` values this destination understands (`allow` is not one: `pg` cannot retry a
 * refused plaintext connection over TLS).
 * - `disable`: no TLS.
 * - `prefer`: TLS without certificate checks when the server offers it, plaintext when it does not.
 * - `require`: TLS, no certificate checks (with `sslrootcert`: the chain is checked, as libpq does).
 * - `verify-ca`: TLS, the chain must lead to `sslrootcert` (or Node's trusted CAs); any host name.
 * - `verify-full`: as `verify-ca`, and the certificate must name the host.
 */
export type SslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

const SSL_MODES: readonly SslMode[] = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'];
const DEFAULT_PORT = 5432;
/** Without a limit, `pg` waits as long as the operating system does (minutes) for a silent host. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

/** Where and how to connect, as `parsePostgresUri` returns it. Never printed whole: it may hold a password. */
export interface PostgresConnectionConfig {
  /** Host name, IP address, or the directory of a Unix socket (starts with `/`). */
  host: string;
  port: number;
  database: string;
  /** Default: as `pg` does (`PGUSER`, else the operating-system user). */
  user?: string;
  password?: string;
  /** Default: as `pg` does (`PGSSLMODE`, else no TLS). */
  sslMode?: SslMode;
  /** Paths of PEM files: the CA to trust, the client certificate and its key. */
  sslRootCert?: string;
  sslCert?: string;
  sslKey?: string;
  /** How long to wait for a connection; default 10 seconds. */
  connectTimeoutSeconds?: number;
  applicationName?: string;
}

/** Query parameters of a URI, by the libpq names it uses. */
const PARAMETERS = [
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'connect_timeout',
  'application_name',
  'host',
  'port',
] as const;
type Parameter = (typeof PARAMETERS)[number];

function uriError(problem: string): ConfigurationError {
  return new ConfigurationError(`The PostgreSQL URI ${problem}.`);
}

/** Percent-decodes one part of the URI; `part` names it in the error (never the value: it may be a password). */
function decode(value: string, part: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw uriError(`has invalid percent-encoding in the ${part}`);
  }
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65_535) {
    throw uriError(`has an invalid port ${JSON.stringify(text)}; use a number from 1 to 65535`);
  }
  return Number(text);
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`, percent-decoded. */
function parseHostPort(text: string): { host: string; port: string | undefined } {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed !== null) return { host: bracketed[1] as string, port: bracketed[2] };
  if (text.includes(',')) throw uriError('names several hosts, which this destination does not support');
  const colon = text.lastIndexOf(':');
  if (colon === -1) return { host: decode(text, 'host'), port: undefined };
  return { host: decode(text.slice(0, colon), 'host'), port: text.slice(colon + 1) };
}

/**
 * Parses `postgresql://user:password@host:5432/database?sslmode=require` (or `postgres://…`) into
 * a connection config, validating every part. User, password and database are percent-decoded
 * (`p%40ss` is `p@ss`); an IPv6 host goes in brackets. Supported parameters: `sslmode`,
 * `sslrootcert`, `sslcert`, `sslkey`, `connect_timeout` (seconds), `application_name`, and `host`
 * (e.g. a Unix socket directory) and `port`. Throws a `ConfigurationError` whose message is one
 * sentence saying what is wrong, never quoting the password.
 */
export function parsePostgresUri(uri: string): PostgresConnectionConfig {
  if (typeof uri !== 'string' || uri.trim() === '') throw uriError('is empty');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri);
  if (scheme === null) {
    throw uriError('must start with postgresql:// or postgres://, e.g. postgresql://user@localhost:5432/db');
  }
  const name = (scheme[1] as string).toLowerCase();
  if (name !== 'postgresql' && name !== 'postgres') {
    throw uriError(`must start with postgresql:// or postgres://, not ${name}://`);
  }
  let rest = uri.slice(scheme[0].length);
  if (rest.includes('#')) throw uriError('must not contain a fragment (#…); percent-encode # as %23');
  let query = '';
  const questionMark = rest.indexOf('?');
  if (questionMark !== -1) {
    query = rest.slice(questionMark + 1);
    rest = rest.slice(0, questionMark);
  }
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash + 1);

  const at = authority.lastIndexOf('@');
  const userInfo = at === -1 ? undefined : authority.slice(0, at);
  const { host: uriHost, port: uriPort } = parseHostPort(at === -1 ? authority : authority.slice(at + 1));

  const config: PostgresConnectionConfig = { host: uriHost, port: DEFAULT_PORT, database: '' };
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    const user = decode(colon === -1 ? userInfo : userInfo.slice(0, colon), 'user name');
    if (user !== '') config.user = user;
    if (colon !== -1) config.password = decode(userInfo.slice(colon + 1), 'password');
  }
  if (uriPort !== undefined && uriPort !== '') config.port = parsePort(uriPort);

  const parameters = new Map<Parameter, string>();
  for (const pair of query === '' ? [] : query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decode(equals === -1 ? pair : pair.slice(0, equals), 'parameters');
    const value = decode(equals === -1 ? '' : pair.slice(equals + 1), 'parameters');
    if (!(PARAMETERS as readonly string[]).includes(key)) {
      throw uriError(
        `has an unsupported parameter ${JSON.stringify(key)}; supported are ${PARAMETERS.join(', ')}`,
      );
    }
    parameters.set(key as Parameter, value);
  }
  applyParameters(config, parameters);

  if (config.host === '') {
    throw uriError('names no host; use for example postgresql://user@localhost:5432/intercom');
  }
  if (path.includes('/')) throw uriError('has a path with more than a database name');
  const database = decode(path, 'database name');
  if (database === '') {
    throw uriError(
      'names no database; add it after the host, e.g. postgresql://user@localhost:5432/intercom',
    );
  }
  if (database.includes('\u0000') || (config.user ?? '').includes('\u0000')) {
    throw uriError('contains a NUL character');
  }
  config.database = database;
  return config;
}

function applyParameters(config: PostgresConnectionConfig, parameters: ReadonlyMap<Parameter, string>): void {
  const host = parameters.get('host');
  if (host !== undefined && host !== '') config.host = host;
  const port = parameters.get('port');
  if (port !== undefined && port !== '') config.port = parsePort(port);
  const sslMode = parameters.get('sslmode');
  if (sslMode !== undefined) {
    if (!(SSL_MODES as readonly string[]).includes(sslMode)) {
      throw uriError(
        `has an invalid sslmode ${JSON.stringify(sslMode)}; use disable, prefer, require, verify-ca or verify-full`,
      );
    }
    config.sslMode = sslMode as SslMode;
  }
  const files = { sslrootcert: 'sslRootCert', sslcert: 'sslCert', sslkey: 'sslKey' } as const;
  for (const [parameter, field] of Object.entries(files)) {
    const value = parameters.get(parameter as Parameter);
    if (value !== undefined && value !== '') config[field] = value;
  }
  if ((config.sslCert === undefined) !== (config.sslKey === undefined)) {
    throw uriError('needs sslcert and sslkey together');
  }
  const timeout = parameters.get('connect_timeout');
  if (timeout !== undefined) {
    if (!/^\d{1,6}$/.test(timeout)) {
      throw uriError(
        `has an invalid connect_timeout ${JSON.stringify(timeout)}; use a whole number of seconds`,
      );
    }
    // libpq: 0 means wait forever (and 1 means 2); `pg` cannot wait forever on a silent host either.
    config.connectTimeoutSeconds = Number(timeout) === 0 ? 0 : Math.max(2, Number(timeout));
  }
  const applicationName = parameters.get('application_name');
  if (applicationName !== undefined) config.applicationName = applicationName;
}

/** A host as it appears in a URI: IPv6 addresses in brackets, socket directories percent-encoded. */
function uriHost(host: string): string {
  if (host.includes(':')) return `[${host}]`;
  return host.startsWith('/') ? encodeURIComponent(host) : host;
}

/** `postgresql://user@host:port/database`: the destination's description, never with the password. */
export function describeConnection(config: PostgresConnectionConfig): string {
  const user = config.user === undefined ? '' : `${encodeURIComponent(config.user)}@`;
  return `postgresql://${user}${uriHost(config.host)}:${config.port}/${encodeURIComponent(config.database)}`;
}

/** The certificate files of `config`, read. */
export interface SslFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * `pg`'s `ssl` option for an sslmode (see `SslMode`): `undefined` leaves the choice to `pg`, `false`
 * is plaintext, an object is TLS with Node's `tls.connect` options. For `prefer` this is the TLS
 * attempt; the destination falls back to plaintext when the server refuses TLS.
 */
export function sslOptions(
  mode: SslMode | undefined,
  files: SslFiles = {},
): false | ConnectionOptions | undefined {
  if (mode === undefined) {
    // Certificates without a mode: use them, with pg's default (full) verification.
    return files.ca === undefined && files.cert === undefined ? undefined : { ...files };
  }
  switch (mode) {
    case 'disable':
      return false;
    case 'prefer':
      return { ...files, rejectUnauthorized: false };
    case 'require':
      // libpq: with a root certificate, require checks the chain like verify-ca.
      return files.ca === undefined
        ? { ...files, rejectUnauthorized: false }
        : { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-ca':
      return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...files, rejectUnauthorized: true };
  }
}

async function readSslFile(path: string | undefined, parameter: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigurationError(`Cannot read the ${parameter} file ${path} (${code}).`);
  }
}

/** The certificate files `config` names, read (missing ones left out). */
export async function readSslFiles(config: PostgresConnectionConfig): Promise<SslFiles> {
  const [ca, cert, key] = await Promise.all([
    readSslFile(config.sslRootCert, 'sslrootcert'),
    readSslFile(config.sslCert, 'sslcert'),
    readSslFile(config.sslKey, 'sslkey'),
  ]);
  const files: SslFiles = {};
  if (ca !== undefined) files.ca = ca;
  if (cert !== undefined) files.cert = cert;
  if (key !== undefined) files.key = key;
  return files;
}

/**
 * The `pg` client configuration for `config` with the given `ssl` choice. The password is handed
 * over as a function, so that it never shows in an inspected pool or client configuration.
 */
export function pgClientConfig(
  config: PostgresConnectionConfig,
  ssl: false | ConnectionOptions | undefined,
): ClientConfig {
  const { password } = config;
  const timeout = config.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
  const client: ClientConfig = {
    host: config.host,
    port: config.port,
    database: config.database,
    keepAlive: true,
    connectionTimeoutMillis: timeout * 1000,
    fallback_application_name: 'intercom-sync',
  };
  if (config.user !== undefined) client.user = config.user;
  if (password !== undefined) client.password = () => password;
  if (ssl !== undefined) client.ssl = ssl;
  if (config.applicationName !== undefined) client.application_name = config.applicationName;
  return client;
}
