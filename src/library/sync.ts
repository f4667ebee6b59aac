import type { Destination, WriteMode } from '../destinations/destination.js';
import {
  isLayoutName,
  LAYOUT_NAMES,
  type LayoutName,
  type LayoutReport,
  supportsLayouts,
} from '../destinations/layouts/index.js';
import {
  DEFAULT_TUNING,
  type ProgressEvent,
  runSync,
  type SyncResult,
  type SyncTuning,
} from '../engine/sync.js';
import { ConfigurationError } from '../http/index.js';
import { DEFAULT_STREAMS, findStream, STREAMS } from '../streams/index.js';
import type { Client } from './client.js';
import type { StreamName } from './records.js';

/** Where a first sync starts when no `startDate` is given (as the CLI's `--start-date`). */
const DEFAULT_START_DATE = new Date('2010-01-01T00:00:00Z');

export interface SyncOptions {
  client: Client;
  /** Where rows and state go: `createDuckDbDestination(…)`, or your own `Destination`. */
  destination: Destination;
  /** Default: every stream but `users` and `leads` (which repeat `contacts` by role). */
  streams?: readonly StreamName[];
  /** Where a first sync (or a full refresh) starts. Default 2010-01-01. */
  startDate?: Date;
  /** Re-read this many days before each stream's saved cursor. Default 0. */
  lookbackDays?: number;
  /** Ignore saved state and rebuild the selected tables. */
  fullRefresh?: boolean;
  /** A bounded backfill that ignores saved state. */
  intervalStart?: Date;
  intervalEnd?: Date;
  /** Write mode per stream, overriding its default (`replace` for full tables, `merge` otherwise). */
  modes?: Partial<Record<StreamName, WriteMode>>;
  /** Table name per stream (default: the stream's name). */
  tables?: Partial<Record<StreamName, string>>;
  /** `Intercom-Version` per stream, overriding the stream's pin and the client's version. */
  versions?: Partial<Record<StreamName, string>>;
  /** Remove deleted conversations (and their parts) instead of setting `_deleted_at`. */
  hardDeletes?: boolean;
  /** Replace mode keeps rows that disappeared from Intercom, with `_deleted_at` set. */
  softDeletes?: boolean;
  /** After the sync, mark contacts and companies Intercom no longer lists (ids ÷ 150 requests each). */
  reconcile?: boolean;
  /** Stops the sync after the commit in progress; run it again to resume. */
  signal?: AbortSignal;
  /**
   * Also derive a warehouse layout after the streams commit: `'fivetran'` writes the tables
   * Fivetran's dbt_intercom package reads (history tables as slowly changing dimensions), in
   * DuckDB and PostgreSQL destinations. The result's `layout` says what it did.
   */
  layout?: LayoutName;
  onProgress?: (event: ProgressEvent) => void;
  /** Throughput and memory knobs (slices, child concurrency, batch size…). */
  tuning?: Partial<SyncTuning>;
}

/**
 * Syncs streams into a destination, as `intercom-sync sync` does: each stream's rows and its state
 * committed together (exactly once), incremental from the saved state. Opens the destination;
 * closing it (and the client) is yours. Resolves with each stream's summary, `ok` false when a
 * stream failed (the others still ran); rejects on a configuration error such as a rejected token.
 */
export async function sync(options: SyncOptions): Promise<SyncResult & { layout?: LayoutReport }> {
  if (options.layout !== undefined) {
    if (!isLayoutName(options.layout))
      throw new ConfigurationError(
        `Set layout to one of ${LAYOUT_NAMES.join(', ')}, not "${options.layout}".`,
      );
    if (!supportsLayouts(options.destination))
      throw new ConfigurationError(
        `The ${options.layout} layout needs a DuckDB or PostgreSQL destination; ${options.destination.description} cannot maintain history tables.`,
      );
  }
  const names = [...(options.streams ?? (DEFAULT_STREAMS as readonly StreamName[]))];
  for (const name of names)
    if (!findStream(name))
      throw new ConfigurationError(
        `Unknown stream "${name}"; known streams: ${STREAMS.map((s) => s.name).join(', ')}.`,
      );
  const seconds = (date: Date | undefined, name: string): number | undefined => {
    if (date === undefined) return undefined;
    if (!(date instanceof Date) || Number.isNaN(date.getTime()))
      throw new ConfigurationError(`Set ${name} to a valid Date.`);
    return Math.floor(date.getTime() / 1000);
  };
  const startDate = seconds(options.startDate ?? DEFAULT_START_DATE, 'startDate') as number;
  const intervalStart = seconds(options.intervalStart, 'intervalStart');
  const intervalEnd = seconds(options.intervalEnd, 'intervalEnd');
  const lookbackDays = options.lookbackDays ?? 0;
  if (!Number.isFinite(lookbackDays) || lookbackDays < 0)
    throw new ConfigurationError('Set lookbackDays to a number of days of at least 0.');
  const record = <T>(values: Partial<Record<StreamName, T>> | undefined): Record<string, T> =>
    Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== undefined)) as Record<string, T>;
  const result = await runSync(
    {
      streams: [...new Set(names)],
      startDate,
      lookbackSeconds: lookbackDays * 86_400,
      fullRefresh: options.fullRefresh === true,
      hardDeletes: options.hardDeletes === true,
      softDeletes: options.softDeletes === true,
      reconcile: options.reconcile === true,
      ...(intervalStart === undefined ? {} : { intervalStart }),
      ...(intervalEnd === undefined ? {} : { intervalEnd }),
      ...(options.modes ? { modes: record(options.modes) } : {}),
      tables: record(options.tables),
      versions: record(options.versions),
    },
    {
      client: options.client.http,
      destination: options.destination,
      logger: options.client.logger,
      signal: options.signal ?? new AbortController().signal,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
    { ...DEFAULT_TUNING, ...options.tuning },
  );
  if (options.layout === undefined || options.signal?.aborted || !supportsLayouts(options.destination))
    return result;
  const layout = await options.destination.applyLayout(options.layout, {
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { ...result, layout };
}
