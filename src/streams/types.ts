import type { ColumnType, WriteMode } from '../destinations/destination.js';

/** A record as Intercom returns it. */
export type ApiRecord = Record<string, unknown>;

/** Logical types of a stream's top-level fields (the destination maps them to its own types). */
export type FieldType = ColumnType;

/**
 * How a stream is read. The engine has one reader per kind; a stream only picks one and fills in
 * where the records are. Each kind names the response it expects, e.g. for `cursor`:
 *
 *   GET /contacts?per_page=150&starting_after=WzE3…
 *   → {"type":"list","data":[…],"pages":{"next":{"per_page":150,"starting_after":"WzE4…"}}}
 */
export type Source =
  /** One request returns everything: `{"type":"admin.list","admins":[…]}`. */
  | { kind: 'list'; path: string; itemsKey: string; query?: Record<string, string> }
  /** Page-numbered: `?page=N&per_page=M`, `pages.next` is a URL or null (articles, collections). */
  | { kind: 'pages'; path: string; itemsKey: string; perPage: number }
  /** Cursor pages: `starting_after` from `pages.next.starting_after`. */
  | { kind: 'cursor'; path: string; itemsKey: string; perPage: number }
  /**
   * POST search over `updated_at`, split into time slices read in parallel. `dates: 'day'` is the
   * contacts rule (dates truncated to the UTC day), `'inclusive'` the conversations/tickets rule
   * (`>` and `<` mean or-equal). `filter` adds leaves ANDed to the time range.
   */
  | {
      kind: 'search';
      path: string;
      itemsKey: string;
      dates: 'day' | 'inclusive';
      filter?: Array<{ field: string; operator: string; value: string | number | boolean }>;
    }
  /** GET /companies/scroll: one scroll per app, restart on failure, ends with an empty page. */
  | { kind: 'scroll'; path: string; itemsKey: string }
  /** Time windows of `stepDays` over a creation time (`created_at_after`/`created_at_before`), page-numbered inside. */
  | {
      kind: 'window';
      path: string;
      itemsKey: string;
      afterParam: string;
      beforeParam: string;
      stepDays: number;
      perPage: number;
    }
  /**
   * One request per parent record: `path(parent)`, records at the dotted `itemsPath` of the answer.
   * A 404 (the parent vanished since it was listed) is skipped and counted.
   */
  | {
      kind: 'child';
      parent: string;
      path: (parent: ApiRecord) => string;
      itemsPath: string;
      endpoint: string;
      /**
       * When set, a parent's rows replace its earlier ones (a segment the company left goes): the
       * columns naming the parent, e.g. `['workspace_id', 'company_id']` (see `LinkBatch`).
       */
      parentKey?: string[];
    }
  /**
   * A link table: no request of its own, one row per link its parent's records list (a contact's
   * tags, a team's admins…). Written in the parent's transactions, where each batch replaces its
   * parents' links (`LinkBatch`): a link the parent lost disappears. `parentKey` names the link
   * table's columns identifying the parent, e.g. `['workspace_id', 'contact_id']`.
   */
  | {
      kind: 'link';
      parent: string;
      parentKey: string[];
      links: (parent: ApiRecord) => ApiRecord[];
      /**
       * Where the whole list is when the parent's inline one is cut (`has_more: true`, or fewer
       * items than `total_count`): the engine fetches it, page by page (`?page=N&per_page=M` while
       * `pages.next`), before the parent's rows and links are committed, and puts it in `field`.
       *   GET /contacts/{id}/tags → {"type":"list","data":[{"type":"tag","id":"7",…},…]}
       */
      fullList?: { field: string; path: (parent: ApiRecord) => string; endpoint: string };
    };

export interface StreamDefinition {
  name: string;
  description: string;
  /** What it reads, for `intercom-sync streams` and error messages, e.g. `POST /contacts/search`. */
  endpoint: string;
  primaryKey: string[];
  /** The field incremental syncs follow. Streams without one are read in full every time. */
  cursor?: string;
  defaultMode: WriteMode;
  /** Pin an `Intercom-Version` for this stream (otherwise the sync's version). */
  version?: string;
  /** Top-level fields and their types; fields Intercom adds later become columns as they appear. */
  fields: Record<string, FieldType>;
  /** Adds typed `custom_<name>` columns from this model's data attributes. */
  customAttributes?: 'contact' | 'company' | 'conversation';
  source: Source;
  /**
   * Where Intercom lists deleted records of this stream, and which rows each deletion removes, e.g.
   * GET /conversations/deleted → `{"conversations":[{"id":"512","deleted_at":1734537745}], "pages":{…}}`
   * marks `{ id: '512' }` in conversations and `{ conversation_id: '512' }` in conversation_parts.
   */
  deletions?: { path: string; itemsKey: string; version: string; match: (deleted: ApiRecord) => ApiRecord };
  /**
   * Small named hook: shape one record before loading (add the parent's id, a model name…).
   * `parent` is set for child streams; `response` is the whole answer the record came from. The
   * record is the answer's own object, used for nothing else: the hook may change it in place.
   */
  transform?: (record: ApiRecord, context: { parent?: ApiRecord; response: ApiRecord }) => ApiRecord;
}
