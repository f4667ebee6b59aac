import { setMaxListeners } from 'node:events';
import type { Deletion, Destination, StreamWriter, WriteMode } from '../destinations/destination.js';
import { ConfigurationError, type IntercomClient, IntercomSyncError, type Logger } from '../http/index.js';
import { type ApiRecord, findStream, type Source, type StreamDefinition } from '../streams/index.js';
import { Checkpointer } from './checkpoint.js';
import { BoundedQueue, TaskPool } from './queue.js';
import {
  type Page,
  PER_PAGE,
  type ReadContext,
  readChild,
  readDeletions,
  readList,
  readPages,
  readScroll,
  readSearch,
  readWindow,
} from './readers.js';
import { type CustomAttribute, RowShaper } from './schema.js';
import { DAY, planWindow, sliceWindow, type TimeWindow } from './windows.js';

/** What a sync does: which streams, from when, how they are written. */
export interface SyncPlan {
  /** Stream names to sync (validated by the caller against `STREAMS`). */
  streams: readonly string[];
  /** Unix seconds where a first sync (or a full refresh) begins. */
  startDate: number;
  lookbackSeconds: number;
  /** Ignore saved state and rebuild every selected table (replace mode unless a mode is given). */
  fullRefresh: boolean;
  intervalStart?: number;
  intervalEnd?: number;
  /** Write mode per stream, overriding the stream's default. */
  modes?: Readonly<Record<string, WriteMode>>;
  /** Table name per stream (default: the stream name). */
  tables?: Readonly<Record<string, string>>;
  /** `Intercom-Version` per stream, overriding the stream's pin and the client's version. */
  versions?: Readonly<Record<string, string>>;
  /** Remove deleted records (and a deleted conversation's parts) instead of marking `_deleted_at`. */
  hardDeletes?: boolean;
  /** Definitions used instead of the registry's streams of the same name (e.g. another `stepDays`). */
  definitions?: readonly StreamDefinition[];
}

/** Knobs for throughput and memory; the defaults suit Intercom's 10,000 requests a minute. */
export interface SyncTuning {
  /** Time slices of one search read in parallel. */
  maxSlices: number;
  /** A slice is at least this long (seconds). */
  minSliceSeconds: number;
  /** Child requests (a conversation's parts, a company's segments) in flight per child stream. */
  childConcurrency: number;
  /** Rows per destination transaction at most. */
  batchRows: number;
  /** Commit rows and state at least this often while records flow (ms). */
  commitIntervalMs: number;
  /** Pages waiting per stream before readers are held back. */
  queueCapacity: number;
  /** The saved cursor stays this far behind the sync's start: Intercom's search index lags. */
  settleSeconds: number;
  scrollExistsTimeoutMs: number;
}

export const DEFAULT_TUNING: SyncTuning = {
  maxSlices: 8,
  minSliceSeconds: 6 * 3600,
  childConcurrency: 32,
  batchRows: 5000,
  commitIntervalMs: 5000,
  queueCapacity: 16,
  settleSeconds: 600,
  scrollExistsTimeoutMs: 150_000,
};

export interface SyncDependencies {
  client: IntercomClient;
  destination: Destination;
  logger: Logger;
  signal: AbortSignal;
  /** Milliseconds since the epoch (injected for tests). */
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  onProgress?: (event: ProgressEvent) => void;
}

export type StreamStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StreamSummary {
  stream: string;
  table: string;
  mode: WriteMode;
  status: StreamStatus;
  /** Rows committed to the destination. */
  records: number;
  /** API pages (requests that succeeded) read for this stream. */
  pages: number;
  /** Parents gone since they were listed (404), skipped. */
  skippedParents: number;
  /** Values that did not fit their column type (loaded as NULL, raw value kept in JSON). */
  coercedValues: number;
  /** The cursor saved at the end (Unix seconds), if the stream has one. */
  cursor?: number;
  window?: TimeWindow;
  durationMs: number;
  error?: string;
  /** Stream-specific counts (e.g. truncated conversations). */
  notes: Record<string, number>;
}

