import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompiledSearch, SearchModel } from '../../src/simulator/search.js';
import {
  compileSearch,
  SEARCH_UNREADABLE_MESSAGE,
  SearchError,
  timestampOf,
} from '../../src/simulator/search.js';

type Json = Record<string, unknown>;

const DAY = 86_400;
/** 2023-11-14T00:00:00Z */
const M = 1_699_920_000;
const H = 3_600;

const leaf = (field: string, operator: string, value: unknown): Json => ({ field, operator, value });
const and = (...value: unknown[]): Json => ({ operator: 'AND', value });
const or = (...value: unknown[]): Json => ({ operator: 'OR', value });

function compile(
  query: unknown,
  model: SearchModel = 'contacts',
  extra: Json = {},
  version = '2.14',
): CompiledSearch {
  return compileSearch({ query, ...extra }, model, { version });
}

function errorOf(run: () => unknown): SearchError {
  try {
    run();
  } catch (error) {
    if (error instanceof SearchError) return error;
    throw new Error(`expected a SearchError, got ${String(error)}`);
  }
  throw new Error('expected a SearchError, nothing was thrown');
}

const contact: Json = {
  type: 'contact',
  id: 'c1',
  role: 'user',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: null,
  owner_id: 42,
  unsubscribed_from_emails: false,
  created_at: M - 10 * DAY,
  updated_at: M + 9 * H,
  android_last_seen_at: '2023-11-14T09:00:00Z',
  custom_attributes: { plan: 'pro', seats: 10, beta: true, score: '7', renewal_at: M + DAY },
  location: { type: 'location', country: 'France', region: 'IDF', city: 'Paris' },
  tags: {
    type: 'list',
    data: [
      { type: 'tag', id: 't1' },
      { type: 'tag', id: 't2' },
    ],
  },
  companies: { type: 'list', data: [{ type: 'company', id: 'co1' }] },
  notes: { type: 'list', data: [] },
};

const conversation: Json = {
  type: 'conversation',
  id: '515',
  created_at: M,
  updated_at: M + 9 * H,
  waiting_since: null,
  source: {
    type: 'conversation',
    id: '403918346',
    delivered_as: 'admin_initiated',
    subject: '',
    body: '<p>I need <b>support</b> with billing</p>',
    author: { type: 'admin', id: '991267691', name: 'Ciaran Lee', email: 'admin210@email.com' },
  },
  contacts: {
    type: 'contact.list',
    contacts: [
      { type: 'contact', id: 'ct1' },
      { type: 'contact', id: 'ct2' },
    ],
  },
  teammates: { type: 'admin.list', teammates: [{ type: 'admin', id: 'a9' }] },
  admin_assignee_id: 991267715,
  team_assignee_id: 5017691,
  open: false,
  state: 'closed',
  read: true,
  tags: { type: 'tag.list', tags: [{ type: 'tag', id: 'tg1', name: 'vip' }] },
  statistics: { count_reopens: 2, time_to_admin_reply: 120, last_close_at: M + 8 * H },
  custom_attributes: {},
};

const ticket: Json = {
  type: 'ticket',
  id: '633',
  ticket_id: '40',
  category: 'Back-office',
  ticket_attributes: {
    _default_title_: 'Found a bug',
    _default_description_: "The button's not working",
    sev: 3,
  },
  ticket_state: { type: 'ticket_state', id: '8577', category: 'submitted' },
  ticket_type: { type: 'ticket_type', id: '100' },
  contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: 'ct7' }] },
  admin_assignee_id: '0',
  team_assignee_id: '0',
  created_at: M,
  updated_at: M + 9 * H,
  open: true,
  snoozed_until: null,
};

describe('compileSearch: body shape', () => {
  const badBodies: [string, unknown, string, string | undefined][] = [
    ['null body', null, 'bad_request', undefined],
    ['array body', [], 'bad_request', undefined],
    ['string body', 'query', 'bad_request', undefined],
    ['number body', 3, 'bad_request', undefined],
    ['missing query', { pagination: { per_page: 5 } }, 'bad_request', 'query'],
    ['null query', { query: null }, 'bad_request', 'query'],
    ['string query', { query: 'updated_at > 1' }, 'parameter_invalid', 'query'],
    ['array query', { query: [leaf('id', '=', 'x')] }, 'parameter_invalid', 'query'],
    ['empty object query', { query: {} }, 'parameter_invalid', 'query.field'],
    ['leaf without operator', { query: { field: 'id', value: 'x' } }, 'parameter_invalid', 'query.operator'],
    ['leaf without value', { query: { field: 'id', operator: '=' } }, 'parameter_invalid', 'query.value'],
    ['unknown operator', { query: leaf('id', '==', 'x') }, 'parameter_invalid', 'query.operator'],
    ['lower-case in', { query: leaf('id', 'in', ['x']) }, 'parameter_invalid', 'query.operator'],
    ['group operator on a leaf', { query: leaf('id', 'AND', 'x') }, 'parameter_invalid', 'query.operator'],
    [
      'numeric operator',
      { query: { field: 'id', operator: 1, value: 'x' } },
      'parameter_invalid',
      'query.operator',
    ],
    ['empty field', { query: leaf('', '=', 'x') }, 'parameter_invalid', 'query.field'],
    [
      'field with empty segment',
      { query: leaf('location..city', '=', 'x') },
      'parameter_invalid',
      'query.field',
    ],
    ['numeric field', { query: { field: 7, operator: '=', value: 'x' } }, 'parameter_invalid', 'query.field'],
    [
      'lower-case group',
      { query: { operator: 'and', value: [leaf('id', '=', 'x')] } },
      'parameter_invalid',
      'query.operator',
    ],
    [
      'NOT group',
      { query: { operator: 'NOT', value: [leaf('id', '=', 'x')] } },
      'parameter_invalid',
      'query.operator',
    ],
    [
      'group value not array',
      { query: { operator: 'AND', value: leaf('id', '=', 'x') } },
      'parameter_invalid',
      'query.value',
    ],
    ['group without value', { query: { operator: 'OR' } }, 'parameter_invalid', 'query.value'],
    ['bad child', { query: and(leaf('id', '=', 'x'), 5) }, 'parameter_invalid', 'query.value[1]'],
    [
      'bad grandchild',
      { query: and(or(leaf('id', '=', 'x'), leaf('id', '?', 'y'))) },
      'parameter_invalid',
      'query.value[0].value[1].operator',
    ],
  ];
  it.each(badBodies)('%s → 400', (_name, body, code, field) => {
    const error = errorOf(() => compileSearch(body, 'contacts', { version: '2.14' }));
    expect(error.status).toBe(400);
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
    expect(error.message.length).toBeGreaterThan(10);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SearchError');
  });

  it('accepts a root leaf and a root group', () => {
    expect(compile(leaf('id', '=', 'c1')).matches(contact)).toBe(true);
    expect(compile(and(leaf('id', '=', 'c1'))).matches(contact)).toBe(true);
    expect(compile(or(leaf('id', '=', 'nope'))).matches(contact)).toBe(false);
  });

  it('ignores unknown top-level keys', () => {
    expect(
      compileSearch({ query: leaf('id', '=', 'c1'), extra: 1 }, 'contacts', { version: '2.14' }).perPage,
    ).toBe(50);
  });
});

