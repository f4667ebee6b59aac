import {
  DELETED_AT,
  type DeleteOptions,
  type Deletion,
  type FinishOptions,
  type IdReconciliation,
  type LinkBatch,
  type Row,
  type StreamWriter,
  stateKeyOf,
  type TableSpec,
  type WriteMode,
} from '../destination.js';
import { lastRowPerKey } from '../duckdb/row-loader.js';
import { serialiseState } from '../duckdb/state-store.js';
import { encodeDeletions } from './deletions.js';
import { wrapFileError } from './errors.js';
import type { BatchFileWriter } from './file-format.js';
import type { RunLabel } from './layout.js';
import { carryDeletedRows, FileIdReconciliation } from './soft-deletes.js';
import type { StateFile } from './state-file.js';
import type { Generation, TableFolder } from './table-folder.js';

export interface FileStreamWriterOptions {
  /** For error messages. */
  description: string;
  spec: TableSpec;
  mode: WriteMode;
  table: TableFolder;
  run: RunLabel;
  /** Replace mode: the run's staging generation, which `finish` makes visible. */
  staging: Generation | undefined;
  batchWriter: BatchFileWriter;
  stateFile: StateFile;
  /** Whether the destination has been closed (the writer then refuses to work). */
  isClosed: () => boolean;
  /** Called once the writer has finished or aborted. */
  onDone: () => void;
}

type Status = 'open' | 'finished' | 'aborted';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A stream's writer. Every `commit(rows, state)`, one at a time per table:
 *
 *   1. the rows (merge: the last row of each key) are written to a temporary file in the table's
 *      generation folder and fsynced;
 *   2. the file is renamed to `<batch>-<run>.<ext>` and the folder fsynced: the rows are in place;
 *   3. the state file is rewritten atomically (append, merge; replace keeps the state for `finish`).
 *
 * The commit resolves after 3. If 3 fails, the file of 2 is removed again, so a rejected commit
 * changed neither rows nor state. A crash between 2 and 3 leaves the rows in place with the old
 * state: never a state ahead of the rows. The run that resumes from that state writes those records
 * again in a later batch; the latest view of a merge table shows each once (the later copy), an
 * append table holds them twice.
 *
 * An aborted signal is honoured until the rename of 2; from then on the commit completes.
 */
export class FileStreamWriter implements StreamWriter {
  private status: Status = 'open';
  /** Replace: the state the last commit carried, committed by `finish`. */
  private keptState: string | undefined;

  constructor(private readonly options: FileStreamWriterOptions) {}

  /** Names the stream and table in the error; an abort's reason is passed through untouched. */
  private wrap(operation: string, error: unknown, signal?: AbortSignal): unknown {
    if (signal?.aborted && error === signal.reason) return error;
    return wrapFileError(error, {
      operation,
      destination: this.options.description,
      stream: this.options.spec.stream,
      table: this.options.spec.table,
    });
  }

  private assertOpen(operation: string): void {
    if (this.status !== 'open') {
      throw this.wrap(operation, new Error(`the writer has already ${this.status}`));
    }
    if (this.options.isClosed()) throw this.wrap(operation, new Error('the destination is closed'));
  }

  /** The generation this writer writes to: its staging one (replace) or the visible one. */
  private generation(): Generation {
    const generation = this.options.staging ?? this.options.table.current;
    if (generation === undefined)
      throw new Error(`the table's folder ${this.options.table.folder} has no current generation`);
    return generation;
  }

  async commit(rows: Row[], state: unknown | undefined, signal?: AbortSignal): Promise<void> {
    this.assertOpen('commit');
    const { table, spec, mode, run, batchWriter } = this.options;
    try {
      const stateJson = state === undefined ? undefined : serialiseState(state);
      const batch = mode === 'merge' ? lastRowPerKey(rows, spec.primaryKey) : rows;
      await table.queue.run(async () => {
        signal?.throwIfAborted();
        const generation = this.generation();
        await table.ensureColumns(generation, spec.columns, run, batchWriter, signal);
        const written =
          batch.length > 0 ? await table.writeBatch(generation, batch, run, batchWriter, signal) : undefined;
        await this.commitState(stateJson, written);
      }, signal);
    } catch (error) {
      throw this.wrap('commit', error, signal);
    }
  }

