export { FileDestinationError, FileIoError } from './errors.js';
export { createFileDestination, type FileDestinationOptions } from './file-destination.js';
export {
  buildLatestViewSql,
  currentFolder,
  latestViewSql,
  readTableManifest,
  tableFolder,
} from './latest-view.js';
export { BATCH_COLUMN, STATE_FILE, tableFolderName } from './layout.js';
export type { ColumnEra, DeletionKey, FileFormatName, ManifestColumn, TableManifest } from './manifest.js';
export type { ParquetCompression } from './parquet-format.js';
