import { completeNestedLists } from '../engine/nested-lists.js';
import {
  type Page,
  type ReadContext,
  readChild,
  readList,
  readPages,
  readScroll,
  readSearch,
  readWindow,
} from '../engine/readers.js';
import { DEFAULT_TUNING } from '../engine/sync.js';
import { DAY, floorDay, sliceWindow, type TimeWindow } from '../engine/windows.js';
import { ConfigurationError, createSystemClock, FatalError } from '../http/index.js';
import { type ApiRecord, findStream, type Source, STREAMS, type StreamDefinition } from '../streams/index.js';
import type { Client } from './client.js';
import type { Company, Conversation, StreamName, StreamRecords } from './records.js';

/** Where reading starts when no `updatedSince` is given (as `intercom-sync sync --start-date`). */
const EARLIEST = Date.UTC(2010, 0, 1) / 1000;
/** Searches without `updatedBefore` end this far past the local clock (the server's may be ahead). */
const FUTURE_MARGIN = 7 * DAY;
const DEFAULT_CHILD_CONCURRENCY = 8;

export interface StreamOptions {
  /**
   * Only records whose cursor (`updated_at`; `created_at` for activity logs; the parent's
   * `updated_at` for child streams) is at or after this. Searches ask Intercom for just these;
   * listings without a time filter (companies, articles, collections) are read whole and filtered.
   * Streams without a cursor (admins, teams, tags, segments, data attributes) ignore it.
   */
  updatedSince?: Date;
  /** Only records whose cursor is before this. */
  updatedBefore?: Date;
  /** Stops reading: the iterator rejects with the signal's reason. */
  signal?: AbortSignal;
  /** `Intercom-Version` for this stream, overriding the client's and the stream's pin. */
  version?: string;
}

/** A parent record as child streams need it: its `id` (and `updated_at` when it has one). */
export interface ParentRecord {
  id: string;
  updated_at?: number;
}

export interface ChildStreamOptions<P extends ParentRecord = ParentRecord> extends StreamOptions {
  /**
   * Read only this parent's children (e.g. one conversation's parts). Without it every parent is
   * read (with the same `updatedSince`/`updatedBefore`, which apply to the parents), then its children.
   */
  parent?: P;
  /**
   * Parents whose children are requested at once; children still come in the parents' order.
   * Default 8; the client's rate limiter paces them.
   */
  concurrency?: number;
}

/** Streams read one request per parent record, and the parent record they take. */
export interface ChildStreamParents {
  conversation_parts: Pick<Conversation, 'id'> & ParentRecord;
  company_segments: Pick<Company, 'id' | 'updated_at'> & ParentRecord;
}
export type ChildStreamName = keyof ChildStreamParents;

/** The options a stream takes: child streams also take a parent. */
export type StreamOptionsFor<N extends StreamName> = N extends ChildStreamName
  ? ChildStreamOptions<ChildStreamParents[N]>
  : StreamOptions;

/** Records of one stream, as pages arrive: no more than a page (or `concurrency` parents' children) is held. */
export type StreamReader<N extends StreamName> = (
  client: Client,
  options?: StreamOptionsFor<N>,
) => AsyncGenerator<StreamRecords[N], void, undefined>;

/**
 * Reads one stream's records with the same paginators a sync uses (searches in `updated_at`
 * order, the companies scroll with its restarts, page-numbered listings, one request per parent
 * for child streams), through the client's rate limiter. Records are Intercom's JSON, typed from
 * the API 2.14 description but not validated; child records carry their parent's id.
 *
 *   for await (const contact of readStream(client, 'contacts', { updatedSince: new Date('2025-01-01') }))
 *     console.log(contact.email);
 */
export async function* readStream<N extends StreamName>(
  client: Client,
  name: N,
  options: StreamOptionsFor<N> = {} as StreamOptionsFor<N>,
): AsyncGenerator<StreamRecords[N], void, undefined> {
  const def = findStream(name);
  if (!def)
    throw new ConfigurationError(
      `Unknown stream "${String(name)}"; known streams: ${STREAMS.map((s) => s.name).join(', ')}.`,
    );
  for await (const record of readDefinition(client, def, checkOptions(options)))
    yield record as unknown as StreamRecords[N];
}

