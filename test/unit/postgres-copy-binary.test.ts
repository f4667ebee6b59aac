import { describe, expect, it } from 'vitest';
import type { ColumnSpec, ColumnType, Row } from '../../src/destinations/destination.js';
import {
  encodeCopyBinary,
  RowEncodingError,
  serialiseJson,
} from '../../src/destinations/postgres/copy-encoding.js';

/** A field as decoded: null, or its bytes. */
type Field = Buffer | null;

/** Decodes COPY's binary format (header, rows of length-prefixed fields, trailer) strictly. */
function decode(data: Buffer): Field[][] {
  expect(data.subarray(0, 11)).toEqual(Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'));
  expect(data.readInt32BE(11)).toBe(0); // flags
  expect(data.readInt32BE(15)).toBe(0); // header extension
  let position = 19;
  const rows: Field[][] = [];
  for (;;) {
    const count = data.readInt16BE(position);
    position += 2;
    if (count === -1) break;
    const fields: Field[] = [];
    for (let index = 0; index < count; index++) {
      const length = data.readInt32BE(position);
      position += 4;
      if (length === -1) fields.push(null);
      else {
        fields.push(data.subarray(position, position + length));
        position += length;
      }
    }
    rows.push(fields);
  }
  expect(position).toBe(data.length);
  return rows;
}

function encode(rows: Row[], columns: ColumnSpec[], chunkBytes?: number): Buffer {
  return Buffer.concat([...encodeCopyBinary(rows, columns, chunkBytes)]);
}

/** The one column `name` of type `type`, one row per value: each value's field. */
function fieldsOf(type: ColumnType, values: unknown[]): Field[] {
  const rows = decode(encode(values.map((value) => ({ v: value })) as Row[], [{ name: 'v', type }]));
  return rows.map((fields) => {
    expect(fields).toHaveLength(1);
    return fields[0] as Field;
  });
}

function failure(type: ColumnType, value: unknown): Error {
  try {
    encode([{ v: value } as Row], [{ name: 'v', type }]);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the value to be refused');
}

/** Microseconds since 2000-01-01 UTC, as PostgreSQL's timestamptz holds it. */
const microsSince2000 = (date: Date): bigint => (BigInt(date.getTime()) - 946_684_800_000n) * 1000n;

describe('COPY binary encoding', () => {
  it('writes the header, one field per column in order, NULL for null, undefined and missing keys, and the trailer', () => {
    const columns: ColumnSpec[] = [
      { name: 'a', type: 'integer' },
      { name: 'b', type: 'string' },
      { name: 'c', type: 'boolean' },
    ];
    const rows = decode(
      encode([{ a: 1, b: 'x', c: true, ignored: 'y' }, { a: null, b: undefined }, {}], columns),
    );
    expect(rows).toEqual([
      [Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), Buffer.from('x'), Buffer.from([1])],
      [null, null, null],
      [null, null, null],
    ]);
    expect(decode(encode([], columns))).toEqual([]);
  });

  it('encodes integers as big-endian 64-bit, numbers and bigints alike, to the limits', () => {
    const values = [
      0,
      1,
      -1,
      2 ** 32,
      -(2 ** 32) - 5,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      2 ** 60,
    ];
    const big = [2n ** 63n - 1n, -(2n ** 63n), 0n, -1n];
    const fields = fieldsOf('integer', [...values, ...big]);
    expect(fields.map((field) => (field as Buffer).readBigInt64BE(0))).toEqual([
      ...values.map((value) => BigInt(value)),
      ...big,
    ]);
    expect(fields.every((field) => field?.length === 8)).toBe(true);
  });

  it('refuses integers beyond 64 bits, fractions and other types', () => {
    expect(failure('integer', 2n ** 63n).message).toMatch(/does not fit in a 64-bit bigint/);
    expect(failure('integer', 2 ** 64).message).toMatch(/does not fit in a 64-bit bigint/);
    expect(failure('integer', 1.5).message).toMatch(/expected an integer value, got number 1.5/);
    expect(failure('integer', '1').message).toMatch(/expected an integer value, got string "1"/);
  });

  it('encodes floats as 64-bit doubles, non-finite ones included, -0 as 0 and bigints as their nearest double', () => {
    const fields = fieldsOf('float', [1.5, Number.NaN, Number.POSITIVE_INFINITY, -1e-6, -0, 2n ** 64n + 1n]);
    const read = fields.map((field) => (field as Buffer).readDoubleBE(0));
    expect(read).toEqual([1.5, Number.NaN, Number.POSITIVE_INFINITY, -1e-6, 0, 2 ** 64]);
    expect(Object.is(read[4], 0)).toBe(true);
    expect(failure('float', 'x').message).toMatch(/expected a float value, got string "x"/);
  });

  it('encodes booleans as one byte and refuses anything else', () => {
    expect(fieldsOf('boolean', [true, false])).toEqual([Buffer.from([1]), Buffer.from([0])]);
    expect(failure('boolean', 1).message).toMatch(/expected a boolean value, got number 1/);
  });

  it('encodes timestamps as microseconds since 2000, before 1970 and outside years 1–9999 too', () => {
    const dates = [
      new Date(0),
      new Date('2000-01-01T00:00:00.000Z'),
      new Date('1969-07-20T20:17:40.123Z'),
      new Date('2024-02-29T23:59:59.999Z'),
      new Date(Date.UTC(-43, 2, 15, 12, 0, 0, 5)),
      new Date(Date.UTC(200_000, 0, 1)),
      new Date(-8.64e15),
    ];
    const fields = fieldsOf('timestamp', dates);
    expect(fields.map((field) => (field as Buffer).readBigInt64BE(0))).toEqual(dates.map(microsSince2000));
    expect(failure('timestamp', new Date(Number.NaN)).message).toMatch(
      /expected a timestamp value, got Invalid Date$/,
    );
    expect(failure('timestamp', '2024-01-01').message).toMatch(/expected a timestamp value, got string/);
  });

  it('writes strings as UTF-8 without escaping, NUL removed and an unpaired surrogate as U+FFFD', () => {
    const long = `${'é'.repeat(40)}\u0000${'x'.repeat(40)}😀`;
    const values = [
      '',
      'plain',
      'tab\tnew\nline\r back\\slash',
      'ünïcødé 😀',
      'nul\u0000here\u0000',
      '\u0000',
      'lone \ud800 high',
      'lone \udc00 low',
      long,
      'a'.repeat(1000),
    ];
    expect(fieldsOf('string', values).map((field) => (field as Buffer).toString('utf8'))).toEqual([
      '',
      'plain',
      'tab\tnew\nline\r back\\slash',
      'ünïcødé 😀',
      'nulhere',
      '',
      'lone \ufffd high',
      'lone \ufffd low',
      long.replace('\u0000', ''),
      'a'.repeat(1000),
    ]);
    expect(failure('string', 5).message).toMatch(/expected a string value, got number 5/);
  });

  it('writes JSON as jsonb’s version 1 and the JSON text, storable as serialiseJson makes it', () => {
    const values = [
      { q: 'x"y\\z\n', n: [1, 2.5, null, true], nested: { deep: [{}] } },
      'text',
      42,
      false,
      [],
      { 'ke\u0000y': ['v\u0000', '\\u0000 stays'], lone: '\ud83d', date: new Date(0) },
      { big: 'é'.repeat(5000) },
    ];
    const fields = fieldsOf('json', values);
    fields.forEach((field, index) => {
      expect((field as Buffer)[0]).toBe(1);
      const text = (field as Buffer).subarray(1).toString('utf8');
      expect(JSON.parse(text)).toEqual(JSON.parse(serialiseJson(values[index]) as string));
      expect(text).not.toContain('\u0000');
    });
    expect(failure('json', () => 1).message).toMatch(/expected a json value/);
  });

  it('writes the same JSON text as JSON.stringify for plain data, and leaves everything else to it', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const bare = Object.create(null) as Record<string, unknown>;
    bare.z = 1;
    bare.a = [2];
    const inherited = Object.create({ inheritedKey: 'not stored' }) as Record<string, unknown>;
    inherited.own = true;
    const deep: unknown[] = [];
    let level = deep;
    for (let depth = 0; depth < 100; depth++) {
      const next: unknown[] = [];
      level.push(next);
      level = next;
    }
    const values: unknown[] = [
      { n: [0, 9, 10, 99, 100, 123_456_789_012_345, 1e15, 2 ** 53, -5, -0, 1.5, -2.25, 1e21, 1e-7] },
      { notFinite: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY] },
      { control: '\b\t\n\f\r\u0001\u001f\u007f', quote: '"', backslash: '\\', slash: '/' },
      { unicode: 'é€😀 ü', 'kéy😀': 'v', '': 'empty key' },
      { 2: 'b', 1: 'a', b: 1, a: 2 },
      { skipped: undefined, fn: () => 1, sym: Symbol('s'), [Symbol('k')]: 1, kept: null },
      [undefined, () => 1, Symbol('s'), 1],
      new Array<unknown>(2).fill('hole', 1),
      bare,
      inherited,
      new Point(1, 2),
      { date: new Date(Date.UTC(2024, 0, 2)), map: new Map([[1, 2]]), boxed: [Object(1), Object('s')] },
      { toJSON: () => ({ replaced: true }) },
      deep,
      'top-level string',
      -17,
      true,
    ];
    const fields = fieldsOf('json', values);
    fields.forEach((field, index) => {
      expect((field as Buffer)[0]).toBe(1);
      expect((field as Buffer).subarray(1).toString('utf8')).toBe(JSON.stringify(values[index]));
    });
  });

  it('refuses JSON that JSON.stringify refuses: cycles and bigints, naming the row and column', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(failure('json', cycle)).toBeInstanceOf(RowEncodingError);
    expect(failure('json', cycle).message).toMatch(/^row 0, column "v": .*circular/i);
    expect(failure('json', { n: 1n }).message).toMatch(/^row 0, column "v": .*BigInt/);
  });

  it('reads columns of any name, quotes and code-like names included', () => {
    const names = [
      'a"b',
      'c\\d',
      'e\nf',
      "'); throw new Error('x'); ('",
      '\u2028\u2029',
      '$' + '{x}`',
      'ü😀',
      '',
    ];
    const columns: ColumnSpec[] = names.map((name) => ({ name, type: 'string' }));
    const row = Object.fromEntries(names.map((name, index) => [name, `value ${index}`]));
    const [decoded] = decode(encode([row, {}], columns));
    expect(decoded?.map((field) => field?.toString())).toEqual(names.map((_, index) => `value ${index}`));
    // The same columns in another order, or of another type, are another writer.
    const reversed = [...columns].reverse();
    expect(decode(encode([row], reversed))[0]?.map((field) => field?.toString())).toEqual(
      names.map((_, index) => `value ${index}`).reverse(),
    );
    expect(() => encode([row], [{ name: 'a"b', type: 'integer' }])).toThrow(
      /row 0, column "a\\"b": expected an integer value, got string "value 0"/,
    );
  });

  it('cuts the data into chunks of about the size asked, which join into the same bytes', () => {
    const rows = Array.from({ length: 2000 }, (_, id) => ({ id, s: 'x'.repeat(50 + (id % 7)), j: { id } }));
    const columns: ColumnSpec[] = [
      { name: 'id', type: 'integer' },
      { name: 's', type: 'string' },
      { name: 'j', type: 'json' },
    ];
    const chunks = [...encodeCopyBinary(rows, columns, 4096)];
    expect(chunks.length).toBeGreaterThan(20);
    expect(chunks.slice(0, -1).every((chunk) => chunk.length >= 4096 && chunk.length < 4096 + 200)).toBe(
      true,
    );
    const whole = Buffer.concat(chunks);
    expect(whole).toEqual(encode(rows, columns));
    const decoded = decode(whole);
    expect(decoded).toHaveLength(2000);
    expect(decoded[1999]?.[1]?.toString()).toBe('x'.repeat(50 + (1999 % 7)));
  });

  it('says which row and column hold a value of the wrong type', () => {
    const columns: ColumnSpec[] = [
      { name: 'id', type: 'integer' },
      { name: 'at', type: 'timestamp' },
    ];
    let error: unknown;
    try {
      encode([{ id: 1 }, { id: 2, at: new Date(Number.NaN) }], columns);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RowEncodingError);
    expect((error as Error).message).toBe('row 1, column "at": expected a timestamp value, got Invalid Date');
  });
});
