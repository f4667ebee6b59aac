/**
 * intercom-sync as a library. The CLI is a thin layer over these.
 */

export type {
  ColumnSpec,
  ColumnType,
  Destination,
  Row,
  StreamWriter,
  TableSpec,
  WriteMode,
} from './destinations/destination.js';
export { createDuckDbDestination } from './destinations/duckdb/index.js';
export {
  DEFAULT_TUNING,
  type ProgressEvent,
  runSync,
  type StreamSummary,
  type SyncPlan,
  type SyncResult,
  type SyncTuning,
} from './engine/sync.js';
export {
  ConfigurationError,
  FatalError,
  IntercomClient,
  IntercomSyncError,
  RateLimiter,
  RetriableError,
  SkippableError,
} from './http/index.js';
export { startSimulator } from './simulator/index.js';
export { DEFAULT_STREAMS, findStream, STREAMS, type StreamDefinition } from './streams/index.js';
