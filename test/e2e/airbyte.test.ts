import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAirbyte } from '../../src/cli/airbyte/airbyte-command.js';
import { parseSourceConfig } from '../../src/cli/airbyte/source-config.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { findStream, STREAMS } from '../../src/streams/index.js';
import { truth } from '../support/simulator-client.js';
import { TRUTH_KEYS } from '../support/warehouse.js';
import {
  airbyte,
  cliLines,
  diffWithTruth,
  errorsOf,
  type Message,
  materialise,
  newAjv,
  ofType,
  parseMessages,
  type RecordMessage,
  recordsOf,
  statusesOf,
} from './airbyte-support.js';

const TOKEN = 'tok_airbyte_SECRET_4d2c9e71b0';
const NOW = Date.UTC(2026, 0, 14, 12, 0) / 1000;
/** Commit (and so print a STATE) after every page: many checkpoints to resume from. */
const EVERY_PAGE = { batchRows: 25, commitIntervalMs: 0 };

type Json = Record<string, unknown>;

let sim: RunningSimulator;
let dir: string;
let configPath: string;
const printed: string[] = [];

async function writeJson(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

async function run(...args: Parameters<typeof airbyte>) {
  const result = await airbyte(...args);
  printed.push(result.text);
  return result;
}

/** Materialises records (tombstones of conversations also hide their parts, as a join on them does). */
function tablesOf(records: RecordMessage[]) {
  const tables = materialise(records);
  const deleted = new Set(
    records
      .filter((r) => r.stream === 'conversations' && r.data._deleted_at != null)
      .map((r) => String(r.data.id)),
  );
  const partsOf = new Map(
    records
      .filter((r) => r.stream === 'conversation_parts')
      .map((r) => [String(r.data.id), String(r.data.conversation_id)]),
  );
  const parts = tables.get('conversation_parts');
  for (const key of [...(parts?.keys() ?? [])]) if (deleted.has(partsOf.get(key) ?? '')) parts?.delete(key);
  return tables;
}

async function differences(records: RecordMessage[], streams: readonly string[]) {
  const tables = tablesOf(records);
  const diffs = [];
  for (const stream of streams) {
    const diff = diffWithTruth(stream, currentLinks(stream, tables), await truth(sim, stream));
    if (diff) diffs.push(diff);
  }
  return diffs;
}

/**
 * A link table as its consumer reads it: records carry their parent's `updated_at`, so a parent's
 * current links are the rows of its current version (a removed link is in an older one).
 */
function currentLinks(stream: string, tables: ReturnType<typeof tablesOf>) {
  const table = tables.get(stream);
  const source = findStream(stream)?.source;
  const perParent = source?.kind === 'link' || (source?.kind === 'child' && source.parentKey !== undefined);
  if (table === undefined || source === undefined || !perParent || !TRUTH_KEYS[stream]?.time) return table;
  const parents = tables.get((source as { parent: string }).parent);
  return new Map([...table].filter(([key, t]) => parents?.get(key.split('|')[0] as string) === t));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-airbyte-'));
  sim = await startSimulator({
    scale: 'tiny',
    seed: 23,
    token: TOKEN,
    now: NOW,
    counts: { contacts: 150, companies: 40, conversations: 50, tickets: 20, activityLogs: 60 },
    // A read stopped mid-scroll leaves Intercom's company scroll open until it idles out (a minute
    // there): the next read waits for it. One second here.
    scrollIdleExpirySeconds: 1,
  });
  configPath = await writeJson('config.json', {
    access_token: TOKEN,
    start_date: '2015-01-01T00:00:00Z',
    base_url: sim.url,
  });
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('airbyte spec', () => {
  it('prints one SPEC message describing the configuration, secrets marked, with advanced_auth', async () => {
    const { code, messages } = await run('spec', {});
    expect(code).toBe(0);
    expect(messages.map((m) => m.type)).toEqual(['SPEC']);
    const spec = messages[0]?.spec as Json;
    const connection = spec.connectionSpecification as { properties: Record<string, Json> };
    for (const key of ['access_token', 'client_id', 'client_secret'])
      expect(connection.properties[key]?.airbyte_secret, key).toBe(true);
    for (const key of [
      'start_date',
      'lookback_window',
      'activity_logs_time_step',
      'region',
      'base_url',
      'api_version',
      'max_requests_per_minute',
      'credentials',
    ])
      expect(Object.keys(connection.properties)).toContain(key);
    expect((spec.advanced_auth as Json).auth_flow_type).toBe('oauth2.0');

    // Airbyte's own source-intercom configs, and the nested credentials form, are valid; no token is not.
    const validate = newAjv().compile(connection);
    const airbyteConfig = {
      access_token: 'x',
      start_date: '2020-11-16T00:00:00Z',
      lookback_window: 60,
      activity_logs_time_step: 10,
      client_id: 'id',
      client_secret: 'secret',
    };
    const nested = {
      start_date: '2020-11-16T00:00:00Z',
      credentials: { auth_type: 'oauth2.0', client_id: 'a', client_secret: 'b', access_token: 'c' },
    };
    expect(validate(airbyteConfig), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(nested), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ start_date: '2020-11-16T00:00:00Z' })).toBe(false);
    expect(parseSourceConfig(airbyteConfig).lookbackDays).toBe(60);
    expect(parseSourceConfig(nested).accessToken).toBe('c');
  });

  it('is what `intercom-sync airbyte spec` prints', async () => {
    const { code, out } = await cliLines(['airbyte', 'spec']);
    expect(code).toBe(0);
    expect(parseMessages(out).map((m) => m.type)).toEqual(['SPEC']);
  });
});

