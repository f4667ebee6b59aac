/**
 * intercom-sync as a library. The CLI is a thin layer over these.
 *
 *   import { createClient, streams, sync, createDuckDbDestination } from 'intercom-sync';
 *
 *   const client = createClient({ accessToken: process.env.INTERCOM_ACCESS_TOKEN ?? '' });
 *   for await (const contact of streams.contacts(client, { updatedSince: new Date('2025-01-01') }))
 *     console.log(contact.id, contact.email);
 *   await sync({ client, destination: createDuckDbDestination({ path: 'intercom.duckdb' }) });
 *   await client.close();
 *
 * See docs/library.md.
 */

export type {
  ColumnSpec,
  ColumnType,
  DeleteOptions,
  Deletion,
  Destination,
  Row,
  StreamWriter,
  TableSpec,
  WriteMode,
} from './destinations/destination.js';
export { createDuckDbDestination, type DuckDbDestinationOptions } from './destinations/duckdb/index.js';
export { createFileDestination, type FileDestinationOptions } from './destinations/files/index.js';
export {
  type LayoutCapable,
  type LayoutName,
  type LayoutReport,
  type LayoutTableReport,
  supportsLayouts,
} from './destinations/layouts/index.js';
export { createPostgresDestination, type PostgresDestinationOptions } from './destinations/postgres/index.js';
export {
  DEFAULT_TUNING,
  type ProgressEvent,
  runSync,
  type StreamStatus,
  type StreamSummary,
  type SyncPlan,
  type SyncResult,
  type SyncTuning,
} from './engine/sync.js';
export {
  ConfigurationError,
  FatalError,
  IntercomClient,
  type IntercomRegion,
  IntercomSyncError,
  type Logger,
  RateLimiter,
  RetriableError,
  SkippableError,
} from './http/index.js';
export * from './library/index.js';
export { startSimulator } from './simulator/index.js';
export { DEFAULT_STREAMS, findStream, STREAMS, type StreamDefinition } from './streams/index.js';
