import { FatalError, type IntercomClient, IntercomSyncError } from '../http/index.js';
import type { ApiRecord } from '../streams/index.js';
import { TaskPool } from './queue.js';

/**
 * Intercom lists at most 10 tags, companies and notes inline on a contact:
 *
 *   "tags": {"type":"list","data":[…10 items…],"url":"/contacts/1/tags","total_count":25,"has_more":true}
 *
 * A cut list is replaced by the whole one, read from its own endpoint, so that nothing is silently
 * cut at 10 (the link tables are built from these lists).
 */
export interface FullList {
  /** The record's field holding the inline list (`tags`). */
  field: string;
  path: (record: ApiRecord) => string;
  endpoint: string;
}

/** Whether an inline list says it holds only part of the items. */
export function isTruncated(list: unknown): boolean {
  if (typeof list !== 'object' || list === null || Array.isArray(list)) return false;
  const { has_more: hasMore, total_count: total, data } = list as Record<string, unknown>;
  if (hasMore === true) return true;
  return typeof total === 'number' && Array.isArray(data) && total > data.length;
}

/** Items per page asked of a paged full list. */
const PER_PAGE = 50;
/** A full list longer than this many pages is a server that keeps saying `next`. */
const MAX_PAGES = 1000;

export interface CompletionContext {
  client: IntercomClient;
  /** For error messages: the stream whose records are completed. */
  stream: string;
  version: string | undefined;
  signal: AbortSignal;
  /** Full lists read at once at most (every request goes through the client's shared limiter). */
  concurrency: number;
}

/**
 * Replaces every cut list of `records` (in place) by the whole list: `{…list, data: all, total_count,
 * has_more: false}`. Returns the requests made per list field. A record gone meanwhile (404) keeps
 * its cut list.
 */
export async function completeNestedLists(
  records: readonly ApiRecord[],
  lists: readonly FullList[],
  ctx: CompletionContext,
): Promise<Record<string, number>> {
  const requests: Record<string, number> = {};
  const pool = new TaskPool(Math.max(1, ctx.concurrency));
  for (const record of records) {
    for (const list of lists) {
      const inline = record[list.field];
      if (!isTruncated(inline)) continue;
      await pool.run(async () => {
        const read = await readFullList(record, list, ctx);
        requests[list.field] = (requests[list.field] ?? 0) + read.requests;
        if (read.items !== undefined)
          record[list.field] = {
            ...(inline as ApiRecord),
            data: read.items,
            total_count: read.items.length,
            has_more: false,
          };
      }, ctx.signal);
    }
  }
  await pool.drain();
  return requests;
}

async function readFullList(
  record: ApiRecord,
  list: FullList,
  ctx: CompletionContext,
): Promise<{ items: ApiRecord[] | undefined; requests: number }> {
  const items: ApiRecord[] = [];
  let requests = 0;
  for (let page = 1; page <= MAX_PAGES; page++) {
    let body: ApiRecord;
    let requestId: string | undefined;
    try {
      requests++;
      const res = await ctx.client.request<ApiRecord>({
        method: 'GET',
        path: list.path(record),
        query: { page: String(page), per_page: String(PER_PAGE) },
        version: ctx.version,
        signal: ctx.signal,
        endpoint: list.endpoint,
      });
      body = res.body;
      requestId = res.requestId;
    } catch (error) {
      if (error instanceof IntercomSyncError && error.kind === 'skippable')
        return { items: undefined, requests };
      throw error;
    }
    const found = body?.data ?? body?.companies ?? body?.tags;
    if (!Array.isArray(found))
      throw new FatalError(
        `Stream ${ctx.stream}: ${list.endpoint} answered without a "data" list for ${String(record.type ?? 'record')} ${String(record.id)} (request_id ${requestId ?? 'none'}); the response is not what Intercom documents.`,
        { endpoint: list.endpoint, requestId },
      );
    for (const item of found) if (typeof item === 'object' && item !== null) items.push(item as ApiRecord);
    const pages = body.pages as { next?: unknown; page?: unknown; total_pages?: unknown } | undefined;
    const more =
      pages !== undefined &&
      pages !== null &&
      found.length > 0 &&
      (typeof pages.next === 'string' ||
        (typeof pages.next === 'object' && pages.next !== null) ||
        (typeof pages.total_pages === 'number' && page < pages.total_pages));
    if (!more) return { items, requests };
  }
  throw new FatalError(
    `Stream ${ctx.stream}: ${list.endpoint} kept answering a next page past ${MAX_PAGES}; stopping instead of looping.`,
    { endpoint: list.endpoint },
  );
}
