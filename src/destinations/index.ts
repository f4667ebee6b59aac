import type { Destination } from './destination.js';
import { createDuckDbDestination } from './duckdb/index.js';
import { createFileDestination } from './files/index.js';
import { createPostgresDestination } from './postgres/index.js';
import type { DestinationSpec } from './uri.js';

export type { DestinationSpec } from './uri.js';
export { parseDestinationUri } from './uri.js';

/** The destination a parsed `--dest-uri` names. `schema` holds the tables (files: one folder per table). */
export function createDestination(spec: DestinationSpec, schema: string): Destination {
  switch (spec.kind) {
    case 'duckdb':
      return createDuckDbDestination({ path: spec.path, schema });
    case 'postgres':
      return createPostgresDestination({ connectionString: spec.uri, schema });
    case 'files':
      return createFileDestination({ root: spec.root, format: spec.format, gzip: spec.gzip });
  }
}
