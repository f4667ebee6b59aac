import type { WriteMode } from '../destinations/destination.js';
import { isLayoutName, LAYOUT_NAMES, type LayoutName } from '../destinations/layouts/index.js';
import { type DestinationSpec, parseDestinationUri } from '../destinations/uri.js';
import { RECONCILABLE_STREAMS } from '../engine/reconcile.js';
import { DEFAULT_TUNING, type SyncPlan, type SyncTuning } from '../engine/sync.js';
import { ConfigurationError, isIntercomRegion } from '../http/index.js';
import { DEFAULT_STREAMS, findStream, STREAMS } from '../streams/index.js';
import { type IntercomConnection, parseSourceUri, readConnectionsFile } from './connection.js';
import { loadCredentials } from './credentials.js';
import { UsageError } from './errors.js';

/** The flags `sync` (and `check`) accept, as commander hands them over. */
export interface SyncFlags {
  accessToken?: string;
  region?: string;
  baseUrl?: string;
  sourceUri?: string;
  connections?: string;
  connection?: string;
  streams?: string;
  sourceTable?: string;
  destUri?: string;
  destSchema?: string;
  destTable?: string;
  startDate?: string;
  lookbackDays?: string;
  fullRefresh?: boolean;
  intervalStart?: string;
  intervalEnd?: string;
  writeMode?: string;
  apiVersion?: string;
  pinVersion?: string;
  maxRequestsPerMinute?: string;
  concurrency?: string;
  timeoutMs?: string;
  logFormat?: string;
  hardDeletes?: boolean;
  softDeletes?: boolean;
  reconcile?: boolean;
  format?: string;
  layout?: string;
}

export interface ResolvedSync {
  connection: IntercomConnection;
  destination: DestinationSpec;
  schema: string;
  plan: SyncPlan;
  tuning: SyncTuning;
  version: string;
  maxRequestsPerMinute: number | undefined;
  /** Requests in flight at most (1 = sequential, as other connectors work). */
  maxInFlight: number;
  timeoutMs: number;
  logFormat: 'text' | 'json';
  /** Warehouse layout derived after the streams commit (`--layout fivetran`). */
  layout?: LayoutName;
}

export const DEFAULT_START_DATE = '2010-01-01T00:00:00Z';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses an ISO 8601 date or date-time (UTC unless it says otherwise) into Unix seconds. */
export function parseDate(value: string, flag: string): number {
  const text = value.trim();
  if (!ISO_DATE.test(text))
    throw new UsageError(
      `${flag} must be an ISO 8601 date such as 2024-01-31 or 2024-01-31T12:00:00Z, got "${value}".`,
    );
  const withZone = /T|\s/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(withZone.replace(' ', 'T'));
  if (Number.isNaN(ms)) throw new UsageError(`${flag} is not a real date: "${value}".`);
  return Math.floor(ms / 1000);
}

function number(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`${flag} must be a number from ${min} to ${max}, got "${value}".`);
  return n;
}

function streamList(text: string, flag: string): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError(`${flag} names no stream.`);
  for (const name of names) {
    if (!findStream(name))
      throw new UsageError(
        `Unknown stream "${name}" in ${flag}; known streams: ${STREAMS.map((s) => s.name).join(', ')}.`,
      );
  }
  return [...new Set(names)];
}

/**
 * Resolves where the token comes from: flags, then ingestr's URI, then a Bruin connection, then the
 * environment, then the token `auth login` stored.
 */
export function resolveConnection(
  flags: SyncFlags,
  env: NodeJS.ProcessEnv,
  warn: (m: string) => void,
): IntercomConnection {
  const fromUri = flags.sourceUri ? parseSourceUri(flags.sourceUri) : {};
  if (flags.connections && !flags.connection)
    throw new UsageError('--connections needs --connection NAME to say which connection to use.');
  if (flags.connection && !flags.connections)
    throw new UsageError('--connection needs --connections FILE (a connections.yml).');
  const fromFile =
    flags.connections && flags.connection
      ? readConnectionsFile(flags.connections, flags.connection, env, warn)
      : undefined;
  const given =
    flags.accessToken ?? fromUri.accessToken ?? fromFile?.accessToken ?? env.INTERCOM_ACCESS_TOKEN;
  // Last: the token `intercom-sync auth login` stored, with the region or base URL it is for.
  const stored = given === undefined ? loadCredentials(env) : undefined;
  const accessToken = given ?? stored?.access_token;
  if (!accessToken || accessToken.trim() === '') {
    throw new UsageError(
      'No Intercom access token: pass --access-token, set INTERCOM_ACCESS_TOKEN, use --source-uri / --connections, or run intercom-sync auth login.',
    );
  }
  const region =
    flags.region ?? fromUri.region ?? fromFile?.region ?? env.INTERCOM_REGION ?? stored?.region ?? 'us';
  if (!isIntercomRegion(region)) throw new UsageError(`--region must be us, eu or au, got "${region}".`);
  const baseUrl = flags.baseUrl ?? fromUri.baseUrl ?? fromFile?.baseUrl ?? stored?.base_url;
  return { accessToken: accessToken.trim(), region, ...(baseUrl ? { baseUrl } : {}) };
}

