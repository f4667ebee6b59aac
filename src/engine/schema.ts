import {
  type ColumnSpec,
  type ColumnType,
  DELETED_AT,
  type Row,
  type TableSpec,
} from '../destinations/destination.js';
import type { ApiRecord, StreamDefinition } from '../streams/index.js';

/** A custom data attribute that becomes a typed `custom_<name>` column. */
export interface CustomAttribute {
  name: string;
  /** Intercom's `data_type`: string, integer, float, boolean, date. */
  dataType: string;
}

export const SYNCED_AT = '_synced_at';

const CUSTOM_TYPES: Record<string, ColumnType> = {
  string: 'string',
  integer: 'integer',
  float: 'float',
  boolean: 'boolean',
  date: 'timestamp',
};

/** Where a custom attribute's typed column comes from. */
interface CustomColumn {
  column: string;
  attribute: string;
  type: ColumnType;
  convert: Converter;
}

/** A value that did not fit its column: loaded as NULL (the raw value stays in the JSON columns). */
export interface CoercionIssue {
  field: string;
  recordId: string;
  expected: ColumnType;
}

/** Converts a non-null value to a column's type; `undefined` when it cannot. */
type Converter = (value: unknown) => unknown;

/** A column of the table and its converter, looked up once per field of a record. */
interface Column {
  type: ColumnType;
  convert: Converter;
}

/**
 * Turns a stream's API records into rows of its table: top-level fields typed as the stream
 * declares them, typed `custom_<name>` columns from the data attributes, `_synced_at`, and new
 * columns for fields Intercom adds (their type inferred from the first value seen).
 *
 * `shape` runs once per record of the sync, so it does the least it can: one pass over the
 * record's own keys, one map lookup per key giving a converter chosen when the column was added
 * (no per-record closures, entry arrays or spreads), and nothing for a record's id unless a value
 * does not fit.
 */
export class RowShaper {
  private readonly columns = new Map<string, Column>();
  private readonly custom: CustomColumn[] = [];
  /** Issues since the last `takeIssues()`, capped. */
  private issues: CoercionIssue[] = [];
  issueCount = 0;

  constructor(
    private readonly stream: StreamDefinition,
    customAttributes: readonly CustomAttribute[],
    private readonly table = stream.name,
    /** Streams whose deletions Intercom reports get `_deleted_at` (soft deletes). */
    deletable = false,
  ) {
    this.addColumn(SYNCED_AT, 'timestamp');
    if (deletable) this.addColumn(DELETED_AT, 'timestamp');
    for (const [name, type] of Object.entries(stream.fields)) this.addColumn(name, type);
    for (const attribute of customAttributes) {
      const type = CUSTOM_TYPES[attribute.dataType] ?? 'string';
      let column = `custom_${attribute.name}`;
      while (this.columns.has(column)) column = `${column}_`;
      this.addColumn(column, type);
      this.custom.push({ column, attribute: attribute.name, type, convert: CONVERTERS[type] });
    }
  }

  spec(): TableSpec {
    const columns: ColumnSpec[] = [...this.columns].map(([name, column]) => ({ name, type: column.type }));
    return { stream: this.stream.name, table: this.table, columns, primaryKey: [...this.stream.primaryKey] };
  }