describe('airbyte check', () => {
  it('succeeds against the workspace and says which one', async () => {
    const { code, messages } = await run('check', { config: configPath });
    expect(code).toBe(0);
    const status = messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus as Json;
    expect(status.status).toBe('SUCCEEDED');
    expect(status.message).toMatch(/Reached the Intercom workspace/);
  });

  it('fails (exit 0) with a message saying what to fix, never crashing on a bad config', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ access_token: 'tok_wrong_9f8e7d', base_url: sim.url }, /rejected the access token/],
      [{ start_date: '2020-01-01T00:00:00Z' }, /Set access_token/],
      [{ access_token: TOKEN, base_url: 'http://intercom.example.com' }, /https/],
      [{ access_token: TOKEN, region: 'mars' }, /region/],
      [{ access_token: TOKEN, start_date: 'last tuesday' }, /start_date/],
      [{ access_token: TOKEN, lookback_window: -1 }, /lookback_window/],
      ['not an object', /JSON object/],
    ];
    for (const [config, expected] of cases) {
      const path = await writeJson('bad-config.json', config);
      const { code, messages } = await run('check', { config: path });
      expect(code).toBe(0);
      const status = messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus as Json;
      expect(status.status, JSON.stringify(config)).toBe('FAILED');
      expect(status.message).toMatch(expected);
    }
    await writeFile(join(dir, 'broken.json'), '{"access_token": ');
    const broken = await run('check', { config: join(dir, 'broken.json') });
    expect((broken.messages[0] as Message).connectionStatus).toMatchObject({
      message: expect.stringMatching(/not valid JSON/),
    });
    const missing = await run('check', { config: join(dir, 'nope.json') });
    expect((missing.messages[0] as Message).connectionStatus).toMatchObject({
      message: expect.stringMatching(/Cannot read the config file/),
    });
  });
});

let catalog: Array<Json & { name: string; json_schema: Json }>;
const schemaValidators = new Map<string, ValidateFunction>();

