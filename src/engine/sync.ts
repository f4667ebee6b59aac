import { setMaxListeners } from 'node:events';
import type {
  Deletion,
  Destination,
  LinkBatch,
  StreamWriter,
  TableSpec,
  WriteMode,
} from '../destinations/destination.js';
import {
  ConfigurationError,
  FatalError,
  type IntercomClient,
  IntercomSyncError,
  type Logger,
} from '../http/index.js';
import { type ApiRecord, findStream, type Source, type StreamDefinition } from '../streams/index.js';
import { Checkpointer } from './checkpoint.js';
import { completeNestedLists } from './nested-lists.js';
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
import { reconcileRuns } from './reconcile.js';
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
  /** Replace mode keeps rows that disappeared, with `_deleted_at` set, instead of dropping them. */
  softDeletes?: boolean;
  /** After the sync, compare contacts' and companies' ids with a full listing (src/engine/reconcile.ts). */
  reconcile?: boolean;
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
  /**
   * Rows per destination transaction at most. Each row keeps its record's parsed JSON alive until
   * the commit, so this bounds the heap: 2,500 measured 50 MB less peak RSS than 5,000 at medium
   * scale for the same CPU (docs/benchmarks.md).
   */
  batchRows: number;
  /** Commit rows and state at least this often while records flow (ms). */
  commitIntervalMs: number;
  /**
   * For destinations that take rows as they arrive (`StreamWriter.stage`, e.g. DuckDB): rows staged
   * in one transaction before it is committed. Nothing is held in the engine meanwhile; larger
   * transactions let DuckDB write whole row groups compressed into the file.
   */
  stagedCommitRows: number;
  /** For staging destinations: commit the staged rows and the state at least this often (ms). */
  stagedCommitIntervalMs: number;
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
  batchRows: 2500,
  commitIntervalMs: 5000,
  stagedCommitRows: 50_000,
  stagedCommitIntervalMs: 30_000,
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

