/**
 * The simulator's search-query compiler for POST /contacts/search, /conversations/search and
 * /tickets/search.
 *
 * `compileSearch` validates a request body the way Intercom does and turns it into a predicate over
 * the plain JSON records the API returns, plus what the simulator needs to serve the page: sort,
 * page size, cursor, a cache key and a sound `updated_at` range for narrowing with a sorted index.
 *
 * Rules (from the OpenAPI descriptions and our notes):
 * - A query is a filter `{field, operator, value}` or a group `{operator: "AND"|"OR", value: [...]}`;
 *   at most 2 levels of groups and 1–15 direct children per group.
 * - Contacts: date fields (the standard timestamps and every field whose last segment ends in `_at`)
 *   accept only `=`, `<` and `>`, and the value is truncated to its calendar day D (UTC here; the
 *   real API uses the workspace's timezone): `=` is the whole day, `>` starts at D + 1 day, `<` ends
 *   before D. `tag_id` accepts only `=` and `!=`.
 * - Conversations and tickets: `>` and `<` mean "or equal" on every field.
 *
 * Choices where Intercom's documentation is silent (all covered by unit tests):
 * - `~ !~ ^ $` compare case-insensitively; `= != IN NIN` on strings are exact (case-sensitive).
 * - A path that crosses an array, or ends on one, yields every element; a positive operator matches
 *   when ANY element matches, a negative one (`!=`, `NIN`, `!~`) when NO element matches the positive
 *   counterpart. A missing field yields no elements: positive operators fail, negative ones succeed.
 * - `= null` matches a missing or null field (or an empty list); `!= null` matches a present one.
 * - Numbers and numeric strings compare numerically in both directions; `"true"`/`"false"` equal the
 *   booleans. Comparisons (`< <= > >=`) need a numeric value. Date fields also read ISO-8601 strings
 *   on the record side (see `timestampOf`).
 * - Contacts `segment_id` is accepted with any operator and ignored: the filter is always true (the
 *   simulator keeps no segment membership).
 * - Conversations/tickets `source.body`: `= != IN NIN` compare against each word of the body (HTML
 *   tags stripped, case-insensitive), as Intercom documents; `~ !~ ^ $` use the whole text.
 * - Tickets: `category` is searched with Intercom's terms (`request`, `task`, `tracker` for Customer,
 *   Back-office, Tracker); `state` reads `ticket_state.category`; `ticket_type_id` reads
 *   `ticket_type.id`; `title`/`description` read the default ticket attributes; `ticket_attribute.X`
 *   reads `ticket_attributes.X`.
 * - `IN`/`NIN` take an array of strings, numbers or booleans (an empty array is allowed: `IN []`
 *   matches nothing, `NIN []` everything). `=`/`!=` with an array value are refused.
 * - Sort: `order` defaults to `descending` when omitted (the 2.16 description's default). From 2.16
 *   (and `Preview`) any other value answers 400 `invalid_sort_order` on all three endpoints; older
 *   versions accept `asc`/`desc` (any case) and read anything else as ascending.
 * - `pagination.per_page` must be an integer (a numeric string is accepted) from 1 to 150.
 * - `updatedAtRange` bounds `timestampOf(record.updated_at)` and assumes whole-second timestamps (as
 *   the API returns); `IN` on conversations/tickets also bounds it (smallest to largest value).
 */
import { HttpError } from './errors.js';

export type SearchModel = 'contacts' | 'conversations' | 'tickets';

export type SearchOperator = '=' | '!=' | 'IN' | 'NIN' | '<' | '<=' | '>' | '>=' | '~' | '!~' | '^' | '$';

export interface SearchSort {
  field: string;
  order: 'ascending' | 'descending';
}

/** Every invalid search body is reported with this error (an `HttpError`, so it renders as Intercom's envelope). */
export class SearchError extends HttpError {
  constructor(status: number, code: string, message: string, field?: string) {
    super(status, code, message, field);
    this.name = 'SearchError';
  }
}

export interface CompiledSearch {
  /** True when the record satisfies the query. */
  matches(record: Record<string, unknown>): boolean;
  /**
   * Inclusive bounds on `updated_at` (as read by `timestampOf`) that every match satisfies, derived
   * only from filters reachable from the root through AND groups. `{min: -Infinity, max: Infinity}`
   * when the query does not bound it.
   */
  updatedAtRange: { min: number; max: number };
  /** The requested sort, or null when the body has none. */
  sort: SearchSort | null;
  /** Page size: contacts 50, conversations 20, tickets 20 by default; at most 150. */
  perPage: number;
  startingAfter: string | undefined;
  /** A stable string identifying model + query + sort (not pagination), for result caching. */
  cacheKey: string;
}