describe('compileSearch: nesting and group limits', () => {
  const fifteen = Array.from({ length: 15 }, (_, i) => leaf('id', '=', `c${i}`));
  const sixteen = Array.from({ length: 16 }, (_, i) => leaf('id', '=', `c${i}`));
  const ok: [string, unknown][] = [
    ['one level', and(leaf('id', '=', 'c1'))],
    ['two levels', and(or(leaf('id', '=', 'c1')), or(leaf('name', '~', 'ada')))],
    ['15 filters in the root', or(...fifteen)],
    ['15 filters in a nested group', and(or(...fifteen))],
    ['15 groups of 15', and(...Array.from({ length: 15 }, () => or(...fifteen)))],
  ];
  it.each(ok)('accepts %s', (_name, query) => {
    expect(() => compile(query)).not.toThrow();
  });

  const bad: [string, unknown, string][] = [
    ['three levels', and(or(and(leaf('id', '=', 'c1')))), 'query.value[0].value[0]'],
    [
      'three levels under OR',
      or(leaf('id', '=', 'c1'), and(leaf('id', '=', 'x'), or(leaf('id', '=', 'y')))),
      'query.value[1].value[1]',
    ],
    ['16 filters in the root', or(...sixteen), 'query.value'],
    ['16 filters in a nested group', and(or(...sixteen)), 'query.value[0].value'],
    ['an empty root group', and(), 'query.value'],
    ['an empty nested group', and(leaf('id', '=', 'c1'), or()), 'query.value[1].value'],
  ];
  it.each(bad)('refuses %s', (_name, query, field) => {
    const error = errorOf(() => compile(query));
    expect(error.status).toBe(400);
    expect(error.code).toBe('parameter_invalid');
    expect(error.field).toBe(field);
  });
});

describe('compileSearch: operators on contacts (non-date fields)', () => {
  const cases: [string, unknown, boolean][] = [
    ['= string', leaf('email', '=', 'ada@example.com'), true],
    ['= is case-sensitive', leaf('email', '=', 'ADA@example.com'), false],
    ['!= string', leaf('email', '!=', 'bob@example.com'), true],
    ['!= same string', leaf('email', '!=', 'ada@example.com'), false],
    ['IN', leaf('role', 'IN', ['lead', 'user']), true],
    ['IN miss', leaf('role', 'IN', ['lead']), false],
    ['NIN', leaf('role', 'NIN', ['lead']), true],
    ['NIN hit', leaf('role', 'NIN', ['lead', 'user']), false],
    ['IN [] matches nothing', leaf('role', 'IN', []), false],
    ['NIN [] matches everything', leaf('role', 'NIN', []), true],
    ['~ contains, case-insensitive', leaf('name', '~', 'LOVE'), true],
    ['~ miss', leaf('name', '~', 'babbage'), false],
    ['!~', leaf('name', '!~', 'babbage'), true],
    ['!~ hit', leaf('name', '!~', 'ada'), false],
    ['^ starts with', leaf('email', '^', 'Ada@'), true],
    ['^ miss', leaf('email', '^', 'example'), false],
    ['$ ends with', leaf('email', '$', '.COM'), true],
    ['$ miss', leaf('email', '$', 'ada'), false],
    ['~ on a number field stringifies it', leaf('owner_id', '~', '4'), true],
    ['~ with a number value', leaf('owner_id', '~', 42), true],
    ['~ on a boolean never matches', leaf('unsubscribed_from_emails', '~', 'f'), false],
    ['> integer is strict', leaf('owner_id', '>', 42), false],
    ['>= integer', leaf('owner_id', '>=', 42), true],
    ['< integer is strict', leaf('owner_id', '<', 42), false],
    ['<= integer', leaf('owner_id', '<=', 42), true],
    ['> on a non-numeric field never matches', leaf('name', '>', 1), false],
    ['= boolean', leaf('unsubscribed_from_emails', '=', false), true],
    ['= boolean as string', leaf('unsubscribed_from_emails', '=', 'false'), true],
    ['!= boolean', leaf('unsubscribed_from_emails', '!=', true), true],
    ['IN booleans', leaf('custom_attributes.beta', 'IN', [true]), true],
    ['dotted custom attribute', leaf('custom_attributes.plan', '=', 'pro'), true],
    ['dotted location', leaf('location.country', '=', 'France'), true],
    ['missing custom attribute =', leaf('custom_attributes.nope', '=', 'x'), false],
    ['missing custom attribute !=', leaf('custom_attributes.nope', '!=', 'x'), true],
    ['missing custom attribute ~', leaf('custom_attributes.nope', '~', 'x'), false],
    ['missing custom attribute !~', leaf('custom_attributes.nope', '!~', 'x'), true],
    ['missing custom attribute NIN', leaf('custom_attributes.nope', 'NIN', ['x']), true],
    ['path through a scalar', leaf('email.domain', '=', 'x'), false],
    ['prototype keys are not fields', leaf('constructor', '!=', null), false],
    ['__proto__ is not a field', leaf('__proto__', '=', null), true],
  ];
  it.each(cases)('%s', (_name, query, expected) => {
    expect(compile(query).matches(contact)).toBe(expected);
  });

  it('AND needs every child, OR needs one', () => {
    const yes = leaf('id', '=', 'c1');
    const no = leaf('id', '=', 'c2');
    expect(compile(and(yes, yes)).matches(contact)).toBe(true);
    expect(compile(and(yes, no)).matches(contact)).toBe(false);
    expect(compile(or(no, yes)).matches(contact)).toBe(true);
    expect(compile(or(no, no)).matches(contact)).toBe(false);
    expect(compile(and(or(no, yes), or(yes))).matches(contact)).toBe(true);
    expect(compile(or(and(yes, no), and(no))).matches(contact)).toBe(false);
  });
});