export interface ProgressEvent {
  stream: string;
  status: StreamStatus;
  records: number;
  pages: number;
  /** Pages (requests) the stream is expected to need, once Intercom has said (`total_count`). */
  expectedPages?: number;
}

export interface SyncResult {
  streams: StreamSummary[];
  /** The sync's start in Intercom's clock (Unix seconds). */
  syncStart: number;
  /** Intercom's workspace id (`app.id_code` of GET /me). */
  workspaceId: string | undefined;
  durationMs: number;
  ok: boolean;
}

type QueueItem = { records: ApiRecord[] } | { checkpoint: number } | { deletions: Deletion[]; until: number };

interface StreamRun {
  def: StreamDefinition;
  mode: WriteMode;
  version: string | undefined;
  shaper: RowShaper;
  queue: BoundedQueue<QueueItem>;
  window: TimeWindow | undefined;
  previousCursor: number | undefined;
  previousDeletedUntil: number | undefined;
  checkpointer: Checkpointer | undefined;
  summary: StreamSummary;
  failed: boolean;
  started: number;
  /** From the first page of each slice's `total_count`: pages this stream should need. */
  expectedPages: number;
}

export interface StreamState {
  /** Every record updated before it is loaded. */
  cursor?: number;
  /** Deletions Intercom reported before it are applied. */
  deleted_until?: number;
}

