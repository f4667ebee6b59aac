import type { Command } from 'commander';
import { createDestination, type DestinationSpec } from '../destinations/index.js';
import { type LayoutReport, supportsLayouts } from '../destinations/layouts/index.js';
import { type ProgressEvent, runSync, type SyncResult } from '../engine/sync.js';
import {
  ConfigurationError,
  createIntercomClient,
  type IntercomClient,
  IntercomSyncError,
  type RateLimiter,
} from '../http/index.js';
import { STREAMS } from '../streams/index.js';
import { UsageError } from './errors.js';
import { createLogger, formatDuration, type Io, progressLines, redactor, summaryTable } from './output.js';
import { type ResolvedSync, resolveConnection, resolveSync, type SyncFlags } from './sync-options.js';

/** The database password in a destination URI, so output can never show it. */
function destinationPassword(spec: DestinationSpec): string | undefined {
  if (spec.kind !== 'postgres') return undefined;
  try {
    const password = new URL(spec.uri).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

export interface SyncRunOutcome {
  exitCode: number;
  result?: SyncResult;
}

/**
 * Runs a resolved sync with progress and a summary. SIGINT/SIGTERM stop it cleanly: the commit in
 * progress finishes (it is one transaction), nothing half-done is committed, and a rerun resumes.
 */
export async function executeSync(
  resolved: ResolvedSync,
  io: Io,
  env: { isTty: boolean },
): Promise<SyncRunOutcome> {
  const redact = redactor([resolved.connection.accessToken, destinationPassword(resolved.destination)]);
  const logger = createLogger(io, resolved.logFormat, redact);
  let client: IntercomClient;
  let limiter: RateLimiter;
  try {
    ({ client, limiter } = createIntercomClient(resolved.connection, { ...resolved, logger }));
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(redact(error.message));
    throw error;
  }
  const destination = await createDestination(resolved.destination, resolved.schema);
  const controller = new AbortController();
  let stoppedBy: string | undefined;
  const stop = (signalName: string) => () => {
    if (stoppedBy) return;
    stoppedBy = signalName;
    logger.warn(
      `Received ${signalName}: stopping after the commit in progress; run the same command again to resume from the last checkpoint.`,
    );
    controller.abort(new Error(`stopped by ${signalName}`));
  };
  const onInt = stop('SIGINT');
  const onTerm = stop('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);

  const progress = new Map<string, ProgressEvent>();
  const firstSeen = new Map<string, number>();
  let lastDraw = 0;
  const draw = (force = false) => {
    if (!io.status || resolved.logFormat === 'json') return;
    const t = Date.now();
    if (!force && t - lastDraw < 200) return;
    lastDraw = t;
    const stats = client.stats();
    const budget = limiter.stats();
    io.status(
      progressLines(
        [...progress.values()].map((p) => ({ ...p, elapsedMs: t - (firstSeen.get(p.stream) ?? t) })),
        {
          requests: stats.requests,
          rateLimited: stats.rateLimited,
          limiter: { limit: budget.limit, available: budget.available, inFlight: budget.inFlight },
        },
      ),
    );
  };
  const onProgress = (event: ProgressEvent) => {
    const before = progress.get(event.stream)?.status;
    progress.set(event.stream, event);
    if (!firstSeen.has(event.stream) && event.status === 'running') firstSeen.set(event.stream, Date.now());
    if (
      before !== event.status &&
      (event.status === 'succeeded' || event.status === 'failed' || event.status === 'skipped') &&
      !io.status
    ) {
      logger.info(`${event.stream} ${event.status}`, {
        stream: event.stream,
        records: event.records,
        pages: event.pages,
      });
    }
    draw();
  };

  // Closed once: before the summary on success, in `finally` otherwise. Committed data is safe even
  // if this fails (the next open replays the WAL), so a failure is a warning, not a failed sync.
  let closing: Promise<void> | undefined;
  const closeDestination = () => {
    closing ??= destination.close().catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(`closing ${destination.description} failed: ${reason}; committed data is safe`);
    });
    return closing;
  };

  try {
    logger.info(`Syncing ${resolved.plan.streams.length} streams into ${destination.description}`, {
      streams: resolved.plan.streams.join(','),
    });
    const result = await runSync(
      resolved.plan,
      { client, destination, logger, signal: controller.signal, onProgress },
      resolved.tuning,
    );
    draw(true);
    io.status?.([]);
    // Why a stream failed goes to stderr too, not only into the summary on stdout.
    for (const stream of result.streams)
      if (stream.status === 'failed' && stream.error !== undefined)
        logger.error(`${stream.stream} failed: ${stream.error}`, { stream: stream.stream });
    // The layout derives its tables from what the streams committed; skipped when stopped by a signal
    // (the next run applies it, converging to the same tables).
    let layout: LayoutReport | undefined;
    if (resolved.layout !== undefined && !stoppedBy) {
      if (!supportsLayouts(destination))
        throw new ConfigurationError(`${destination.description} cannot hold the ${resolved.layout} layout.`);
      try {
        layout = await destination.applyLayout(resolved.layout, { signal: controller.signal });
      } catch (error) {
        if (!stoppedBy) throw error;
      }
    }
    // Closed before the summary (DuckDB folds its WAL into the file here), so the CPU time and peak
    // memory it reports include that work.
    await closeDestination();
    const stats = client.stats();
    const totals = {
      requests: stats.requests,
      retries: Object.values(stats.retries).reduce((a, b) => a + b, 0),
      rateLimited: stats.rateLimited,
      durationMs: result.durationMs,
    };
    if (resolved.logFormat === 'json') {
      // The process's own cost, for benchmarks: CPU seconds and peak resident memory.
      const usage = process.resourceUsage();
      const process_ = {
        cpuUserS: usage.userCPUTime / 1e6,
        cpuSystemS: usage.systemCPUTime / 1e6,
        maxRssMb: usage.maxRSS / 1024,
      };
      io.out(
        redact(
          JSON.stringify({
            type: 'summary',
            ok: result.ok,
            ...totals,
            retriesByReason: stats.retries,
            process: process_,
            streams: result.streams,
            ...(layout === undefined ? {} : { layout }),
          }),
        ),
      );
    } else {
      for (const line of summaryTable(result.streams, totals)) io.out(redact(line));
      if (layout !== undefined) {
        const inserted = layout.tables.reduce((n, t) => n + t.inserted, 0);
        const closed = layout.tables.reduce((n, t) => n + t.closed, 0);
        io.out(
          `Layout ${layout.layout}: ${layout.tables.length} tables, ${inserted} rows added, ${closed} versions closed or marked deleted in ${formatDuration(layout.durationMs)}.`,
        );
      }
      if (stoppedBy)
        io.out(
          `Stopped by ${stoppedBy}. Committed data and state are consistent; run the same command again to resume.`,
        );
    }
    if (!env.isTty && result.ok) logger.debug(`sync finished in ${formatDuration(result.durationMs)}`);
    return { exitCode: stoppedBy ? (stoppedBy === 'SIGINT' ? 130 : 143) : result.ok ? 0 : 1, result };
  } catch (error) {
    io.status?.([]);
    if (error instanceof ConfigurationError) {
      io.err(redact(`error: ${error.message}`));
      return { exitCode: 2 };
    }
    if (stoppedBy) {
      io.err(
        `Stopped by ${stoppedBy} before the sync started writing; nothing was committed. Run the same command again to start over.`,
      );
      return { exitCode: stoppedBy === 'SIGINT' ? 130 : 143 };
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(redact(`error: ${message}`));
    return { exitCode: error instanceof IntercomSyncError && error.kind === 'configuration' ? 2 : 1 };
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    await closeDestination();
    await client.close().catch(() => undefined);
  }
}

function connectionOptions(command: Command): Command {
  return command
    .option('--access-token <token>', 'Intercom access token (default: $INTERCOM_ACCESS_TOKEN)')
    .option('--region <region>', 'us, eu or au (default: us)')
    .option('--base-url <url>', 'API base URL (a proxy, or the local simulator)')
    .option('--source-uri <uri>', "ingestr's form: intercom://?access_token=…&region=eu")
    .option('--connections <file>', 'a Bruin connections.yml (with --connection)')
    .option('--connection <name>', 'the Intercom connection to use from --connections')
    .option('--api-version <version>', 'Intercom-Version header', '2.14')
    .option('--timeout-ms <ms>', 'timeout of one request', '30000')
    .option('--log-format <format>', 'text or json', 'text');
}

export function registerSyncCommands(
  program: Command,
  io: Io,
  env: { isTty: boolean; vars: NodeJS.ProcessEnv },
  onExit: (code: number) => void,
): void {
  connectionOptions(
    program.command('sync').description('Copy the workspace into the warehouse, or bring it up to date.'),
  )
    .option('--streams <list>', 'comma-separated streams (see `intercom-sync streams`)')
    .option('--source-table <list>', 'alias of --streams (ingestr)')
    .option('--dest-uri <uri>', 'destination, e.g. duckdb:///intercom.duckdb', 'duckdb:///intercom.duckdb')
    .option('--dest-schema <schema>', 'schema of the tables', 'intercom')
    .option('--format <format>', 'parquet or jsonl, with --dest-uri file:///dir')
    .option('--dest-table <schema.table>', 'table for the one selected stream (ingestr)')
    .option('--start-date <date>', 'ISO 8601 date a first sync starts from', '2010-01-01T00:00:00Z')
    .option('--lookback-days <days>', 're-read this many days before the saved cursor', '0')
    .option('--full-refresh', 'ignore saved state and rebuild the selected tables')
    .option('--interval-start <date>', 'bounded backfill: start (ignores state)')
    .option('--interval-end <date>', 'bounded backfill: end')
    .option('--write-mode <mode>', 'replace, append or merge for every selected stream')
    .option(
      '--hard-deletes',
      'remove deleted records (conversations and their parts, reconciled rows) instead of setting _deleted_at',
    )
    .option('--soft-deletes', 'replace mode keeps rows that disappeared from Intercom, with _deleted_at set')
    .option(
      '--reconcile',
      'list every contact and company id and mark the rows Intercom no longer has (costs ids/150 requests)',
    )
    .option('--layout <name>', "also write the tables Fivetran's dbt_intercom package reads: fivetran")
    .option('--pin-version <pairs>', 'per-stream API versions, e.g. conversations=2.11')
    .option('--max-requests-per-minute <n>', "leave rate-limit budget for the workspace's other apps")
    .option('--concurrency <n>', 'requests in flight at most (1 = one at a time)')
    .action(async (flags: SyncFlags) => {
      const resolved = resolveSync(flags, env.vars, (m) => io.err(`warn: ${m}`));
      const outcome = await executeSync(resolved, io, env);
      onExit(outcome.exitCode);
    });

  connectionOptions(
    program
      .command('check')
      .description('Verify the token and region against GET /me and say which workspace they reach.'),
  ).action(async (flags: SyncFlags) => {
    const connection = resolveConnection(flags, env.vars, (m) => io.err(`warn: ${m}`));
    const redact = redactor([connection.accessToken]);
    const logger = createLogger(io, flags.logFormat === 'json' ? 'json' : 'text', redact);
    let client: IntercomClient;
    try {
      client = createIntercomClient(connection, {
        version: flags.apiVersion ?? '2.14',
        maxRequestsPerMinute: undefined,
        maxInFlight: 2,
        timeoutMs: Number(flags.timeoutMs ?? 30000),
        logger,
      }).client;
    } catch (error) {
      if (error instanceof ConfigurationError) throw new UsageError(redact(error.message));
      throw error;
    }
    try {
      const me = await client.request<{
        name?: string;
        email?: string;
        app?: { name?: string; id_code?: string; region?: string };
      }>({
        method: 'GET',
        path: '/me',
        signal: AbortSignal.timeout(60_000),
        endpoint: 'GET /me',
      });
      const app = me.body.app ?? {};
      io.out(
        redact(
          `OK: reached workspace "${app.name ?? '?'}" (app ${app.id_code ?? '?'}, region ${connection.region}) at ${client.baseUrl} as ${me.body.name ?? '?'} <${me.body.email ?? '?'}>.`,
        ),
      );
      onExit(0);
    } catch (error) {
      io.err(redact(`error: ${error instanceof Error ? error.message : String(error)}`));
      onExit(error instanceof ConfigurationError ? 2 : 1);
    } finally {
      await client.close();
    }
  });

  program
    .command('streams')
    .description('List the streams with their primary key, cursor, default write mode and endpoint.')
    .option('--json', 'as JSON')
    .action((flags: { json?: boolean }) => {
      const rows = STREAMS.map((s) => ({
        stream: s.name,
        primary_key: s.primaryKey.join(', '),
        cursor: s.cursor ?? '',
        default_mode: s.defaultMode,
        endpoint: s.endpoint,
      }));
      if (flags.json) {
        io.out(JSON.stringify(rows));
        return;
      }
      const header = {
        stream: 'stream',
        primary_key: 'primary key',
        cursor: 'cursor',
        default_mode: 'mode',
        endpoint: 'endpoint',
      };
      const keys = Object.keys(header) as Array<keyof typeof header>;
      const widths = keys.map((k) => Math.max(header[k].length, ...rows.map((r) => r[k].length)));
      const line = (r: Record<string, string>) =>
        keys
          .map((k, i) => (r[k] as string).padEnd(widths[i] as number))
          .join('  ')
          .trimEnd();
      io.out(line(header));
      io.out(widths.map((w) => '-'.repeat(w)).join('  '));
      for (const r of rows) io.out(line(r));
    });
}
