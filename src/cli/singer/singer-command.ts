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
import { ConfigurationError, type IntercomClient, type Logger } from '../../http/index.js';
import { DEFAULT_STREAMS, findStream, STREAMS, type StreamDefinition } from '../../streams/index.js';
import type { ConnectorRunOptions } from '../airbyte/airbyte-command.js';
import { MessageDestination, type MessageSink } from '../airbyte/message-destination.js';
import { describeStreams, isoTime, recordData } from '../airbyte/record-shape.js';
import {
  connectorClient,
  connectorDefinitions,
  parseSourceConfig,
  readJsonFile,
  type SourceConfig,
} from '../airbyte/source-config.js';
import { createLogger, type Io, redactor } from '../output.js';
import {
  parseSingerCatalog,
  type ReplicationMethod,
  type SingerSelection,
  singerCatalogEntry,
  singerSchema,
} from './singer-catalog.js';
import { bookmarkOf, parseSingerState, type SingerStateValue } from './singer-state.js';

/** The tap's arguments, as Singer runners (Meltano) pass them. */
export interface SingerArgs {
  config?: string;
  discover?: boolean;
  catalog?: string;
  /** The older name of `--catalog`. */
  properties?: string;
  state?: string;
}

const TAP_TUNING: SyncTuning = { ...DEFAULT_TUNING, batchRows: 1000 };

/**
 * Runs the Singer tap: `--discover` prints the catalog; otherwise SCHEMA, RECORD and STATE messages,
 * one JSON object per line on stdout, and logs on stderr. Returns the exit code: 0 done, 1 a
 * stream failed (the others were emitted, with their STATE), 2 a configuration mistake.
 */
