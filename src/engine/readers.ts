import { FatalError, type IntercomClient, IntercomSyncError, SkippableError } from '../http/index.js';
import type { ApiRecord, Source, StreamDefinition } from '../streams/index.js';
import { rangeQuery, type TimeWindow } from './windows.js';

/**
 * The paginators: one loop per kind of Intercom listing, each turning requests into pages of
 * records. They refuse to loop (a `next` seen before is an error) and know nothing of destinations.
 */

export interface Page {
  records: ApiRecord[];
  /** The whole answer (child hooks read fields beside the records). */
  response: ApiRecord;
  /** Every record of the slice below this cursor value has now been delivered (ordered sources). */
  position?: number;
}

export interface ReadContext {
  client: IntercomClient;
  stream: StreamDefinition;
  version: string | undefined;
  signal: AbortSignal;
  /** Called after a scroll restart, a wait on `scroll_exists`, a skipped 404… */
  note: (event: string, detail: Record<string, unknown>) => void;
  /** How long to keep retrying a `scroll_exists` before failing, in ms. */
  scrollExistsTimeoutMs: number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const PER_PAGE = 150;
const MAX_SCROLL_RESTARTS = 8;

function itemsOf(body: unknown, key: string, ctx: ReadContext, endpoint: string): ApiRecord[] {
  const value = (body as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(value)) {
    throw new FatalError(
      `Stream ${ctx.stream.name}: ${endpoint} answered without a "${key}" list; the response is not what Intercom documents.`,
      {
        endpoint,
      },
    );
  }
  return value.filter(
    (item): item is ApiRecord => typeof item === 'object' && item !== null && !Array.isArray(item),
  );
}

function loopGuard(ctx: ReadContext, endpoint: string): (token: string) => void {
  const seen = new Set<string>();
  return (token) => {
    if (seen.has(token))
      throw new FatalError(
        `Stream ${ctx.stream.name}: ${endpoint} returned a next page it had already returned; stopping instead of looping.`,
        { endpoint },
      );
    seen.add(token);
  };
}

/** One request, everything in it. */
export async function* readList(
  ctx: ReadContext,
  source: Extract<Source, { kind: 'list' }>,
): AsyncGenerator<Page> {
  const endpoint = `GET ${source.path}`;
  const res = await ctx.client.request<ApiRecord>({
    method: 'GET',
    path: source.path,
    query: source.query,
    version: ctx.version,
    signal: ctx.signal,
    endpoint,
  });
  yield { records: itemsOf(res.body, source.itemsKey, ctx, endpoint), response: res.body };
}

/** Page-numbered: `?page=1&per_page=N`, then `pages.next` (a full URL) until it is null. */
export async function* readPages(
  ctx: ReadContext,
  source: { path: string; itemsKey: string; perPage: number },
  query: Record<string, string | number> = {},
): AsyncGenerator<Page> {
  const endpoint = `GET ${source.path}`;
  const guard = loopGuard(ctx, endpoint);
  let next: string | undefined;
  for (;;) {
    const res = await ctx.client.request<ApiRecord>(
      next
        ? { method: 'GET', path: next, version: ctx.version, signal: ctx.signal, endpoint }
        : {
            method: 'GET',
            path: source.path,
            query: { ...query, per_page: source.perPage, page: 1 },
            version: ctx.version,
            signal: ctx.signal,
            endpoint,
          },
    );
    const records = itemsOf(res.body, source.itemsKey, ctx, endpoint);
    yield { records, response: res.body };
    const pages = res.body.pages as { next?: unknown } | null | undefined;
    const link = typeof pages?.next === 'string' ? pages.next : undefined;
    if (!link || records.length === 0) return;
    guard(link);
    next = link;
  }
}

/** POST search over one time slice, sorted by `updated_at` ascending, cursor-paged. */
export async function* readSearch(
  ctx: ReadContext,
  source: Extract<Source, { kind: 'search' }>,
  slice: TimeWindow,
): AsyncGenerator<Page> {
  const endpoint = `POST ${source.path}`;
  const guard = loopGuard(ctx, endpoint);
  const query = { operator: 'AND', value: [...rangeQuery(slice, source.dates), ...(source.filter ?? [])] };
  let startingAfter: string | undefined;
  for (;;) {
    const body = {
      query,
      pagination: { per_page: PER_PAGE, ...(startingAfter ? { starting_after: startingAfter } : {}) },
      sort: { field: 'updated_at', order: 'ascending' },
    };
    const res = await ctx.client.request<ApiRecord>({
      method: 'POST',
      path: source.path,
      body,
      version: ctx.version,
      signal: ctx.signal,
      endpoint,
    });
    const records = itemsOf(res.body, source.itemsKey, ctx, endpoint);
    const last = records.at(-1)?.updated_at;
    const next = (res.body.pages as { next?: { starting_after?: unknown } } | undefined)?.next
      ?.starting_after;
    yield { records, response: res.body, ...(typeof last === 'number' ? { position: last } : {}) };
    if (typeof next !== 'string' || next === '' || records.length === 0) return;
    guard(next);
    startingAfter = next;
  }
}

/** Creation-time windows, each read page by page (activity logs). */
export async function* readWindow(
  ctx: ReadContext,
  source: Extract<Source, { kind: 'window' }>,
  slice: TimeWindow,
): AsyncGenerator<Page> {
  yield* readPages(ctx, source, { [source.afterParam]: slice.start, [source.beforeParam]: slice.end - 1 });
}

/**
 * GET /companies/scroll under Intercom's rules: one scroll per app (wait and retry on
 * `scroll_exists`), the same `scroll_param` throughout, the end is an empty page. A failed page
 * cannot be asked again (the scroll has moved on, or died on a 500), so any failure restarts the
 * pass from the beginning; pages of a failed pass are re-delivered by the next one. Requests are
 * sent without the client's retries for that reason.
 */
export async function* readScroll(
  ctx: ReadContext,
  source: Extract<Source, { kind: 'scroll' }>,
): AsyncGenerator<Page & { pass: number }> {
  const endpoint = `GET ${source.path}`;
  for (let pass = 0; ; pass++) {
    let param: string | undefined;
    let failure: unknown;
    try {
      for (;;) {
        const res = await requestScrollPage(ctx, source.path, param, endpoint);
        const records = itemsOf(res.body, source.itemsKey, ctx, endpoint);
        const next = res.body.scroll_param;
        if (records.length === 0) return;
        if (typeof next !== 'string' || next === '')
          throw new FatalError(`Stream ${ctx.stream.name}: ${endpoint} answered without a scroll_param.`, {
            endpoint,
          });
        param = next;
        yield { records, response: res.body, pass };
      }
    } catch (error) {
      if (!(error instanceof IntercomSyncError) || error.kind === 'configuration' || error.kind === 'fatal')
        throw error;
      failure = error;
    }
    if (pass + 1 >= MAX_SCROLL_RESTARTS) throw failure;
    ctx.note('scroll_restart', { pass: pass + 1, reason: (failure as Error).message });
  }
}

async function requestScrollPage(
  ctx: ReadContext,
  path: string,
  param: string | undefined,
  endpoint: string,
) {
  const deadline = Date.now() + ctx.scrollExistsTimeoutMs;
  for (let wait = 2000; ; wait = Math.min(wait * 2, 15_000)) {
    try {
      return await ctx.client.request<ApiRecord>({
        method: 'GET',
        path,
        query: param ? { scroll_param: param } : undefined,
        version: ctx.version,
        signal: ctx.signal,
        endpoint,
        retry: param === undefined,
      });
    } catch (error) {
      const exists = error instanceof IntercomSyncError && error.code === 'scroll_exists';
      if (!exists || param !== undefined || Date.now() + wait > deadline) throw error;
      ctx.note('scroll_exists', { waitMs: wait });
      await ctx.sleep(wait, ctx.signal);
    }
  }
}

/**
 * One request per parent: the parent's child list. A 404 means the parent was deleted after it was
 * listed: skipped and counted, not an error.
 */
export async function readChild(
  ctx: ReadContext,
  source: Extract<Source, { kind: 'child' }>,
  parent: ApiRecord,
): Promise<Page | undefined> {
  try {
    const res = await ctx.client.request<ApiRecord>({
      method: 'GET',
      path: source.path(parent),
      version: ctx.version,
      signal: ctx.signal,
      endpoint: source.endpoint,
    });
    let value: unknown = res.body;
    for (const key of source.itemsPath.split('.')) value = (value as Record<string, unknown> | null)?.[key];
    if (!Array.isArray(value)) {
      // Skipping this parent would lose its children for good once the state moves on: fail loudly,
      // naming the parent, so that a rerun reads it again.
      throw new FatalError(
        `Stream ${ctx.stream.name}: ${source.endpoint} answered without "${source.itemsPath}" for ${source.parent} ${String(parent.id)} (request_id ${res.requestId ?? 'none'}).`,
        { endpoint: source.endpoint, requestId: res.requestId },
      );
    }
    return { records: value as ApiRecord[], response: res.body };
  } catch (error) {
    if (error instanceof SkippableError && error.status === 404) {
      ctx.note('parent_not_found', {
        parent: parent.id,
        endpoint: source.endpoint,
        requestId: error.requestId,
      });
      return undefined;
    }
    throw error;
  }
}

/**
 * Deleted records since `since` (Unix seconds), newest first until older ones appear:
 * GET /conversations/deleted?order=desc → `{"conversations":[{"id":"512","deleted_at":1734537745}],…}`.
 */
export async function readDeletions(
  ctx: ReadContext,
  deletions: NonNullable<StreamDefinition['deletions']>,
  since: number,
): Promise<ApiRecord[]> {
  const found: ApiRecord[] = [];
  const pages = readPages(
    { ...ctx, version: deletions.version },
    { path: deletions.path, itemsKey: deletions.itemsKey, perPage: PER_PAGE },
    { order: 'desc' },
  );
  for await (const page of pages) {
    let older = false;
    for (const item of page.records) {
      const at = item.deleted_at;
      if (typeof at === 'number' && at < since) older = true;
      else found.push(item);
    }
    if (older) break;
  }
  return found;
}
