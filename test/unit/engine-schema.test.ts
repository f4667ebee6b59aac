import { describe, expect, it } from 'vitest';
import { coerceValue, RowShaper } from '../../src/engine/schema.js';
import { companies } from '../../src/streams/companies.js';

const syncedAt = new Date('2026-01-02T03:04:05Z');

describe('RowShaper', () => {
  const shaper = () =>
    new RowShaper(companies, [
      { name: 'seats', dataType: 'integer' },
      { name: 'Account Manager', dataType: 'string' },
      { name: 'renewal', dataType: 'date' },
      { name: 'attributes', dataType: 'boolean' },
    ]);

  it('declares the stream fields, typed custom columns and _synced_at', () => {
    const spec = shaper().spec();
    const types = Object.fromEntries(spec.columns.map((c) => [c.name, c.type]));
    expect(types._synced_at).toBe('timestamp');
    expect(types.updated_at).toBe('timestamp');
    expect(types.custom_attributes).toBe('json');
    expect(types.custom_seats).toBe('integer');
    expect(types['custom_Account Manager']).toBe('string');
    expect(types.custom_renewal).toBe('timestamp');
    // "custom_attributes" is taken by the JSON column: the typed column gets another name.
    expect(types.custom_attributes_).toBe('boolean');
    expect(spec.primaryKey).toEqual(['workspace_id', 'id']);
  });

  it('types values, fills custom columns, and converts Unix seconds to dates', () => {
    const { row, grew } = shaper().shape(
      {
        id: 'c1',
        updated_at: 1_700_000_000,
        size: '42',
        custom_attributes: { seats: 7, 'Account Manager': 'Ann', renewal: 1_800_000_000 },
      },
      syncedAt,
    );
    expect(grew).toBe(false);
    expect(row).toMatchObject({
      id: 'c1',
      size: 42,
      custom_seats: 7,
      'custom_Account Manager': 'Ann',
      _synced_at: syncedAt,
    });
    expect(row.updated_at).toEqual(new Date(1_700_000_000_000));
    expect(row.custom_renewal).toEqual(new Date(1_800_000_000_000));
  });

  it('adds a column for a field Intercom added, with its type inferred', () => {
    const s = shaper();
    const { row, grew } = s.shape({ id: 'c1', brand_new: 3.5 }, syncedAt);
    expect(grew).toBe(true);
    expect(row.brand_new).toBe(3.5);
    expect(s.spec().columns.find((c) => c.name === 'brand_new')?.type).toBe('float');
    expect(s.shape({ id: 'c2', brand_new: 1 }, syncedAt).grew).toBe(false);
  });

  it('loads a value that does not fit as NULL and reports it with the record id', () => {
    const s = shaper();
    const { row } = s.shape({ id: 'c9', size: 'huge', custom_attributes: { seats: 'many' } }, syncedAt);
    expect(row.size).toBeNull();
    expect(row.custom_seats).toBeNull();
    expect(s.issueCount).toBe(2);
    expect(s.takeIssues()).toEqual([
      { field: 'size', recordId: 'c9', expected: 'integer' },
      { field: 'custom_attributes.seats', recordId: 'c9', expected: 'integer' },
    ]);
  });
});

describe('coerceValue', () => {
  it.each([
    ['integer', '12', 12],
    ['integer', 12.9, 12],
    ['integer', 'x', undefined],
    ['float', '1.5', 1.5],
    ['boolean', 'true', true],
    ['boolean', 0, false],
    ['boolean', 'yes', undefined],
    ['string', 5, '5'],
    ['string', { a: 1 }, '{"a":1}'],
    ['json', [1, 2], [1, 2]],
  ] as const)('%s of %j is %j', (type, value, expected) => {
    expect(coerceValue(value, type)).toEqual(expected);
  });
  it('reads timestamps from seconds, numeric strings and ISO strings, before 1970 too', () => {
    expect(coerceValue(-86_400, 'timestamp')).toEqual(new Date(-86_400_000));
    expect(coerceValue('1700000000', 'timestamp')).toEqual(new Date(1_700_000_000_000));
    expect(coerceValue('2025-10-01T12:00:00Z', 'timestamp')).toEqual(new Date('2025-10-01T12:00:00Z'));
    expect(coerceValue('not a date', 'timestamp')).toBeUndefined();
    expect(coerceValue(1e15, 'timestamp')).toBeUndefined();
  });
});

describe('RowShaper converters', () => {
  const types = ['string', 'integer', 'float', 'boolean', 'timestamp', 'json'] as const;
  const samples: unknown[] = [
    'text',
    '',
    '  ',
    '12',
    '1.5',
    'true',
    'false',
    '2024-05-06T07:08:09Z',
    0,
    -0,
    1,
    42,
    12.9,
    -3.5,
    1_700_000_000,
    Number.MAX_SAFE_INTEGER + 2,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    true,
    false,
    [1, 2],
    { a: 1 },
    1e20,
  ];

  it.each(types)('agree with coerceValue on every kind of %s value (a NULL where it gives none)', (type) => {
    const stream = { ...companies, fields: { id: 'string' as const, value: type } };
    const shaper = new RowShaper(stream, []);
    let issues = 0;
    for (const sample of samples) {
      const { row } = shaper.shape({ id: 'r1', value: sample }, syncedAt);
      const expected = coerceValue(sample, type);
      if (expected === undefined) issues++;
      expect(row.value, `${type} of ${String(sample)}`).toEqual(expected === undefined ? null : expected);
    }
    expect(shaper.issueCount).toBe(issues);
  });

  it('keeps NULLs, skips undefined fields, and never lets a record overwrite _synced_at', () => {
    const shaper = new RowShaper(companies, []);
    const record: Record<string, unknown> = { id: 'c1', name: null, size: undefined, _synced_at: 5 };
    const { row } = shaper.shape(record, syncedAt);
    expect(row).toHaveProperty('name', null);
    expect(row).not.toHaveProperty('size');
    expect(row._synced_at).toBe(syncedAt);
  });

  it('keeps a field named __proto__ as a column of the row, not its prototype', () => {
    const shaper = new RowShaper(companies, []);
    const record = JSON.parse('{"id":"c1","__proto__":{"name":"from the prototype"}}') as Record<
      string,
      unknown
    >;
    for (let round = 0; round < 2; round++) {
      const { row } = shaper.shape(record, syncedAt);
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(Object.hasOwn(row, '__proto__')).toBe(true);
      expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toEqual({
        name: 'from the prototype',
      });
      expect(row.name).toBeUndefined();
    }
    expect(shaper.spec().columns.map((column) => column.name)).toContain('__proto__');
  });
});
