import { duckDbType, quoteIdentifier as quoteDuckDb } from '../duckdb/sql.js';
import { postgresType, quoteIdentifier as quotePostgres } from '../postgres/sql.js';
import type { SqlDialect } from './layout.js';

export const DUCKDB_DIALECT: SqlDialect = {
  name: 'duckdb',
  quoteIdentifier: quoteDuckDb,
  sqlType: duckDbType,
};

export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  quoteIdentifier: quotePostgres,
  sqlType: postgresType,
};
