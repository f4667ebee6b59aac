import {
  type Destination,
  type IdReconciliation,
  stateKeyOf,
  type TableSpec,
} from '../destinations/destination.js';
import { ConfigurationError, FatalError, type IntercomClient, type Logger } from '../http/index.js';
import type { ApiRecord, Source, StreamDefinition } from '../streams/index.js';
import { PER_PAGE, type ReadContext, readScroll } from './readers.js';
import type { StreamSummary } from './sync.js';

/**
 * `--reconcile`: deletes that Intercom never reports. Contacts and companies have no "deleted"
 * listing, so a reconciliation lists every id that still exists (the cheapest complete listing:
 * GET /contacts at 150 a page, GET /companies/scroll) and marks the rows whose id was not listed
 * with `_deleted_at` (or removes them, `--hard-deletes`).
 *
 * The ids are streamed into the destination (a staging table, a spill file: `IdReconciliation`)
 * page by page, never held here, and the anti-join runs there in one transaction with the stream's
 * state. A listing that fails or is interrupted is discarded: nothing is marked.
 *
 * Extension point: a stream becomes reconcilable by adding its listing to `LISTINGS`.
 */

/** How a stream's complete id listing is read: one page of ids at a time. */
type Listing = (ctx: ReadContext) => AsyncGenerator<string[]>;

/** GET /contacts, cursor-paged (`pages.next.starting_after`), 150 a page: ids ÷ 150 requests. */
async function* listContacts(ctx: ReadContext): AsyncGenerator<string[]> {
  const endpoint = 'GET /contacts';
  const seen = new Set<string>();
  let startingAfter: string | undefined;
  for (;;) {
    const res = await ctx.client.request<ApiRecord>({
      method: 'GET',
      path: '/contacts',
      query: {
        per_page: PER_PAGE,
        ...(startingAfter === undefined ? {} : { starting_after: startingAfter }),
      },
      version: ctx.version,
      signal: ctx.signal,
      endpoint,
    });
    yield idsOf(res.body.data, endpoint);
    const next = (res.body.pages as { next?: { starting_after?: unknown } | null } | undefined)?.next;
    const cursor = typeof next?.starting_after === 'string' ? next.starting_after : undefined;
    if (cursor === undefined) return;
    if (seen.has(cursor))
      throw new FatalError(`${endpoint} returned a next page it had already returned; the listing stops.`, {
        endpoint,
      });
    seen.add(cursor);
    startingAfter = cursor;
  }
}

/**
 * GET /companies/scroll: the only company listing without a 10,000 cap; ids ÷ the scroll's page size
 * requests, plus one for the empty last page. A scroll that fails midway restarts from the start
 * (its ids are listed again: duplicates do not matter to the anti-join).
 */
async function* listCompanies(ctx: ReadContext): AsyncGenerator<string[]> {
  const source = ctx.stream.source;
  if (source.kind !== 'scroll') throw new Error('companies are listed with the scroll API');
  for await (const page of readScroll(ctx, source as Extract<Source, { kind: 'scroll' }>)) {
    yield idsOf(page.records, `GET ${source.path}`);
  }
}

function idsOf(items: unknown, endpoint: string): string[] {
  if (!Array.isArray(items))
    throw new FatalError(`${endpoint} answered without a "data" list; the listing stops.`, { endpoint });
  return items.map((item) => {
    const id = (item as ApiRecord | null)?.id;
    if (typeof id !== 'string' && typeof id !== 'number')
      throw new FatalError(`${endpoint} listed a record without an id; the listing stops.`, { endpoint });
    return String(id);
  });
}

const LISTINGS: Readonly<Record<string, Listing>> = {
  contacts: listContacts,
  companies: listCompanies,
};

/** Streams `--reconcile` can reconcile. */
export const RECONCILABLE_STREAMS: readonly string[] = Object.keys(LISTINGS);

/** One stream to reconcile, once its sync succeeded. */
export interface ReconcileTarget {
  def: StreamDefinition;
  /** The spec the sync wrote the table with. */
  spec: TableSpec;
  version: string | undefined;
}

export interface ReconcileResult {
  /** Ids Intercom listed. */
  listed: number;
  /** Rows marked `_deleted_at` (or removed, hard). */
  marked: number;
  /** HTTP requests the listing made (retries included). */
  requests: number;
}