export function resolveSync(
  flags: SyncFlags,
  env: NodeJS.ProcessEnv,
  warn: (m: string) => void,
): ResolvedSync {
  const connection = resolveConnection(flags, env, warn);
  if (flags.streams && flags.sourceTable)
    throw new UsageError('Use either --streams or --source-table, not both.');
  const streams = flags.streams
    ? streamList(flags.streams, '--streams')
    : flags.sourceTable
      ? streamList(flags.sourceTable, '--source-table')
      : [...DEFAULT_STREAMS];

  let destination: DestinationSpec;
  try {
    destination = parseDestinationUri(flags.destUri ?? 'duckdb:///intercom.duckdb', flags.format);
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(error.message);
    throw error;
  }
  let layout: LayoutName | undefined;
  if (flags.layout !== undefined) {
    if (!isLayoutName(flags.layout))
      throw new UsageError(`--layout must be one of ${LAYOUT_NAMES.join(', ')}, got "${flags.layout}".`);
    if (destination.kind === 'files')
      throw new UsageError(
        `--layout ${flags.layout} needs a DuckDB or PostgreSQL destination: the file destination cannot maintain history tables.`,
      );
    if (flags.destTable)
      throw new UsageError(
        `--layout reads the streams' own tables, so it cannot be combined with --dest-table.`,
      );
    layout = flags.layout;
  }
  let schema = flags.destSchema ?? 'intercom';
  const tables: Record<string, string> = {};
  if (flags.destTable) {
    if (streams.length !== 1)
      throw new UsageError(
        '--dest-table names one table, so select exactly one stream with --streams or --source-table.',
      );
    const parts = flags.destTable.split('.');
    if (parts.length > 2 || parts.some((p) => p.trim() === ''))
      throw new UsageError(`--dest-table must be "table" or "schema.table", got "${flags.destTable}".`);
    if (parts.length === 2) schema = parts[0] as string;
    tables[streams[0] as string] = parts.at(-1) as string;
  }
  if (!/^[^\s"]{1,63}$/.test(schema))
    throw new UsageError(
      `--dest-schema must be 1 to 63 characters without spaces or quotes, got "${schema}".`,
    );

  const startDate = parseDate(flags.startDate ?? DEFAULT_START_DATE, '--start-date');
  const lookbackDays = number(flags.lookbackDays, '--lookback-days', 0, 3650) ?? 0;
  const intervalStart = flags.intervalStart ? parseDate(flags.intervalStart, '--interval-start') : undefined;
  const intervalEnd = flags.intervalEnd ? parseDate(flags.intervalEnd, '--interval-end') : undefined;
  if (intervalStart !== undefined && intervalEnd !== undefined && intervalEnd <= intervalStart)
    throw new UsageError('--interval-end must be after --interval-start.');

  let modes: Record<string, WriteMode> | undefined;
  if (flags.writeMode) {
    if (!['replace', 'append', 'merge'].includes(flags.writeMode))
      throw new UsageError(`--write-mode must be replace, append or merge, got "${flags.writeMode}".`);
    modes = Object.fromEntries(streams.map((s) => [s, flags.writeMode as WriteMode]));
  }

  if (flags.reconcile === true && !streams.some((s) => RECONCILABLE_STREAMS.includes(s)))
    throw new UsageError(
      `--reconcile compares the ids of ${RECONCILABLE_STREAMS.join(' and ')}: select at least one of them.`,
    );

  const version = flags.apiVersion ?? '2.14';
  const versionPattern = /^(\d{1,2}\.\d{1,2}|Preview|Unstable)$/;
  if (!versionPattern.test(version))
    throw new UsageError(`--api-version must look like 2.14, got "${version}".`);
  const versions: Record<string, string> = {};
  for (const pin of (flags.pinVersion ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [stream, v] = pin.split('=').map((x) => x.trim());
    if (!stream || !v || !versionPattern.test(v))
      throw new UsageError(
        `--pin-version takes stream=version pairs such as conversations=2.11, got "${pin}".`,
      );
    if (!findStream(stream)) throw new UsageError(`Unknown stream "${stream}" in --pin-version.`);
    versions[stream] = v;
  }

  const maxRequestsPerMinute = number(flags.maxRequestsPerMinute, '--max-requests-per-minute', 6, 1_000_000);
  const concurrency = number(flags.concurrency, '--concurrency', 1, 256);
  const timeoutMs = number(flags.timeoutMs, '--timeout-ms', 100, 600_000) ?? 30_000;
  const logFormat = flags.logFormat ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json')
    throw new UsageError(`--log-format must be text or json, got "${logFormat}".`);

  const tuning: SyncTuning =
    concurrency === 1
      ? { ...DEFAULT_TUNING, maxSlices: 1, childConcurrency: 1 }
      : concurrency
        ? { ...DEFAULT_TUNING, childConcurrency: Math.max(1, concurrency) }
        : DEFAULT_TUNING;
  return {
    connection,
    destination,
    schema,
    plan: {
      streams,
      startDate,
      lookbackSeconds: lookbackDays * 86_400,
      fullRefresh: flags.fullRefresh === true,
      hardDeletes: flags.hardDeletes === true,
      softDeletes: flags.softDeletes === true,
      reconcile: flags.reconcile === true,
      ...(intervalStart === undefined ? {} : { intervalStart }),
      ...(intervalEnd === undefined ? {} : { intervalEnd }),
      ...(modes ? { modes } : {}),
      tables,
      versions,
    },
    tuning,
    version,
    maxRequestsPerMinute,
    maxInFlight: concurrency ?? 64,
    timeoutMs,
    logFormat,
    ...(layout === undefined ? {} : { layout }),
  };
}