describe('airbyte discover', () => {
  it('lists every stream with its schema, sync modes, cursor and primary key', async () => {
    const { code, messages } = await run('discover', { config: configPath });
    expect(code).toBe(0);
    expect(messages.map((m) => m.type)).toEqual(['CATALOG']);
    catalog = ((messages[0] as Message).catalog as { streams: typeof catalog }).streams;
    expect(catalog.map((s) => s.name)).toEqual(STREAMS.map((s) => s.name));
    for (const def of STREAMS) {
      const stream = catalog.find((s) => s.name === def.name) as Json;
      expect(stream.source_defined_primary_key).toEqual(def.primaryKey.map((k) => [k]));
      if (def.cursor) {
        expect(stream.supported_sync_modes).toEqual(['full_refresh', 'incremental']);
        expect(stream.source_defined_cursor).toBe(true);
        expect(stream.default_cursor_field).toEqual([def.cursor]);
      } else expect(stream.supported_sync_modes).toEqual(['full_refresh']);
    }
    const contacts = catalog.find((s) => s.name === 'contacts')?.json_schema.properties as Record<
      string,
      Json
    >;
    // Typed custom attributes next to the raw object; timestamps are Unix seconds.
    expect(contacts.custom_seats?.type).toEqual(['null', 'integer']);
    expect(contacts.custom_lifetime_value?.type).toEqual(['null', 'number']);
    expect(contacts.custom_is_vip?.type).toEqual(['null', 'boolean']);
    expect(contacts.custom_trial_ends_at?.type).toEqual(['null', 'integer']);
    expect(contacts.updated_at?.type).toEqual(['null', 'integer']);
    expect(contacts.custom_attributes?.type).toContain('object');
    expect(contacts._synced_at).toBeUndefined();
    const conversations = catalog.find((s) => s.name === 'conversations')?.json_schema.properties as Json;
    expect(conversations._deleted_at).toEqual({ type: ['null', 'integer'], description: 'Unix seconds' });
    for (const stream of catalog) {
      // A strict copy: a record may carry nothing the catalog does not declare.
      schemaValidators.set(
        stream.name,
        newAjv().compile({ ...stream.json_schema, additionalProperties: false }),
      );
    }
  });
});

function configuredCatalog(streams: Array<{ name: string; mode?: 'full_refresh' | 'incremental' }>): Json {
  return {
    streams: streams.map(({ name, mode }) => {
      const stream = catalog.find((s) => s.name === name) as unknown as Json & {
        supported_sync_modes: string[];
      };
      const syncMode =
        mode ?? (stream.supported_sync_modes.includes('incremental') ? 'incremental' : 'full_refresh');
      return {
        stream,
        sync_mode: syncMode,
        destination_sync_mode: syncMode === 'incremental' ? 'append_dedup' : 'overwrite',
        ...(syncMode === 'incremental' ? { cursor_field: stream.default_cursor_field } : {}),
      };
    }),
  };
}

let full: Message[];
let allCatalogPath: string;
const ALL = STREAMS.map((s) => s.name);

