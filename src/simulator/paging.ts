import { HttpError } from './errors.js';

/** Intercom's largest page on every endpoint. */
export const MAX_PER_PAGE = 150;

/** What an opaque `starting_after` cursor carries: the sort key of the last item and the page number. */
export interface CursorKey {
  /** Sort value of the last item returned (undefined for index order). */
  v?: number | string | null;
  /** Index of the last item returned. */
  i: number;
  /** Page number of the page that ended with it. */
  n: number;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorKey;
    if (typeof key === 'object' && key !== null && Number.isInteger(key.i) && Number.isInteger(key.n))
      return key;
  } catch {
    // fall through
  }
  throw new HttpError(400, 'parameter_invalid', 'starting_after is not a valid cursor', 'starting_after');
}

/** Parses a positive integer query parameter within [1, max]. */
export function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw))
    throw new HttpError(400, 'parameter_invalid', `${name} must be a positive integer`, name);
  const value = Number(raw);
  if (value < 1) throw new HttpError(400, 'parameter_invalid', `${name} must be at least 1`, name);
  if (value > max) throw new HttpError(400, 'parameter_invalid', `${name} must be at most ${max}`, name);
  return value;
}

export interface CursorPage<T> {
  items: T[];
  pages: Record<string, unknown>;
  totalCount: number;
}

/**
 * One page of `order` (a list of record indexes in a fixed sort) after the cursor, `perPage` long.
 * `after(k, key)` says whether position k sorts after the cursor key; `keyAt(k)` builds the key of k.
 */
export function cursorPage<T>(options: {
  length: number;
  perPage: number;
  cursor: CursorKey | undefined;
  after: (position: number, key: CursorKey) => boolean;
  keyAt: (position: number, page: number) => CursorKey;
  item: (position: number) => T;
}): CursorPage<T> {
  const { length, perPage, cursor } = options;
  let start = 0;
  if (cursor) {
    let lo = 0;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (options.after(mid, cursor)) hi = mid;
      else lo = mid + 1;
    }
    start = lo;
  }
  const page = cursor ? cursor.n + 1 : 1;
  const end = Math.min(length, start + perPage);
  const items: T[] = [];
  for (let k = start; k < end; k++) items.push(options.item(k));
  const pages: Record<string, unknown> = {
    type: 'pages',
    page,
    per_page: perPage,
    total_pages: Math.max(1, Math.ceil(length / perPage)),
  };
  if (end < length)
    pages.next = { per_page: perPage, starting_after: encodeCursor(options.keyAt(end - 1, page)) };
  return { items, pages, totalCount: length };
}

/** Page-numbered pagination: `pages.next` is a full URL on the simulator's own host, or null. */
export function numberedPage<T>(options: {
  items: (start: number, end: number) => T[];
  length: number;
  page: number;
  perPage: number;
  nextUrl: (page: number) => string;
}): { items: T[]; pages: Record<string, unknown> } {
  const { length, page, perPage } = options;
  const start = (page - 1) * perPage;
  const end = Math.min(length, start + perPage);
  const items = start < length ? options.items(start, end) : [];
  const totalPages = Math.max(1, Math.ceil(length / perPage));
  return {
    items,
    pages: {
      type: 'pages',
      page,
      per_page: perPage,
      total_pages: totalPages,
      next: end < length ? options.nextUrl(page + 1) : null,
    },
  };
}