export interface ReconcileDependencies {
  client: IntercomClient;
  destination: Destination;
  logger: Logger;
  signal: AbortSignal;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  scrollExistsTimeoutMs: number;
  /** Remove the rows instead of marking them. */
  hard: boolean;
  /** `_deleted_at` of the rows marked: the sync's start. */
  at: Date;
  /** The stream's committed state, which the reconciliation writes back with `reconciled_at`. */
  state: unknown;
  /** Called after each page with the ids listed so far (progress). */
  onPage?: (listed: number) => void;
}

/**
 * Lists every id of `target`'s stream into the destination and marks the rows missing from the
 * listing, in one transaction with the state. Rejects (having changed nothing) when the listing
 * fails or `signal` aborts.
 */
export async function reconcileStream(
  target: ReconcileTarget,
  deps: ReconcileDependencies,
): Promise<ReconcileResult> {
  const listing = LISTINGS[target.def.name];
  if (listing === undefined)
    throw new ConfigurationError(
      `--reconcile works for ${RECONCILABLE_STREAMS.join(' and ')}, not ${target.def.name}.`,
    );
  const { client, destination, signal } = deps;
  const requestsBefore = client.stats().requests;
  const writer = await destination.prepare(target.spec, 'merge', signal);
  if (writer.reconcile === undefined) {
    await writer.abort();
    throw new ConfigurationError(`${destination.description} cannot reconcile; drop --reconcile.`);
  }
  let reconciliation: IdReconciliation | undefined;
  let listed = 0;
  try {
    reconciliation = await writer.reconcile('id', signal);
    const ctx: ReadContext = {
      client,
      stream: target.def,
      version: target.version,
      signal,
      note: (event, detail) =>
        deps.logger.warn(`${target.def.name} (reconcile): ${event}`, { stream: target.def.name, ...detail }),
      scrollExistsTimeoutMs: deps.scrollExistsTimeoutMs,
      sleep: deps.sleep,
    };
    for await (const ids of listing(ctx)) {
      await reconciliation.add(ids, signal);
      listed += ids.length;
      deps.onPage?.(listed);
    }
    const requests = client.stats().requests - requestsBefore;
    const reconciledAt = Math.floor(deps.at.getTime() / 1000);
    const state =
      typeof deps.state === 'object' && deps.state !== null
        ? { ...(deps.state as Record<string, unknown>), reconciled_at: reconciledAt }
        : undefined;
    const marked = await reconciliation.apply({ hard: deps.hard, at: deps.at }, state, signal);
    await writer.finish(undefined, signal);
    return { listed, marked, requests };
  } catch (error) {
    await reconciliation?.discard().catch(() => undefined);
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

/** A stream of the sync, with the summary the reconciliation reports into. */
export interface ReconcileRun extends ReconcileTarget {
  summary: StreamSummary;
}

/**
 * After the sync: reconciles each reconcilable stream whose sync succeeded, one after the other
 * (two scrolls of one app cannot run at once). The summary's notes report the ids listed, the rows
 * marked (or removed) and the requests spent; a failed listing fails the stream's summary and
 * marks nothing. A configuration error (a rejected token, a destination that cannot reconcile)
 * is rethrown.
 */
export async function reconcileRuns(
  runs: readonly ReconcileRun[],
  deps: Omit<ReconcileDependencies, 'state' | 'onPage'>,
): Promise<void> {
  const due = runs.filter(
    (run) => LISTINGS[run.def.name] !== undefined && run.summary.status === 'succeeded',
  );
  if (due.length === 0) return;
  const states = await deps.destination.readState(deps.signal);
  for (const run of due) {
    const { summary } = run;
    const started = Date.now();
    try {
      const result = await reconcileStream(run, {
        ...deps,
        state: states.get(stateKeyOf(run.spec)),
      });
      summary.notes.ids_listed = result.listed;
      summary.notes[deps.hard ? 'rows_removed_as_deleted' : 'rows_marked_deleted'] = result.marked;
      summary.notes.reconcile_requests = result.requests;
      deps.logger.info(
        `${summary.stream}: reconciled ${result.listed} ids in ${result.requests} requests; ${result.marked} rows ${deps.hard ? 'removed' : 'marked deleted'}`,
        { stream: summary.stream },
      );
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      const reason = deps.signal.aborted ? 'the sync was interrupted' : messageOf(error);
      summary.status = 'failed';
      summary.error = `Stream ${summary.stream}: the reconciliation's listing did not complete (${reason}); no row was marked deleted.`;
    } finally {
      summary.durationMs += Date.now() - started;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
