import type { Command } from 'commander';
import type { WriteMode } from '../../destinations/destination.js';
import {
  DEFAULT_TUNING,
  runSync,
  type StreamState,
  type SyncPlan,
  type SyncTuning,
} from '../../engine/sync.js';
import { DAY } from '../../engine/windows.js';
import { ConfigurationError, type IntercomClient, IntercomSyncError } from '../../http/index.js';
import { findStream, STREAMS, type StreamDefinition } from '../../streams/index.js';
import { type Io, redactor } from '../output.js';
import { airbyteStream, parseConfiguredCatalog, type SelectedStream } from './airbyte-catalog.js';
import { type AirbyteFailureType, AirbyteOutput } from './airbyte-output.js';
import { airbyteSpecification } from './airbyte-spec.js';
import { parseAirbyteState, stateBlob } from './airbyte-state.js';
import { MessageDestination, type MessageSink } from './message-destination.js';
import { describeStreams, recordData } from './record-shape.js';
import {
  connectorClient,
  connectorDefinitions,
  parseSourceConfig,
  readJsonFile,
  type SourceConfig,
} from './source-config.js';

export type AirbyteCommandName = 'spec' | 'check' | 'discover' | 'read';

/** The files Airbyte passes (`--config`, `--catalog`, `--state`). */
export interface AirbyteArgs {
  config?: string;
  catalog?: string;
  state?: string;
}

/** Knobs for tests and embedding; the CLI uses the defaults. */
export interface ConnectorRunOptions {
  /** Engine tuning overrides (e.g. commit after every page for many STATE messages). */
  tuning?: Partial<SyncTuning>;
  /** Milliseconds since the epoch, for `emitted_at`. */
  now?: () => number;
  /** Stops a read after the commit in progress. */
  signal?: AbortSignal;
}

/** How a read is checkpointed: rows and state in one commit, at least every 5 s or 1,000 rows. */
const CONNECTOR_TUNING: SyncTuning = { ...DEFAULT_TUNING, batchRows: 1000 };

export function failureType(error: unknown): AirbyteFailureType {
  if (error instanceof ConfigurationError) return 'config_error';
  if (error instanceof IntercomSyncError && error.kind === 'retriable') return 'transient_error';
  return 'system_error';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function internalOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const parts = [error.name];
  if (error instanceof IntercomSyncError) {
    if (error.status !== undefined) parts.push(`HTTP ${error.status}`);
    if (error.code) parts.push(error.code);
    if (error.requestId) parts.push(`request_id ${error.requestId}`);
  }
  return parts.join(' ');
}

/** Runs one Airbyte command and returns the exit code (0 even for a failed check, as Airbyte expects). */
export async function runAirbyte(
  command: AirbyteCommandName,
  args: AirbyteArgs,
  io: Io,
  options: ConnectorRunOptions = {},
): Promise<number> {
  const out = new AirbyteOutput(io, options.now ?? Date.now);
  switch (command) {
    case 'spec':
      out.emit({ type: 'SPEC', spec: airbyteSpecification() });
      return 0;
    case 'check':
      return check(args, out);
    case 'discover':
      return discover(args, out);
    case 'read':
      return read(args, out, options);
  }
}

async function loadConfig(path: string | undefined, out: AirbyteOutput): Promise<SourceConfig> {
  if (!path) throw new ConfigurationError('Pass --config with the connector configuration (a JSON file).');
  const config = parseSourceConfig(await readJsonFile(path, 'config'));
  out.redact = redactor(config.secrets);
  return config;
}

async function check(args: AirbyteArgs, out: AirbyteOutput): Promise<number> {
  let client: IntercomClient | undefined;
  try {
    const config = await loadConfig(args.config, out);
    client = connectorClient(config, out.logger());
    const me = await client.request<{ name?: string; app?: { name?: string; id_code?: string } }>({
      method: 'GET',
      path: '/me',
      signal: AbortSignal.timeout(60_000),
      endpoint: 'GET /me',
    });
    const app = me.body.app ?? {};
    out.connectionStatus(
      'SUCCEEDED',
      `Reached the Intercom workspace "${app.name ?? '?'}" (app ${app.id_code ?? '?'}) at ${client.baseUrl} as ${me.body.name ?? '?'}.`,
    );
  } catch (error) {
    out.connectionStatus('FAILED', messageOf(error));
  } finally {
    await client?.close().catch(() => undefined);
  }
  return 0;
}