describe('airbyte read', () => {
  it('reads every stream: records match the truth and their discovered schema, each STATE follows its records', async () => {
    allCatalogPath = await writeJson(
      'configured_catalog.json',
      configuredCatalog(ALL.map((name) => ({ name }))),
    );
    const { code, messages, stderr } = await run(
      'read',
      { config: configPath, catalog: allCatalogPath },
      EVERY_PAGE,
    );
    expect(code, JSON.stringify(errorsOf(messages))).toBe(0);
    expect(stderr).toEqual([]);
    full = messages;
    const records = recordsOf(messages);
    for (const record of records) {
      const validate = schemaValidators.get(record.stream) as ValidateFunction;
      expect(validate(record.data), `${record.stream}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(Number.isInteger(record.emitted_at)).toBe(true);
    }
    expect(await differences(records, ALL)).toEqual([]);
    expect(records.find((r) => r.stream === 'contacts')?.data.custom_seats).toBeTypeOf('number');

    for (const name of ALL) {
      const statuses = statusesOf(messages, name);
      expect(statuses[0], name).toBe('STARTED');
      expect(statuses.at(-1), name).toBe('COMPLETE');
      const positions = (type: string) =>
        messages
          .map((m, i) => ({ m, i }))
          .filter(({ m }) => m.type === type && JSON.stringify(m).includes(`"name":"${name}"`))
          .map(({ i }) => i);
      const complete = messages.findIndex(
        (m) => m.type === 'TRACE' && JSON.stringify(m).includes(`"name":"${name}"},"status":"COMPLETE"`),
      );
      const lastRecord = Math.max(
        -1,
        ...messages.map((m, i) => (m.type === 'RECORD' && (m.record as Json).stream === name ? i : -1)),
      );
      const states = positions('STATE');
      expect(states.length, name).toBeGreaterThan(0);
      expect(lastRecord).toBeLessThan(states.at(-1) as number);
      expect(states.at(-1) as number).toBeLessThan(complete);
    }
    // Checkpoints along the way, not only at the end.
    expect(ofType(messages, 'STATE').length).toBeGreaterThan(ALL.length * 2);
    const lastContacts = ofType(messages, 'STATE')
      .map((m) => (m.state as { stream: { stream_descriptor: { name: string }; stream_state: Json } }).stream)
      .filter((s) => s.stream_descriptor.name === 'contacts')
      .at(-1);
    expect(lastContacts?.stream_state.updated_at).toBeTypeOf('number');
  });

  it('resumes from any STATE it printed without losing a record', async () => {
    const stateIndexes = full.map((m, i) => (m.type === 'STATE' ? i : -1)).filter((i) => i >= 0);
    const picks = [
      ...new Set([0, 0.15, 0.35, 0.5, 0.65, 0.85, 1].map((f) => Math.round(f * (stateIndexes.length - 1)))),
    ].map((k) => stateIndexes[k] as number);
    for (const [n, position] of picks.entries()) {
      const prefix = full.slice(0, position + 1);
      // What the platform hands back: the STATE messages printed so far (the last per stream wins).
      const statePath = await writeJson(
        `state-${n}.json`,
        ofType(prefix, 'STATE').map((m) => m.state),
      );
      const resumed = await run('read', { config: configPath, catalog: allCatalogPath, state: statePath });
      expect(resumed.code, JSON.stringify(errorsOf(resumed.messages))).toBe(0);
      const union = [...recordsOf(prefix), ...recordsOf(resumed.messages)];
      expect(await differences(union, ALL), `resumed from message ${position}`).toEqual([]);
      if (position === stateIndexes.at(-1))
        // From the last state, incremental streams read only the settle window again.
        expect(recordsOf(resumed.messages).length).toBeLessThan(recordsOf(full).length / 2);
    }
  });

  it('a read stopped mid-way ends with a TRACE and INCOMPLETE streams; its last STATEs resume it', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    let states = 0;
    const io = {
      out: (line: string) => {
        lines.push(line);
        // Stop after the tenth STATE, as SIGTERM would.
        if (line.startsWith('{"type":"STATE"') && ++states === 10) controller.abort();
      },
      err: (line: string) => lines.push(line),
    };
    const code = await runAirbyte('read', { config: configPath, catalog: allCatalogPath }, io, {
      tuning: EVERY_PAGE,
      signal: controller.signal,
    });
    printed.push(...lines);
    expect(code).toBe(1);
    const stopped = parseMessages(lines);
    expect(errorsOf(stopped).map((e) => e.failure_type)).toContain('transient_error');
    expect(ALL.some((name) => statusesOf(stopped, name).at(-1) === 'INCOMPLETE')).toBe(true);
    for (const name of ALL) expect(['COMPLETE', 'INCOMPLETE']).toContain(statusesOf(stopped, name).at(-1));
    const statePath = await writeJson(
      'state-stopped.json',
      ofType(stopped, 'STATE').map((m) => m.state),
    );
    const resumed = await run('read', { config: configPath, catalog: allCatalogPath, state: statePath });
    expect(resumed.code).toBe(0);
    expect(await differences([...recordsOf(stopped), ...recordsOf(resumed.messages)], ALL)).toEqual([]);
  });

  it('counts the records each STATE covers (sourceStats.recordCount)', () => {
    const counts = new Map<string, number>();
    for (const m of full) {
      if (m.type === 'RECORD') {
        const stream = (m.record as RecordMessage).stream;
        counts.set(stream, (counts.get(stream) ?? 0) + 1);
      } else if (m.type === 'STATE') {
        const state = m.state as { stream: { stream_descriptor: { name: string } }; sourceStats: Json };
        const name = state.stream.stream_descriptor.name;
        expect(state.sourceStats.recordCount, name).toBe(counts.get(name) ?? 0);
        counts.set(name, 0);
      }
    }
  });

  it('accepts the legacy per-stream object and GLOBAL forms of the same state', async () => {
    const latest = new Map<string, Json>();
    for (const m of ofType(full, 'STATE')) {
      const s = (m.state as { stream: { stream_descriptor: { name: string }; stream_state: Json } }).stream;
      latest.set(s.stream_descriptor.name, s.stream_state);
    }
    const forms = {
      legacy: Object.fromEntries(latest),
      global: {
        type: 'GLOBAL',
        global: {
          stream_states: [...latest].map(([name, state]) => ({
            stream_descriptor: { name },
            stream_state: state,
          })),
        },
      },
    };
    const contactsCatalog = await writeJson('contacts.json', configuredCatalog([{ name: 'contacts' }]));
    for (const [form, state] of Object.entries(forms)) {
      const statePath = await writeJson(`state-${form}.json`, state);
      const resumed = await run('read', { config: configPath, catalog: contactsCatalog, state: statePath });
      expect(resumed.code).toBe(0);
      // Only the contacts of the last day (the window starts at the saved cursor's midnight).
      expect(recordsOf(resumed.messages).length, form).toBeLessThan(150);
    }
  });

  it('full_refresh ignores the state and reads everything again', async () => {
    const statePath = await writeJson(
      'state-full.json',
      ofType(full, 'STATE').map((m) => m.state),
    );
    const contactsFull = await writeJson(
      'contacts-full.json',
      configuredCatalog([{ name: 'contacts', mode: 'full_refresh' }]),
    );
    const { code, messages } = await run('read', {
      config: configPath,
      catalog: contactsFull,
      state: statePath,
    });
    expect(code).toBe(0);
    expect(recordsOf(messages).filter((r) => r.stream === 'contacts')).toHaveLength(150);
    expect(ofType(messages, 'STATE')).toHaveLength(1);
  });

  it('after changes and deletions, an incremental read brings the latest versions and tombstones', async () => {
    const statePath = await writeJson(
      'state-before-changes.json',
      ofType(full, 'STATE').map((m) => m.state),
    );
    sim.control.mutate({
      advance_seconds: 3600,
      delete: { conversations: 2 },
      update: { contacts: 4, conversations: 3, companies: 2, tickets: 2 },
      create: { contacts: 3, conversations: 2, conversation_parts: 6 },
    });
    const { code, messages } = await run('read', {
      config: configPath,
      catalog: allCatalogPath,
      state: statePath,
    });
    expect(code, JSON.stringify(errorsOf(messages))).toBe(0);
    const tombstones = recordsOf(messages).filter((r) => r.data._deleted_at != null);
    expect(tombstones.map((r) => r.stream)).toEqual(['conversations', 'conversations']);
    for (const t of tombstones) {
      expect(Object.keys(t.data).sort()).toEqual(['_deleted_at', 'id', 'updated_at', 'workspace_id']);
      expect(t.data.updated_at).toBe(t.data._deleted_at);
    }
    const union = [...recordsOf(full), ...recordsOf(messages)];
    expect(await differences(union, ALL)).toEqual([]);
    full = [...full, ...messages];
  });

  it('passes activity_logs_time_step through: shorter steps, more slices', async () => {
    const recent = new Date((sim.control.clock.now() - 10 * 86_400) * 1000)
      .toISOString()
      .replace('.000Z', 'Z');
    const logsCatalog = await writeJson('logs.json', configuredCatalog([{ name: 'activity_logs' }]));
    const requests = async (step: number) => {
      const path = await writeJson(`config-step-${step}.json`, {
        access_token: TOKEN,
        base_url: sim.url,
        start_date: recent,
        activity_logs_time_step: step,
      });
      sim.control.resetStats();
      const { code } = await run('read', { config: path, catalog: logsCatalog });
      expect(code).toBe(0);
      const stats = sim.control.stats() as { requests: Record<string, number> };
      return stats.requests['GET /admins/activity_logs'] ?? 0;
    };
    expect(await requests(30)).toBe(1);
    expect(await requests(1)).toBeGreaterThanOrEqual(8);
  });
});

describe('airbyte read failures', () => {
  it('a rejected token is a config_error TRACE, every stream INCOMPLETE, exit 1', async () => {
    const path = await writeJson('bad-token.json', { access_token: 'tok_revoked_77aa', base_url: sim.url });
    const { code, messages } = await run('read', { config: path, catalog: allCatalogPath });
    expect(code).toBe(1);
    expect(recordsOf(messages)).toEqual([]);
    expect(errorsOf(messages).map((e) => e.failure_type)).toEqual(['config_error']);
    for (const name of ALL) expect(statusesOf(messages, name)).toEqual(['STARTED', 'INCOMPLETE']);
  });

  it('catalog mistakes are config_errors before anything is read', async () => {
    const contacts = configuredCatalog([{ name: 'contacts' }]) as { streams: Json[] };
    const cases: Array<[unknown, RegExp]> = [
      [{ streams: [{ ...contacts.streams[0], stream: { name: 'emails' } }] }, /does not offer/],
      [{ streams: [{ ...contacts.streams[0], cursor_field: ['created_at'] }] }, /cursor of contacts/],
      [configuredCatalog([{ name: 'admins', mode: 'incremental' }]), /only full_refresh/],
      [{ streams: [] }, /no stream/],
      [{ nope: true }, /ConfiguredAirbyteCatalog/],
    ];
    for (const [configured, expected] of cases) {
      const path = await writeJson('bad-catalog.json', configured);
      const { code, messages } = await run('read', { config: configPath, catalog: path });
      expect(code).toBe(1);
      expect(errorsOf(messages)).toEqual([expect.objectContaining({ failure_type: 'config_error' })]);
      expect(errorsOf(messages)[0]?.message).toMatch(expected);
      expect(ofType(messages, 'RECORD')).toEqual([]);
    }
    const noCatalog = await run('read', { config: configPath });
    expect(errorsOf(noCatalog.messages)[0]?.message).toMatch(/--catalog/);
    const badState = await writeJson('bad-state.json', [{ type: 'STREAM', stream: {} }]);
    const withBadState = await run('read', { config: configPath, catalog: allCatalogPath, state: badState });
    expect(errorsOf(withBadState.messages)[0]).toMatchObject({ failure_type: 'config_error' });
  });

  it('a stream outside the workspace plan is skipped with a warning; the others complete', async () => {
    const restricted = await startSimulator({
      scale: 'tiny',
      seed: 5,
      token: TOKEN,
      restrictedRoutes: ['POST /tickets/search'],
    });
    try {
      const path = await writeJson('restricted.json', { access_token: TOKEN, base_url: restricted.url });
      const catalogPath = await writeJson(
        'tickets-admins.json',
        configuredCatalog([{ name: 'tickets' }, { name: 'admins' }]),
      );
      const { code, messages } = await run('read', { config: path, catalog: catalogPath });
      expect(code).toBe(0);
      expect(statusesOf(messages, 'tickets')).toEqual(['STARTED', 'COMPLETE']);
      expect(statusesOf(messages, 'admins').at(-1)).toBe('COMPLETE');
      const warnings = ofType(messages, 'LOG').map((m) => m.log as Json);
      expect(warnings.some((l) => l.level === 'WARN' && String(l.message).includes('tickets skipped'))).toBe(
        true,
      );
    } finally {
      await restricted.close();
    }
  });

  it('never printed the access token', () => {
    expect(printed.length).toBeGreaterThan(20);
    expect(printed.join('\n')).not.toContain(TOKEN);
  });
});