describe('compileSearch: numeric and null comparisons', () => {
  const cases: [string, unknown, boolean][] = [
    ['numeric string value vs number field', leaf('owner_id', '=', '42'), true],
    ['numeric string value with > vs number field', leaf('owner_id', '>', '41'), true],
    ['number value vs numeric string field', leaf('custom_attributes.score', '=', 7), true],
    ['number value with < vs numeric string field', leaf('custom_attributes.score', '<', 8), true],
    ['10 > 9 numerically, not as text', leaf('custom_attributes.seats', '>', '9'), true],
    ['IN mixes numbers and strings', leaf('owner_id', 'IN', ['41', 42]), true],
    ['NIN numeric string', leaf('owner_id', 'NIN', ['42']), false],
    ['non-numeric string never equals a number', leaf('owner_id', '=', 'forty-two'), false],
    ['= null on a null field', leaf('phone', '=', null), true],
    ['= null on a missing field', leaf('external_id', '=', null), true],
    ['= null on a present field', leaf('email', '=', null), false],
    ['!= null on a present field', leaf('email', '!=', null), true],
    ['!= null on a null field', leaf('phone', '!=', null), false],
    ['!= null on a missing field', leaf('external_id', '!=', null), false],
    ['= null on an empty list', leaf('notes.data.id', '=', null), true],
    ['!= null on a non-empty list', leaf('tag_id', '!=', null), true],
  ];
  it.each(cases)('%s', (_name, query, expected) => {
    expect(compile(query).matches(contact)).toBe(expected);
  });
});

describe('compileSearch: value type errors', () => {
  const cases: [string, unknown, string][] = [
    ['IN with a string', leaf('role', 'IN', 'user'), 'query.value'],
    ['NIN with a number', leaf('role', 'NIN', 3), 'query.value'],
    ['IN with an object element', leaf('role', 'IN', ['user', { a: 1 }]), 'query.value[1]'],
    ['IN with a nested array', leaf('role', 'IN', [['user']]), 'query.value[0]'],
    ['IN with a null element', leaf('role', 'IN', [null]), 'query.value[0]'],
    ['= with an array', leaf('role', '=', ['user']), 'query.value'],
    ['!= with an array', leaf('role', '!=', ['user']), 'query.value'],
    ['= with an object', leaf('role', '=', { eq: 'user' }), 'query.value'],
    ['< with a non-numeric string', leaf('owner_id', '<', 'ten'), 'query.value'],
    ['>= with a boolean', leaf('owner_id', '>=', true), 'query.value'],
    ['> with null', leaf('owner_id', '>', null), 'query.value'],
    ['~ with a boolean', leaf('name', '~', true), 'query.value'],
    ['~ with null', leaf('name', '~', null), 'query.value'],
    ['^ with an object', leaf('name', '^', {}), 'query.value'],
    ['date with a non-numeric string', leaf('created_at', '>', 'foobar'), 'query.value'],
    ['date = with a boolean', leaf('created_at', '=', true), 'query.value'],
  ];
  it.each(cases)('%s → 400 parameter_invalid', (_name, query, field) => {
    const error = errorOf(() => compile(query));
    expect(error.status).toBe(400);
    expect(error.code).toBe('parameter_invalid');
    expect(error.field).toBe(field);
  });

  it('refuses non-finite numbers passed in directly', () => {
    expect(errorOf(() => compile(leaf('owner_id', '=', Number.NaN))).code).toBe('parameter_invalid');
    expect(errorOf(() => compile(leaf('owner_id', '>', Number.POSITIVE_INFINITY))).code).toBe(
      'parameter_invalid',
    );
  });
});

describe('compileSearch: arrays and any-match semantics', () => {
  const record: Json = {
    id: 'r',
    labels: ['red', 'green'],
    items: [
      { sku: 'a', qty: 1, owners: [{ id: 'o1' }, { id: 'o2' }] },
      { sku: 'b', qty: 5, owners: [] },
    ],
    empty: [],
    matrix: [
      [1, 2],
      [3, [4]],
    ],
  };
  const cases: [string, unknown, boolean][] = [
    ['= any element of an array value', leaf('labels', '=', 'green'), true],
    ['= no element', leaf('labels', '=', 'blue'), false],
    ['!= when one element equals', leaf('labels', '!=', 'green'), false],
    ['!= when no element equals', leaf('labels', '!=', 'blue'), true],
    ['IN any', leaf('labels', 'IN', ['blue', 'red']), true],
    ['NIN when one element is listed', leaf('labels', 'NIN', ['blue', 'red']), false],
    ['NIN when none is listed', leaf('labels', 'NIN', ['blue']), true],
    ['~ any element', leaf('labels', '~', 'ree'), true],
    ['!~ when one element contains', leaf('labels', '!~', 'ree'), false],
    ['!~ when none contains', leaf('labels', '!~', 'xyz'), true],
    ['^ any element', leaf('labels', '^', 'gr'), true],
    ['path crossing an array', leaf('items.sku', '=', 'b'), true],
    ['comparison across an array', leaf('items.qty', '>', 4), true],
    ['comparison across an array, none', leaf('items.qty', '>', 5), false],
    ['path crossing two arrays', leaf('items.owners.id', '=', 'o2'), true],
    ['!= across two arrays', leaf('items.owners.id', '!=', 'o2'), false],
    ['nested arrays are flattened', leaf('matrix', '=', 4), true],
    ['= on an empty array', leaf('empty', '=', 'x'), false],
    ['!= on an empty array', leaf('empty', '!=', 'x'), true],
    ['NIN on an empty array', leaf('empty', 'NIN', ['x']), true],
  ];
  it.each(cases)('%s', (_name, query, expected) => {
    expect(compile(query, 'contacts').matches(record)).toBe(expected);
  });
});