export const SEARCH_MAX_PER_PAGE = 150;
export const SEARCH_MAX_FILTERS_PER_GROUP = 15;
export const SEARCH_MAX_NESTING = 2;
export const DEFAULT_SEARCH_PER_PAGE: Readonly<Record<SearchModel, number>> = {
  contacts: 50,
  conversations: 20,
  tickets: 20,
};

const DAY = 86_400;
/** Message of the catch-all error; exported for tests that assert validation never falls through to it. */
export const SEARCH_UNREADABLE_MESSAGE = 'The search request could not be read';
const UNREADABLE = SEARCH_UNREADABLE_MESSAGE;
const OPERATORS: readonly SearchOperator[] = [
  '=',
  '!=',
  'IN',
  'NIN',
  '<',
  '<=',
  '>',
  '>=',
  '~',
  '!~',
  '^',
  '$',
];
const COMPARISONS: ReadonlySet<SearchOperator> = new Set(['<', '<=', '>', '>=']);
const TEXT_OPERATORS: ReadonlySet<SearchOperator> = new Set(['~', '!~', '^', '$']);
const CONTACT_DATE_OPERATORS: ReadonlySet<SearchOperator> = new Set(['=', '<', '>']);
const CONTACT_DATE_FIELDS: ReadonlySet<string> = new Set([
  'created_at',
  'updated_at',
  'signed_up_at',
  'last_seen_at',
  'last_contacted_at',
  'last_replied_at',
  'last_email_opened_at',
  'last_email_clicked_at',
]);
/** Conversation/ticket timestamps whose names do not end in `_at`. */
const OTHER_DATE_FIELDS: ReadonlySet<string> = new Set(['waiting_since', 'snoozed_until']);
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

type Scalar = string | number | boolean;
type LeafValue = Scalar | null | Scalar[];

interface LeafNode {
  kind: 'leaf';
  field: string;
  operator: SearchOperator;
  value: LeafValue;
}

interface GroupNode {
  kind: 'group';
  operator: 'AND' | 'OR';
  children: QueryNode[];
}

type QueryNode = LeafNode | GroupNode;

/** How a searchable field is read from a record. */
type FieldSpec =
  | { kind: 'ignored' }
  | {
      kind: 'path';
      segments: string[];
      /** Compare `= != IN NIN` against each word of the text. */
      words: boolean;
      /** Rewrites a record value before comparing (tickets' category). */
      map?: (value: unknown) => unknown;
    };

type Predicate = (record: Record<string, unknown>) => boolean;

const TICKET_CATEGORY_TERMS: Readonly<Record<string, string>> = {
  Customer: 'request',
  'Back-office': 'task',
  Tracker: 'tracker',
};

const ALIASES: Readonly<Record<SearchModel, Readonly<Record<string, string>>>> = {
  contacts: {
    tag_id: 'tags.data.id',
    company_id: 'companies.data.id',
  },
  conversations: {
    contact_ids: 'contacts.contacts.id',
    teammate_ids: 'teammates.teammates.id',
    tag_ids: 'tags.tags.id',
  },
  tickets: {
    contact_ids: 'contacts.contacts.id',
    teammate_ids: 'teammates.teammates.id',
    tag_ids: 'tags.tags.id',
    ticket_type_id: 'ticket_type.id',
    state: 'ticket_state.category',
    title: 'ticket_attributes._default_title_',
    description: 'ticket_attributes._default_description_',
  },
};

// ---------------------------------------------------------------------------------------------
// Small helpers

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return typeof value;
  }
}

function invalid(message: string, field?: string): SearchError {
  return new SearchError(400, 'parameter_invalid', message, field);
}

/** A finite number from a number or a numeric string; undefined otherwise. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    if (!NUMERIC.test(text)) return undefined;
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Unix seconds from a record's timestamp: a number, a numeric string, or an ISO-8601 date string
 * (some Intercom timestamps, e.g. `android_last_seen_at`, are strings). Undefined otherwise.
 */
