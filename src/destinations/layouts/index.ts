import { applyFivetranLayout } from './fivetran/apply.js';
import type { ApplyLayoutOptions, LayoutName, LayoutReport, LayoutTransactionRunner } from './layout.js';

export { DUCKDB_DIALECT, POSTGRES_DIALECT } from './dialects.js';
export { FIVETRAN_TABLES, type LayoutTableDefinition, layoutColumns } from './fivetran/tables.js';
export {
  type ApplyLayoutOptions,
  isLayoutName,
  LAYOUT_NAMES,
  type LayoutCapable,
  type LayoutCatalogColumn,
  type LayoutCatalogTable,
  type LayoutName,
  type LayoutReport,
  type LayoutTableReport,
  type LayoutTransaction,
  type LayoutTransactionRunner,
  type SqlDialect,
  supportsLayouts,
} from './layout.js';

/** Applies `layout` through a destination's transactions (see `layout.ts`). */
export function applyLayout(
  layout: LayoutName,
  run: LayoutTransactionRunner,
  options: ApplyLayoutOptions = {},
): Promise<LayoutReport> {
  switch (layout) {
    case 'fivetran':
      return applyFivetranLayout(run, options);
  }
}