  /**
   * `commit`, plus each link table's files and state (see `LinkBatch`), holding every table's queue:
   * the parent's rows file; per link table, a deletions file hard-deleting the batch's parents'
   * earlier links (not in append mode), then the link rows as a later batch; then one state file
   * write with every state. Should the state fail, the files go again. Every link writer must be a
   * writer of this destination.
   */
  async commitWithLinks(
    rows: Row[],
    state: unknown | undefined,
    links: LinkBatch[],
    signal?: AbortSignal,
  ): Promise<void> {
    this.assertOpen('commit');
    const { table, spec, mode, stateFile } = this.options;
    try {
      const linkWriters = links.map((link) => {
        const writer = link.writer;
        if (!(writer instanceof FileStreamWriter) || writer.options.stateFile !== stateFile)
          throw new Error('a link batch needs a writer of the same file destination');
        writer.assertOpen('commit');
        return writer;
      });
      const stateJson = state === undefined ? undefined : serialiseState(state);
      const batch = mode === 'merge' ? lastRowPerKey(rows, spec.primaryKey) : rows;
      const tables = [...new Set([table, ...linkWriters.map((writer) => writer.options.table)])];
      await inQueues(tables, signal, async () => {
        signal?.throwIfAborted();
        const written: { table: TableFolder; path: string }[] = [];
        const states: (readonly [string, string])[] = [];
        try {
          if (batch.length > 0) written.push({ table, path: await this.writeRows(batch, signal) });
          if (stateJson !== undefined) this.stageState(stateJson, states);
          for (const [index, link] of links.entries()) {
            const writer = linkWriters[index] as FileStreamWriter;
            await writer.writeLinks(link, written, signal);
            if (link.state !== undefined) writer.stageState(serialiseState(link.state), states);
          }
          await stateFile.setMany(states);
        } catch (error) {
          for (const file of written.reverse()) await file.table.unpublish(file.path);
          throw error;
        }
      });
    } catch (error) {
      throw this.wrap('commit', error, signal);
    }
  }

  /** Writes rows (already reduced) as the next batch of this writer's generation. */
  private async writeRows(rows: readonly Row[], signal?: AbortSignal): Promise<string> {
    const { table, spec, run, batchWriter } = this.options;
    const generation = this.generation();
    await table.ensureColumns(generation, spec.columns, run, batchWriter, signal);
    return table.writeBatch(generation, rows, run, batchWriter, signal);
  }

  /** Replace keeps the state for `finish`; otherwise it joins the states written together. */
  private stageState(stateJson: string, states: (readonly [string, string])[]): void {
    const { mode, spec } = this.options;
    if (mode === 'replace') this.keptState = stateJson;
    else states.push([stateKeyOf(spec), stateJson]);
  }

  /** A link batch's files: the parents' earlier links hard-deleted, then the rows as a later batch. */
  private async writeLinks(
    link: LinkBatch,
    written: { table: TableFolder; path: string }[],
    signal?: AbortSignal,
  ): Promise<void> {
    const { table, spec, mode, run } = this.options;
    const generation = this.generation();
    if (mode !== 'append' && link.parents.length > 0) {
      const at = new Date();
      const deletions = link.parents.map((parent) => ({
        match: Object.fromEntries(link.parentKey.map((name) => [name, parent[name]])),
        at,
      }));
      const records = encodeDeletions(deletions, generation.manifest, true);
      written.push({ table, path: await table.writeDeletions(generation, records, true, run, signal) });
    }
    const rows = mode === 'merge' ? lastRowPerKey(link.rows, spec.primaryKey) : link.rows;
    if (rows.length > 0) written.push({ table, path: await this.writeRows(rows, signal) });
  }

  async delete(
    deletions: Deletion[],
    options: DeleteOptions,
    state: unknown | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    this.assertOpen('delete');
    const { table, run, batchWriter } = this.options;
    try {
      const stateJson = state === undefined ? undefined : serialiseState(state);
      await table.queue.run(async () => {
        signal?.throwIfAborted();
        const generation = this.generation();
        let written: string | undefined;
        if (deletions.length > 0) {
          const records = encodeDeletions(deletions, generation.manifest, options.hard);
          if (!options.hard) {
            await table.ensureColumns(
              generation,
              [{ name: DELETED_AT, type: 'timestamp' }],
              run,
              batchWriter,
              signal,
            );
          }
          written = await table.writeDeletions(generation, records, options.hard, run, signal);
        }
        await this.commitState(stateJson, written);
      }, signal);
    } catch (error) {
      throw this.wrap('delete', error, signal);
    }
  }