type QueueItem =
  /** `parent`: the records are all of this parent's (a child stream whose rows replace per parent). */
  | { records: ApiRecord[]; parent?: ApiRecord }
  | { checkpoint: number }
  | { deletions: Deletion[]; until: number };

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
  /** Where the destination keeps this stream's state: `<stream>@<workspace id>`. */
  stateKey: string;
  /** Link tables (`source.kind === 'link'`) written in this run's transactions. */
  links: StreamRun[];
  /** Read only for its link tables: the parent's own table is not written. */
  hidden: boolean;
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
    const workspaceId = (me.body.app as ApiRecord | undefined)?.id_code;
    if (typeof workspaceId !== 'string' || workspaceId === '')
      throw new FatalError(
        'GET /me answered without app.id_code, the workspace id every row is keyed with; the response is not what Intercom documents.',
        { endpoint: 'GET /me', ...(me.requestId ? { requestId: me.requestId } : {}) },
      );

    await deps.destination.open(signal);
    const states = await deps.destination.readState(signal);
    const defs = plan.streams.map((name) => {
      const def = lookup(name);
      if (!def) throw new ConfigurationError(`Unknown stream "${name}".`);
      return def;
    });
    // A link table needs its parent's records: a parent not selected is read, but not written.
    const hiddenParents = new Set<string>();
    for (const def of [...defs]) {
      if (
        def.source.kind !== 'link' ||
        defs.some((d) => d.name === (def.source as { parent: string }).parent)
      )
        continue;
      const parent = lookup(def.source.parent);
      if (!parent)
        throw new ConfigurationError(`Stream ${def.name} needs the unknown stream "${def.source.parent}".`);
      defs.unshift(parent);
      hiddenParents.add(parent.name);
    }
    const customAttributes = await loadCustomAttributes(
      deps.client,
      defs.filter((d) => !hiddenParents.has(d.name)),
      signal,
    );
    /**
     * A stream's state: under `<stream>@<workspace>`; a state saved by a version without workspace
     * ids (key `<stream>`) is adopted by the first workspace syncing after the upgrade.
     */
    const workspaceStateKey = (name: string) => `${name}@${workspaceId}`;
    const stateOf = (name: string): unknown => {
      const own = states.get(workspaceStateKey(name));
      if (own !== undefined) return own;
      const adopted = [...states.keys()].some((key) => key.startsWith(`${name}@`));
      return adopted ? undefined : states.get(name);
    };

    let configurationError: ConfigurationError | undefined;
    const runs = new Map<string, StreamRun>();
    for (const def of defs) {
      const mode = plan.modes?.[def.name] ?? (plan.fullRefresh ? 'replace' : def.defaultMode);
      const fresh = plan.fullRefresh || mode === 'replace';
      const hidden = hiddenParents.has(def.name);
      const previousCursor = fresh || hidden ? undefined : numberAt(stateOf(def.name), 'cursor');
      const previousDeletedUntil = fresh || hidden ? undefined : numberAt(stateOf(def.name), 'deleted_until');
      const table = plan.tables?.[def.name] ?? def.name;
      runs.set(def.name, {
        def,
        mode,
        version: plan.versions?.[def.name] ?? def.version,
        shaper: new RowShaper(
          def,
          def.customAttributes ? (customAttributes.get(def.customAttributes) ?? []) : [],
          table,
          def.deletions !== undefined || (plan.softDeletes === true && mode === 'replace'),
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
        stateKey: workspaceStateKey(def.name),
        links: [],
        hidden,
      });
    }
    // Link tables join their parent's run; the parent reads from the earliest of their cursors.
    for (const run of runs.values()) {
      if (run.def.source.kind !== 'link') continue;
      const parent = runs.get(run.def.source.parent) as StreamRun;
      const first = parent.links.length === 0;
      parent.links.push(run);
      if (run.previousCursor === undefined || run.mode === 'replace') parent.previousCursor = undefined;
      else if (parent.hidden && first) parent.previousCursor = run.previousCursor;
      else if (parent.previousCursor !== undefined)
        parent.previousCursor = Math.min(parent.previousCursor, run.previousCursor);
    }
    for (const run of runs.values()) {
      if (run.links.length > 0 && run.hidden && run.links.some((l) => l.previousCursor === undefined))
        run.previousCursor = undefined;
    }
    const visible = [...runs.values()].filter((run) => !run.hidden);

    // Group streams by what is read: a parent and the children fed by its records.
    const groups = new Map<string, { parent: StreamDefinition; self?: StreamRun; children: StreamRun[] }>();
    for (const run of runs.values()) {
      const source = run.def.source;
      if (source.kind === 'link') continue;
      const parentName = source.kind === 'child' ? source.parent : run.def.name;
      const parent = lookup(parentName) as StreamDefinition;
      const group = groups.get(parentName) ?? { parent, children: [] };
      if (source.kind === 'child') group.children.push(run);
      else group.self = run;
      groups.set(parentName, group);
    }

    const emit = (run: StreamRun): void => {
      for (const link of run.links) emit(link);
      if (run.hidden) return;
      deps.onProgress?.({
        stream: run.def.name,
        status: run.summary.status,
        records: run.summary.records,
        pages: run.summary.pages,
        ...(run.expectedPages > 0 ? { expectedPages: run.expectedPages } : {}),
      });
    };

    const writing = [...runs.values()].filter((run) => run.def.source.kind !== 'link');
    const writers = writing.map((run, index) => writeStream(run, index / writing.length));
    const readers = [...groups.values()].map((group) => readGroup(group));
    await Promise.all(readers);
    await Promise.all(writers);
    if (plan.reconcile === true && !signal.aborted) {
      const reconcilable = visible.map((r) => ({ ...r, spec: specOf(r) }));
      const at = new Date(syncStart * 1000);
      await reconcileRuns(reconcilable, {
        ...deps,
        signal,
        sleep,
        hard: plan.hardDeletes === true,
        at,
        scrollExistsTimeoutMs: tuning.scrollExistsTimeoutMs,
      });
    }

    if (configurationError) throw configurationError;
    const summaries = visible.map((r) => r.summary);
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
          await completeLists(self, records);
          const truncated = records.reduce((n, r) => (r.parts_truncated === true ? n + 1 : n), 0);
          if (truncated > 0)
            self.summary.notes.truncated_conversations =
              (self.summary.notes.truncated_conversations ?? 0) + truncated;
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
                if (childSource.parentKey) await pushTo(child, { records, parent });
                else if (records.length > 0) await pushTo(child, { records });
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

    /**
     * Lists Intercom cut at 10 (a contact's tags, companies) that a selected link table is built
     * from: read whole before the records go to the writer, counted on the link table's summary.
     */
    async function completeLists(run: StreamRun, records: ApiRecord[]): Promise<void> {
      const lists = run.links.flatMap((link) =>
        link.def.source.kind === 'link' && link.def.source.fullList && !link.failed
          ? [{ link, list: link.def.source.fullList }]
          : [],
      );
      if (lists.length === 0 || records.length === 0) return;
      const requests = await completeNestedLists(
        records,
        lists.map((l) => l.list),
        {
          client: deps.client,
          stream: run.def.name,
          version: run.version,
          signal,
          concurrency: tuning.childConcurrency,
        },
      );
      for (const { link, list } of lists) {
        const made = requests[list.field] ?? 0;
        if (made === 0) continue;
        link.summary.pages += made;
        link.summary.notes.full_list_requests = (link.summary.notes.full_list_requests ?? 0) + made;
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
            // Only this workspace's rows: several workspaces may share the tables.
            match: { workspace_id: workspaceId, ...rule.match(d) },
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

    /** The table a run writes: keyed by workspace (its state too), replace mode replacing only its rows. */
    function specOf(run: StreamRun): TableSpec {
      return { ...run.shaper.spec(), stateKey: run.stateKey, partition: { workspace_id: workspaceId } };
    }

    /** The cursor state of `run` once every record before `checkpoint` is written. */
    function cursorState(run: StreamRun, checkpoint: number): StreamState | undefined {
      if (run.def.cursor === undefined && run.def.source.kind !== 'child') return undefined;
      const cap = syncStart - tuning.settleSeconds;
      const cursor = Math.max(run.previousCursor ?? Number.NEGATIVE_INFINITY, Math.min(checkpoint, cap));
      return Number.isFinite(cursor) ? { cursor } : undefined;
    }

    /**
     * Writes a run's queue: its rows (unless hidden: read only for its link tables), and its link
     * tables' rows, replacing each parent's links, with every state, in one transaction per batch
     * (or, for a staging destination, per staged commit). `phase` (0 to 1) spreads the streams'
     * timed commits over the commit interval, so that they do not all commit in the same moment (a
     * staging destination writes much of its data at commits).
     */
    async function writeStream(run: StreamRun, phase: number): Promise<void> {
      const syncedAt = new Date(now());
      let deletedUntil = run.previousDeletedUntil;
      const stateAt = (checkpoint: number): StreamState | undefined => {
        const state = cursorState(run, checkpoint);
        return state === undefined || deletedUntil === undefined
          ? state
          : { ...state, deleted_until: deletedUntil };
      };
      let writer: StreamWriter | undefined;
      let batch: Array<Record<string, unknown>> = [];
      let grew = false;
      let pending: StreamState | undefined;
      let pendingCheckpoint: number | undefined;
      let committed: number | undefined = run.previousCursor;
      let lastCommit = now();
      // Staging: the first timed commit comes `phase` of the way through the interval early.
      const staggerMs = () => phase * tuning.stagedCommitIntervalMs;
      const links = run.links.map((link) => {
        const source = link.def.source as Extract<Source, { kind: 'link' }>;
        return {
          run: link,
          source,
          writer: undefined as StreamWriter | undefined,
          grew: false,
          /** The links of each parent of the batch (a parent seen twice: its last version's). */
          byParent: new Map<
            string,
            { parent: Record<string, unknown>; rows: Array<Record<string, unknown>> }
          >(),
          rows: 0,
          /** Rows staged in the open transaction (staging destinations). */
          staged: 0,
        };
      });
      const prepareLinks = async (all: boolean) => {
        for (const link of links) {
          if (!all && link.writer && !link.grew) continue;
          link.writer = await deps.destination.prepare(specOf(link.run), link.run.mode, signal);
          link.grew = false;
        }
      };
      // A child stream whose rows replace its parent's earlier ones (company_segments): its own
      // writer carries them as a link batch of itself.
      const ownKey = run.def.source.kind === 'child' ? run.def.source.parentKey : undefined;
      const own = new Map<
        string,
        { parent: Record<string, unknown>; rows: Array<Record<string, unknown>> }
      >();
      const linkRows = () => links.reduce((sum, link) => sum + link.rows, 0) + (ownKey ? own.size : 0);
      /**
       * Whether the destination takes rows as they arrive (`StreamWriter.stage`, e.g. DuckDB). Then a
       * full batch is staged into the writer's open transaction instead of committed, and a commit
       * (the staged rows with the state) comes only every `stagedCommitRows` rows or
       * `stagedCommitIntervalMs`: the engine holds one batch at most, the transactions are large.
       */
      let staging = false;
      /** Rows of the run staged in the open transaction (links: `link.staged`). */
      let stagedRows = 0;
      const carrierWriter = () => (run.hidden ? links[0]?.writer : writer) as StreamWriter;
      /** Rows held for the next stage or commit: the run's batch, its link rows and their parents. */
      const bufferedRows = () =>
        batch.length + linkRows() + links.reduce((sum, link) => sum + link.byParent.size, 0);
      /** Rows staged in the open transaction, the link tables' included. */
      const stagedTotal = () => stagedRows + links.reduce((sum, link) => sum + link.staged, 0);
      /** A link table's state in a commit: the run's checkpoint when the state moves (not on replace). */
      const linkState = (link: (typeof links)[number], stateChanged: boolean) =>
        link.run.mode === 'replace' || !stateChanged || pendingCheckpoint === undefined
          ? undefined
          : cursorState(link.run, pendingCheckpoint);
      /** A link table's held parents and rows as a batch. */
      const linkBatch = (link: (typeof links)[number], state: StreamState | undefined): LinkBatch => ({
        writer: link.writer as StreamWriter,
        parentKey: link.source.parentKey,
        parents: [...link.byParent.values()].map((entry) => entry.parent),
        rows: [...link.byParent.values()].flatMap((entry) => entry.rows),
        state,
      });
      /** A child stream's held rows replacing its parents' earlier ones (`ownKey`), as its own link batch. */
      const ownBatch = (state: StreamState | undefined): LinkBatch => ({
        writer: carrierWriter(),
        parentKey: ownKey as NonNullable<typeof ownKey>,
        parents: [...own.values()].map((entry) => entry.parent),
        rows: [...own.values()].flatMap((entry) => entry.rows),
        state,
      });
      /** Commits what is staged; with the pending state unless `withState` is false. */
      const commitStaged = async (withState: boolean) => {
        const stateChanged = withState && pending !== undefined && pending.cursor !== committed;
        if (stagedTotal() === 0 && !stateChanged) return;
        const state = run.mode === 'replace' ? undefined : stateChanged ? pending : undefined;
        const carrier = carrierWriter();
        const commitWithLinks = carrier.commitWithLinks as NonNullable<StreamWriter['commitWithLinks']>;
        if (ownKey) {
          await commitWithLinks.call(
            carrier,
            [],
            undefined,
            [{ writer: carrier, parentKey: ownKey, parents: [], rows: [], state }],
            signal,
          );
        } else if (links.length === 0) {
          await carrier.commit([], state, signal);
        } else {
          await commitWithLinks.call(
            carrier,
            [],
            run.hidden ? undefined : state,
            links.map((link) => ({
              writer: link.writer as StreamWriter,
              parentKey: link.source.parentKey,
              parents: [],
              rows: [],
              state: linkState(link, stateChanged),
            })),
            signal,
          );
        }
        if (!run.hidden) run.summary.records += stagedRows;
        for (const link of links) {
          link.run.summary.records += link.staged;
          link.staged = 0;
        }
        stagedRows = 0;
        if (stateChanged) committed = pending?.cursor;
        lastCommit = now();
      };
      /**
       * Stages the batch (the run's rows, each link table's parents and links). A table that grew a
       * column is evolved first, once what is staged is committed (a table is not altered under a
       * transaction that appended to it); without the state, which may cover rows of this batch.
       */
      const stageBatch = async () => {
        if (grew || links.some((link) => link.grew)) {
          await commitStaged(false);
          if (grew && !run.hidden) writer = await deps.destination.prepare(specOf(run), run.mode, signal);
          grew = false;
          await prepareLinks(false);
        }
        const carrier = carrierWriter();
        const batches = ownKey ? [ownBatch(undefined)] : links.map((link) => linkBatch(link, undefined));
        const rows = run.hidden ? [] : batch;
        await (carrier.stage as NonNullable<StreamWriter['stage']>).call(carrier, rows, batches, signal);
        if (ownKey) {
          stagedRows += (batches[0] as LinkBatch).rows.length;
          own.clear();
        } else {
          stagedRows += rows.length;
          for (const [index, link] of links.entries()) {
            link.staged += (batches[index] as LinkBatch).rows.length;
            link.byParent.clear();
            link.rows = 0;
          }
        }
        batch = [];
      };
      /**
       * Staging's flush: the batch is staged when full or when a commit is due; a commit is due when
       * forced, past `stagedCommitRows` staged rows, or `stagedCommitIntervalMs` after the last.
       */
      const flushStaged = async (force: boolean) => {
        const buffered = bufferedRows();
        const due =
          force ||
          stagedTotal() + buffered >= tuning.stagedCommitRows ||
          now() - lastCommit >= tuning.stagedCommitIntervalMs;
        if (buffered > 0 && (due || batch.length + linkRows() >= tuning.batchRows)) await stageBatch();
        if (due) await commitStaged(true);
      };
      const flush = async (force: boolean) => {
        if (staging) return flushStaged(force);
        const stateChanged = pending !== undefined && pending.cursor !== committed;
        const size = bufferedRows();
        if (size === 0 && !stateChanged) return;
        if (!force && size < tuning.batchRows && now() - lastCommit < tuning.commitIntervalMs) return;
        if (!run.hidden && (!writer || grew)) {
          writer = await deps.destination.prepare(specOf(run), run.mode, signal);
          grew = false;
        }
        await prepareLinks(false);
        const state = run.mode === 'replace' ? undefined : stateChanged ? pending : undefined;
        if (ownKey) {
          const self = writer as StreamWriter;
          const ownRows = ownBatch(state);
          await (self.commitWithLinks as NonNullable<StreamWriter['commitWithLinks']>).call(
            self,
            [],
            undefined,
            [ownRows],
            signal,
          );
          run.summary.records += ownRows.rows.length;
          own.clear();
        } else if (links.length === 0) {
          await (writer as StreamWriter).commit(batch, state, signal);
        } else {
          const carrier = run.hidden ? (links[0]?.writer as StreamWriter) : (writer as StreamWriter);
          const batches = links.map((link) => linkBatch(link, linkState(link, stateChanged)));
          await (carrier.commitWithLinks as NonNullable<StreamWriter['commitWithLinks']>).call(
            carrier,
            run.hidden ? [] : batch,
            run.hidden ? undefined : state,
            batches,
            signal,
          );
          for (const [index, link] of links.entries()) {
            link.run.summary.records += (batches[index] as LinkBatch).rows.length;
            link.byParent.clear();
            link.rows = 0;
          }
        }
        if (!run.hidden) run.summary.records += batch.length;
        if (stateChanged) committed = pending?.cursor;
        batch = [];
        lastCommit = now();
      };
      try {
        if (!run.hidden) writer = await deps.destination.prepare(specOf(run), run.mode, signal);
        await prepareLinks(true);
        const carrier = run.hidden ? links[0]?.writer : writer;
        if ((links.length > 0 || ownKey) && carrier?.commitWithLinks === undefined)
          throw new ConfigurationError(
            `The destination ${deps.destination.description} cannot write link tables (${[
              ...(ownKey ? [run] : []),
              ...links.map((l) => l.run),
            ]
              .map((r) => r.def.name)
              .join(', ')}); leave them out of --streams.`,
          );
        // Staged rows may be committed without their state (before a table is altered, or for a
        // checkpoint), which a rerun's overlap makes good by merging or replacing; appending it
        // again would duplicate rows, so append runs commit every batch with its state.
        staging =
          carrier?.stage !== undefined &&
          run.mode !== 'append' &&
          links.every((link) => link.run.mode !== 'append');
        if (staging) lastCommit -= staggerMs();
        for (const link of links) link.run.summary.status = 'running';
        for await (const item of run.queue) {
          if ('deletions' in item) {
            await flush(true);
            deletedUntil = item.until;
            // A deleted parent's links go (or are marked) too; before the parent's state moves on.
            for (const link of links) {
              const column = link.source.parentKey[link.source.parentKey.length - 1] as string;
              const deletions = item.deletions
                .filter((deletion) => deletion.match.id !== undefined)
                .map((deletion) => ({
                  match: { workspace_id: workspaceId, [column]: deletion.match.id },
                  at: deletion.at,
                }));
              if (deletions.length > 0)
                await (link.writer as StreamWriter).delete(
                  deletions,
                  { hard: plan.hardDeletes === true },
                  undefined,
                  signal,
                );
            }
            if (run.hidden) continue;
            const state = committed === undefined ? undefined : stateAt(committed);
            await (writer as StreamWriter).delete(
              item.deletions,
              { hard: plan.hardDeletes === true },
              state,
              signal,
            );
            continue;
          }
          if ('records' in item && ownKey && item.parent) {
            const parentId = String(item.parent.id);
            const rows = item.records.map((record) => {
              record.workspace_id = workspaceId;
              const shaped = run.shaper.shape(record, syncedAt);
              if (shaped.grew) grew = true;
              return shaped.row;
            });
            const parent = Object.fromEntries(
              ownKey.map((key) => [key, key === 'workspace_id' ? workspaceId : parentId]),
            );
            own.set(parentId, { parent, rows });
            if (linkRows() >= tuning.batchRows) await flush(!staging);
            continue;
          }
          if ('records' in item) {
            for (const record of item.records) {
              record.workspace_id = workspaceId;
              if (!run.hidden) {
                const shaped = run.shaper.shape(record, syncedAt);
                if (shaped.grew) grew = true;
                batch.push(shaped.row);
              }
              for (const link of links) {
                const parent = Object.fromEntries(
                  link.source.parentKey.map((key) => [
                    key,
                    key === 'workspace_id' ? workspaceId : String(record.id),
                  ]),
                );
                const rows = link.source.links(record).map((linked) => {
                  linked.workspace_id = workspaceId;
                  const shaped = link.run.shaper.shape(linked, syncedAt);
                  if (shaped.grew) link.grew = true;
                  return shaped.row;
                });
                const id = String(record.id);
                link.rows += rows.length - (link.byParent.get(id)?.rows.length ?? 0);
                link.byParent.set(id, { parent, rows });
              }
            }
            // Staging: a full batch is staged, and committed only when a commit is due.
            if (batch.length + linkRows() >= tuning.batchRows) await flush(!staging);
          } else {
            pending = stateAt(item.checkpoint);
            pendingCheckpoint = item.checkpoint;
            await flush(false);
          }
        }
        await flush(true);
        if (grew && !run.hidden) writer = await deps.destination.prepare(specOf(run), run.mode, signal);
        if (links.some((link) => link.grew)) await prepareLinks(false);
        const final = pending ?? (committed === undefined ? undefined : { cursor: committed });
        if (!run.hidden)
          await (writer as StreamWriter).finish(
            run.mode === 'replace' ? final : final?.cursor !== committed ? final : undefined,
            signal,
            plan.softDeletes === true ? { softDeleteAt: new Date(syncStart * 1000) } : undefined,
          );
        const finalCheckpoint = pendingCheckpoint ?? committed;
        for (const link of links) {
          const linkFinal =
            finalCheckpoint === undefined ? undefined : cursorState(link.run, finalCheckpoint);
          await (link.writer as StreamWriter).finish(linkFinal, signal);
          link.run.summary.cursor = linkFinal?.cursor;
          if (run.summary.window) link.run.summary.window = run.summary.window;
          link.run.summary.status = 'succeeded';
        }
        run.summary.cursor = final?.cursor;
        run.summary.status = 'succeeded';
      } catch (error) {
        if (!run.failed) failRun(run, error);
        if (run.summary.status !== 'skipped') run.summary.status = 'failed';
        for (const link of links) {
          link.run.failed = true;
          link.run.summary.status = run.summary.status;
          link.run.summary.error ??= run.summary.error;
          await link.writer?.abort().catch(() => undefined);
        }
        await writer?.abort().catch(() => undefined);
        // Drain so readers blocked on this queue move on.
        void drainQuietly(run.queue);
      } finally {
        for (const shaped of [run, ...run.links]) {
          shaped.summary.coercedValues = shaped.shaper.issueCount;
          for (const issue of shaped.shaper.takeIssues()) {
            deps.logger.warn(
              `${shaped.def.name}: ${issue.field} of record ${issue.recordId} is not a ${issue.expected}; loaded as NULL`,
              { stream: shaped.def.name },
            );
          }
          shaped.summary.durationMs = now() - shaped.started;
        }
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