export function timestampOf(value: unknown): number | undefined {
  const n = toNumber(value);
  if (n !== undefined || typeof value !== 'string') return n;
  const text = value.trim();
  if (!ISO_DATE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** Start of the UTC day holding `seconds`. */
function dayStart(seconds: number): number {
  return Math.floor(seconds / DAY) * DAY;
}

function lastSegment(field: string): string {
  const dot = field.lastIndexOf('.');
  return dot === -1 ? field : field.slice(dot + 1);
}

function isDateField(model: SearchModel, field: string): boolean {
  const name = lastSegment(field);
  if (name.endsWith('_at')) return true;
  if (model === 'contacts') return CONTACT_DATE_FIELDS.has(name);
  return OTHER_DATE_FIELDS.has(name);
}

function isStrictSortVersion(version: string): boolean {
  if (version.trim().toLowerCase() === 'preview') return true;
  const match = /^(\d+)\.(\d+)$/.exec(version.trim());
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 2 || (major === 2 && minor >= 16);
}

function words(text: string): string[] {
  return text
    .replace(/<[^>]*>/g, ' ')
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((word) => word.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Field resolution

function fieldSpec(model: SearchModel, field: string): FieldSpec {
  if (model === 'contacts' && field === 'segment_id') return { kind: 'ignored' };
  const aliases = ALIASES[model];
  let path = Object.hasOwn(aliases, field) ? (aliases[field] as string) : field;
  if (model === 'tickets' && field.startsWith('ticket_attribute.')) {
    path = `ticket_attributes.${field.slice('ticket_attribute.'.length)}`;
  }
  const spec: FieldSpec = {
    kind: 'path',
    segments: path.split('.'),
    words: model !== 'contacts' && field === 'source.body',
  };
  if (model === 'tickets' && field === 'category') {
    spec.map = (value) =>
      typeof value === 'string' && Object.hasOwn(TICKET_CATEGORY_TERMS, value)
        ? TICKET_CATEGORY_TERMS[value]
        : value;
  }
  return spec;
}

function pushFlattened(out: unknown[], value: unknown): void {
  if (!Array.isArray(value)) {
    out.push(value);
    return;
  }
  for (const element of value) pushFlattened(out, element);
}

/** Every value at `segments`, arrays crossed and flattened; missing keys yield nothing. */
function resolvePath(record: Record<string, unknown>, segments: readonly string[]): unknown[] {
  let current: unknown[] = [record];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const holder of current) {
      if (isObject(holder) && Object.hasOwn(holder, segment)) pushFlattened(next, holder[segment]);
    }
    current = next;
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Parsing

function parseScalar(value: unknown, where: string): Scalar {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw invalid(`${where} must be a string, a number or a boolean, got ${describe(value)}`, where);
}

function parseLeaf(raw: Record<string, unknown>, where: string, model: SearchModel): LeafNode {
  const field = own(raw, 'field');
  if (typeof field !== 'string' || field.length === 0 || field.split('.').some((s) => s.length === 0)) {
    throw invalid(
      `${where}.field must be a non-empty field name such as "updated_at" or "custom_attributes.plan", got ${describe(field)}`,
      `${where}.field`,
    );
  }
  const operator = own(raw, 'operator');
  if (typeof operator !== 'string' || !(OPERATORS as readonly string[]).includes(operator)) {
    throw invalid(
      `${where}.operator ${describe(operator)} is not supported; use one of ${OPERATORS.join(' ')}`,
      `${where}.operator`,
    );
  }
  const op = operator as SearchOperator;
  if (!Object.hasOwn(raw, 'value')) throw invalid(`${where}.value is required`, `${where}.value`);
  const rawValue = raw.value;
  const valueWhere = `${where}.value`;
  const date = isDateField(model, field);

  let value: LeafValue;
  if (op === 'IN' || op === 'NIN') {
    if (!Array.isArray(rawValue)) {
      throw invalid(`${valueWhere} must be an array for ${op}, got ${describe(rawValue)}`, valueWhere);
    }
    value = rawValue.map((element, i) => parseScalar(element, `${valueWhere}[${i}]`));
  } else if (Array.isArray(rawValue)) {
    throw invalid(`${valueWhere} must not be an array for ${op}; use IN or NIN to match a list`, valueWhere);
  } else if (rawValue === null) {
    if (op !== '=' && op !== '!=') throw invalid(`${valueWhere} must not be null for ${op}`, valueWhere);
    value = null;
  } else {
    value = parseScalar(rawValue, valueWhere);
  }

  if (COMPARISONS.has(op) && toNumber(value) === undefined) {
    throw invalid(`${valueWhere} must be a number for ${op}, got ${describe(rawValue)}`, valueWhere);
  }
  if (TEXT_OPERATORS.has(op)) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw invalid(`${valueWhere} must be a string for ${op}, got ${describe(rawValue)}`, valueWhere);
    }
    if (date) throw invalid(`Operator ${op} is not supported on date field ${field}`, `${where}.operator`);
  }
  if (date) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v !== null && toNumber(v) === undefined) {
        throw invalid(
          `${valueWhere} must be a Unix timestamp for date field ${field}, got ${describe(rawValue)}`,
          valueWhere,
        );
      }
    }
  }
  if (model === 'contacts') {
    if (date && !CONTACT_DATE_OPERATORS.has(op)) {
      throw invalid(
        `Operator ${op} is not supported on date field ${field}; use =, < or >`,
        `${where}.operator`,
      );
    }
    if (field === 'tag_id' && op !== '=' && op !== '!=') {
      throw invalid(`Operator ${op} is not supported on tag_id; use = or !=`, `${where}.operator`);
    }
  }
  return { kind: 'leaf', field, operator: op, value };
}

