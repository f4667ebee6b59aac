export { findTable, listColumns, listTables } from './catalog.js';
export { createDuckDbDestination, type DuckDbDestinationOptions } from './duckdb-destination.js';
export { DuckDbDestinationError } from './errors.js';
export type { SchemaRef } from './sql.js';
