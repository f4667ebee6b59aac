import { describe, expect, it } from 'vitest';
import { parseConfiguredCatalog } from '../../src/cli/airbyte/airbyte-catalog.js';
import { failureType } from '../../src/cli/airbyte/airbyte-command.js';
import { parseAirbyteState, stateBlob } from '../../src/cli/airbyte/airbyte-state.js';
import { MessageDestination, type MessageSink } from '../../src/cli/airbyte/message-destination.js';
import {
  columnSchema,
  printsDeletions,
  recordData,
  tombstones,
  unixSeconds,
} from '../../src/cli/airbyte/record-shape.js';
import { connectorDefinitions, parseSourceConfig } from '../../src/cli/airbyte/source-config.js';
import type { Row, TableSpec } from '../../src/destinations/destination.js';
import { ConfigurationError, FatalError, RetriableError } from '../../src/http/index.js';
import { findStream, type StreamDefinition } from '../../src/streams/index.js';

const find = (name: string) => findStream(name);
const contacts = findStream('contacts') as StreamDefinition;
const conversations = findStream('conversations') as StreamDefinition;
const parts = findStream('conversation_parts') as StreamDefinition;

describe('Airbyte state', () => {
  const stream = (name: string, stream_state: unknown) => ({
    type: 'STREAM',
    stream: { stream_descriptor: { name }, stream_state },
  });

  it('prints the cursor under the cursor field, in Unix seconds, with deleted_until', () => {
    expect(stateBlob(contacts, { cursor: 1_736_895_600 })).toEqual({ updated_at: 1_736_895_600 });
    expect(stateBlob(conversations, { cursor: 10, deleted_until: 20 })).toEqual({
      updated_at: 10,
      deleted_until: 20,
    });
    expect(stateBlob(findStream('admins'), undefined)).toEqual({});
  });

  it('reads back what it prints: an array of STATE messages, the last per stream winning', () => {
    const states = parseAirbyteState(
      [
        stream('contacts', { updated_at: 100 }),
        stream('conversations', { updated_at: 50, deleted_until: 40 }),
        stream('contacts', { updated_at: 200 }),
        stream('admins', {}),
        stream('not_a_stream', { updated_at: 1 }),
      ],
      find,
    );
    expect(Object.fromEntries(states)).toEqual({
      contacts: { cursor: 200 },
      conversations: { cursor: 50, deleted_until: 40 },
    });
  });

  it('reads whole STATE messages, GLOBAL, LEGACY and the legacy object, and ISO or engine cursors', () => {
    const expected = { contacts: { cursor: 1_704_067_200 } };
    const forms: unknown[] = [
      { type: 'STATE', state: stream('contacts', { updated_at: 1_704_067_200 }) },
      [{ type: 'STATE', state: stream('contacts', { updated_at: '2024-01-01T00:00:00Z' }) }],
      {
        type: 'GLOBAL',
        global: {
          shared_state: {},
          stream_states: [
            { stream_descriptor: { name: 'contacts' }, stream_state: { cursor: 1_704_067_200 } },
          ],
        },
      },
      { type: 'LEGACY', data: { contacts: { updated_at: '1704067200' } } },
      { contacts: { updated_at: 1_704_067_200 } },
      stream('contacts', { updated_at: 1_704_067_200 }),
    ];
    for (const form of forms)
      expect(Object.fromEntries(parseAirbyteState(form, find)), JSON.stringify(form)).toEqual(expected);
    expect(parseAirbyteState(undefined, find).size).toBe(0);
    expect(parseAirbyteState([], find).size).toBe(0);
  });

  it('rejects states it cannot read, as configuration errors', () => {
    expect(() => parseAirbyteState([{ type: 'STREAM', stream: {} }], find)).toThrow(ConfigurationError);
    expect(() => parseAirbyteState({ type: 'GLOBAL', global: {} }, find)).toThrow(/stream_states/);
    expect(() => parseAirbyteState({ type: 'WEIRD' }, find)).toThrow(/Unknown state type/);
    expect(() => parseAirbyteState([42], find)).toThrow(ConfigurationError);
  });
});