function numberAt(state: unknown, key: keyof StreamState): number | undefined {
  const value = (state as StreamState | undefined)?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Sources whose records come in cursor order per time slice. */
const isSliced = (source: Source) => source.kind === 'search' || source.kind === 'window';

/**
 * Runs a sync: every selected stream concurrently, children fanned out as their parents arrive,
 * search streams in parallel time slices, each stream's rows and state committed together in the
 * destination (exactly once), memory bounded by the queues. One failing stream does not stop the
 * others; a configuration error (a rejected token) stops everything.
 */
export async function runSync(
  plan: SyncPlan,
  deps: SyncDependencies,
  tuning: SyncTuning = DEFAULT_TUNING,
): Promise<SyncResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const started = now();
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(deps.signal.reason);
  deps.signal.addEventListener('abort', onOuterAbort, { once: true });
  const signal = abort.signal;
  const lookup = (name: string) => plan.definitions?.find((d) => d.name === name) ?? findStream(name);
  // Every waiting queue push, pool slot and request listens to this one signal.
  setMaxListeners(0, signal);
  try {
    const me = await deps.client.request<ApiRecord>({
      method: 'GET',
      path: '/me',
      signal,
      endpoint: 'GET /me',
    });
    const serverDate = Date.parse(me.headers.date ?? '');
    const syncStart = Math.floor((Number.isNaN(serverDate) ? now() : serverDate) / 1000);
    const workspaceId = ((me.body.app as ApiRecord | undefined)?.id_code as string | undefined) ?? undefined;

    await deps.destination.open(signal);
    const states = await deps.destination.readState(signal);
    const defs = plan.streams.map((name) => {
      const def = lookup(name);
      if (!def) throw new ConfigurationError(`Unknown stream "${name}".`);
      return def;
    });
    const customAttributes = await loadCustomAttributes(deps.client, defs, signal);

    let configurationError: ConfigurationError | undefined;
    const runs = new Map<string, StreamRun>();
    for (const def of defs) {
      const mode = plan.modes?.[def.name] ?? (plan.fullRefresh ? 'replace' : def.defaultMode);
      const fresh = plan.fullRefresh || mode === 'replace';
      const previousCursor = fresh ? undefined : numberAt(states.get(def.name), 'cursor');
      const previousDeletedUntil = fresh ? undefined : numberAt(states.get(def.name), 'deleted_until');
      const table = plan.tables?.[def.name] ?? def.name;
      runs.set(def.name, {
        def,
        mode,
        version: plan.versions?.[def.name] ?? def.version,
        shaper: new RowShaper(
          def,
          def.customAttributes ? (customAttributes.get(def.customAttributes) ?? []) : [],
          table,
          def.deletions !== undefined,
        ),
        queue: new BoundedQueue<QueueItem>(tuning.queueCapacity),
        window: undefined,
        previousCursor,
        previousDeletedUntil,
        checkpointer: undefined,
        summary: {
          stream: def.name,
          table,
          mode,
          status: 'pending',
          records: 0,
          pages: 0,
          skippedParents: 0,
          coercedValues: 0,
          durationMs: 0,
          notes: {},
        },
        failed: false,
        started: now(),
        expectedPages: 0,
      });
    }

    // Group streams by what is read: a parent and the children fed by its records.
    const groups = new Map<string, { parent: StreamDefinition; self?: StreamRun; children: StreamRun[] }>();
    for (const run of runs.values()) {
      const source = run.def.source;
      const parentName = source.kind === 'child' ? source.parent : run.def.name;
      const parent = lookup(parentName) as StreamDefinition;
      const group = groups.get(parentName) ?? { parent, children: [] };
      if (source.kind === 'child') group.children.push(run);
      else group.self = run;
      groups.set(parentName, group);
    }

    const emit = (run: StreamRun) =>
      deps.onProgress?.({
        stream: run.def.name,
        status: run.summary.status,
        records: run.summary.records,
        pages: run.summary.pages,
        ...(run.expectedPages > 0 ? { expectedPages: run.expectedPages } : {}),
      });

    const writers = [...runs.values()].map((run) => writeStream(run));
    const readers = [...groups.values()].map((group) => readGroup(group));
    await Promise.all(readers);
    await Promise.all(writers);

    if (configurationError) throw configurationError;
    const summaries = [...runs.values()].map((r) => r.summary);
    return {
      streams: summaries,
      syncStart,
      workspaceId,
      durationMs: now() - started,
      ok: summaries.every((s) => s.status === 'succeeded' || s.status === 'skipped'),
    };

    // ------------------------------------------------------------------ reading

    async function readGroup(group: {
      parent: StreamDefinition;
      self?: StreamRun;
      children: StreamRun[];
    }): Promise<void> {
      const consumers = [...(group.self ? [group.self] : []), ...group.children];
      for (const run of consumers) {
        run.summary.status = 'running';
        emit(run);
      }
      const source = group.parent.source;
      const cursorField = group.parent.cursor;
      // Each consumer's window; the group reads the union.
      for (const run of consumers) {
        if (run.def.cursor === undefined && run.def.source.kind !== 'child') continue;
        run.window = planWindow({
          cursor: run.previousCursor,
          startDate: plan.startDate,
          lookbackSeconds: plan.lookbackSeconds,
          syncStart,
          fullRefresh: plan.fullRefresh || run.mode === 'replace',
          ...(plan.intervalStart === undefined ? {} : { intervalStart: plan.intervalStart }),
          ...(plan.intervalEnd === undefined ? {} : { intervalEnd: plan.intervalEnd }),
          dayAligned: source.kind === 'search' && source.dates === 'day',
        });
        run.summary.window = run.window;
      }
      const windows = consumers.map((r) => r.window).filter((w): w is TimeWindow => w !== undefined);
      const groupWindow: TimeWindow =
        windows.length > 0
          ? { start: Math.min(...windows.map((w) => w.start)), end: Math.max(...windows.map((w) => w.end)) }
          : { start: plan.startDate, end: syncStart + 1 };
      const slices = isSliced(source)
        ? sliceWindow(
            groupWindow,
            tuning.maxSlices,
            source.kind === 'window' ? source.stepDays * DAY : tuning.minSliceSeconds,
            source.kind === 'search' && source.dates === 'day',
          )
        : [groupWindow];
      for (const run of consumers) run.checkpointer = new Checkpointer(slices);

      const ctx: ReadContext = {
        client: deps.client,
        stream: group.parent,
        version: group.self?.version ?? plan.versions?.[group.parent.name] ?? group.parent.version,
        signal,
        note: (event, detail) =>
          deps.logger.warn(`${group.parent.name}: ${event}`, { stream: group.parent.name, ...detail }),
        scrollExistsTimeoutMs: tuning.scrollExistsTimeoutMs,
        sleep,
      };
      const childPools = new Map(group.children.map((c) => [c, new TaskPool(tuning.childConcurrency)]));
      const seenParents = source.kind === 'scroll' ? new Set<unknown>() : undefined;

      // Incremental consumers keep records at or after their window's start; replace keeps all.
      const inWindow = (run: StreamRun, record: ApiRecord, field: string | undefined): boolean => {
        if (!run.window || field === undefined || run.mode === 'replace') return true;
        const value = record[field];
        return typeof value !== 'number' || value >= run.window.start;
      };

      const countedSlices = new Set<number>();
      const deliver = async (page: Page, k: number): Promise<void> => {
        const self = group.self;
        // The first page of a slice says how many records it holds: an ETA for the progress display.
        const total = (page.response as { total_count?: unknown }).total_count;
        if (typeof total === 'number' && !countedSlices.has(k)) {
          countedSlices.add(k);
          if (self) self.expectedPages += Math.max(1, Math.ceil(total / PER_PAGE));
          for (const child of group.children) child.expectedPages += total;
        }
        if (self && !self.failed) {
          self.summary.pages++;
          const records = page.records
            .filter((r) => inWindow(self, r, cursorField))
            .map((r) => (self.def.transform ? self.def.transform(r, { response: page.response }) : r));
          if (records.length > 0) await pushTo(self, { records });
        }
        for (const child of group.children) {
          if (child.failed) continue;
          const pool = childPools.get(child) as TaskPool;
          const childSource = child.def.source as Extract<Source, { kind: 'child' }>;
          for (const parent of page.records) {
            if (!inWindow(child, parent, cursorField)) continue;
            if (seenParents) {
              if (seenParents.has(parent.id)) continue;
              seenParents.add(parent.id);
            }
            const position =
              typeof parent[cursorField ?? ''] === 'number'
                ? (parent[cursorField ?? ''] as number)
                : (child.window?.start ?? 0);
            const release = (child.checkpointer as Checkpointer).hold(k, position);
            await pool.run(async () => {
              try {
                if (child.failed) return;
                const got = await readChild(
                  { ...ctx, stream: child.def, version: child.version ?? ctx.version },
                  childSource,
                  parent,
                );
                child.summary.pages++;
                if (!got) {
                  child.summary.skippedParents++;
                  return;
                }
                const records = got.records.map((r) =>
                  child.def.transform ? child.def.transform(r, { parent, response: got.response }) : r,
                );
                if (records.some((r) => r.parts_truncated === true))
                  child.summary.notes.truncated_conversations =
                    (child.summary.notes.truncated_conversations ?? 0) + 1;
                if (records.length > 0) await pushTo(child, { records });
              } catch (error) {
                failRun(child, error);
              } finally {
                release();
              }
              if (!child.failed)
                await pushTo(child, { checkpoint: (child.checkpointer as Checkpointer).checkpoint() }).catch(
                  () => undefined,
                );
            }, signal);
          }
        }
        if (page.position !== undefined) {
          for (const run of consumers) run.checkpointer?.advance(k, page.position);
        }
        if (self && !self.failed)
          await pushTo(self, { checkpoint: (self.checkpointer as Checkpointer).checkpoint() });
        for (const run of consumers) emit(run);
      };

      const readSlice = async (k: number): Promise<void> => {
        const slice = slices[k] as TimeWindow;
        const pages: AsyncIterable<Page> =
          source.kind === 'search'
            ? readSearch(ctx, source, slice)
            : source.kind === 'window'
              ? readWindow(ctx, source, slice)
              : source.kind === 'scroll'
                ? readScroll(ctx, source)
                : source.kind === 'pages'
                  ? readPages(ctx, source)
                  : source.kind === 'list'
                    ? readList(ctx, source)
                    : emptyPages();
        for await (const page of pages) {
          if (consumers.every((r) => r.failed)) return;
          await deliver(page, k);
        }
        for (const run of consumers) run.checkpointer?.complete(k);
      };

      try {
        const slicePool = new TaskPool(Math.max(1, tuning.maxSlices));
        for (let k = 0; k < slices.length; k++) await slicePool.run(() => readSlice(k), signal);
        await slicePool.drain();
        for (const pool of childPools.values()) await pool.drain();
        await deliverDeletions(consumers, ctx);
      } catch (error) {
        for (const run of consumers) failRun(run, error);
      }
      for (const run of consumers) {
        if (run.failed) continue;
        try {
          await pushTo(run, { checkpoint: (run.checkpointer as Checkpointer).checkpoint() });
          run.queue.close();
        } catch (error) {
          failRun(run, error);
        }
      }
    }

    /** After a group's records: the deletions Intercom reported since each consumer last looked. */
    async function deliverDeletions(consumers: StreamRun[], ctx: ReadContext): Promise<void> {
      const wanting = consumers.filter((r) => r.def.deletions && r.mode !== 'replace' && !r.failed);
      const spec = wanting[0]?.def.deletions;
      if (!spec) return;
      const since = Math.min(
        ...wanting.map(
          (r) => (r.previousDeletedUntil ?? r.window?.start ?? plan.startDate) - plan.lookbackSeconds,
        ),
      );
      let deleted: ApiRecord[];
      try {
        deleted = await readDeletions(ctx, spec, since);
      } catch (error) {
        if (
          error instanceof IntercomSyncError &&
          (error.kind === 'skippable' || error.code === 'intercom_version_invalid')
        ) {
          deps.logger.warn(
            `Deleted records could not be read (${error.message}); they stay in the tables until a later sync reads them.`,
            {
              endpoint: error.endpoint,
              requestId: error.requestId,
            },
          );
          return;
        }
        throw error;
      }
      const until = syncStart - tuning.settleSeconds;
      for (const run of wanting) {
        const rule = run.def.deletions as NonNullable<StreamDefinition['deletions']>;
        const deletions: Deletion[] = deleted
          .filter(
            (d) =>
              typeof d.deleted_at !== 'number' ||
              (d.deleted_at as number) >= (run.previousDeletedUntil ?? since) - plan.lookbackSeconds,
          )
          .map((d) => ({
            match: rule.match(d),
            at: new Date((typeof d.deleted_at === 'number' ? d.deleted_at : syncStart) * 1000),
          }));
        run.summary.notes.deleted = deletions.length;
        await pushTo(run, { deletions, until });
      }
    }

    async function pushTo(run: StreamRun, item: QueueItem): Promise<void> {
      try {
        await run.queue.push(item, signal);
      } catch (error) {
        if (!run.failed) throw error;
      }
    }

    function failRun(run: StreamRun, error: unknown): void {
      if (run.failed) return;
      run.failed = true;
      if (error instanceof ConfigurationError) {
        run.summary.error = error.message;
        configurationError ??= error;
        abort.abort(error);
      } else if (
        error instanceof IntercomSyncError &&
        error.kind === 'skippable' &&
        error.code === 'api_plan_restricted'
      ) {
        run.summary.status = 'skipped';
        run.summary.error = error.message;
        deps.logger.warn(`Stream ${run.def.name} skipped: ${error.message}`, {
          stream: run.def.name,
          endpoint: error.endpoint,
          requestId: error.requestId,
        });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        run.summary.error = message.includes(run.def.name) ? message : `Stream ${run.def.name}: ${message}`;
      }
      run.queue.fail(error);
    }

    // ------------------------------------------------------------------ writing

    async function writeStream(run: StreamRun): Promise<void> {
      const syncedAt = new Date(now());
      const cap = syncStart - tuning.settleSeconds;
      let deletedUntil = run.previousDeletedUntil;
      const stateAt = (checkpoint: number): StreamState | undefined => {
        if (run.def.cursor === undefined && run.def.source.kind !== 'child') return undefined;
        const cursor = Math.max(run.previousCursor ?? Number.NEGATIVE_INFINITY, Math.min(checkpoint, cap));
        if (!Number.isFinite(cursor)) return undefined;
        return deletedUntil === undefined ? { cursor } : { cursor, deleted_until: deletedUntil };
      };
      let writer: StreamWriter | undefined;
      let batch: Array<Record<string, unknown>> = [];
      let grew = false;
      let pending: StreamState | undefined;
      let committed: number | undefined = run.previousCursor;
      let lastCommit = now();
      const flush = async (force: boolean) => {
        const stateChanged = pending !== undefined && pending.cursor !== committed;
        if (batch.length === 0 && !stateChanged) return;
        if (!force && batch.length < tuning.batchRows && now() - lastCommit < tuning.commitIntervalMs) return;
        if (!writer || grew) {
          writer = await deps.destination.prepare(run.shaper.spec(), run.mode, signal);
          grew = false;
        }
        const state = run.mode === 'replace' ? undefined : stateChanged ? pending : undefined;
        await writer.commit(batch, state, signal);
        run.summary.records += batch.length;
        if (state) committed = state.cursor;
        batch = [];
        lastCommit = now();
      };
      try {
        writer = await deps.destination.prepare(run.shaper.spec(), run.mode, signal);
        for await (const item of run.queue) {
          if ('deletions' in item) {
            await flush(true);
            deletedUntil = item.until;
            const state = committed === undefined ? undefined : stateAt(committed);
            await (writer as StreamWriter).delete(
              item.deletions,
              { hard: plan.hardDeletes === true },
              state,
              signal,
            );
            continue;
          }
          if ('records' in item) {
            for (const record of item.records) {
              const shaped = run.shaper.shape(record, syncedAt);
              if (shaped.grew) grew = true;
              batch.push(shaped.row);
            }
            if (batch.length >= tuning.batchRows) await flush(true);
          } else {
            pending = stateAt(item.checkpoint);
            await flush(false);
          }
        }
        await flush(true);
        if (grew) writer = await deps.destination.prepare(run.shaper.spec(), run.mode, signal);
        const final = pending ?? (committed === undefined ? undefined : { cursor: committed });
        await (writer as StreamWriter).finish(
          run.mode === 'replace' ? final : final?.cursor !== committed ? final : undefined,
          signal,
        );
        run.summary.cursor = final?.cursor;
        run.summary.status = 'succeeded';
      } catch (error) {
        if (!run.failed) failRun(run, error);
        if (run.summary.status !== 'skipped') run.summary.status = 'failed';
        await writer?.abort().catch(() => undefined);
        // Drain so readers blocked on this queue move on.
        void drainQuietly(run.queue);
      } finally {
        run.summary.coercedValues = run.shaper.issueCount;
        for (const issue of run.shaper.takeIssues()) {
          deps.logger.warn(
            `${run.def.name}: ${issue.field} of record ${issue.recordId} is not a ${issue.expected}; loaded as NULL`,
            { stream: run.def.name },
          );
        }
        run.summary.durationMs = now() - run.started;
        emit(run);
      }
    }
  } finally {
    deps.signal.removeEventListener('abort', onOuterAbort);
  }
}

