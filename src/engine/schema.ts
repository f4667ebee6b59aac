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
}

/** A value that did not fit its column: loaded as NULL (the raw value stays in the JSON columns). */
export interface CoercionIssue {
  field: string;
  recordId: string;
  expected: ColumnType;
}

/**
 * Turns a stream's API records into rows of its table: top-level fields typed as the stream
 * declares them, typed `custom_<name>` columns from the data attributes, `_synced_at`, and new
 * columns for fields Intercom adds (their type inferred from the first value seen).
 */
export class RowShaper {
  private readonly columns = new Map<string, ColumnType>();
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
    this.columns.set(SYNCED_AT, 'timestamp');
    if (deletable) this.columns.set(DELETED_AT, 'timestamp');
    for (const [name, type] of Object.entries(stream.fields)) this.columns.set(name, type);
    for (const attribute of customAttributes) {
      const type = CUSTOM_TYPES[attribute.dataType] ?? 'string';
      let column = `custom_${attribute.name}`;
      while (this.columns.has(column)) column = `${column}_`;
      this.columns.set(column, type);
      this.custom.push({ column, attribute: attribute.name, type });
    }
  }

  spec(): TableSpec {
    const columns: ColumnSpec[] = [...this.columns].map(([name, type]) => ({ name, type }));
    return { stream: this.stream.name, table: this.table, columns, primaryKey: [...this.stream.primaryKey] };
  }

  /**
   * Shapes one record. Returns true in `grew` when the record brought fields the table did not
   * have yet (the caller evolves the table before loading the batch).
   */
  shape(record: ApiRecord, syncedAt: Date): { row: Row; grew: boolean } {
    const row: Row = { [SYNCED_AT]: syncedAt };
    let grew = false;
    const id = String(record.id ?? record.name ?? '');
    for (const [field, value] of Object.entries(record)) {
      if (value === undefined) continue;
      let type = this.columns.get(field);
      if (type === undefined) {
        if (value === null || field === SYNCED_AT || field === DELETED_AT) continue;
        type = inferType(value);
        this.columns.set(field, type);
        grew = true;
      }
      row[field] = this.coerce(value, type, field, id);
    }
    if (this.custom.length > 0) {
      const attrs = record.custom_attributes;
      if (attrs && typeof attrs === 'object' && !Array.isArray(attrs)) {
        for (const c of this.custom) {
          const value = (attrs as Record<string, unknown>)[c.attribute];
          if (value !== undefined && value !== null)
            row[c.column] = this.coerce(value, c.type, `custom_attributes.${c.attribute}`, id);
        }
      }
    }
    return { row, grew };
  }

  takeIssues(): CoercionIssue[] {
    const out = this.issues;
    this.issues = [];
    return out;
  }

  private coerce(value: unknown, type: ColumnType, field: string, recordId: string): unknown {
    if (value === null) return null;
    const converted = coerceValue(value, type);
    if (converted === undefined) {
      this.issueCount++;
      if (this.issues.length < 20) this.issues.push({ field, recordId, expected: type });
      return null;
    }
    return converted;
  }
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