describe('configured catalog', () => {
  const entry = (name: string, extra: Record<string, unknown> = {}) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
    sync_mode: 'full_refresh',
    destination_sync_mode: 'overwrite',
    ...extra,
  });

  it('selects streams with their sync modes; the default cursor may be given or left out', () => {
    const selected = parseConfiguredCatalog(
      {
        streams: [
          entry('admins'),
          entry('contacts', { sync_mode: 'incremental', cursor_field: ['updated_at'] }),
          entry('conversation_parts', { sync_mode: 'incremental', cursor_field: [] }),
        ],
      },
      find,
    );
    expect(selected.map((s) => [s.def.name, s.syncMode])).toEqual([
      ['admins', 'full_refresh'],
      ['contacts', 'incremental'],
      ['conversation_parts', 'incremental'],
    ]);
  });

  it('refuses what the source cannot do, saying what to change', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ streams: [entry('emails')] }, /does not offer/],
      [{ streams: [entry('contacts'), entry('contacts')] }, /twice/],
      [{ streams: [entry('admins', { sync_mode: 'incremental' })] }, /only full_refresh/],
      [
        { streams: [entry('contacts', { sync_mode: 'incremental', cursor_field: ['created_at'] })] },
        /\["updated_at"\]/,
      ],
      [{ streams: [entry('contacts', { sync_mode: 'sometimes' })] }, /sync_mode/],
      [{ streams: [{ sync_mode: 'full_refresh' }] }, /a name/],
      [{ streams: [] }, /no stream/],
      [[], /ConfiguredAirbyteCatalog/],
    ];
    for (const [catalog, message] of cases) {
      expect(() => parseConfiguredCatalog(catalog, find), JSON.stringify(catalog)).toThrow(
        ConfigurationError,
      );
      expect(() => parseConfiguredCatalog(catalog, find)).toThrow(message);
    }
  });
});

describe('connector config', () => {
  it('reads Airbyte source-intercom configs, the credentials form and our own keys', () => {
    const config = parseSourceConfig({
      access_token: ' tok_abc123 ',
      client_id: 'cid_1234',
      client_secret: 'csecret_1',
      credentials: { client_id: 'short' },
      start_date: '2020-11-16T00:00:00Z',
      lookback_window: 7,
      activity_logs_time_step: 5,
      region: 'eu',
      api_version: '2.11',
      max_requests_per_minute: 600,
      base_url: 'http://127.0.0.1:9000/intercom',
      something_airbyte_adds: true,
    });
    expect(config).toMatchObject({
      accessToken: 'tok_abc123',
      region: 'eu',
      baseUrl: 'http://127.0.0.1:9000/intercom',
      startDate: Date.UTC(2020, 10, 16) / 1000,
      lookbackDays: 7,
      activityLogsStepDays: 5,
      apiVersion: '2.11',
      maxRequestsPerMinute: 600,
      timeoutMs: 30_000,
    });
    // Secrets are redacted from every line, records included: short ones (but the token) are not.
    expect(config.secrets.sort()).toEqual(['cid_1234', 'csecret_1', 'tok_abc123']);
    const nested = parseSourceConfig({
      credentials: {
        auth_type: 'oauth2.0',
        client_id: 'a1',
        client_secret: 'b2_long_secret',
        access_token: 'c3c3',
      },
    });
    expect(nested.accessToken).toBe('c3c3');
    expect(nested.secrets.sort()).toEqual(['b2_long_secret', 'c3c3']);
    expect(nested.activityLogsStepDays).toBe(30);
    expect(parseSourceConfig({ access_token: 'x', api_rate_limit: 9500 }).maxRequestsPerMinute).toBe(9500);
  });

  it('hands activity_logs_time_step to the engine as the activity_logs slice length', () => {
    const [logs] = connectorDefinitions(parseSourceConfig({ access_token: 'x', activity_logs_time_step: 3 }));
    expect(logs?.name).toBe('activity_logs');
    expect(logs?.source).toMatchObject({ kind: 'window', stepDays: 3 });
    // The registry's definition is left alone.
    expect(findStream('activity_logs')?.source).toMatchObject({ stepDays: 30 });
  });

  it('says what to fix, without echoing secrets', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /Set access_token/],
      [{ access_token: '   ' }, /Set access_token/],
      [{ access_token: 'x', credentials: 'nope' }, /credentials/],
      [{ credentials: { auth_type: 'basic', access_token: 'x' } }, /auth_type/],
      [{ access_token: 'x', region: 'mars' }, /us, eu or au/],
      [{ access_token: 'x', base_url: 'http://example.com' }, /https in base_url/],
      [{ access_token: 'x', base_url: 'not a url' }, /base_url/],
      [{ access_token: 'x', start_date: '01/02/2024' }, /start_date must be an ISO 8601 date/],
      [{ access_token: 'x', lookback_window: 1.5 }, /lookback_window/],
      [{ access_token: 'x', activity_logs_time_step: 0 }, /activity_logs_time_step/],
      [{ access_token: 'x', api_version: 'latest' }, /api_version/],
      [{ access_token: 'x', max_requests_per_minute: 1 }, /max_requests_per_minute/],
      [null, /JSON object/],
    ];
    for (const [config, message] of cases)
      expect(() => parseSourceConfig(config), JSON.stringify(config)).toThrow(message);
    try {
      parseSourceConfig({ access_token: 'tok_secret_zz', base_url: 'http://user:pw@example.com' });
    } catch (error) {
      expect((error as Error).message).not.toContain('pw');
    }
  });
});