  /**
   * Shapes one record. Returns true in `grew` when the record brought fields the table did not
   * have yet (the caller evolves the table before loading the batch).
   */
  shape(record: ApiRecord, syncedAt: Date): { row: Row; grew: boolean } {
    const row: Row = { [SYNCED_AT]: syncedAt };
    let grew = false;
    for (const field in record) {
      const value = record[field];
      if (value === undefined) continue;
      let column = this.columns.get(field);
      if (column === undefined) {
        if (value === null || field === SYNCED_AT || field === DELETED_AT) continue;
        column = this.addColumn(field, inferType(value));
        grew = true;
      }
      if (value === null) {
        setField(row, field, null);
        continue;
      }
      const converted = column.convert(value);
      setField(row, field, converted === undefined ? this.issue(field, record, column.type) : converted);
    }
    if (this.custom.length > 0) {
      const attrs = record.custom_attributes;
      if (attrs && typeof attrs === 'object' && !Array.isArray(attrs)) {
        for (const c of this.custom) {
          const value = (attrs as Record<string, unknown>)[c.attribute];
          if (value === undefined || value === null) continue;
          const converted = c.convert(value);
          row[c.column] =
            converted === undefined
              ? this.issue(`custom_attributes.${c.attribute}`, record, c.type)
              : converted;
        }
      }
    }
    // The engine's column: a record field of that name never stands in for the sync's time.
    row[SYNCED_AT] = syncedAt;
    return { row, grew };
  }

  takeIssues(): CoercionIssue[] {
    const out = this.issues;
    this.issues = [];
    return out;
  }

  private addColumn(name: string, type: ColumnType): Column {
    const column: Column = { type, convert: CONVERTERS[type] };
    this.columns.set(name, column);
    return column;
  }

  /** Counts a value that did not fit (keeping the first few for the log); the column gets NULL. */
  private issue(field: string, record: ApiRecord, expected: ColumnType): null {
    this.issueCount++;
    if (this.issues.length < 20)
      this.issues.push({ field, recordId: String(record.id ?? record.name ?? ''), expected });
    return null;
  }
}

/**
 * `row[field] = value`, except that a field named `__proto__` (a key JSON.parse keeps as an own
 * property) becomes the row's own column too: a plain store would set the row's prototype instead,
 * and the row would then show that object's keys as its columns.
 */
export function setField(row: Row, field: string, value: unknown): void {
  if (field === '__proto__')
    Object.defineProperty(row, field, { value, writable: true, enumerable: true, configurable: true });
  else row[field] = value;
}

function inferType(value: unknown): ColumnType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  if (typeof value === 'string') return 'string';
  return 'json';
}

/** Converts a value to a column type; `undefined` when it cannot be. */
export function coerceValue(value: unknown, type: ColumnType): unknown {
  switch (type) {
    case 'json':
      return value;
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return JSON.stringify(value);
    case 'integer': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n === 'number' && Number.isFinite(n))
        return Number.isSafeInteger(Math.trunc(n)) ? Math.trunc(n) : undefined;
      if (typeof n === 'boolean') return n ? 1 : 0;
      return undefined;
    }
    case 'float': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 1) return true;
      if (value === 'false' || value === 0) return false;
      return undefined;
    case 'timestamp': {
      if (typeof value === 'number' && Number.isFinite(value)) return timestamp(value * 1000);
      if (typeof value === 'string' && value.trim() !== '') {
        const asNumber = Number(value);
        if (Number.isFinite(asNumber)) return timestamp(asNumber * 1000);
        const parsed = Date.parse(value);
        return Number.isNaN(parsed) ? undefined : timestamp(parsed);
      }
      return undefined;
    }
  }
}

/** Dates beyond what every destination can store (years 1–9999) are not loaded as timestamps. */
function timestamp(ms: number): Date | undefined {
  return ms >= -62_135_596_800_000 && ms <= 253_402_300_799_000 ? new Date(ms) : undefined;
}

/** One converter per column type, chosen when a column is added (see `coerceValue`). */
const CONVERTERS: Record<ColumnType, Converter> = {
  json: (value) => value,
  string: (value) => (typeof value === 'string' ? value : coerceValue(value, 'string')),
  integer: (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) ? value : coerceValue(value, 'integer'),
  float: (value) =>
    typeof value === 'number' && Number.isFinite(value) ? value : coerceValue(value, 'float'),
  boolean: (value) => (typeof value === 'boolean' ? value : coerceValue(value, 'boolean')),
  timestamp: (value) => coerceValue(value, 'timestamp'),
};
