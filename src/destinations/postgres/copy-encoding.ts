import type { ColumnSpec, ColumnType, Row } from '../destination.js';

/**
 * Rows as the text format of `COPY … FROM STDIN` reads them: one line per row, fields separated by
 * tabs, `\N` for NULL, and backslash, newline, carriage return and tab escaped with a backslash.
 *
 * NUL: PostgreSQL's text and jsonb cannot hold U+0000 (jsonb refuses even the `\u0000` escape).
 * It is removed, deterministically, everywhere a value is stored: from strings, and from the
 * strings and keys inside JSON values (`"a\u0000b"` is stored as `"ab"`). A string or key made of
 * nothing else becomes empty. Likewise an unpaired UTF-16 surrogate, which has no UTF-8 form, is
 * stored as U+FFFD, as Node's UTF-8 encoder writes it. Stream states are stored the same way.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Removes U+0000 (which PostgreSQL cannot store) from a string. */
export function stripNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

/** Escapes of JSON text that jsonb refuses: `\u0000`, and unpaired surrogates (paired ones are written raw). */
const JSON_UNSTORABLE = /\\(?:\\|u0000|ud[89a-f][0-9a-f]{2})/g;

/**
 * `JSON.stringify(value)` made storable in jsonb: without `\u0000` escapes, and with an unpaired
 * surrogate as `\ufffd`. Undefined for what JSON cannot hold (undefined, a function, a symbol).
 */
export function serialiseJson(value: unknown): string | undefined {
  const text: string | undefined = JSON.stringify(value);
  return text === undefined ? undefined : storableJson(text);
}

/** JSON text made storable in jsonb (see `serialiseJson`). */
function storableJson(text: string): string {
  if (!text.includes('\\u')) return text;
  return text.replace(JSON_UNSTORABLE, (sequence) =>
    sequence === '\\\\' ? sequence : sequence === '\\u0000' ? '' : '\\ufffd',
  );
}

function describe(value: unknown): string {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : `Date ${value.toISOString()}`;
  if (typeof value === 'bigint') return `${value}n`;
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

function reject(type: ColumnType, value: unknown): never {
  throw new TypeError(`expected ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} value, got ${describe(value)}`);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `0001-01-01T00:00:00.000Z` and `10000-01-01T00:00:00.000Z` in milliseconds since 1970. */
const YEAR_1_MS = -62_135_596_800_000;
const YEAR_10000_MS = 253_402_300_800_000;
const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, value) => pad(value, 2));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, value) => pad(value, 3));

/**
 * `date.toISOString()` for years 1 to 9999, computed from the epoch milliseconds (the civil-date
 * algorithm of H. Hinnant) about four times faster than `toISOString`, which loading spends much
 * of its time in otherwise.
 */
