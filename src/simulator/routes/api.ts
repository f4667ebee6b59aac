import { HttpError } from '../errors.js';
import { type CursorKey, cursorPage, decodeCursor, intParam, MAX_PER_PAGE, numberedPage } from '../paging.js';
import type { ScrollRegistry } from '../scroll.js';
import { type CompiledSearch, compileSearch, SearchError, type SearchModel } from '../search.js';
import { adaptRecord, type VersionedKind } from '../versions.js';
import type { JsonRecord, LazyTable } from '../workspace/table.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Route, RouteContext, RouteResult } from './route.js';
import { versionAtLeast } from './route.js';

/** GET /companies and POST /companies/list stop after this many companies (use the scroll). */
const COMPANY_LIST_LIMIT = 10_000;
const SEARCH_CACHE_SIZE = 64;

interface SearchResult {
  version: number;
  order: Int32Array;
  values: Array<number | string | null>;
  descending: boolean;
}

export interface ApiDependencies {
  workspace: Workspace;
  scrolls: ScrollRegistry;
  scrollPageSize: () => number;
}

/** Every Intercom endpoint the simulator serves. */
export function apiRoutes(deps: ApiDependencies): Route[] {
  const ws = deps.workspace;
  const searchCache = new Map<string, SearchResult>();
  const listCache = new Map<LazyTable<JsonRecord>, { version: number; order: Int32Array }>();

  const liveOrder = (table: LazyTable<JsonRecord>): Int32Array => {
    const cached = listCache.get(table);
    if (cached?.version === table.version) return cached.order;
    const order = Int32Array.from(table.liveIndices());
    listCache.set(table, { version: table.version, order });
    return order;
  };

  /** Cursor pagination over a table in index order (GET /contacts, GET /conversations). */
  const listByIndex = (
    ctx: RouteContext,
    table: LazyTable<JsonRecord>,
    defaultPerPage: number,
    item: (i: number) => JsonRecord,
  ) => {
    const perPage = intParam(ctx.query, 'per_page', defaultPerPage, MAX_PER_PAGE);
    const after = ctx.query.get('starting_after');
    const order = liveOrder(table);
    return cursorPage({
      length: order.length,
      perPage,
      cursor: after ? decodeCursor(after) : undefined,
      after: (k, key) => (order[k] as number) > key.i,
      keyAt: (k, n) => ({ i: order[k] as number, n }),
      item: (k) => item(order[k] as number),
    });
  };

  /** A record whose cheap fields come from the skeleton and the rest is generated only if read. */
  const lazyRecord = (
    table: LazyTable<JsonRecord>,
    i: number,
    fast: Record<string, (i: number) => unknown>,
  ): JsonRecord => {
    let full: JsonRecord | undefined;
    const materialise = () => {
      full ??= table.get(i);
      return full;
    };
    const cheap = (prop: string | symbol): { value: unknown } | undefined => {
      if (prop === 'updated_at') return { value: table.updatedAt[i] };
      if (prop === 'created_at') return { value: table.createdAt[i] };
      if (typeof prop === 'string' && Object.hasOwn(fast, prop)) return { value: fast[prop]?.(i) };
      return undefined;
    };
    return new Proxy({} as JsonRecord, {
      get: (_t, prop) => {
        const c = cheap(prop);
        return c ? c.value : materialise()[prop as string];
      },
      has: (_t, prop) => cheap(prop) !== undefined || prop in materialise(),
      ownKeys: () => Reflect.ownKeys(materialise()),
      getOwnPropertyDescriptor: (_t, prop) => {
        const c = cheap(prop);
        if (c) return { value: c.value, enumerable: true, configurable: true, writable: false };
        const full = materialise();
        return Object.hasOwn(full, prop)
          ? { value: full[prop as string], enumerable: true, configurable: true, writable: false }
          : undefined;
      },
    });
  };

  const runSearch = (
    table: LazyTable<JsonRecord>,
    compiled: CompiledSearch,
    fast: Record<string, (i: number) => unknown>,
  ): SearchResult => {
    const cached = searchCache.get(compiled.cacheKey);
    if (cached?.version === table.version) return cached;
    const sorted = table.sortedByUpdatedAt();
    const { min, max } = compiled.updatedAtRange;
    const lo = Number.isFinite(min) ? table.lowerBound(sorted, min) : 0;
    const hi = Number.isFinite(max) ? table.lowerBound(sorted, Math.floor(max) + 1) : sorted.length;
    const matched: number[] = [];
    for (let k = lo; k < hi; k++) {
      const i = sorted[k] as number;
      if (compiled.matches(lazyRecord(table, i, fast))) matched.push(i);
    }
    const field = compiled.sort?.field ?? 'updated_at';
    const descending = compiled.sort?.order === 'descending';
    const sortValue = (i: number): number | string | null => {
      if (field === 'updated_at') return table.updatedAt[i] as number;
      if (field === 'created_at') return table.createdAt[i] as number;
      const v = table.get(i)[field];
      return typeof v === 'number' || typeof v === 'string' ? v : null;
    };
    const values = matched.map(sortValue);
    const idx = matched.map((_, k) => k);
    idx.sort((a, b) =>
      compareKeys(values[a] ?? null, matched[a] as number, values[b] ?? null, matched[b] as number),
    );
    if (descending) idx.reverse();
    const result: SearchResult = {
      version: table.version,
      order: Int32Array.from(idx.map((k) => matched[k] as number)),
      values: idx.map((k) => values[k] ?? null),
      descending,
    };
    searchCache.set(compiled.cacheKey, result);
    if (searchCache.size > SEARCH_CACHE_SIZE) searchCache.delete(searchCache.keys().next().value as string);
    return result;
  };

  const search = (
    ctx: RouteContext,
    model: SearchModel,
    table: LazyTable<JsonRecord>,
    fast: Record<string, (i: number) => unknown>,
    kind: VersionedKind,
    respond: (items: JsonRecord[], pages: Record<string, unknown>, total: number) => unknown,
  ): RouteResult => {
    let compiled: CompiledSearch;
    try {
      compiled = compileSearch(ctx.body, model, { version: ctx.version });
    } catch (error) {
      if (error instanceof SearchError)
        throw new HttpError(error.status, error.code, error.message, error.field);
      throw error;
    }
    const result = runSearch(table, compiled, fast);
    const page = cursorPage({
      length: result.order.length,
      perPage: compiled.perPage,
      cursor: compiled.startingAfter ? decodeCursor(compiled.startingAfter) : undefined,
      after: (k, key) => {
        const c = compareKeys(result.values[k] ?? null, result.order[k] as number, key.v ?? null, key.i);
        return result.descending ? c < 0 : c > 0;
      },
      keyAt: (k, n): CursorKey => ({ v: result.values[k] ?? null, i: result.order[k] as number, n }),
      item: (k) => adaptRecord(kind, table.get(result.order[k] as number), ctx.version),
    });
    return { body: respond(page.items, page.pages, page.totalCount) };
  };

  const nextUrl = (ctx: RouteContext, page: number, perPage: number, extra: Record<string, string> = {}) => {
    const url = new URL(ctx.path, ctx.origin);
    for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(page));
    return url.toString();
  };

  const numberedTable = (
    ctx: RouteContext,
    table: LazyTable<JsonRecord>,
    defaultPerPage: number,
    maxPerPage: number,
    limit = Number.POSITIVE_INFINITY,
  ) => {
    const perPage = intParam(ctx.query, 'per_page', defaultPerPage, maxPerPage);
    const page = intParam(ctx.query, 'page', 1, 1_000_000);
    const order = liveOrder(table);
    const page_ = numberedPage({
      length: Math.min(order.length, limit),
      page,
      perPage,
      items: (s, e) => Array.from(order.subarray(s, e), (i) => table.get(i)),
      nextUrl: (p) => nextUrl(ctx, p, perPage),
    });
    return { ...page_, totalCount: order.length };
  };

  const contactIndex = (ctx: RouteContext) => {
    const i = ws.contactIds.index(ctx.params.id ?? '');
    if (!ws.contacts.isLive(i)) throw new HttpError(404, 'not_found', 'User Not Found');
    return i;
  };
  const companyIndex = (ctx: RouteContext) => {
    const i = ws.companyIds.index(ctx.params.id ?? '');
    if (!ws.companies.isLive(i)) throw new HttpError(404, 'company_not_found', 'Company Not Found');
    return i;
  };

  const contactFast = { id: (i: number) => ws.contactIds.id(i), role: (i: number) => ws.contactRole(i) };

  return [
    {
      method: 'GET',
      path: '/me',
      handler: () => {
        const admin = ws.admins[0] ?? {
          id: '0',
          name: 'Operator',
          email: 'operator@example.com',
          job_title: '',
          team_ids: [],
        };
        return {
          body: {
            ...admin,
            type: 'admin',
            avatar: { type: 'avatar', image_url: null },
            away_mode_enabled: false,
            away_mode_reassign: false,
            has_inbox_seat: true,
            email_verified: true,
            app: {
              type: 'app',
              id_code: ws.appId,
              name: ws.appName,
              region: 'US',
              timezone: 'Etc/UTC',
              created_at: ws.appCreatedAt,
              identity_verification: false,
            },
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/admins',
      handler: (ctx) => ({
        body: {
          type: 'admin.list',
          admins: ws.listed('admins').map((a) => adaptRecord('admin', a, ctx.version)),
        },
      }),
    },
    {
      method: 'GET',
      path: '/teams',
      handler: () => ({ body: { type: 'team.list', teams: ws.listed('teams') } }),
    },
    { method: 'GET', path: '/tags', handler: () => ({ body: { type: 'list', data: ws.tags } }) },
    {
      method: 'GET',
      path: '/segments',
      handler: (ctx) => {
        const withCount = ctx.query.get('include_count') === 'true';
        const segments = withCount
          ? ws.listed('segments').map((s, k) => ({ ...s, count: 10 + ((k * 37) % 500) }))
          : ws.listed('segments');
        return { body: { type: 'segment.list', segments, pages: {} } };
      },
    },
    {
      method: 'GET',
      path: '/data_attributes',
      handler: (ctx) => {
        const model = ctx.query.get('model');
        if (model !== null && !['contact', 'company', 'conversation'].includes(model)) {
          throw new HttpError(
            400,
            'parameter_invalid',
            'model must be one of contact, company, conversation',
            'model',
          );
        }
        if (model === 'conversation' && versionAtLeast(ctx.version, '2.16')) {
          throw new HttpError(
            422,
            'parameter_invalid',
            'Conversation data attributes are listed by GET /conversations/attributes in this version',
            'model',
          );
        }
        const models = model
          ? [model as 'contact' | 'company' | 'conversation']
          : (['contact', 'company'] as const);
        const archived = ctx.query.get('include_archived') === 'true';
        const data = models
          .flatMap((m) => ws.dataAttributes[m])
          .filter((a) => archived || a.archived !== true);
        return { body: { type: 'list', data } };
      },
    },
    {
      method: 'GET',
      path: '/conversations/attributes',
      minVersion: '2.16',
      handler: () => ({
        body: {
          type: 'list',
          data: ws.dataAttributes.conversation
            .filter((a) => a.custom === true)
            .map((a) => {
              const dataType = (
                {
                  string: 'string',
                  integer: 'integer',
                  float: 'decimal',
                  boolean: 'boolean',
                  date: 'datetime',
                } as Record<string, string>
              )[a.data_type as string];
              const options = a.options as string[] | undefined;
              return {
                type: 'conversation_attribute',
                id: a.id,
                name: a.name,
                description: a.description,
                data_type: options ? 'list' : dataType,
                ...(options
                  ? { options: options.map((label, k) => ({ id: String(k + 1), label, archived: false })) }
                  : {}),
                ...(dataType === 'string' && !options ? { multiline: false } : {}),
                required: false,
                visible_to_team_ids: [],
                archived: false,
                created_at: a.created_at,
                updated_at: a.updated_at,
                admin_id: a.admin_id,
              };
            }),
        },
      }),
    },
    {
      method: 'GET',
      path: '/companies/scroll',
      handler: (ctx) => {
        const param = ctx.query.get('scroll_param');
        const found = param ? deps.scrolls.resume(ctx.app, param) : deps.scrolls.start(ctx.app);
        if (!found.ok) {
          if (found.reason === 'exists')
            throw new HttpError(400, 'scroll_exists', 'scroll already exists for this workspace');
          throw new HttpError(404, 'not_found', 'scroll parameter not found');
        }
        const scroll = found.scroll;
        const order = liveOrder(ws.companies);
        let lo = 0;
        let hi = order.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((order[mid] as number) > scroll.position) hi = mid;
          else lo = mid + 1;
        }
        const slice = order.subarray(lo, lo + deps.scrollPageSize());
        if (slice.length === 0) deps.scrolls.end(ctx.app);
        else scroll.position = slice[slice.length - 1] as number;
        return {
          body: {
            type: 'list',
            data: Array.from(slice, (i) => ws.companies.get(i)),
            pages: null,
            total_count: null,
            scroll_param: scroll.param,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/companies',
      handler: (ctx) => {
        const page = numberedTable(ctx, ws.companies, 15, 60, COMPANY_LIST_LIMIT);
        return { body: { type: 'list', pages: page.pages, total_count: page.totalCount, data: page.items } };
      },
    },
    {
      method: 'POST',
      path: '/companies/list',
      handler: (ctx) => {
        const page = numberedTable(ctx, ws.companies, 15, 60, COMPANY_LIST_LIMIT);
        return { body: { type: 'list', pages: page.pages, total_count: page.totalCount, data: page.items } };
      },
    },
    {
      method: 'GET',
      path: '/companies/:id',
      handler: (ctx) => ({ body: ws.companies.get(companyIndex(ctx)) }),
    },
    {
      method: 'GET',
      path: '/companies/:id/segments',
      handler: (ctx) => ({
        body: {
          type: 'list',
          data: ws
            .companySegmentIndexes(companyIndex(ctx))
            .map((s) => ws.segments[s])
            .filter((s) => s !== undefined),
        },
      }),
    },
    {
      method: 'GET',
      path: '/contacts',
      handler: (ctx) => {
        const page = listByIndex(ctx, ws.contacts, 50, (i) =>
          adaptRecord('contact', ws.contacts.get(i), ctx.version),
        );
        return { body: { type: 'list', data: page.items, total_count: page.totalCount, pages: page.pages } };
      },
    },
    {
      method: 'POST',
      path: '/contacts/search',
      handler: (ctx) =>
        search(ctx, 'contacts', ws.contacts, contactFast, 'contact', (data, pages, total) => ({
          type: 'list',
          data,
          total_count: total,
          pages,
        })),
    },
    {
      method: 'GET',
      path: '/contacts/:id',
      handler: (ctx) => ({ body: adaptRecord('contact', ws.contacts.get(contactIndex(ctx)), ctx.version) }),
    },
    {
      method: 'GET',
      path: '/contacts/:id/tags',
      handler: (ctx) => ({ body: { type: 'list', data: ws.contactTags(contactIndex(ctx)) } }),
    },
    {
      method: 'GET',
      path: '/contacts/:id/companies',
      handler: (ctx) => {
        const companies = ws.contactCompanyIndexes(contactIndex(ctx)).map((c) => ws.companies.get(c));
        const perPage = intParam(ctx.query, 'per_page', 50, MAX_PER_PAGE);
        const page = numberedPage({
          items: (s, e) => companies.slice(s, e),
          length: companies.length,
          page: intParam(ctx.query, 'page', 1, 1_000_000),
          perPage,
          nextUrl: (p) => nextUrl(ctx, p, perPage),
        });
        const pages = { ...page.pages };
        if (pages.next === null) delete pages.next;
        return { body: { type: 'list', data: page.items, total_count: companies.length, pages } };
      },
    },
    {
      method: 'GET',
      path: '/conversations',
      handler: (ctx) => {
        const page = listByIndex(ctx, ws.conversations, 20, (i) =>
          adaptRecord('conversation', ws.conversations.get(i), ctx.version),
        );
        return {
          body: {
            type: 'conversation.list',
            conversations: page.items,
            total_count: page.totalCount,
            pages: page.pages,
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/conversations/search',
      handler: (ctx) =>
        search(
          ctx,
          'conversations',
          ws.conversations,
          { id: (i) => ws.conversationId(i) },
          'conversation',
          (conversations, pages, total) => ({
            type: 'conversation.list',
            conversations,
            total_count: total,
            pages,
          }),
        ),
    },
    {
      method: 'GET',
      path: '/conversations/deleted',
      minVersion: '2.16',
      handler: (ctx) => {
        const perPage = intParam(ctx.query, 'per_page', 20, MAX_PER_PAGE);
        const order = ctx.query.get('order') ?? 'asc';
        if (order !== 'asc' && order !== 'desc')
          throw new HttpError(400, 'parameter_invalid', 'order must be asc or desc', 'order');
        const list = order === 'asc' ? ws.deletedConversations : [...ws.deletedConversations].reverse();
        const page = numberedPage({
          items: (s, e) =>
            list.slice(s, e).map((d) => ({
              type: 'conversation',
              id: d.id,
              metrics_retained: false,
              deleted_at: d.deleted_at,
            })),
          length: list.length,
          page: intParam(ctx.query, 'page', 1, 1_000_000),
          perPage,
          nextUrl: (p) => nextUrl(ctx, p, perPage, { order }),
        });
        const pages = { ...page.pages };
        if (pages.next === null) delete pages.next;
        return {
          body: { type: 'conversations.list', conversations: page.items, total_count: list.length, pages },
        };
      },
    },
    {
      method: 'GET',
      path: '/conversations/:id',
      handler: (ctx) => {
        const i = ws.conversationIndex(ctx.params.id ?? '');
        if (!ws.conversations.isLive(i)) throw new HttpError(404, 'not_found', 'Resource Not Found');
        return { body: adaptRecord('conversation', ws.conversationWithParts(i), ctx.version) };
      },
    },
    {
      method: 'POST',
      path: '/tickets/search',
      handler: (ctx) =>
        search(
          ctx,
          'tickets',
          ws.tickets,
          { id: (i) => ws.ticketId(i) },
          'ticket',
          (tickets, pages, total) => ({
            type: 'ticket.list',
            tickets,
            total_count: total,
            pages,
          }),
        ),
    },
    {
      method: 'GET',
      path: '/ticket_types',
      handler: () => ({ body: { type: 'list', data: ws.ticketTypes } }),
    },
    {
      method: 'GET',
      path: '/articles',
      handler: (ctx) => {
        const page = numberedTable(ctx, ws.articles, 50, MAX_PER_PAGE);
        return { body: { type: 'list', pages: page.pages, total_count: page.totalCount, data: page.items } };
      },
    },
    {
      method: 'GET',
      path: '/help_center/collections',
      handler: (ctx) => {
        const page = numberedTable(ctx, ws.collections, 50, MAX_PER_PAGE);
        return { body: { type: 'list', pages: page.pages, total_count: page.totalCount, data: page.items } };
      },
    },
    {
      method: 'GET',
      path: '/help_center/help_centers',
      handler: () => ({ body: { type: 'list', data: ws.helpCenters } }),
    },
    {
      method: 'GET',
      path: '/admins/activity_logs',
      handler: (ctx) => {
        const afterRaw = ctx.query.get('created_at_after');
        if (afterRaw === null)
          throw new HttpError(400, 'parameter_not_found', 'created_at_after is required', 'created_at_after');
        const after = Number(afterRaw);
        const beforeRaw = ctx.query.get('created_at_before');
        const before = beforeRaw === null ? Number.POSITIVE_INFINITY : Number(beforeRaw);
        if (!Number.isFinite(after) || Number.isNaN(before)) {
          throw new HttpError(
            400,
            'parameter_invalid',
            'created_at_after and created_at_before must be Unix timestamps',
            'created_at_after',
          );
        }
        const perPage = intParam(ctx.query, 'per_page', 20, MAX_PER_PAGE);
        const logs = ws.activityLogs;
        const times = logs.createdAt;
        // Logs are appended in time order, so the window is a contiguous range.
        let lo = 0;
        let hi = times.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((times[mid] as number) < after) lo = mid + 1;
          else hi = mid;
        }
        let end = lo;
        while (end < times.length && (times[end] as number) <= before) end++;
        const from = lo;
        const page = numberedPage({
          items: (s, e) => Array.from({ length: e - s }, (_, k) => logs.get(from + s + k)),
          length: end - from,
          page: intParam(ctx.query, 'page', 1, 1_000_000),
          perPage,
          nextUrl: (p) =>
            nextUrl(ctx, p, perPage, {
              created_at_after: afterRaw,
              ...(beforeRaw === null ? {} : { created_at_before: beforeRaw }),
            }),
        });
        return { body: { type: 'activity_log.list', pages: page.pages, activity_logs: page.items } };
      },
    },
    {
      method: 'GET',
      path: '/news/news_items',
      handler: (ctx) => {
        const perPage = intParam(ctx.query, 'per_page', 50, MAX_PER_PAGE);
        const page = numberedPage({
          items: (s, e) => ws.newsItems.slice(s, e),
          length: ws.newsItems.length,
          page: intParam(ctx.query, 'page', 1, 1_000_000),
          perPage,
          nextUrl: (p) => nextUrl(ctx, p, perPage),
        });
        return {
          body: { type: 'list', pages: page.pages, total_count: ws.newsItems.length, data: page.items },
        };
      },
    },
  ];
}

/** Orders (value, index) pairs: numbers before strings before nulls, then by index. */
function compareKeys(av: number | string | null, ai: number, bv: number | string | null, bi: number): number {
  if (av !== bv) {
    if (av === null) return 1;
    if (bv === null) return -1;
    if (typeof av === typeof bv) return av < bv ? -1 : 1;
    return typeof av === 'number' ? -1 : 1;
  }
  return ai - bi;
}