interface CheckedOptions {
  since: number | undefined;
  before: number | undefined;
  signal: AbortSignal;
  version: string | undefined;
  parent: ApiRecord | undefined;
  concurrency: number;
}

function checkOptions(options: StreamOptions & ChildStreamOptions): CheckedOptions {
  const seconds = (date: Date | undefined, name: string): number | undefined => {
    if (date === undefined) return undefined;
    if (!(date instanceof Date) || Number.isNaN(date.getTime()))
      throw new ConfigurationError(`Set ${name} to a valid Date.`);
    return Math.floor(date.getTime() / 1000);
  };
  const since = seconds(options.updatedSince, 'updatedSince');
  const before = seconds(options.updatedBefore, 'updatedBefore');
  if (since !== undefined && before !== undefined && before <= since)
    throw new ConfigurationError('Set updatedBefore after updatedSince.');
  const concurrency = options.concurrency ?? DEFAULT_CHILD_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw new ConfigurationError('Set concurrency to a whole number from 1 to 256.');
  const parent = options.parent as ApiRecord | undefined;
  if (parent !== undefined && (typeof parent !== 'object' || parent === null || parent.id === undefined))
    throw new ConfigurationError('Set parent to a record with an id.');
  return {
    since,
    before,
    signal: options.signal ?? new AbortController().signal,
    version: options.version,
    parent,
    concurrency,
  };
}

function readDefinition(
  client: Client,
  def: StreamDefinition,
  options: CheckedOptions,
): AsyncGenerator<ApiRecord, void, undefined> {
  const source = def.source;
  if (source.kind === 'child') return readChildren(client, def, source, options);
  if (source.kind === 'link') return readLinks(client, def, source, options);
  return readOwn(client, def, source, options);
}

function contextFor(client: Client, def: StreamDefinition, version: string | undefined, signal: AbortSignal) {
  const ctx: ReadContext = {
    client: client.http,
    stream: def,
    version,
    signal,
    note: (event, detail) => client.logger.warn(`${def.name}: ${event}`, { stream: def.name, ...detail }),
    scrollExistsTimeoutMs: DEFAULT_TUNING.scrollExistsTimeoutMs,
    sleep: createSystemClock().sleep,
  };
  return ctx;
}

/** Records of a stream read on its own (not per parent), filtered on its cursor. */
async function* readOwn(
  client: Client,
  def: StreamDefinition,
  source: Exclude<Source, { kind: 'child' }>,
  options: CheckedOptions,
): AsyncGenerator<ApiRecord, void, undefined> {
  const ctx = contextFor(client, def, options.version ?? def.version, options.signal);
  const cursor = def.cursor;
  const keep = (record: ApiRecord): boolean => {
    const value = cursor === undefined ? undefined : record[cursor];
    if (typeof value !== 'number') return true;
    return (
      (options.since === undefined || value >= options.since) &&
      (options.before === undefined || value < options.before)
    );
  };
  for await (const page of pagesOf(ctx, source, options)) {
    for (const record of page.records) {
      if (!keep(record)) continue;
      yield def.transform ? def.transform(record, { response: page.response }) : record;
    }
  }
}

/** The engine's paginator for each kind of listing, over the window the options ask for. */
async function* pagesOf(
  ctx: ReadContext,
  source: Exclude<Source, { kind: 'child' }>,
  options: CheckedOptions,
): AsyncGenerator<Page, void, undefined> {
  const window = (dayAligned: boolean): TimeWindow => {
    const start = options.since ?? EARLIEST;
    const end = options.before ?? Math.floor(Date.now() / 1000) + FUTURE_MARGIN;
    return { start: dayAligned ? floorDay(start) : start, end: Math.max(start + 1, end) };
  };
  switch (source.kind) {
    case 'list':
      yield* readList(ctx, source);
      return;
    case 'pages':
      yield* readPages(ctx, source);
      return;
    case 'search':
      // One slice: a sequential read in `updated_at` order (a sync reads slices in parallel).
      yield* readSearch(ctx, source, window(source.dates === 'day'));
      return;
    case 'window':
      for (const slice of sliceWindow(window(false), DEFAULT_TUNING.maxSlices, source.stepDays * DAY, false))
        yield* readWindow(ctx, source, slice);
      return;
    case 'scroll': {
      // A failed scroll restarts from the beginning: records of earlier passes are not repeated.
      const seen = new Set<unknown>();
      for await (const page of readScroll(ctx, source)) {
        const records = page.records.filter((r) => page.pass === 0 || !seen.has(r.id));
        for (const r of records) seen.add(r.id);
        yield { ...page, records };
      }
      return;
    }
    case 'cursor':
      throw new FatalError(`Stream ${ctx.stream.name}: cursor listings have no reader.`);
  }
}