function isoTimestamp(millis: number): string {
  const days = Math.floor(millis / DAY_MS);
  let rest = millis - days * DAY_MS;
  const shifted = days + 719_468; // days since 0000-03-01
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${TWO_DIGITS[Math.floor(year / 100)]}${TWO_DIGITS[year % 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
}

/**
 * A timestamp as PostgreSQL reads it: ISO 8601 in UTC with milliseconds for years 1 to 9999 (as
 * `Date.prototype.toISOString` writes it), otherwise spelled out with ` BC` for years before 1
 * (year 0 of `Date` is 1 BC). Throws on an invalid Date.
 */
export function formatTimestamp(date: Date): string {
  const millis = date.getTime();
  if (millis >= YEAR_1_MS && millis < YEAR_10000_MS) return isoTimestamp(millis);
  if (Number.isNaN(millis)) return reject('timestamp', date);
  const year = date.getUTCFullYear();
  const time = `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.${pad(date.getUTCMilliseconds(), 3)}`;
  const day = `${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
  return year >= 1 ? `${pad(year, 4)}-${day} ${time}+00` : `${pad(1 - year, 4)}-${day} ${time}+00 BC`;
}

/** Turns a non-null value of a column's logical type into its text (not yet COPY-escaped). */
type Formatter = (value: unknown) => string;

function formatInteger(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return `${value}`;
    if (!Number.isInteger(value)) return reject('integer', value);
    value = BigInt(value);
  }
  if (typeof value !== 'bigint') return reject('integer', value);
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new RangeError(`integer ${value} does not fit in a 64-bit bigint`);
  }
  return `${value}`;
}

/** The text PostgreSQL reads each logical type from (NUL already removed from strings and JSON). */
export const FORMATTERS: Readonly<Record<ColumnType, Formatter>> = {
  string: (value) => (typeof value === 'string' ? stripNul(value) : reject('string', value)),
  integer: formatInteger,
  float: (value) => {
    if (typeof value === 'bigint') return `${value}`;
    if (typeof value !== 'number') return reject('float', value);
    if (Number.isFinite(value)) return `${value}`;
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  },
  boolean: (value) => (value === true ? 't' : value === false ? 'f' : reject('boolean', value)),
  timestamp: (value) => (value instanceof Date ? formatTimestamp(value) : reject('timestamp', value)),
  json: (value) => serialiseJson(value) ?? reject('json', value),
};

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIAL_ALL = /[\\\n\r\t]/g;
const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A string as a COPY text field: NUL removed, backslash, newline, carriage return and tab escaped. */
export function escapeCopyText(text: string): string {
  const stored = stripNul(text);
  return COPY_SPECIAL.test(stored)
    ? stored.replace(COPY_SPECIAL_ALL, (special) => COPY_ESCAPES[special] ?? special)
    : stored;
}

/**
 * A JSON value as a COPY text field: `serialiseJson`'s text with backslashes doubled. JSON text
 * holds no raw control characters (JSON.stringify escapes them), so only backslashes need escaping,
 * and text without any is used as it is (one scan).
 */
function copyJson(value: unknown): string {
  const text: string | undefined = JSON.stringify(value);
  if (text === undefined) return reject('json', value);
  if (!text.includes('\\')) return text;
  return storableJson(text).replaceAll('\\', '\\\\');
}

/**
 * COPY text fields per logical type. Only strings and JSON can hold special characters, and JSON
 * text only backslashes (JSON.stringify escapes every control character).
 */
const COPY_ENCODERS: Readonly<Record<ColumnType, Formatter>> = {
  ...FORMATTERS,
  string: (value) => (typeof value === 'string' ? escapeCopyText(value) : reject('string', value)),
  json: copyJson,
};

/** Where a row failed to encode, so the error can say which row and column. */
export class RowEncodingError extends Error {
  constructor(
    readonly rowIndex: number,
    readonly column: string,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`row ${rowIndex}, column ${JSON.stringify(column)}: ${reason}`, options);
    this.name = 'RowEncodingError';
  }
}

/** COPY's NULL in the text format. */
const NULL_FIELD = '\\N';
/**
 * Merge mode's "last one wins within a batch": keeps, for each primary key, only the last row
 * carrying it, comparing keys as they will be stored (so `1` and `1n`, or `'a'` and `'a\u0000'`,
 * are one key, as the unique index will see them). Returns `rows` itself when no key repeats.
 */
export function lastRowPerKey(rows: readonly Row[], keyColumns: readonly ColumnSpec[]): readonly Row[] {
  const only = keyColumns.length === 1 ? (keyColumns[0] as ColumnSpec) : undefined;
  if (only?.type === 'string') return lastRowPerStringKey(rows, only.name);
  const byKey = new Map<string, Row>();
  const encoders = keyColumns.map((column) => COPY_ENCODERS[column.type]);
  for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) {
    const row = rows[rowIndex] as Row;
    let key = '';
    for (let index = 0; index < keyColumns.length; index++) {
      const name = (keyColumns[index] as ColumnSpec).name;
      const value = row[name];
      let field: string;
      try {
        field = value === null || value === undefined ? NULL_FIELD : (encoders[index] as Formatter)(value);
      } catch (cause) {
        throw new RowEncodingError(rowIndex, name, { cause });
      }
      key = index === 0 ? field : `${key}\t${field}`;
    }
    byKey.set(key, row);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}

/*
 * COPY's binary format (`COPY … FROM STDIN (FORMAT binary)`): a header, then per row a 16-bit
 * field count and, per field, a 32-bit byte length (-1 for NULL) and the value in the type's
 * binary form; a 16-bit -1 ends the data. The server then parses no text for numbers, booleans
 * and timestamps, and text needs no escaping. Values are validated as `FORMATTERS` does, with the
 * same errors, and stored the same way: NUL removed from strings and JSON, unpaired surrogates as
 * U+FFFD, -0 as 0 (the text format stores `${-0}`, `0`).
 */

/** `PGCOPY\n\377\r\n\0`, flags 0, header extension length 0. */
const BINARY_HEADER = [
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
];
const TWO_32 = 2 ** 32;
/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in milliseconds since 1970. */
const PG_EPOCH_MS = 946_684_800_000;
/** Beyond this many milliseconds from 2000, microseconds exceed 2^53: computed with BigInt. */
const EXACT_MS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);
/** Strings up to this length are written by a JavaScript loop while ASCII (cheaper than a native call). */
const SHORT_STRING = 48;
/** Bytes per buffer the rows are written into (a value that does not fit gets a buffer of its own size). */
const BUFFER_BYTES = 1 << 20;
/** About this many bytes per chunk handed to the COPY stream. */
const BINARY_CHUNK_BYTES = 1 << 17;

/** A growing sequence of byte buffers; `pending` is what was written since the last cut. */
class BinarySink {
  buffer: Buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  position = 0;
  /** Start of what has not been handed out yet. */
  start = 0;
  /** Cut chunks not handed out yet. */
  readonly ready: Buffer[] = [];
  /** Start of the field being written piece by piece (JSON), which moves with it; -1 when none. */
  fieldStart = -1;
  /** The index of the column being written (to name it when its value is refused). */
  column = 0;

  /** Makes room for `bytes` more bytes (moving a field being written to the new buffer). */
  room(bytes: number): void {
    if (this.position + bytes <= this.buffer.length) return;
    const from = this.fieldStart >= 0 ? this.fieldStart : this.position;
    const carried = this.position - from;
    const end = this.position;
    this.position = from;
    this.cut();
    const previous = this.buffer;
    this.buffer = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, 2 * (carried + bytes)));
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    previous.copy(this.buffer, 0, from, end);
    this.position = carried;
    this.start = 0;
    if (this.fieldStart >= 0) this.fieldStart = 0;
  }

  /** Moves what was written since the last cut to `ready`. */
  cut(): void {
    if (this.position > this.start) this.ready.push(this.buffer.subarray(this.start, this.position));
    this.start = this.position;
  }

  bytes(values: readonly number[]): void {
    this.room(values.length);
    for (const value of values) this.buffer[this.position++] = value;
  }

  int16(value: number): void {
    this.room(2);
    this.view.setInt16(this.position, value);
    this.position += 2;
  }

  /** A NULL field. */
  nullField(): void {
    this.room(4);
    this.view.setInt32(this.position, -1);
    this.position += 4;
  }

  /** A 64-bit integer field from a safe integer. */
  int64Field(value: number): void {
    this.room(12);
    const high = Math.floor(value / TWO_32);
    const view = this.view;
    view.setInt32(this.position, 8);
    view.setInt32(this.position + 4, high);
    view.setUint32(this.position + 8, value - high * TWO_32);
    this.position += 12;
  }

  bigInt64Field(value: bigint): void {
    this.room(12);
    this.view.setInt32(this.position, 8);
    this.view.setBigInt64(this.position + 4, value);
    this.position += 12;
  }

  float64Field(value: number): void {
    this.room(12);
    this.view.setInt32(this.position, 8);
    this.view.setFloat64(this.position + 4, value === 0 ? 0 : value);
    this.position += 12;
  }

  booleanField(value: boolean): void {
    this.room(5);
    this.view.setInt32(this.position, 1);
    this.buffer[this.position + 4] = value ? 1 : 0;
    this.position += 5;
  }

  /** A text field: `text` as UTF-8 after `prefix` (jsonb's version byte), NUL removed. */
  textField(text: string, prefix: number): void {
    const length = text.length;
    const head = prefix < 0 ? 4 : 5;
    this.room(head + length * 3);
    const buffer = this.buffer;
    const start = this.position;
    let end = start + head;
    if (prefix >= 0) buffer[start + 4] = prefix;
    let ascii = length <= SHORT_STRING;
    if (ascii) {
      for (let index = 0; index < length; index++) {
        const code = text.charCodeAt(index);
        if (code >= 0x80 || code === 0) {
          ascii = false;
          break;
        }
        buffer[end++] = code;
      }
    }
    if (!ascii) end = start + head + buffer.write(stripNul(text), start + head, 'utf8');
    this.view.setInt32(start, end - start - 4);
    this.position = end;
  }
}

function writeInteger(sink: BinarySink, value: unknown): void {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) {
      sink.int64Field(value);
      return;
    }
    if (!Number.isInteger(value)) reject('integer', value);
    value = BigInt(value);
  }
  if (typeof value !== 'bigint') reject('integer', value);
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new RangeError(`integer ${value} does not fit in a 64-bit bigint`);
  }
  sink.bigInt64Field(value);
}

function writeFloat(sink: BinarySink, value: unknown): void {
  if (typeof value === 'number') {
    sink.float64Field(value);
    return;
  }
  if (typeof value !== 'bigint') reject('float', value);
  const number = Number(value);
  if (!Number.isFinite(number)) throw new RangeError(`${value} is out of range for a double precision float`);
  sink.float64Field(number);
}

/** timestamptz: microseconds since 2000-01-01 UTC (PostgreSQL refuses those outside its range). */
function writeTimestamp(sink: BinarySink, value: unknown): void {
  if (!(value instanceof Date)) reject('timestamp', value);
  const millis = value.getTime();
  if (Number.isNaN(millis)) reject('timestamp', value);
  const sinceEpoch = millis - PG_EPOCH_MS;
  if (sinceEpoch >= -EXACT_MS && sinceEpoch <= EXACT_MS) sink.int64Field(sinceEpoch * 1000);
  else sink.bigInt64Field(BigInt(sinceEpoch) * 1000n);
}

/** Nesting beyond which JSON values are left to `JSON.stringify` (which also detects cycles). */
const JSON_DEPTH = 64;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** The escapes of control characters that have a short one (`\b`, `\t`, `\n`, `\f`, `\r`), by code. */
const SHORT_ESCAPES: readonly number[] = Object.assign(new Array<number>(0x20).fill(0), {
  8: 0x62,
  9: 0x74,
  10: 0x6e,
  12: 0x66,
  13: 0x72,
});
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

const hasOwn = Object.prototype.hasOwnProperty;

/** Writes a non-negative integer below 10^15 in decimal, as `${value}` spells it. */
function putDigits(sink: BinarySink, value: number): void {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  sink.room(digits);
  const buffer = sink.buffer;
  let position = sink.position + digits;
  sink.position = position;
  let rest = value;
  do {
    const next = Math.floor(rest / 10);
    buffer[--position] = 0x30 + (rest - next * 10);
    rest = next;
  } while (rest > 0);
}

/** Writes ASCII `text` (no room made). */
function putAscii(sink: BinarySink, text: string): void {
  const buffer = sink.buffer;
  let position = sink.position;
  for (let index = 0; index < text.length; index++) buffer[position++] = text.charCodeAt(index);
  sink.position = position;
}

/**
 * A JSON string as UTF-8 JSON text, as `serialiseJson` stores it: NUL removed, an unpaired
 * surrogate as U+FFFD (the text differs from JSON.stringify's in escapes only, not in value).
 */
function putJsonString(sink: BinarySink, text: string): void {
  const length = text.length;
  sink.room(2 + 6 * length);
  const buffer = sink.buffer;
  let position = sink.position;
  buffer[position++] = QUOTE;
  for (let index = 0; index < length; index++) {
    let code = text.charCodeAt(index);
    if (code < 0x80) {
      if (code >= 0x20) {
        if (code === QUOTE || code === BACKSLASH) buffer[position++] = BACKSLASH;
        buffer[position++] = code;
      } else if (code !== 0) {
        buffer[position++] = BACKSLASH;
        const short = SHORT_ESCAPES[code] as number;
        if (short !== 0) buffer[position++] = short;
        else {
          buffer[position++] = 0x75; // u00XX
          buffer[position++] = 0x30;
          buffer[position++] = 0x30;
          buffer[position++] = HEX_DIGITS[code >> 4] as number;
          buffer[position++] = HEX_DIGITS[code & 15] as number;
        }
      }
    } else if (code < 0x800) {
      buffer[position++] = 0xc0 | (code >> 6);
      buffer[position++] = 0x80 | (code & 63);
    } else {
      if (code >= 0xd800 && code <= 0xdfff) {
        const next = index + 1 < length ? text.charCodeAt(index + 1) : 0;
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          index++;
          buffer[position++] = 0xf0 | (code >> 18);
          buffer[position++] = 0x80 | ((code >> 12) & 63);
          buffer[position++] = 0x80 | ((code >> 6) & 63);
          buffer[position++] = 0x80 | (code & 63);
          continue;
        }
        code = 0xfffd;
      }
      buffer[position++] = 0xe0 | (code >> 12);
      buffer[position++] = 0x80 | ((code >> 6) & 63);
      buffer[position++] = 0x80 | (code & 63);
    }
  }
  buffer[position++] = QUOTE;
  sink.position = position;
}

/** What JSON.stringify leaves out of an object, and writes as null in an array. */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * Writes `value` as the JSON text of what `JSON.stringify(value)` holds, straight as UTF-8 bytes.
 * Only plain data: false (with part of it written) for anything whose JSON another rule decides:
 * a `toJSON` method, an object whose prototype is not Object's (nor null), a bigint, nesting
 * deeper than `JSON_DEPTH`.
 */
function putJson(sink: BinarySink, value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      putJsonString(sink, value);
      return true;
    case 'number': {
      if (value >= 0 && value < 1e15 && Number.isInteger(value)) {
        putDigits(sink, value);
        return true;
      }
      const text = Number.isFinite(value) ? `${value}` : 'null';
      sink.room(text.length);
      putAscii(sink, text);
      return true;
    }
    case 'boolean':
      sink.room(5);
      putAscii(sink, value ? 'true' : 'false');
      return true;
    case 'object': {
      if (value === null) {
        sink.room(4);
        putAscii(sink, 'null');
        return true;
      }
      if (depth >= JSON_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      if (Array.isArray(value)) {
        sink.room(1);
        sink.buffer[sink.position++] = 0x5b; // [
        for (let index = 0; index < value.length; index++) {
          sink.room(5);
          if (index > 0) sink.buffer[sink.position++] = 0x2c; // ,
          const item: unknown = value[index];
          if (isOmitted(item)) putAscii(sink, 'null');
          else if (!putJson(sink, item, depth + 1)) return false;
        }
        sink.room(1);
        sink.buffer[sink.position++] = 0x5d; // ]
        return true;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      const record = value as Record<string, unknown>;
      sink.room(1);
      sink.buffer[sink.position++] = 0x7b; // {
      let first = true;
      // Own enumerable string keys, in Object.keys' order, as JSON.stringify takes them (for…in
      // with an own-property check allocates no array of keys).
      for (const key in record) {
        if (!hasOwn.call(record, key)) continue;
        const item = record[key];
        if (isOmitted(item)) continue;
        if (!first) {
          sink.room(1);
          sink.buffer[sink.position++] = 0x2c; // ,
        }
        first = false;
        putJsonString(sink, key);
        sink.room(1);
        sink.buffer[sink.position++] = 0x3a; // :
        if (!putJson(sink, item, depth + 1)) return false;
      }
      sink.room(1);
      sink.buffer[sink.position++] = 0x7d; // }
      return true;
    }
    default:
      return false;
  }
}

/** jsonb's binary input: version 1, then the JSON text (storable, see `serialiseJson`). */
function writeJson(sink: BinarySink, value: unknown): void {
  sink.room(5);
  const start = sink.position;
  sink.fieldStart = start;
  sink.position = start + 4;
  sink.buffer[sink.position++] = 1;
  const written = putJson(sink, value, 0);
  const fieldStart = sink.fieldStart;
  sink.fieldStart = -1;
  if (written) {
    sink.view.setInt32(fieldStart, sink.position - fieldStart - 4);
    return;
  }
  // Anything but plain data: JSON.stringify's own text.
  sink.position = fieldStart;
  const text: string | undefined = JSON.stringify(value);
  if (text === undefined) reject('json', value);
  sink.textField(text.includes('\\u') ? storableJson(text) : text, 1);
}

/** Writes one row: its field count, then each column's field. */
type RowWriter = (sink: BinarySink, row: Row) => void;

/** What a compiled row writer calls, by the names its source uses. */
const ROW_WRITER_HELPERS = {
  rejectString: (value: unknown): never => reject('string', value),
  rejectBoolean: (value: unknown): never => reject('boolean', value),
  writeInteger,
  writeFloat,
  writeTimestamp,
  writeJson,
};

/** Each column type's statement writing the non-null value `value`. */
const FIELD_WRITERS: Readonly<Record<ColumnType, string>> = {
  string: "if (typeof value === 'string') sink.textField(value, -1); else rejectString(value);",
  integer: 'writeInteger(sink, value);',
  float: 'writeFloat(sink, value);',
  boolean: 'if (value === true || value === false) sink.booleanField(value); else rejectBoolean(value);',
  timestamp: 'writeTimestamp(sink, value);',
  json: 'writeJson(sink, value);',
};

/** Row writers by their columns' names and types, the most recently used last. */
const rowWriters = new Map<string, RowWriter>();
const ROW_WRITERS_KEPT = 64;

/**
 * The row writer of `columns`: a function reading each column by its name as a constant property
 * (`row["name"]`, the name written as a JSON string literal, so any name is safe), which the engine
 * turns into fast monomorphic reads where `row[names[index]]` stays a generic keyed lookup.
 * Compiled once per set of columns and kept (a fresh function would start unoptimised each batch).
 */
function rowWriter(columns: readonly ColumnSpec[]): RowWriter {
  const signature = JSON.stringify(columns.map((column) => [column.name, column.type]));
  const known = rowWriters.get(signature);
  if (known !== undefined) {
    rowWriters.delete(signature);
    rowWriters.set(signature, known);
    return known;
  }
  const statements = columns.map(
    (column, index) =>
      `sink.column = ${index}; value = row[${JSON.stringify(column.name)}];
      if (value === null || value === undefined) sink.nullField(); else { ${FIELD_WRITERS[column.type]} }`,
  );
  const helpers = Object.keys(ROW_WRITER_HELPERS);
  const source = `return function writeRow(sink, row) {
    let value;
    sink.int16(${columns.length});
    ${statements.join('\n    ')}
  };`;
  const compiled = new Function(...helpers, source)(...Object.values(ROW_WRITER_HELPERS)) as RowWriter;
  rowWriters.set(signature, compiled);
  if (rowWriters.size > ROW_WRITERS_KEPT) rowWriters.delete(rowWriters.keys().next().value as string);
  return compiled;
}

/**
 * The rows in COPY's binary format, in chunks of about `chunkBytes` (not aligned with rows, which
 * COPY does not require): one field per column of `columns`, in order, read from the row by the
 * column's (logical) name; a missing key or `null` is NULL, keys not in `columns` are ignored.
 * The binary form of each field is that of the column type's PostgreSQL type (`postgresType`).
 * Lazy, so encoding keeps pace with the stream. Throws `RowEncodingError` on a value that does not
 * conform to its column's type.
 */
export function* encodeCopyBinary(
  rows: readonly Row[],
  columns: readonly ColumnSpec[],
  chunkBytes = BINARY_CHUNK_BYTES,
): Generator<Uint8Array, void, undefined> {
  const writeRow = rowWriter(columns);
  const sink = new BinarySink();
  sink.bytes(BINARY_HEADER);
  for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) {
    try {
      writeRow(sink, rows[rowIndex] as Row);
    } catch (cause) {
      throw new RowEncodingError(rowIndex, (columns[sink.column] as ColumnSpec).name, { cause });
    }
    if (sink.position - sink.start >= chunkBytes) sink.cut();
    while (sink.ready.length > 0) yield sink.ready.shift() as Buffer;
  }
  sink.int16(-1);
  sink.cut();
  while (sink.ready.length > 0) yield sink.ready.shift() as Buffer;
}

/** `lastRowPerKey` for a single string key: keys compared as stored (NUL removed), NULL apart. */
function lastRowPerStringKey(rows: readonly Row[], name: string): readonly Row[] {
  const byKey = new Map<string | null, Row>();
  for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) {
    const row = rows[rowIndex] as Row;
    const value = row[name];
    let key: string | null;
    if (value === null || value === undefined) key = null;
    else if (typeof value === 'string') key = value.includes('\u0000') ? stripNul(value) : value;
    else
      throw new RowEncodingError(rowIndex, name, {
        cause: new TypeError(`expected a string value, got ${describe(value)}`),
      });
    byKey.set(key, row);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}