describe('record shape', () => {
  const row: Row = {
    _synced_at: new Date('2026-01-14T12:00:00.123Z'),
    id: '1',
    updated_at: new Date('2024-01-01T00:00:00Z'),
    custom_trial_ends_at: new Date('2024-02-01T10:00:00.500Z'),
    seats: 3n,
    tags: { type: 'tag.list', tags: [] },
    email: null,
  };

  it('prints rows without _synced_at, timestamps in the protocol style', () => {
    expect(recordData(row, 'unix-seconds')).toEqual({
      id: '1',
      updated_at: 1_704_067_200,
      custom_trial_ends_at: 1_706_781_600,
      seats: 3,
      tags: { type: 'tag.list', tags: [] },
      email: null,
    });
    expect(recordData(row, 'iso-8601')).toMatchObject({
      updated_at: '2024-01-01T00:00:00Z',
      custom_trial_ends_at: '2024-02-01T10:00:00.500Z',
    });
  });

  it('prints a column named __proto__ as a field of the record, not as its prototype', () => {
    const row: Row = { id: 'c1' };
    Object.defineProperty(row, '__proto__', {
      value: { name: 'x' },
      writable: true,
      enumerable: true,
      configurable: true,
    });
    const data = recordData(row, 'iso-8601');
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(data))).toEqual(JSON.parse('{"id":"c1","__proto__":{"name":"x"}}'));
  });

  it('declares every column nullable, timestamps per style, JSON as any value', () => {
    expect(columnSchema('timestamp', 'unix-seconds')).toMatchObject({ type: ['null', 'integer'] });
    expect(columnSchema('timestamp', 'iso-8601')).toEqual({ type: ['null', 'string'], format: 'date-time' });
    expect(columnSchema('float', 'iso-8601')).toEqual({ type: ['null', 'number'] });
    expect(columnSchema('json', 'unix-seconds').type).toEqual(
      expect.arrayContaining(['null', 'object', 'array', 'string', 'number', 'boolean']),
    );
  });

  it('turns deletions into tombstones only where they name the whole primary key', () => {
    const at = new Date('2026-01-10T00:00:00Z');
    // The engine matches deletions within the workspace: { workspace_id, id } is the whole key.
    expect(tombstones(conversations, [{ match: { workspace_id: 'w', id: '512' }, at }])).toEqual([
      { workspace_id: 'w', id: '512', updated_at: at, _deleted_at: at },
    ]);
    expect(tombstones(parts, [{ match: { workspace_id: 'w', conversation_id: '512' }, at }])).toEqual([]);
    expect(printsDeletions(conversations)).toBe(true);
    expect(printsDeletions(parts)).toBe(false);
    expect(printsDeletions(contacts)).toBe(false);
  });

  it('reads seconds from numbers, numeric strings and ISO dates', () => {
    expect(unixSeconds(12.7)).toBe(12);
    expect(unixSeconds('1704067200')).toBe(1_704_067_200);
    expect(unixSeconds('2024-01-01T00:00:00Z')).toBe(1_704_067_200);
    expect(unixSeconds('soon')).toBeUndefined();
    expect(unixSeconds(null)).toBeUndefined();
  });
});

describe('MessageDestination', () => {
  it('prints a commit as records then state, deletions as tombstones, and the final state', async () => {
    const calls: string[] = [];
    const sink: MessageSink = {
      schema: (spec) => calls.push(`schema ${spec.stream}`),
      records: (spec, rows) => calls.push(`records ${spec.stream} ${rows.map((r) => r.id).join(',')}`),
      state: (stream, state, final) => calls.push(`state ${stream} ${JSON.stringify(state)} ${final}`),
    };
    const destination = new MessageDestination({
      description: 'test',
      sink,
      states: new Map([['conversations', { cursor: 5 }]]),
      definitions: find,
    });
    expect(Object.fromEntries(await destination.readState())).toEqual({ conversations: { cursor: 5 } });
    const spec: TableSpec = {
      stream: 'conversations',
      table: 'conversations',
      columns: [],
      primaryKey: ['id'],
    };
    const writer = await destination.prepare(spec, 'merge');
    await writer.commit([{ id: 'a' }, { id: 'b' }], { cursor: 10 });
    await writer.commit([], undefined);
    await writer.delete(
      [{ match: { workspace_id: 'w', id: 'c' }, at: new Date(0) }],
      { hard: false },
      { cursor: 10, deleted_until: 9 },
    );
    await writer.finish(undefined);
    expect(calls).toEqual([
      'schema conversations',
      'records conversations a,b',
      'state conversations {"cursor":10} false',
      'records conversations c',
      'state conversations {"cursor":10,"deleted_until":9} false',
      'state conversations undefined true',
    ]);
    const aborted = AbortSignal.abort(new Error('stop'));
    await expect(writer.commit([{ id: 'd' }], undefined, aborted)).rejects.toThrow('stop');
    expect(calls).toHaveLength(6);
  });
});

describe('failure types', () => {
  it('maps configuration, transient and other errors', () => {
    expect(failureType(new ConfigurationError('x'))).toBe('config_error');
    expect(failureType(new RetriableError('x'))).toBe('transient_error');
    expect(failureType(new FatalError('x'))).toBe('system_error');
    expect(failureType(new Error('x'))).toBe('system_error');
  });
});
