import type { ColumnSpec, Row } from '../destination.js';
import type { FileFormatName, ManifestColumn } from './manifest.js';

/** What one data file holds: every column of the table (in table order) and its batch number. */
export interface BatchTarget {
  /** The table's columns from its manifest; a column the writer's spec lacks is written as NULL. */
  columns: readonly ManifestColumn[];
  /** The file's `_sync_batch`. */
  batch: number;
}

/**
 * Writes one stream's batches as files. Created per stream writer, for the spec's columns; values
 * are converted to the table's (possibly widened) column types on the way out.
 */
export interface BatchFileWriter {
  /**
   * Writes `rows` (shaped by the spec, values of the spec's types) to a new file at `path`, and
   * fsyncs it. Rejects with a `RowEncodingError` for a value that does not fit its column, with the
   * signal's reason when it aborts; the caller removes whatever was left at `path`.
   */
  write(path: string, rows: readonly Row[], target: BatchTarget, signal?: AbortSignal): Promise<void>;
  /** Releases what the writer holds. Idempotent. */
  close(): Promise<void>;
}

/** A file format: how data files are named and written. */
export interface FileFormat {
  readonly name: FileFormatName;
  /** The data files' extension, e.g. `.parquet`, `.jsonl.gz`. */
  readonly extension: string;
  openWriter(columns: readonly ColumnSpec[]): Promise<BatchFileWriter>;
  /** Releases the format's resources once every writer has closed. */
  close(): Promise<void>;
}
