export { type CatalogColumn, type CatalogTable, findTable, listColumns, type SqlRunner } from './catalog.js';
export {
  type PostgresConnectionConfig,
  parsePostgresUri,
  pgClientConfig,
  readSslFiles,
  type SslMode,
  sslOptions,
} from './connection-config.js';
export { PostgresDestinationError, type PostgresFailure } from './errors.js';
export { createPostgresDestination, type PostgresDestinationOptions } from './postgres-destination.js';
