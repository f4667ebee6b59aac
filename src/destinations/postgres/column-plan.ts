import { widenColumnType } from '../column-types.js';
import type { ColumnSpec, ColumnType } from '../destination.js';
import type { CatalogColumn } from './catalog.js';
import { allocatePhysicalName, SYSTEM_COLUMNS } from './physical-names.js';
import { logicalTypeOf, postgresType } from './sql.js';

/** A column of the spec, as it lands in the table. */
export interface PlannedColumn {
  logical: string;
  physical: string;
  /** The type of the values handed in (the spec's). */
  valueType: ColumnType;
  /** The column's type in the table once evolved: `valueType` or a widening of it. */
  tableType: ColumnType;
}

export interface ColumnChange {
  physical: string;
  /** Undefined for a column of a type this destination never creates. */
  from: ColumnType | undefined;
  to: ColumnType;
}

export interface TableColumn {
  physical: string;
  logical: string;
  /** As DDL would spell it (and `format_type` does), e.g. `bigint`, `timestamp with time zone`. */
  sqlType: string;
}

export interface ColumnPlan {
  /** The spec's columns, in spec order. */
  columns: PlannedColumn[];
  /** Columns to add, in spec order. */
  added: PlannedColumn[];
  /** Existing columns whose type must be widened. */
  widened: ColumnChange[];
  /**
   * Every column of the evolved table, in table order: the existing ones (including those the spec
   * no longer mentions, which are kept), then the added ones.
   */
  table: TableColumn[];
}

/**
 * How a table with `existing` columns evolves to take rows of `spec`: new columns are added (with
 * a physical name that fits in 63 bytes and collides with no other column), changed types are
 * widened per `widenColumnType`, nothing is dropped. Pure, so the rules can be tested without a
 * database.
 */
export function planColumns(existing: readonly CatalogColumn[], spec: readonly ColumnSpec[]): ColumnPlan {
  const byLogical = new Map(existing.map((column) => [column.logical, column]));
  const taken = new Set([...SYSTEM_COLUMNS, ...existing.map((column) => column.physical)]);
  const columns: PlannedColumn[] = [];
  const added: PlannedColumn[] = [];
  const widened: ColumnChange[] = [];
  const widenedTypes = new Map<string, ColumnType>();

  for (const column of spec) {
    const current = byLogical.get(column.name);
    if (current === undefined) {
      const physical = allocatePhysicalName(column.name, taken);
      taken.add(physical);
      const planned = { logical: column.name, physical, valueType: column.type, tableType: column.type };
      columns.push(planned);
      added.push(planned);
      continue;
    }
    const from = logicalTypeOf(current.sqlType);
    const tableType = from === undefined ? 'string' : widenColumnType(from, column.type);
    if (tableType !== from) {
      widened.push({ physical: current.physical, from, to: tableType });
      widenedTypes.set(current.physical, tableType);
    }
    columns.push({ logical: column.name, physical: current.physical, valueType: column.type, tableType });
  }

  const table: TableColumn[] = existing.map(({ physical, logical, sqlType }) => {
    const widenedType = widenedTypes.get(physical);
    return { physical, logical, sqlType: widenedType === undefined ? sqlType : postgresType(widenedType) };
  });
  for (const column of added) {
    table.push({
      physical: column.physical,
      logical: column.logical,
      sqlType: postgresType(column.tableType),
    });
  }
  return { columns, added, widened, table };
}