describe('compileSearch: field aliases', () => {
  const cases: [string, SearchModel, unknown, Json, boolean][] = [
    ['contacts tag_id', 'contacts', leaf('tag_id', '=', 't2'), contact, true],
    ['contacts tag_id miss', 'contacts', leaf('tag_id', '=', 't3'), contact, false],
    ['contacts tag_id !=', 'contacts', leaf('tag_id', '!=', 't1'), contact, false],
    ['contacts tag_id != absent tag', 'contacts', leaf('tag_id', '!=', 't3'), contact, true],
    ['contacts company_id', 'contacts', leaf('company_id', '=', 'co1'), contact, true],
    ['contacts company_id IN', 'contacts', leaf('company_id', 'IN', ['x', 'co1']), contact, true],
    ['contacts segment_id is ignored (=)', 'contacts', leaf('segment_id', '=', 'anything'), contact, true],
    ['contacts segment_id is ignored (!=)', 'contacts', leaf('segment_id', '!=', 'anything'), contact, true],
    [
      'contacts segment_id inside AND',
      'contacts',
      and(leaf('segment_id', '=', 's'), leaf('id', '=', 'x')),
      contact,
      false,
    ],
    ['conversations contact_ids', 'conversations', leaf('contact_ids', '=', 'ct2'), conversation, true],
    [
      'conversations contact_ids NIN',
      'conversations',
      leaf('contact_ids', 'NIN', ['ct1']),
      conversation,
      false,
    ],
    ['conversations teammate_ids', 'conversations', leaf('teammate_ids', 'IN', ['a9']), conversation, true],
    ['conversations tag_ids', 'conversations', leaf('tag_ids', '=', 'tg1'), conversation, true],
    ['conversations tag_ids miss', 'conversations', leaf('tag_ids', '=', 'tg2'), conversation, false],
    [
      'conversations admin_assignee_id',
      'conversations',
      leaf('admin_assignee_id', '=', 991267715),
      conversation,
      true,
    ],
    [
      'conversations admin_assignee_id as string',
      'conversations',
      leaf('admin_assignee_id', '=', '991267715'),
      conversation,
      true,
    ],
    [
      'conversations team_assignee_id',
      'conversations',
      leaf('team_assignee_id', '!=', 5017691),
      conversation,
      false,
    ],
    [
      'conversations source.author.email',
      'conversations',
      leaf('source.author.email', '=', 'admin210@email.com'),
      conversation,
      true,
    ],
    [
      'conversations source.author.type',
      'conversations',
      leaf('source.author.type', 'IN', ['user', 'admin']),
      conversation,
      true,
    ],
    [
      'conversations statistics',
      'conversations',
      leaf('statistics.time_to_admin_reply', '<', 120),
      conversation,
      true,
    ],
    [
      'conversations null parent',
      'conversations',
      leaf('conversation_rating.score', '=', null),
      conversation,
      true,
    ],
    [
      'conversations source.body matches a word',
      'conversations',
      leaf('source.body', '=', 'support'),
      conversation,
      true,
    ],
    [
      'conversations source.body words are case-insensitive',
      'conversations',
      leaf('source.body', '=', 'Billing'),
      conversation,
      true,
    ],
    [
      'conversations source.body does not match a phrase',
      'conversations',
      leaf('source.body', '=', 'need support'),
      conversation,
      false,
    ],
    [
      'conversations source.body does not match markup',
      'conversations',
      leaf('source.body', '=', 'p'),
      conversation,
      false,
    ],
    [
      'conversations source.body != word',
      'conversations',
      leaf('source.body', '!=', 'support'),
      conversation,
      false,
    ],
    [
      'conversations source.body ~ phrase',
      'conversations',
      leaf('source.body', '~', 'need <b>support'),
      conversation,
      true,
    ],
    ['tickets contact_ids', 'tickets', leaf('contact_ids', '=', 'ct7'), ticket, true],
    ['tickets ticket_type_id', 'tickets', leaf('ticket_type_id', '=', '100'), ticket, true],
    ['tickets ticket_type_id numeric', 'tickets', leaf('ticket_type_id', '=', 100), ticket, true],
    ['tickets state', 'tickets', leaf('state', '=', 'submitted'), ticket, true],
    ['tickets title', 'tickets', leaf('title', '~', 'bug'), ticket, true],
    ['tickets description', 'tickets', leaf('description', '^', 'the button'), ticket, true],
    ['tickets ticket_attribute.{id}', 'tickets', leaf('ticket_attribute.sev', '>', 3), ticket, true],
    ['tickets category uses search terms', 'tickets', leaf('category', '=', 'task'), ticket, true],
    ['tickets category label does not match', 'tickets', leaf('category', '=', 'Back-office'), ticket, false],
    ['tickets admin_assignee_id "0" = 0', 'tickets', leaf('admin_assignee_id', '=', 0), ticket, true],
    ['tickets teammate_ids absent', 'tickets', leaf('teammate_ids', '=', 'a1'), ticket, false],
    [
      'tickets category that is an Object key',
      'tickets',
      leaf('category', '=', 'constructor'),
      { category: 'constructor' },
      true,
    ],
    ['an alias name that is an Object key', 'conversations', leaf('toString', '=', null), conversation, true],
  ];
  it.each(cases)('%s', (_name, model, query, record, expected) => {
    expect(compile(query, model).matches(record)).toBe(expected);
  });

  it('contacts tag_id accepts only = and !=', () => {
    for (const operator of ['IN', 'NIN', '~', '!~', '^', '$']) {
      const value = operator === 'IN' || operator === 'NIN' ? ['t1'] : 't1';
      const error = errorOf(() => compile(leaf('tag_id', operator, value)));
      expect(error.code).toBe('parameter_invalid');
      expect(error.field).toBe('query.operator');
    }
  });
});

