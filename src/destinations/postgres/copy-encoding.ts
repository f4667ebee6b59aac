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
/** About this many UTF-16 units per chunk handed to the COPY stream. */
const CHUNK_CHARS = 1 << 17;

/**
 * The COPY text of `rows`, in chunks of whole lines: one field per column of `columns`, in order,
 * read from the row by the column's (logical) name; a missing key or `null` is NULL, keys not in
 * `columns` are ignored. Lazy, so encoding keeps pace with the stream. Throws `RowEncodingError`
 * on a value that does not conform to its column's type.
 */
export function* encodeCopyRows(
  rows: readonly Row[],
  columns: readonly ColumnSpec[],
  chunkChars = CHUNK_CHARS,
): Generator<string, void, undefined> {
  const names = columns.map((column) => column.name);
  const encoders = columns.map((column) => COPY_ENCODERS[column.type]);
  const last = names.length - 1;
  // Fields and separators are collected and joined once per chunk: one flat string, no
  // intermediate line strings.
  let parts: string[] = [];
  let size = 0;
  for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) {
    const row = rows[rowIndex] as Row;
    for (let index = 0; index <= last; index++) {
      const value = row[names[index] as string];
      let field: string;
      if (value === null || value === undefined) field = NULL_FIELD;
      else {
        try {
          field = (encoders[index] as Formatter)(value);
        } catch (cause) {
          throw new RowEncodingError(rowIndex, names[index] as string, { cause });
        }
      }
      parts.push(field, index === last ? '\n' : '\t');
      size += field.length + 1;
    }
    if (size >= chunkChars) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}

/**
 * Merge mode's "last one wins within a batch": keeps, for each primary key, only the last row
 * carrying it, comparing keys as they will be stored (so `1` and `1n`, or `'a'` and `'a\u0000'`,
 * are one key, as the unique index will see them). Returns `rows` itself when no key repeats.
 */
export function lastRowPerKey(rows: readonly Row[], keyColumns: readonly ColumnSpec[]): readonly Row[] {
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