async function discover(args: AirbyteArgs, out: AirbyteOutput): Promise<number> {
  let client: IntercomClient | undefined;
  try {
    const config = await loadConfig(args.config, out);
    client = connectorClient(config, out.logger());
    const overrides = connectorDefinitions(config);
    const defs = STREAMS.map((s) => overrides.find((d) => d.name === s.name) ?? s);
    const specs = await describeStreams(client, defs, AbortSignal.timeout(120_000));
    out.emit({
      type: 'CATALOG',
      catalog: { streams: defs.map((def, i) => airbyteStream(def, specs[i] as (typeof specs)[number])) },
    });
    return 0;
  } catch (error) {
    out.error(failureType(error), `Discover failed: ${messageOf(error)}`, internalOf(error));
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
}

async function read(args: AirbyteArgs, out: AirbyteOutput, options: ConnectorRunOptions): Promise<number> {
  let config: SourceConfig;
  let selected: SelectedStream[];
  let states: Map<string, StreamState>;
  let definitions: StreamDefinition[];
  let client: IntercomClient;
  const logger = out.logger();
  try {
    config = await loadConfig(args.config, out);
    if (!args.catalog)
      throw new ConfigurationError('Pass --catalog with the configured catalog (a JSON file).');
    definitions = connectorDefinitions(config);
    const find = (name: string) => definitions.find((d) => d.name === name) ?? findStream(name);
    selected = parseConfiguredCatalog(await readJsonFile(args.catalog, 'catalog'), find);
    states = args.state ? parseAirbyteState(await readJsonFile(args.state, 'state'), find) : new Map();
    client = connectorClient(config, logger);
  } catch (error) {
    out.error(failureType(error), messageOf(error), internalOf(error));
    return 1;
  }

  const byName = new Map<string, StreamDefinition>(selected.map((s) => [s.def.name, s.def]));
  const modes: Record<string, WriteMode> = Object.fromEntries(
    selected.map((s) => [s.def.name, s.syncMode === 'incremental' ? 'merge' : 'replace']),
  );
  const plan: SyncPlan = {
    streams: selected.map((s) => s.def.name),
    startDate: config.startDate,
    lookbackSeconds: config.lookbackDays * DAY,
    fullRefresh: false,
    modes,
    definitions,
  };

  const running = new Set<string>();
  const finished = new Set<string>();
  const printedState = new Set<string>();
  const sinceState = new Map<string, number>();
  let records = 0;
  const sink: MessageSink = {
    schema: () => undefined,
    records(spec, rows) {
      if (!running.has(spec.stream)) {
        running.add(spec.stream);
        out.status(spec.stream, 'RUNNING');
      }
      for (const row of rows) out.record(spec.stream, recordData(row, 'unix-seconds'));
      records += rows.length;
      sinceState.set(spec.stream, (sinceState.get(spec.stream) ?? 0) + rows.length);
    },
    state(stream, state, final) {
      // The end of a stream always leaves a STATE: the new one, or else the one it started from.
      if (state === undefined && (!final || printedState.has(stream))) return;
      const resumedFrom = modes[stream] === 'replace' ? undefined : states.get(stream);
      printedState.add(stream);
      out.state(stream, stateBlob(byName.get(stream), state ?? resumedFrom), sinceState.get(stream) ?? 0);
      sinceState.set(stream, 0);
    },
  };
  const destination = new MessageDestination({
    description: 'Airbyte protocol messages on stdout',
    sink,
    states,
    definitions: (name) => byName.get(name),
  });

  const controller = new AbortController();
  let stoppedBy: string | undefined;
  const stop = (reason: string) => () => {
    if (stoppedBy) return;
    stoppedBy = reason;
    logger.warn(
      `Received ${reason}: stopping after the commit in progress; read again with the last STATE to resume.`,
    );
    controller.abort(new Error(`stopped by ${reason}`));
  };
  const onInt = stop('SIGINT');
  const onTerm = stop('SIGTERM');
  const onOuter = stop('the caller');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  options.signal?.addEventListener('abort', onOuter, { once: true });
  if (options.signal?.aborted) onOuter();

  const endUnfinished = () => {
    for (const s of plan.streams) if (!finished.has(s)) out.status(s, 'INCOMPLETE');
  };
  const stoppedCode = () => (stoppedBy === 'SIGINT' ? 130 : stoppedBy === 'SIGTERM' ? 143 : 1);

  try {
    logger.info(
      `Reading ${plan.streams.length} streams: ${selected.map((s) => `${s.def.name} (${s.syncMode})`).join(', ')}`,
    );
    for (const s of plan.streams) out.status(s, 'STARTED');
    const result = await runSync(
      plan,
      {
        client,
        destination,
        logger,
        signal: controller.signal,
        ...(options.now ? { now: options.now } : {}),
        onProgress: (event) => {
          if ((event.status === 'succeeded' || event.status === 'skipped') && !finished.has(event.stream)) {
            finished.add(event.stream);
            out.status(event.stream, 'COMPLETE');
          }
        },
      },
      { ...CONNECTOR_TUNING, ...options.tuning },
    );
    for (const summary of result.streams) {
      if (summary.status !== 'failed' || finished.has(summary.stream)) continue;
      out.error(
        stoppedBy ? 'transient_error' : 'system_error',
        stoppedBy
          ? `Stream ${summary.stream} stopped by ${stoppedBy}; read again with the last STATE to resume.`
          : (summary.error ?? `Stream ${summary.stream} failed.`),
        undefined,
        summary.stream,
      );
      finished.add(summary.stream);
      out.status(summary.stream, 'INCOMPLETE');
    }
    endUnfinished();
    const stats = client.stats();
    logger.info(
      `Read ${records} records in ${result.durationMs} ms: ${stats.requests} requests, ${Object.values(stats.retries).reduce((a, b) => a + b, 0)} retries, ${stats.rateLimited} rate-limited (429).`,
    );
    if (stoppedBy) return stoppedCode();
    return result.ok ? 0 : 1;
  } catch (error) {
    out.error(
      stoppedBy ? 'transient_error' : failureType(error),
      stoppedBy ? `Stopped by ${stoppedBy} before anything was read.` : messageOf(error),
      internalOf(error),
    );
    endUnfinished();
    return stoppedCode();
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    options.signal?.removeEventListener('abort', onOuter);
    await client.close().catch(() => undefined);
  }
}

/** `intercom-sync airbyte spec|check|discover|read`: the Airbyte source protocol. */
export function registerAirbyteCommands(program: Command, io: Io, onExit: (code: number) => void): void {
  const airbyte = program
    .command('airbyte')
    .description('Run as an Airbyte source: protocol messages on stdout (see docs/airbyte.md).');
  airbyte
    .command('spec')
    .description('Print the connector specification (SPEC).')
    .allowUnknownOption()
    .action(async () => onExit(await runAirbyte('spec', {}, io)));
  airbyte
    .command('check')
    .description('Check the configuration against GET /me (CONNECTION_STATUS).')
    .option('--config <file>', 'connector configuration (JSON)')
    .action(async (flags: AirbyteArgs) => onExit(await runAirbyte('check', flags, io)));
  airbyte
    .command('discover')
    .description('Print the streams and their schemas (CATALOG).')
    .option('--config <file>', 'connector configuration (JSON)')
    .action(async (flags: AirbyteArgs) => onExit(await runAirbyte('discover', flags, io)));
  airbyte
    .command('read')
    .description('Read the streams of a configured catalog (RECORD, STATE, LOG, TRACE).')
    .option('--config <file>', 'connector configuration (JSON)')
    .option('--catalog <file>', 'configured catalog (JSON)')
    .option('--state <file>', 'state to resume from (JSON: the STATE messages a read printed)')
    .action(async (flags: AirbyteArgs) => onExit(await runAirbyte('read', flags, io)));
}
