import { link, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TableSpec } from '../destination.js';
import { ensureFolder, onPath, writeFileAtomically } from './atomic-fs.js';
import { encodeDeletions } from './deletions.js';
import type { BatchFileWriter } from './file-format.js';
import {
  batchOfFileName,
  DELETIONS_FOLDER,
  EMPTY_DELETIONS_FILE,
  type RunLabel,
  SCHEMA_FILE,
} from './layout.js';
import { serialiseManifest } from './manifest.js';
import type { Generation, TableFolder } from './table-folder.js';

/**
 * Replace of one partition (`spec.partition`, a workspace's rows in a table several workspaces
 * share) in a lake of immutable files: the run's staging generation starts as the visible one,
 * its data and deletions files hard-linked (no copy), followed by a hard deletion of the
 * partition's rows; the run's rows come after it. At `finish` the latest view of the new generation
 * shows the other partitions' rows as they were and this partition's new rows only. The manifest
 * keys the view on the primary key, so merged rows of other partitions show their latest version.
 * Rows written before the table had the partition column are not matched (they stay).
 */
export async function carryOtherPartitions(
  table: TableFolder,
  current: Generation,
  staging: Generation,
  spec: TableSpec,
  run: RunLabel,
  batchWriter: BatchFileWriter,
  signal?: AbortSignal,
): Promise<void> {
  const partition = spec.partition;
  if (partition === undefined) return;
  await linkFiles(current.folder, staging.folder, (name) => batchOfFileName(name) !== undefined);
  const deletions = join(current.folder, DELETIONS_FOLDER);
  if (await isFolder(deletions)) {
    await ensureFolder(join(staging.folder, DELETIONS_FOLDER));
    await linkFiles(
      deletions,
      join(staging.folder, DELETIONS_FOLDER),
      (name) => name === EMPTY_DELETIONS_FILE || batchOfFileName(name) !== undefined,
    );
  }
  staging.manifest = {
    ...current.manifest,
    columns: current.manifest.columns.map((column) => ({ ...column })),
    deletions: current.manifest.deletions.map((key) => ({ ...key, columns: [...key.columns] })),
    ...(spec.primaryKey.length > 0 ? { mode: 'merge' as const, primaryKey: [...spec.primaryKey] } : {}),
  };
  await writeFileAtomically(join(staging.folder, SCHEMA_FILE), serialiseManifest(staging.manifest));
  await table.ensureColumns(staging, spec.columns, run, batchWriter, signal);
  const records = encodeDeletions([{ match: partition, at: new Date() }], staging.manifest, true);
  await table.writeDeletions(staging, records, true, run, signal);
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function linkFiles(from: string, to: string, wanted: (name: string) => boolean): Promise<void> {
  const names = await onPath('list', from, () => readdir(from));
  for (const name of names) {
    if (!wanted(name)) continue;
    const source = join(from, name);
    if (!(await stat(source)).isFile()) continue;
    await onPath('link', source, () => link(source, join(to, name)));
  }
}