/** `groups` is the number of groups enclosing `raw`. */
function parseNode(raw: unknown, where: string, groups: number, model: SearchModel): QueryNode {
  const shape = 'a filter {field, operator, value} or a group {operator: "AND"|"OR", value: [...]}';
  if (!isObject(raw)) throw invalid(`${where} must be ${shape}, got ${describe(raw)}`, where);
  if (Object.hasOwn(raw, 'field')) return parseLeaf(raw, where, model);
  const operator = own(raw, 'operator');
  const value = own(raw, 'value');
  if (operator !== 'AND' && operator !== 'OR') {
    if (operator !== undefined && Array.isArray(value)) {
      throw invalid(
        `${where}.operator must be "AND" or "OR" for a group, got ${describe(operator)}`,
        `${where}.operator`,
      );
    }
    throw invalid(`${where} must be ${shape}; "field" is missing`, `${where}.field`);
  }
  if (groups + 1 > SEARCH_MAX_NESTING) {
    throw invalid(`${where}: groups can be nested at most ${SEARCH_MAX_NESTING} levels deep`, where);
  }
  if (!Array.isArray(value)) {
    throw invalid(
      `${where}.value must be an array of filters for ${operator}, got ${describe(value)}`,
      `${where}.value`,
    );
  }
  if (value.length === 0) throw invalid(`${where}.value must hold at least one filter`, `${where}.value`);
  if (value.length > SEARCH_MAX_FILTERS_PER_GROUP) {
    throw invalid(
      `${where}.value holds ${value.length} filters; a group holds at most ${SEARCH_MAX_FILTERS_PER_GROUP}`,
      `${where}.value`,
    );
  }
  const children = value.map((child, i) => parseNode(child, `${where}.value[${i}]`, groups + 1, model));
  return { kind: 'group', operator, children };
}

function parseSort(raw: unknown, version: string): SearchSort | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw invalid(`sort must be an object {field, order}, got ${describe(raw)}`, 'sort');
  const field = own(raw, 'field');
  if (typeof field !== 'string' || field.length === 0) {
    throw invalid(`sort.field must be a non-empty field name, got ${describe(field)}`, 'sort.field');
  }
  const order = own(raw, 'order');
  if (order === undefined || order === null) return { field, order: 'descending' };
  if (order === 'ascending' || order === 'descending') return { field, order };
  if (isStrictSortVersion(version)) {
    const shown = typeof order === 'string' ? order : describe(order);
    throw new SearchError(
      400,
      'invalid_sort_order',
      `Invalid sort order '${shown}'. Must be one of: ascending, descending`,
      'sort.order',
    );
  }
  const lower = typeof order === 'string' ? order.trim().toLowerCase() : '';
  return { field, order: lower === 'desc' || lower === 'descending' ? 'descending' : 'ascending' };
}