describe('compileSearch: contacts date semantics (calendar day, UTC)', () => {
  const v = M + 9 * H; // 2023-11-14T09:00:00Z, day D = M
  const at = (t: number): Json => ({ id: 'x', updated_at: t });
  const cases: [string, string, number, boolean][] = [
    ['> same instant', '>', v, false],
    ['> later the same day', '>', v + 1, false],
    ['> last second of the day', '>', M + DAY - 1, false],
    ['> next midnight', '>', M + DAY, true],
    ['> after next midnight', '>', M + DAY + 1, true],
    ['< first second of the day', '<', M, false],
    ['< earlier the same day', '<', v - 1, false],
    ['< last second of the previous day', '<', M - 1, true],
    ['< long before', '<', M - 30 * DAY, true],
    ['= midnight', '=', M, true],
    ['= the instant', '=', v, true],
    ['= last second of the day', '=', M + DAY - 1, true],
    ['= previous day', '=', M - 1, false],
    ['= next day', '=', M + DAY, false],
  ];
  it.each(cases)('updated_at %s (record %i)', (_name, operator, recordTime, expected) => {
    expect(compile(leaf('updated_at', operator, v)).matches(at(recordTime))).toBe(expected);
  });

  it('a value at midnight truncates to that same day', () => {
    expect(compile(leaf('updated_at', '>', M)).matches(at(M + DAY - 1))).toBe(false);
    expect(compile(leaf('updated_at', '>', M)).matches(at(M + DAY))).toBe(true);
    expect(compile(leaf('updated_at', '<', M)).matches(at(M - 1))).toBe(true);
    expect(compile(leaf('updated_at', '<', M)).matches(at(M))).toBe(false);
  });

  it('accepts the value as a numeric string, as in the OpenAPI example', () => {
    expect(compile(leaf('created_at', '>', String(v))).matches({ created_at: M + DAY })).toBe(true);
    expect(compile(leaf('created_at', '>', String(v))).matches({ created_at: M + DAY - 1 })).toBe(false);
  });

  it('applies to every date field, custom ones ending in _at included', () => {
    expect(compile(leaf('custom_attributes.renewal_at', '=', M + DAY + 5)).matches(contact)).toBe(true);
    expect(compile(leaf('custom_attributes.renewal_at', '>', M)).matches(contact)).toBe(true);
    expect(compile(leaf('last_seen_at', '=', null)).matches(contact)).toBe(true);
    expect(compile(leaf('created_at', '<', M - 9 * DAY)).matches(contact)).toBe(true);
    expect(compile(leaf('created_at', '<', M - 10 * DAY)).matches(contact)).toBe(false);
  });

  it('reads ISO-8601 string timestamps on the record', () => {
    expect(compile(leaf('android_last_seen_at', '=', M)).matches(contact)).toBe(true);
    expect(compile(leaf('android_last_seen_at', '>', M)).matches(contact)).toBe(false);
    expect(compile(leaf('android_last_seen_at', '<', M + DAY)).matches(contact)).toBe(true);
  });

  it('non-date integer fields keep strict comparisons', () => {
    expect(compile(leaf('owner_id', '>', 41)).matches(contact)).toBe(true);
    expect(compile(leaf('owner_id', '>', 42)).matches(contact)).toBe(false);
  });

  const refused: [string, string, unknown][] = [
    ['updated_at', '!=', v],
    ['updated_at', '<=', v],
    ['updated_at', '>=', v],
    ['updated_at', 'IN', [v]],
    ['updated_at', 'NIN', [v]],
    ['updated_at', '~', '17'],
    ['created_at', '>=', v],
    ['signed_up_at', '<=', v],
    ['last_email_clicked_at', '!=', v],
    ['ios_last_seen_at', '>=', v],
    ['custom_attributes.renewal_at', '<=', v],
  ];
  it.each(refused)('%s %s → 400 parameter_invalid', (field, operator, value) => {
    const error = errorOf(() => compile(leaf(field, operator, value)));
    expect(error.status).toBe(400);
    expect(error.code).toBe('parameter_invalid');
    expect(error.field).toBe('query.operator');
  });

  it('a contacts date field refuses != null too (operator not supported)', () => {
    expect(errorOf(() => compile(leaf('last_seen_at', '!=', null))).code).toBe('parameter_invalid');
  });
});

describe('compileSearch: conversations and tickets treat > and < as or-equal', () => {
  const v = M + 9 * H;
  const cases: [string, string, number, boolean][] = [
    ['> equal', '>', v, true],
    ['> after', '>', v + 1, true],
    ['> before', '>', v - 1, false],
    ['< equal', '<', v, true],
    ['< before', '<', v - 1, true],
    ['< after', '<', v + 1, false],
    ['>= equal', '>=', v, true],
    ['>= before', '>=', v - 1, false],
    ['<= equal', '<=', v, true],
    ['<= after', '<=', v + 1, false],
    ['= exact second', '=', v, true],
    ['= is not a whole day', '=', v + 1, false],
    ['!= exact second', '!=', v, false],
    ['> does not truncate to the day', '>', M + 1, false],
  ];
  for (const model of ['conversations', 'tickets'] as const) {
    it.each(cases)(`${model}: updated_at %s`, (_name, operator, recordTime, expected) => {
      expect(compile(leaf('updated_at', operator, v), model).matches({ updated_at: recordTime })).toBe(
        expected,
      );
    });
  }

  it('applies to non-date integer fields too', () => {
    expect(compile(leaf('statistics.count_reopens', '>', 2), 'conversations').matches(conversation)).toBe(
      true,
    );
    expect(compile(leaf('statistics.count_reopens', '<', 2), 'conversations').matches(conversation)).toBe(
      true,
    );
    expect(compile(leaf('statistics.count_reopens', '>', 3), 'conversations').matches(conversation)).toBe(
      false,
    );
    expect(compile(leaf('ticket_attribute.sev', '<', 3), 'tickets').matches(ticket)).toBe(true);
  });

  it('accepts every operator on dates, with numeric values', () => {
    expect(compile(leaf('updated_at', 'IN', [v, v + 1]), 'conversations').matches(conversation)).toBe(true);
    expect(compile(leaf('updated_at', 'NIN', [v]), 'conversations').matches(conversation)).toBe(false);
    expect(compile(leaf('created_at', '!=', M), 'tickets').matches(ticket)).toBe(false);
    expect(compile(leaf('waiting_since', '=', null), 'conversations').matches(conversation)).toBe(true);
    expect(
      compile(leaf('statistics.last_close_at', '<', M + 8 * H), 'conversations').matches(conversation),
    ).toBe(true);
    expect(errorOf(() => compile(leaf('updated_at', '=', 'yesterday'), 'conversations')).code).toBe(
      'parameter_invalid',
    );
    expect(errorOf(() => compile(leaf('snoozed_until', 'IN', ['soon']), 'tickets')).code).toBe(
      'parameter_invalid',
    );
    expect(errorOf(() => compile(leaf('updated_at', '~', '17'), 'conversations')).code).toBe(
      'parameter_invalid',
    );
  });
});