  /**
   * Step 3 of a commit: the state, once the file `written` (if any) is in place. When the state
   * cannot be written, the file is taken out again and the error rethrown.
   */
  private async commitState(stateJson: string | undefined, written: string | undefined): Promise<void> {
    if (stateJson === undefined) return;
    const { mode, stateFile, spec, table } = this.options;
    if (mode === 'replace') {
      this.keptState = stateJson;
      return;
    }
    try {
      await stateFile.set(stateKeyOf(spec), stateJson);
    } catch (error) {
      const kept = written === undefined ? undefined : await table.unpublish(written);
      if (kept === undefined) throw error;
      throw new Error(
        `${messageOf(error)}; the file ${written} could not be removed again (${messageOf(kept)}), so its rows stay in place without the state`,
        { cause: error },
      );
    }
  }

  async finish(state: unknown | undefined, signal?: AbortSignal, options?: FinishOptions): Promise<void> {
    this.assertOpen('finish');
    const { table, mode, stateFile, spec } = this.options;
    try {
      const stateJson = state === undefined ? undefined : serialiseState(state);
      if (mode === 'replace') {
        await table.queue.run(() => this.swapIn(stateJson, signal, options), signal);
      } else if (stateJson !== undefined) {
        await table.queue.run(async () => {
          signal?.throwIfAborted();
          await stateFile.set(stateKeyOf(spec), stateJson);
        }, signal);
      } else {
        signal?.throwIfAborted();
      }
    } catch (error) {
      throw this.wrap('finish', error, signal);
    }
    this.status = 'finished';
    await this.release();
  }

  /**
   * Replace: `current` switches to the staging generation (readers see all of the new rows at once),
   * then the state is committed, then the old generation is removed. Should the state fail, the old
   * generation is shown again.
   */
  private async swapIn(
    stateJson: string | undefined,
    signal?: AbortSignal,
    options?: FinishOptions,
  ): Promise<void> {
    signal?.throwIfAborted();
    const { table, staging, stateFile, spec } = this.options;
    if (staging === undefined) throw new Error('a replace writer needs a staging generation');
    const previous = table.current;
    if (options?.softDeleteAt !== undefined) {
      // Soft deletes: the rows that disappeared are written into the new generation, marked.
      await carryDeletedRows({
        table,
        previous,
        staging,
        columns: spec.columns,
        primaryKey: spec.primaryKey,
        at: options.softDeleteAt,
        scope: spec.partition,
        run: this.options.run,
        batchWriter: this.options.batchWriter,
        ...(signal === undefined ? {} : { signal }),
      });
    }
    await table.show(staging);
    const finalState = stateJson ?? this.keptState;
    if (finalState !== undefined) {
      try {
        await stateFile.set(stateKeyOf(spec), finalState);
      } catch (error) {
        try {
          await table.show(previous);
        } catch (restoreError) {
          throw new Error(
            `${messageOf(error)}; the previous generation could not be shown again (${messageOf(restoreError)}), so the new rows are visible without the state`,
            { cause: error },
          );
        }
        throw error;
      }
    }
    table.live.delete(staging.name);
    if (previous !== undefined) await table.discard(previous);
  }

  /** Reconciliation against a full listing of ids (see soft-deletes.ts). */
  async reconcile(idColumn: string, signal?: AbortSignal): Promise<IdReconciliation> {
    this.assertOpen('reconcile');
    signal?.throwIfAborted();
    if (this.options.mode === 'replace')
      throw this.wrap('reconcile', new Error('a replace writer cannot reconcile'));
    try {
      return new FileIdReconciliation(
        {
          generation: () => this.generation(),
          delete: (deletions, hard, state, deleteSignal) =>
            this.delete(deletions, { hard }, state, deleteSignal),
          scope: this.options.spec.partition,
        },
        idColumn,
      );
    } catch (error) {
      throw this.wrap('reconcile', error, signal);
    }
  }

  async abort(): Promise<void> {
    if (this.status !== 'open') return;
    this.status = 'aborted';
    const { table, staging } = this.options;
    try {
      if (staging !== undefined) await table.queue.run(() => table.discard(staging));
    } catch (error) {
      throw this.wrap('abort', error);
    } finally {
      await this.release();
    }
  }

  private async release(): Promise<void> {
    this.options.onDone();
    await this.options.batchWriter.close();
  }
}

/** Runs `task` holding the queue of every table (in the order given, so callers never cross). */
function inQueues(
  tables: readonly TableFolder[],
  signal: AbortSignal | undefined,
  task: () => Promise<void>,
): Promise<void> {
  const [first, ...rest] = tables;
  if (first === undefined) return task();
  return first.queue.run((): Promise<void> => inQueues(rest, signal, task), signal);
}