/**
 * A child stream: the parent given, or every parent (read with the same options), each one's
 * children requested with up to `concurrency` parents in flight and yielded in the parents' order.
 */
async function* readChildren(
  client: Client,
  def: StreamDefinition,
  source: Extract<Source, { kind: 'child' }>,
  options: CheckedOptions,
): AsyncGenerator<ApiRecord, void, undefined> {
  const parentDef = findStream(source.parent) as StreamDefinition;
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal.reason);
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });
  const ctx = contextFor(client, def, options.version ?? def.version ?? parentDef.version, stop.signal);
  const parents = options.parent
    ? only(options.parent)
    : readDefinition(client, parentDef, { ...options, parent: undefined });
  const pending: Array<Promise<{ parent: ApiRecord; page: Page | undefined }>> = [];
  let parentsDone = false;
  try {
    for (;;) {
      while (!parentsDone && pending.length < options.concurrency) {
        const next = await parents.next();
        if (next.done) {
          parentsDone = true;
          break;
        }
        const parent = next.value;
        const request = readChild(ctx, source, parent).then((page) => ({ parent, page }));
        // Awaited in order below; a failure must not surface earlier as an unhandled rejection.
        request.catch(() => undefined);
        pending.push(request);
      }
      const head = pending.shift();
      if (!head) return;
      const { parent, page } = await head;
      if (!page) continue; // the parent vanished since it was listed (404): noted, skipped
      for (const record of page.records)
        yield def.transform ? def.transform(record, { parent, response: page.response }) : record;
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    stop.abort(new Error('stream closed'));
    await parents.return?.();
  }
}

/**
 * A link table: the parent stream's records (read with the same options), each one's relations as
 * rows; a list Intercom cut at 10 is read whole first (one request per cut list).
 */
async function* readLinks(
  client: Client,
  def: StreamDefinition,
  source: Extract<Source, { kind: 'link' }>,
  options: CheckedOptions,
): AsyncGenerator<ApiRecord, void, undefined> {
  const parentDef = findStream(source.parent) as StreamDefinition;
  const version = options.version ?? parentDef.version;
  for await (const parent of readDefinition(client, parentDef, { ...options, parent: undefined })) {
    if (source.fullList)
      await completeNestedLists([parent], [source.fullList], {
        client: client.http,
        stream: def.name,
        version,
        signal: options.signal,
        concurrency: 1,
      });
    yield* source.links(parent);
  }
}

async function* only(record: ApiRecord): AsyncGenerator<ApiRecord, void, undefined> {
  yield record;
}

function reader<N extends StreamName>(name: N): StreamReader<N> {
  return (client, options) => readStream(client, name, options);
}

/**
 * One reader per stream, e.g. `streams.contacts(client, { updatedSince })` or
 * `streams.conversationParts(client, { parent: conversation })`. `readStream(client, name)` takes
 * the stream's name (as `sync` and the CLI do).
 */
export const streams = Object.freeze({
  admins: reader('admins'),
  teams: reader('teams'),
  teamAdmins: reader('team_admins'),
  tags: reader('tags'),
  segments: reader('segments'),
  contactAttributes: reader('contact_attributes'),
  companyAttributes: reader('company_attributes'),
  conversationAttributes: reader('conversation_attributes'),
  companies: reader('companies'),
  companySegments: reader('company_segments'),
  companyTags: reader('company_tags'),
  contacts: reader('contacts'),
  contactCompanies: reader('contact_companies'),
  contactTags: reader('contact_tags'),
  users: reader('users'),
  leads: reader('leads'),
  conversations: reader('conversations'),
  conversationParts: reader('conversation_parts'),
  conversationContacts: reader('conversation_contacts'),
  conversationTags: reader('conversation_tags'),
  tickets: reader('tickets'),
  articles: reader('articles'),
  helpCenters: reader('help_centers'),
  helpCenterCollections: reader('help_center_collections'),
  activityLogs: reader('activity_logs'),
});