describe('compileSearch: sort', () => {
  const sortCases: [string, unknown, { field: string; order: 'ascending' | 'descending' } | null][] = [
    ['2.14', undefined, null],
    ['2.14', null, null],
    ['2.14', { field: 'updated_at', order: 'ascending' }, { field: 'updated_at', order: 'ascending' }],
    ['2.14', { field: 'updated_at', order: 'descending' }, { field: 'updated_at', order: 'descending' }],
    ['2.14', { field: 'updated_at' }, { field: 'updated_at', order: 'descending' }],
    ['2.14', { field: 'updated_at', order: 'asc' }, { field: 'updated_at', order: 'ascending' }],
    ['2.14', { field: 'updated_at', order: 'desc' }, { field: 'updated_at', order: 'descending' }],
    ['2.14', { field: 'updated_at', order: 'DESC' }, { field: 'updated_at', order: 'descending' }],
    ['2.14', { field: 'updated_at', order: 'sideways' }, { field: 'updated_at', order: 'ascending' }],
    ['2.14', { field: 'updated_at', order: 7 }, { field: 'updated_at', order: 'ascending' }],
    ['2.11', { field: 'created_at', order: 'desc' }, { field: 'created_at', order: 'descending' }],
    ['2.15', { field: 'created_at', order: 'bogus' }, { field: 'created_at', order: 'ascending' }],
    ['2.16', { field: 'updated_at', order: 'ascending' }, { field: 'updated_at', order: 'ascending' }],
    ['2.16', { field: 'updated_at', order: 'descending' }, { field: 'updated_at', order: 'descending' }],
    ['2.16', { field: 'updated_at' }, { field: 'updated_at', order: 'descending' }],
    ['Preview', { field: 'updated_at', order: 'descending' }, { field: 'updated_at', order: 'descending' }],
  ];
  it.each(sortCases)('version %s sort %j', (version, sort, expected) => {
    const body = sort === undefined ? { query: leaf('id', '=', 'x') } : { query: leaf('id', '=', 'x'), sort };
    expect(compileSearch(body, 'contacts', { version }).sort).toEqual(expected);
  });

  const strict: [string, unknown][] = [
    ['2.16', 'asc'],
    ['2.16', 'desc'],
    ['2.16', 'Ascending'],
    ['2.16', 'sideways'],
    ['2.16', 1],
    ['Preview', 'desc'],
    ['3.0', 'asc'],
  ];
  it.each(strict)('version %s refuses order %j with invalid_sort_order', (version, order) => {
    for (const model of ['contacts', 'conversations', 'tickets'] as const) {
      const error = errorOf(() =>
        compileSearch({ query: leaf('id', '=', 'x'), sort: { field: 'updated_at', order } }, model, {
          version,
        }),
      );
      expect(error.status).toBe(400);
      expect(error.code).toBe('invalid_sort_order');
      expect(error.field).toBe('sort.order');
    }
  });

  it('uses Intercom’s message for an invalid order', () => {
    const error = errorOf(() =>
      compileSearch(
        { query: leaf('id', '=', 'x'), sort: { field: 'updated_at', order: 'desc' } },
        'contacts',
        {
          version: '2.16',
        },
      ),
    );
    expect(error.message).toBe("Invalid sort order 'desc'. Must be one of: ascending, descending");
  });

  const badSort: [string, unknown, string][] = [
    ['a string', 'updated_at', 'sort'],
    ['an array', ['updated_at'], 'sort'],
    ['no field', { order: 'ascending' }, 'sort.field'],
    ['an empty field', { field: '', order: 'ascending' }, 'sort.field'],
    ['a numeric field', { field: 3, order: 'ascending' }, 'sort.field'],
  ];
  it.each(badSort)('refuses a sort that is %s', (_name, sort, field) => {
    const error = errorOf(() =>
      compileSearch({ query: leaf('id', '=', 'x'), sort }, 'contacts', { version: '2.14' }),
    );
    expect(error.code).toBe('parameter_invalid');
    expect(error.field).toBe(field);
  });
});

