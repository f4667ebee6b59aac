import type { DuckDBConnection } from '@duckdb/node-api';
import { listColumns, listTables } from '../duckdb/catalog.js';
import type { DuckDbSession } from '../duckdb/duckdb-session.js';
import { logicalTypeOf, qualifiedName, type SchemaRef } from '../duckdb/sql.js';
import { DUCKDB_DIALECT } from './dialects.js';
import type { LayoutTransaction, LayoutTransactionRunner } from './layout.js';

/** A layout's view of one DuckDB transaction on the destination's schema. */
function duckDbLayoutTransaction(connection: DuckDBConnection, schema: SchemaRef): LayoutTransaction {
  return {
    dialect: DUCKDB_DIALECT,
    qualified: (physical) => qualifiedName(schema, physical),
    table: async (logical) => {
      const found = (await listTables(connection, schema)).find((t) => t.logical === logical);
      if (found === undefined) return undefined;
      const columns = await listColumns(connection, schema, found.physical);
      return {
        physical: found.physical,
        columns: columns.map((c) => ({
          logical: c.logical,
          physical: c.physical,
          type: logicalTypeOf(c.dataType),
        })),
      };
    },
    run: async (sql) => {
      await connection.run(sql);
    },
    query: async (sql) =>
      (await connection.runAndReadAll(sql)).getRowObjects() as Array<Record<string, unknown>>,
  };
}

/** Runs each layout transaction on the destination's session (serialised with its writers). */
export function duckDbLayoutRunner(session: DuckDbSession, schema: SchemaRef): LayoutTransactionRunner {
  return <T>(body: (transaction: LayoutTransaction) => Promise<T>, signal?: AbortSignal) =>
    session.transaction((connection) => body(duckDbLayoutTransaction(connection, schema)), signal);
}