async function* emptyPages(): AsyncGenerator<Page> {}

async function drainQuietly<T>(queue: BoundedQueue<T>): Promise<void> {
  try {
    for await (const _ of queue) {
      // discard
    }
  } catch {
    // the producer's failure is reported elsewhere
  }
}

/** Custom data attributes per model, for the typed `custom_<name>` columns. */
export async function loadCustomAttributes(
  client: IntercomClient,
  defs: StreamDefinition[],
  signal: AbortSignal,
): Promise<Map<string, CustomAttribute[]>> {
  const models = new Set(
    defs.map((d) => d.customAttributes).filter((m): m is NonNullable<typeof m> => m !== undefined),
  );
  const out = new Map<string, CustomAttribute[]>();
  for (const model of models) {
    const res = await client.request<{ data?: unknown }>({
      method: 'GET',
      path: '/data_attributes',
      query: { model },
      ...(model === 'conversation' ? { version: '2.14' } : {}),
      signal,
      endpoint: 'GET /data_attributes',
    });
    const data = Array.isArray(res.body.data) ? (res.body.data as ApiRecord[]) : [];
    out.set(
      model,
      data
        .filter((a) => a.custom === true && typeof a.name === 'string')
        .map((a) => ({ name: a.name as string, dataType: String(a.data_type ?? 'string') })),
    );
  }
  return out;
}