describe('compileSearch: pagination', () => {
  it.each([
    ['contacts', 50],
    ['conversations', 20],
    ['tickets', 20],
  ] as const)('%s default per_page is %i', (model, perPage) => {
    const compiled = compile(leaf('id', '=', 'x'), model);
    expect(compiled.perPage).toBe(perPage);
    expect(compiled.startingAfter).toBeUndefined();
  });

  const ok: [unknown, number, string | undefined][] = [
    [{ per_page: 1 }, 1, undefined],
    [{ per_page: 150 }, 150, undefined],
    [{ per_page: '20' }, 20, undefined],
    [{ per_page: null, starting_after: null }, 50, undefined],
    [{ starting_after: 'WzE3MDAwMDAwMDAsIjEiXQ==' }, 50, 'WzE3MDAwMDAwMDAsIjEiXQ=='],
    [{ per_page: 5, starting_after: '' }, 5, undefined],
    [null, 50, undefined],
  ];
  it.each(ok)('accepts pagination %j', (pagination, perPage, startingAfter) => {
    const compiled = compile(leaf('id', '=', 'x'), 'contacts', { pagination });
    expect(compiled.perPage).toBe(perPage);
    expect(compiled.startingAfter).toBe(startingAfter);
  });

  const bad: [unknown, string][] = [
    [{ per_page: 151 }, 'pagination.per_page'],
    [{ per_page: 1000 }, 'pagination.per_page'],
    [{ per_page: 0 }, 'pagination.per_page'],
    [{ per_page: -5 }, 'pagination.per_page'],
    [{ per_page: 2.5 }, 'pagination.per_page'],
    [{ per_page: 'many' }, 'pagination.per_page'],
    [{ per_page: true }, 'pagination.per_page'],
    [{ per_page: [20] }, 'pagination.per_page'],
    [{ starting_after: 12 }, 'pagination.starting_after'],
    [{ starting_after: { cursor: 'x' } }, 'pagination.starting_after'],
    ['page 2', 'pagination'],
    [[1], 'pagination'],
  ];
  it.each(bad)('refuses pagination %j', (pagination, field) => {
    const error = errorOf(() => compile(leaf('id', '=', 'x'), 'conversations', { pagination }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('parameter_invalid');
    expect(error.field).toBe(field);
  });
});

describe('compileSearch: updatedAtRange', () => {
  const v = M + 9 * H;
  const unbounded = { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY };
  const cases: [string, SearchModel, unknown, { min: number; max: number }][] = [
    ['no updated_at filter', 'contacts', leaf('id', '=', 'x'), unbounded],
    ['contacts >', 'contacts', leaf('updated_at', '>', v), { min: M + DAY, max: Number.POSITIVE_INFINITY }],
    ['contacts <', 'contacts', leaf('updated_at', '<', v), { min: Number.NEGATIVE_INFINITY, max: M - 1 }],
    ['contacts =', 'contacts', leaf('updated_at', '=', v), { min: M, max: M + DAY - 1 }],
    ['contacts = null', 'contacts', leaf('updated_at', '=', null), unbounded],
    [
      'contacts string value',
      'contacts',
      leaf('updated_at', '>', String(v)),
      { min: M + DAY, max: Number.POSITIVE_INFINITY },
    ],
    [
      'conversations >',
      'conversations',
      leaf('updated_at', '>', v),
      { min: v, max: Number.POSITIVE_INFINITY },
    ],
    [
      'conversations >=',
      'conversations',
      leaf('updated_at', '>=', v),
      { min: v, max: Number.POSITIVE_INFINITY },
    ],
    [
      'conversations <',
      'conversations',
      leaf('updated_at', '<', v),
      { min: Number.NEGATIVE_INFINITY, max: v },
    ],
    [
      'conversations <=',
      'conversations',
      leaf('updated_at', '<=', v),
      { min: Number.NEGATIVE_INFINITY, max: v },
    ],
    ['conversations =', 'conversations', leaf('updated_at', '=', v), { min: v, max: v }],
    [
      'conversations IN',
      'conversations',
      leaf('updated_at', 'IN', [v + 5, v, v + 2]),
      { min: v, max: v + 5 },
    ],
    ['conversations !=', 'conversations', leaf('updated_at', '!=', v), unbounded],
    ['conversations NIN', 'conversations', leaf('updated_at', 'NIN', [v]), unbounded],
    [
      'tickets window',
      'tickets',
      and(leaf('updated_at', '>', v), leaf('updated_at', '<', v + H)),
      { min: v, max: v + H },
    ],
    [
      'contacts window intersected',
      'contacts',
      and(leaf('updated_at', '>', M - DAY), leaf('updated_at', '<', M + 3 * DAY), leaf('updated_at', '>', M)),
      { min: M + DAY, max: M + 3 * DAY - 1 },
    ],
    [
      'nested AND inside AND',
      'conversations',
      and(leaf('state', '=', 'open'), and(leaf('updated_at', '>=', v))),
      { min: v, max: Number.POSITIVE_INFINITY },
    ],
    [
      'under OR: ignored',
      'conversations',
      or(leaf('updated_at', '>', v), leaf('state', '=', 'open')),
      unbounded,
    ],
    [
      'OR inside AND: ignored, AND sibling kept',
      'conversations',
      and(or(leaf('updated_at', '>', v + DAY)), leaf('updated_at', '<', v)),
      { min: Number.NEGATIVE_INFINITY, max: v },
    ],
    ['other date fields: ignored', 'conversations', leaf('created_at', '>', v), unbounded],
    [
      'nested path ending in updated_at: ignored',
      'conversations',
      leaf('source.updated_at', '>', v),
      unbounded,
    ],
  ];
  it.each(cases)('%s', (_name, model, query, expected) => {
    expect(compile(query, model).updatedAtRange).toEqual(expected);
  });

  it('contradictory bounds give an empty range, and nothing matches', () => {
    const compiled = compile(
      and(leaf('updated_at', '>', v + 10), leaf('updated_at', '<', v)),
      'conversations',
    );
    expect(compiled.updatedAtRange.min).toBeGreaterThan(compiled.updatedAtRange.max);
    for (let t = v - 20; t <= v + 20; t++) expect(compiled.matches({ updated_at: t })).toBe(false);
  });
});

describe('compileSearch: cacheKey', () => {
  const query = and(leaf('updated_at', '>', M), leaf('state', 'IN', ['open', 'snoozed']));
  const key = (body: Json, model: SearchModel = 'conversations', version = '2.14'): string =>
    compileSearch(body, model, { version }).cacheKey;

  it('ignores pagination and key order', () => {
    const a = key({ query, pagination: { per_page: 5 }, sort: { field: 'updated_at', order: 'ascending' } });
    const b = key({
      sort: { order: 'ascending', field: 'updated_at' },
      pagination: { per_page: 100, starting_after: 'abc' },
      query: {
        value: [
          { value: M, operator: '>', field: 'updated_at' },
          { operator: 'IN', value: ['open', 'snoozed'], field: 'state' },
        ],
        operator: 'AND',
      },
    });
    expect(a).toBe(b);
  });

  it('differs by query, sort and model', () => {
    const base = key({ query });
    expect(
      key({ query: and(leaf('updated_at', '>', M + 1), leaf('state', 'IN', ['open', 'snoozed'])) }),
    ).not.toBe(base);
    expect(key({ query: or(leaf('updated_at', '>', M), leaf('state', 'IN', ['open', 'snoozed'])) })).not.toBe(
      base,
    );
    expect(
      key({ query: and(leaf('updated_at', '>', String(M)), leaf('state', 'IN', ['open', 'snoozed'])) }),
    ).not.toBe(base);
    expect(key({ query, sort: { field: 'updated_at', order: 'ascending' } })).not.toBe(base);
    expect(key({ query, sort: { field: 'updated_at', order: 'ascending' } })).not.toBe(
      key({ query, sort: { field: 'updated_at', order: 'descending' } }),
    );
    expect(key({ query }, 'tickets')).not.toBe(base);
  });

  it('equates sort spellings that mean the same in older versions', () => {
    expect(key({ query, sort: { field: 'updated_at', order: 'asc' } })).toBe(
      key({ query, sort: { field: 'updated_at', order: 'ascending' } }),
    );
  });
});

describe('timestampOf', () => {
  const cases: [unknown, number | undefined][] = [
    [1_700_000_000, 1_700_000_000],
    ['1700000000', 1_700_000_000],
    [' 1700000000 ', 1_700_000_000],
    ['2023-11-14T09:00:00Z', M + 9 * H],
    ['2023-11-14', M],
    ['yesterday', undefined],
    ['', undefined],
    [null, undefined],
    [true, undefined],
    [Number.NaN, undefined],
    [{}, undefined],
  ];
  it.each(cases)('timestampOf(%j) = %j', (input, expected) => {
    expect(timestampOf(input)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const timestamps = fc.oneof(
  fc.integer({ min: M - 3 * DAY, max: M + 4 * DAY }),
  fc.constantFrom(M - DAY, M - 1, M, M + 1, M + DAY - 1, M + DAY, M + DAY + 1, M + 2 * DAY - 1, M + 2 * DAY),
);

function leafArbitrary(model: SearchModel): fc.Arbitrary<Json> {
  const dateOps = model === 'contacts' ? ['=', '<', '>'] : ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NIN'];
  const dateLeaf = fc
    .record({
      field: fc.constantFrom('updated_at', 'updated_at', 'created_at'),
      operator: fc.constantFrom(...dateOps),
      value: timestamps,
      asString: fc.boolean(),
      list: fc.array(timestamps, { maxLength: 3 }),
    })
    .map(({ field, operator, value, asString, list }) => {
      if (operator === 'IN' || operator === 'NIN') return leaf(field, operator, list);
      return leaf(field, operator, asString ? String(value) : value);
    });
  const nullLeaf = fc
    .tuple(
      fc.constantFrom('updated_at', 'state'),
      fc.constantFrom(...(model === 'contacts' ? ['='] : ['=', '!='])),
    )
    .map(([field, operator]) => leaf(field, operator, null));
  const stateLeaf = fc
    .tuple(
      fc.constantFrom('=', '!=', 'IN', 'NIN', '~', '!~', '^', '$'),
      fc.constantFrom('open', 'closed', 'o'),
    )
    .map(([operator, value]) =>
      leaf('state', operator, operator === 'IN' || operator === 'NIN' ? [value] : value),
    );
  const countLeaf = fc
    .tuple(fc.constantFrom('=', '!=', '<', '<=', '>', '>='), fc.integer({ min: 0, max: 3 }))
    .map(([operator, value]) => leaf('count', operator, value));
  return fc.oneof(dateLeaf, dateLeaf, nullLeaf, stateLeaf, countLeaf);
}

function queryArbitrary(model: SearchModel): fc.Arbitrary<Json> {
  const leaves = leafArbitrary(model);
  const group = (child: fc.Arbitrary<Json>): fc.Arbitrary<Json> =>
    fc
      .tuple(fc.constantFrom('AND', 'AND', 'OR'), fc.array(child, { minLength: 1, maxLength: 4 }))
      .map(([operator, value]) => ({ operator, value }));
  const inner = group(leaves);
  const outer = group(fc.oneof(leaves, inner));
  return fc.oneof(leaves, inner, outer);
}

const recordArbitrary: fc.Arbitrary<Json> = fc
  .record(
    {
      updated_at: fc.oneof(timestamps, timestamps, timestamps.map(String), fc.constant(null)),
      created_at: timestamps,
      state: fc.constantFrom('open', 'closed', 'snoozed'),
      count: fc.integer({ min: 0, max: 3 }),
    },
    { requiredKeys: ['created_at', 'state'] },
  )
  .map((record) => record as Json);

describe('compileSearch: properties', () => {
  for (const model of ['contacts', 'conversations', 'tickets'] as const) {
    it(`${model}: updatedAtRange is sound for every matching record`, () => {
      fc.assert(
        fc.property(
          queryArbitrary(model),
          fc.array(recordArbitrary, { minLength: 1, maxLength: 20 }),
          (query, records) => {
            const compiled = compileSearch({ query }, model, { version: '2.14' });
            const { min, max } = compiled.updatedAtRange;
            for (const record of records) {
              if (!compiled.matches(record)) continue;
              if (min === Number.NEGATIVE_INFINITY && max === Number.POSITIVE_INFINITY) continue;
              const t = timestampOf(record.updated_at);
              expect(t, JSON.stringify({ query, record })).toBeDefined();
              expect(t as number).toBeGreaterThanOrEqual(min);
              expect(t as number).toBeLessThanOrEqual(max);
            }
          },
        ),
        { numRuns: 1500 },
      );
    });
  }

  it('a single updated_at filter’s range is tight at day boundaries (contacts)', () => {
    fc.assert(
      fc.property(fc.constantFrom('=', '<', '>'), timestamps, timestamps, (operator, value, t) => {
        const compiled = compileSearch({ query: leaf('updated_at', operator, value) }, 'contacts', {
          version: '2.14',
        });
        const { min, max } = compiled.updatedAtRange;
        expect(compiled.matches({ updated_at: t })).toBe(t >= min && t <= max);
      }),
      { numRuns: 500 },
    );
  });

  it('hostile bodies only ever raise SearchError, and matching never throws', () => {
    const hostileQuery = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue(),
        fc.record(
          {
            field: fc.oneof(
              fc.constantFrom(
                'updated_at',
                'a.b',
                'constructor',
                '__proto__',
                'toString',
                'hasOwnProperty',
                'tag_id',
                'source.body',
                'category',
                'ticket_attribute.x',
              ),
              fc.jsonValue(),
            ),
            operator: fc.oneof(
              fc.constantFrom('=', '!=', 'IN', 'NIN', '<', '<=', '>', '>=', '~', '!~', '^', '$'),
              fc.jsonValue(),
            ),
            value: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
        fc.record(
          {
            operator: fc.oneof(fc.constantFrom('AND', 'OR'), fc.jsonValue()),
            value: fc.array(tie('node'), { maxLength: 4 }),
          },
          { requiredKeys: [] },
        ),
      ),
    })).node;
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        { query: hostileQuery, sort: fc.jsonValue(), pagination: fc.jsonValue() },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(
        body,
        fc.constantFrom<SearchModel>('contacts', 'conversations', 'tickets'),
        fc.constantFrom('2.14', '2.16', 'Preview', 'nonsense'),
        fc.array(
          fc.dictionary(fc.constantFrom('updated_at', 'a', 'tags', 'source', 'state'), fc.jsonValue()),
          {
            maxLength: 3,
          },
        ),
        (input, model, version, records) => {
          let compiled: CompiledSearch;
          try {
            compiled = compileSearch(input, model, { version });
          } catch (error) {
            expect(error).toBeInstanceOf(SearchError);
            expect((error as SearchError).status).toBe(400);
            expect((error as SearchError).message).not.toBe(SEARCH_UNREADABLE_MESSAGE);
            return;
          }
          for (const record of records) expect(typeof compiled.matches(record)).toBe('boolean');
          expect(typeof compiled.cacheKey).toBe('string');
        },
      ),
      { numRuns: 1500 },
    );
  });
});