function parsePagination(
  raw: unknown,
  model: SearchModel,
): { perPage: number; startingAfter: string | undefined } {
  if (raw === undefined || raw === null)
    return { perPage: DEFAULT_SEARCH_PER_PAGE[model], startingAfter: undefined };
  if (!isObject(raw))
    throw invalid(
      `pagination must be an object {per_page, starting_after}, got ${describe(raw)}`,
      'pagination',
    );
  let perPage = DEFAULT_SEARCH_PER_PAGE[model];
  const rawPerPage = own(raw, 'per_page');
  if (rawPerPage !== undefined && rawPerPage !== null) {
    const n =
      typeof rawPerPage === 'number' || typeof rawPerPage === 'string' ? toNumber(rawPerPage) : undefined;
    if (n === undefined || !Number.isInteger(n) || n < 1 || n > SEARCH_MAX_PER_PAGE) {
      throw invalid(
        `pagination.per_page must be an integer from 1 to ${SEARCH_MAX_PER_PAGE}, got ${describe(rawPerPage)}`,
        'pagination.per_page',
      );
    }
    perPage = n;
  }
  const rawCursor = own(raw, 'starting_after');
  if (rawCursor !== undefined && rawCursor !== null && typeof rawCursor !== 'string') {
    throw invalid(
      `pagination.starting_after must be a string, got ${describe(rawCursor)}`,
      'pagination.starting_after',
    );
  }
  return {
    perPage,
    startingAfter: typeof rawCursor === 'string' && rawCursor.length > 0 ? rawCursor : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Compiling

function looseEquals(actual: unknown, target: Scalar | null, date: boolean): boolean {
  if (target === null) return actual === null || actual === undefined;
  if (date) {
    const a = timestampOf(actual);
    return a !== undefined && a === toNumber(target);
  }
  if (typeof actual === typeof target) return actual === target;
  if (typeof actual === 'number' || typeof target === 'number') {
    const a = toNumber(actual);
    return a !== undefined && a === toNumber(target);
  }
  if (typeof actual === 'boolean' && typeof target === 'string') return String(actual) === target;
  if (typeof actual === 'string' && typeof target === 'boolean') return actual === String(target);
  return false;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number') return String(value).toLowerCase();
  return undefined;
}

/** The test one element must pass for a positive operator. */
function elementTest(
  model: SearchModel,
  leaf: LeafNode,
  op: SearchOperator,
  date: boolean,
): (v: unknown) => boolean {
  const { value } = leaf;
  switch (op) {
    case '=':
    case 'IN': {
      const targets: (Scalar | null)[] = Array.isArray(value) ? value : [value];
      if (model === 'contacts' && date && op === '=' && value !== null) {
        const start = dayStart(toNumber(value) as number);
        return (v) => {
          const t = timestampOf(v);
          return t !== undefined && t >= start && t < start + DAY;
        };
      }
      return (v) => targets.some((target) => looseEquals(v, target, date));
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const n = toNumber(value) as number;
      const read = date ? timestampOf : toNumber;
      if (model === 'contacts' && date) {
        const start = dayStart(n);
        if (op === '>') return (v) => (read(v) ?? Number.NEGATIVE_INFINITY) >= start + DAY;
        return (v) => (read(v) ?? Number.POSITIVE_INFINITY) < start;
      }
      if (op === '<') return (v) => (read(v) ?? Number.POSITIVE_INFINITY) < n;
      if (op === '<=') return (v) => (read(v) ?? Number.POSITIVE_INFINITY) <= n;
      if (op === '>') return (v) => (read(v) ?? Number.NEGATIVE_INFINITY) > n;
      return (v) => (read(v) ?? Number.NEGATIVE_INFINITY) >= n;
    }
    case '~':
    case '^':
    case '$': {
      const needle = asText(value) ?? '';
      return (v) => {
        const text = asText(v);
        if (text === undefined) return false;
        if (op === '~') return text.includes(needle);
        return op === '^' ? text.startsWith(needle) : text.endsWith(needle);
      };
    }
    default:
      return () => false;
  }
}

const POSITIVE_OF: Partial<Record<SearchOperator, SearchOperator>> = { '!=': '=', NIN: 'IN', '!~': '~' };

function effectiveOperator(model: SearchModel, op: SearchOperator): SearchOperator {
  if (model === 'contacts') return op;
  if (op === '>') return '>=';
  if (op === '<') return '<=';
  return op;
}

function compileLeaf(leaf: LeafNode, model: SearchModel): Predicate {
  const spec = fieldSpec(model, leaf.field);
  if (spec.kind === 'ignored') return () => true;
  const op = effectiveOperator(model, leaf.operator);
  const positive = POSITIVE_OF[op] ?? op;
  const negate = positive !== op;
  const date = isDateField(model, leaf.field);
  const equality = positive === '=' || positive === 'IN';
  const wordLeaf: LeafNode =
    spec.words && equality
      ? {
          ...leaf,
          value: Array.isArray(leaf.value) ? leaf.value.map(lowerIfString) : lowerIfString(leaf.value),
        }
      : leaf;
  const test = elementTest(model, wordLeaf, positive, date);
  const targets = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
  const emptyMatches = equality && targets.includes(null);
  const { segments, map } = spec;
  const splitWords = spec.words && equality;
  return (record) => {
    let values = resolvePath(record, segments);
    if (map) values = values.map(map);
    if (splitWords) values = values.flatMap((v) => (typeof v === 'string' ? words(v) : [v]));
    const any = (values.length === 0 && emptyMatches) || values.some(test);
    return negate ? !any : any;
  };
}

function lowerIfString<T>(value: T): T | string {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function compileNode(node: QueryNode, model: SearchModel): Predicate {
  if (node.kind === 'leaf') return compileLeaf(node, model);
  const children = node.children.map((child) => compileNode(child, model));
  if (node.operator === 'AND') return (record) => children.every((child) => child(record));
  return (record) => children.some((child) => child(record));
}

/** Bounds one `updated_at` filter puts on every match, or undefined when it puts none. */
function leafRange(leaf: LeafNode, model: SearchModel): { min: number; max: number } | undefined {
  const spec = fieldSpec(model, leaf.field);
  if (spec.kind !== 'path' || spec.segments.length !== 1 || spec.segments[0] !== 'updated_at')
    return undefined;
  const op = effectiveOperator(model, leaf.operator);
  if (op === 'IN') {
    if (!Array.isArray(leaf.value) || leaf.value.length === 0) return { min: Infinity, max: -Infinity };
    const numbers = leaf.value.map((v) => toNumber(v));
    if (numbers.some((n) => n === undefined)) return undefined;
    const defined = numbers as number[];
    return { min: Math.min(...defined), max: Math.max(...defined) };
  }
  if (leaf.value === null || Array.isArray(leaf.value)) return undefined;
  const v = toNumber(leaf.value);
  if (v === undefined) return undefined;
  if (model === 'contacts') {
    const start = dayStart(v);
    if (op === '=') return { min: start, max: start + DAY - 1 };
    if (op === '>') return { min: start + DAY, max: Infinity };
    if (op === '<') return { min: -Infinity, max: start - 1 };
    return undefined;
  }
  switch (op) {
    case '=':
      return { min: v, max: v };
    case '>=':
      return { min: v, max: Infinity };
    case '<=':
      return { min: -Infinity, max: v };
    default:
      return undefined;
  }
}

function updatedAtRange(node: QueryNode, model: SearchModel): { min: number; max: number } {
  const range = { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY };
  const visit = (n: QueryNode): void => {
    if (n.kind === 'group') {
      if (n.operator === 'AND') for (const child of n.children) visit(child);
      return;
    }
    const bound = leafRange(n, model);
    if (!bound) return;
    range.min = Math.max(range.min, bound.min);
    range.max = Math.min(range.max, bound.max);
  };
  visit(node);
  return range;
}

function canonical(node: QueryNode): unknown {
  if (node.kind === 'leaf') return [node.field, node.operator, node.value];
  return [node.operator, node.children.map(canonical)];
}

/**
 * Validate a search body and compile it for `model`. Throws `SearchError` (and nothing else) for
 * every invalid body.
 */
export function compileSearch(
  body: unknown,
  model: SearchModel,
  options: { version: string },
): CompiledSearch {
  try {
    if (!isObject(body)) {
      throw new SearchError(
        400,
        'bad_request',
        `The request body must be a JSON object with a "query", got ${describe(body)}`,
      );
    }
    if (!Object.hasOwn(body, 'query') || body.query === undefined || body.query === null) {
      throw new SearchError(
        400,
        'bad_request',
        'The request body needs a "query" (a filter or an AND/OR group)',
        'query',
      );
    }
    const query = parseNode(body.query, 'query', 0, model);
    const sort = parseSort(own(body, 'sort'), typeof options.version === 'string' ? options.version : '');
    const { perPage, startingAfter } = parsePagination(own(body, 'pagination'), model);
    return {
      matches: compileNode(query, model),
      updatedAtRange: updatedAtRange(query, model),
      sort,
      perPage,
      startingAfter,
      cacheKey: JSON.stringify([model, canonical(query), sort]),
    };
  } catch (error) {
    if (error instanceof SearchError) throw error;
    // A safety net: validation above should have caught everything; the unit tests assert it is never reached.
    throw new SearchError(400, 'bad_request', UNREADABLE);
  }
}
