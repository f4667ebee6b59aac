import { ConfigurationError } from '../http/index.js';

/** Where rows go, parsed from `--dest-uri`. */
export type DestinationSpec = { kind: 'duckdb'; path: string };

/**
 * Parses a destination URI the way ingestr writes them (SQLAlchemy style): `duckdb:///file.duckdb`
 * is relative to the working directory, `duckdb:////abs/file.duckdb` absolute. A bare path to a
 * `.duckdb` file is accepted too.
 */
export function parseDestinationUri(uri: string): DestinationSpec {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(uri);
  if (!match) {
    if (/\.(duckdb|db)$/i.test(uri)) return { kind: 'duckdb', path: uri };
    throw new ConfigurationError(
      `--dest-uri "${uri}" is not a destination URI; use for example duckdb:///intercom.duckdb.`,
    );
  }
  const scheme = (match[1] as string).toLowerCase();
  const rest = match[2] as string;
  if (scheme === 'duckdb') {
    const path = rest.startsWith('/') ? rest.slice(1).split('?')[0] : '';
    if (!path)
      throw new ConfigurationError(
        '--dest-uri duckdb:/// needs a file name, e.g. duckdb:///intercom.duckdb (or duckdb:////abs/path.duckdb).',
      );
    return { kind: 'duckdb', path: decodeURIComponent(path) };
  }
  throw new ConfigurationError(`--dest-uri scheme "${scheme}" is not supported; use duckdb://.`);
}
