import type { Destination } from './destination.js';
import type { DestinationSpec } from './uri.js';

export type { DestinationSpec } from './uri.js';
export { parseDestinationUri } from './uri.js';

/**
 * The destination a parsed `--dest-uri` names. `schema` holds the tables (files: one folder per
 * table). Each kind's module (and its client library: pg for PostgreSQL) is loaded only when that
 * kind is used: a DuckDB sync does not carry the others in memory.
 */
export async function createDestination(spec: DestinationSpec, schema: string): Promise<Destination> {
  switch (spec.kind) {
    case 'duckdb': {
      const { createDuckDbDestination } = await import('./duckdb/index.js');
      return createDuckDbDestination({ path: spec.path, schema });
    }
    case 'postgres': {
      const { createPostgresDestination } = await import('./postgres/index.js');
      return createPostgresDestination({ connectionString: spec.uri, schema });
    }
    case 'files': {
      const { createFileDestination } = await import('./files/index.js');
      return createFileDestination({ root: spec.root, format: spec.format, gzip: spec.gzip });
    }
  }
}