export async function runSinger(
  args: SingerArgs,
  io: Io,
  options: ConnectorRunOptions = {},
): Promise<number> {
  let redact = (text: string) => text;
  const emit = (message: Record<string, unknown>) => io.out(redact(JSON.stringify(message)));
  let logger: Logger = createLogger(io, 'text', (t) => redact(t));
  let config: SourceConfig;
  let definitions: StreamDefinition[];
  const find = (name: string) => definitions.find((d) => d.name === name) ?? findStream(name);
  let client: IntercomClient | undefined;
  try {
    if (!args.config) throw new ConfigurationError('Pass --config with the tap configuration (a JSON file).');
    config = parseSourceConfig(await readJsonFile(args.config, 'config'));
    redact = redactor(config.secrets);
    logger = createLogger(io, 'text', redact);
    definitions = connectorDefinitions(config);
    if (args.discover) {
      client = connectorClient(config, logger);
      const defs = STREAMS.map((s) => find(s.name) ?? s);
      const specs = await describeStreams(client, defs, AbortSignal.timeout(120_000));
      const streams = defs.map((def, i) =>
        singerCatalogEntry(def, specs[i] as (typeof specs)[number], DEFAULT_STREAMS.includes(def.name)),
      );
      io.out(redact(JSON.stringify({ streams }, null, 2)));
      return 0;
    }
  } catch (error) {
    io.err(redact(`error: ${error instanceof Error ? error.message : String(error)}`));
    return error instanceof ConfigurationError ? 2 : 1;
  } finally {
    await client?.close().catch(() => undefined);
  }

  let selections: SingerSelection[];
  let states: Map<string, StreamState>;
  let stateValue: SingerStateValue;
  try {
    const catalogPath = args.catalog ?? args.properties;
    selections = catalogPath
      ? parseSingerCatalog(await readJsonFile(catalogPath, 'catalog'), find, (m) => logger.warn(m))
      : DEFAULT_STREAMS.map((name) => ({
          def: find(name) as StreamDefinition,
          method: 'INCREMENTAL' as ReplicationMethod,
          excluded: new Set<string>(),
        }));
    ({ states, value: stateValue } = args.state
      ? parseSingerState(await readJsonFile(args.state, 'state'), find)
      : parseSingerState(undefined, find));
    client = connectorClient(config, logger);
  } catch (error) {
    io.err(redact(`error: ${error instanceof Error ? error.message : String(error)}`));
    return 2;
  }
  if (selections.length === 0) {
    logger.warn('The catalog selects no stream (metadata "selected": true at breadcrumb []); nothing to do.');
    await client.close().catch(() => undefined);
    return 0;
  }

  const bySelection = new Map(selections.map((s) => [s.def.name, s]));
  const modes: Record<string, WriteMode> = Object.fromEntries(
    selections.map((s) => [s.def.name, s.method === 'INCREMENTAL' && s.def.cursor ? 'merge' : 'replace']),
  );
  const plan: SyncPlan = {
    streams: selections.map((s) => s.def.name),
    startDate: config.startDate,
    lookbackSeconds: config.lookbackDays * DAY,
    fullRefresh: false,
    modes,
    definitions,
  };
  const now = options.now ?? Date.now;
  const value: SingerStateValue = { ...stateValue, bookmarks: { ...stateValue.bookmarks } };
  const printedSchemas = new Map<string, string>();
  const emitState = () => emit({ type: 'STATE', value });
  const sink: MessageSink = {
    schema(spec) {
      const selection = bySelection.get(spec.stream) as SingerSelection;
      const def = selection.def;
      const message = {
        type: 'SCHEMA',
        stream: spec.stream,
        schema: singerSchema(spec, selection.excluded),
        key_properties: [...def.primaryKey],
        bookmark_properties: modes[spec.stream] === 'merge' && def.cursor ? [def.cursor] : [],
      };
      const text = JSON.stringify(message);
      // Printed before the stream's first record, and again when Intercom brings new fields.
      if (printedSchemas.get(spec.stream) === text) return;
      printedSchemas.set(spec.stream, text);
      emit(message);
    },
    records(spec, rows) {
      const excluded = (bySelection.get(spec.stream) as SingerSelection).excluded;
      const extracted = isoTime(new Date(now()));
      for (const row of rows) {
        const record = recordData(row, 'iso-8601');
        for (const name of excluded) delete record[name];
        emit({ type: 'RECORD', stream: spec.stream, record, time_extracted: extracted });
      }
    },
    state(stream, state) {
      if (state === undefined || modes[stream] !== 'merge') return;
      value.bookmarks[stream] = bookmarkOf((bySelection.get(stream) as SingerSelection).def, state);
      emitState();
    },
  };
  const destination = new MessageDestination({
    description: 'Singer messages on stdout',
    sink,
    states,
    definitions: (name) => bySelection.get(name)?.def,
  });

  const controller = new AbortController();
  let stoppedBy: string | undefined;
  const stop = (reason: string) => () => {
    if (stoppedBy) return;
    stoppedBy = reason;
    logger.warn(
      `Received ${reason}: stopping after the commit in progress; run again with the last STATE to resume.`,
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
  try {
    logger.info(
      `Syncing ${plan.streams.length} streams: ${selections.map((s) => `${s.def.name} (${modes[s.def.name] === 'merge' ? 'INCREMENTAL' : 'FULL_TABLE'})`).join(', ')}`,
    );
    const result = await runSync(
      plan,
      {
        client,
        destination,
        logger,
        signal: controller.signal,
        ...(options.now ? { now: options.now } : {}),
      },
      { ...TAP_TUNING, ...options.tuning },
    );
    // A last STATE with every bookmark, so a target flushes and the runner stores the end state.
    emitState();
    for (const s of result.streams) {
      if (s.status === 'failed') logger.error(s.error ?? `Stream ${s.stream} failed.`, { stream: s.stream });
      else logger.info(`${s.stream} ${s.status}`, { stream: s.stream, records: s.records });
    }
    if (stoppedBy) return stoppedBy === 'SIGINT' ? 130 : 143;
    return result.ok ? 0 : 1;
  } catch (error) {
    io.err(redact(`error: ${error instanceof Error ? error.message : String(error)}`));
    if (stoppedBy) return stoppedBy === 'SIGINT' ? 130 : 143;
    return error instanceof ConfigurationError ? 2 : 1;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    options.signal?.removeEventListener('abort', onOuter);
    await client.close().catch(() => undefined);
  }
}

/** `intercom-sync singer --config c.json [--discover | --catalog catalog.json] [--state state.json]`. */
export function registerSingerCommand(program: Command, io: Io, onExit: (code: number) => void): void {
  program
    .command('singer')
    .description('Run as a Singer tap: SCHEMA, RECORD and STATE messages on stdout (see docs/singer.md).')
    .option('--config <file>', 'tap configuration (JSON)')
    .option('--discover', 'print the catalog of streams and exit')
    .option('--catalog <file>', 'catalog with the selected streams (metadata "selected": true)')
    .option('--properties <file>', 'the older name of --catalog')
    .option('--state <file>', 'state to resume from (the value of the last STATE message)')
    .action(async (flags: SingerArgs) => onExit(await runSinger(flags, io)));
}
