import { ConfigurationError } from '../http/index.js';
import { parsePostgresUri } from './postgres/connection-config.js';

/** Where rows go, parsed from `--dest-uri`. */
export type DestinationSpec =
  | { kind: 'duckdb'; path: string }
  | { kind: 'postgres'; uri: string }
  | { kind: 'files'; root: string; format: 'parquet' | 'jsonl'; gzip: boolean };

/** The path of a `scheme:///path` URI: three slashes relative, four absolute (SQLAlchemy's rule). */
function pathOf(rest: string, example: string): string {
  const path = rest.startsWith('/') ? (rest.slice(1).split('?')[0] ?? '') : '';
  if (!path) throw new ConfigurationError(`--dest-uri needs a path, e.g. ${example}.`);
  try {
    return decodeURIComponent(path);
  } catch {
    throw new ConfigurationError(`--dest-uri has a malformed percent-escape in its path; write % as %25.`);
  }
}

/**
 * Parses a destination URI the way ingestr writes them:
 * `duckdb:///file.duckdb` (relative to the working directory; `duckdb:////abs/file.duckdb` absolute),
 * `postgresql://user:pass@host:5432/db?sslmode=require` (or `postgres://`),
 * `parquet:///dir`, `jsonl:///dir` (`?gzip=true`), or `file:///dir` with a format (`--format`).
 * A bare path to a `.duckdb` file is accepted too.
 */
export function parseDestinationUri(uri: string, format?: string): DestinationSpec {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(uri);
  if (!match) {
    if (/\.(duckdb|db)$/i.test(uri)) return { kind: 'duckdb', path: uri };
    throw new ConfigurationError(
      `--dest-uri "${uri}" is not a destination URI; use for example duckdb:///intercom.duckdb.`,
    );
  }
  const scheme = (match[1] as string).toLowerCase();
  const rest = match[2] as string;
  const query = new URLSearchParams(rest.includes('?') ? rest.slice(rest.indexOf('?') + 1) : '');
  const gzip = query.get('gzip') === 'true' || query.get('compression') === 'gzip';
  switch (scheme) {
    case 'duckdb':
      return {
        kind: 'duckdb',
        path: pathOf(rest, 'duckdb:///intercom.duckdb (or duckdb:////abs/path.duckdb)'),
      };
    case 'postgresql':
    case 'postgres':
      parsePostgresUri(uri);
      return { kind: 'postgres', uri };
    case 'parquet':
      return {
        kind: 'files',
        root: pathOf(rest, 'parquet:///lake/intercom'),
        format: 'parquet',
        gzip: false,
      };
    case 'jsonl':
      return { kind: 'files', root: pathOf(rest, 'jsonl:///lake/intercom'), format: 'jsonl', gzip };
    case 'file': {
      const chosen = format ?? query.get('format') ?? undefined;
      if (chosen !== 'parquet' && chosen !== 'jsonl')
        throw new ConfigurationError('--dest-uri file:/// needs --format parquet or --format jsonl.');
      return {
        kind: 'files',
        root: pathOf(rest, 'file:///lake/intercom'),
        format: chosen,
        gzip: chosen === 'jsonl' && gzip,
      };
    }
    default:
      throw new ConfigurationError(
        `--dest-uri scheme "${scheme}" is not supported; use duckdb://, postgresql://, parquet://, jsonl:// or file://.`,
      );
  }
}
