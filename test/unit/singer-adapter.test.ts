import { describe, expect, it } from 'vitest';
import { parseSingerCatalog, singerCatalogEntry, singerSchema } from '../../src/cli/singer/singer-catalog.js';
import { bookmarkOf, parseSingerState } from '../../src/cli/singer/singer-state.js';
import type { TableSpec } from '../../src/destinations/destination.js';
import { RowShaper } from '../../src/engine/schema.js';
import { ConfigurationError } from '../../src/http/index.js';
import { findStream, type StreamDefinition } from '../../src/streams/index.js';

const find = (name: string) => findStream(name);
const contacts = findStream('contacts') as StreamDefinition;
const admins = findStream('admins') as StreamDefinition;
const specOf = (def: StreamDefinition): TableSpec =>
  new RowShaper(def, [{ name: 'seats', dataType: 'integer' }]).spec();

describe('Singer catalog', () => {
  it('describes a stream with breadcrumb metadata: selection, replication method and keys', () => {
    const entry = singerCatalogEntry(contacts, specOf(contacts), true) as {
      metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
      schema: { properties: Record<string, unknown> };
    };
    expect(entry).toMatchObject({
      tap_stream_id: 'contacts',
      stream: 'contacts',
      key_properties: ['workspace_id', 'id'],
      replication_key: 'updated_at',
      replication_method: 'INCREMENTAL',
    });
    expect(entry.metadata[0]).toEqual({
      breadcrumb: [],
      metadata: {
        inclusion: 'available',
        selected: true,
        'selected-by-default': true,
        'table-key-properties': ['workspace_id', 'id'],
        'valid-replication-keys': ['updated_at'],
        'replication-method': 'INCREMENTAL',
        'replication-key': 'updated_at',
      },
    });
    const inclusion = Object.fromEntries(
      entry.metadata.slice(1).map((m) => [m.breadcrumb[1], m.metadata.inclusion]),
    );
    expect(inclusion).toMatchObject({ id: 'automatic', updated_at: 'automatic', email: 'available' });
    expect(entry.schema.properties.custom_seats).toEqual({ type: ['null', 'integer'] });
    expect(entry.schema.properties.updated_at).toEqual({ type: ['null', 'string'], format: 'date-time' });
    expect(entry.schema.properties._synced_at).toBeUndefined();

    const fullTable = singerCatalogEntry(admins, specOf(admins), false) as {
      metadata: Array<{ metadata: Record<string, unknown> }>;
    };
    expect(fullTable.metadata[0]?.metadata).toMatchObject({
      selected: false,
      'replication-method': 'FULL_TABLE',
      'forced-replication-method': 'FULL_TABLE',
      'valid-replication-keys': [],
    });
  });

  const catalog = (streams: unknown[]) => ({ streams });
  const stream = (id: string, top: Record<string, unknown>, properties: Record<string, unknown> = {}) => ({
    tap_stream_id: id,
    metadata: [
      { breadcrumb: [], metadata: top },
      ...Object.entries(properties).map(([name, metadata]) => ({
        breadcrumb: ['properties', name],
        metadata,
      })),
    ],
  });

  it('honours selected, replication-method and deselected properties (never the keys)', () => {
    const warnings: string[] = [];
    const selected = parseSingerCatalog(
      catalog([
        stream(
          'contacts',
          { selected: true },
          { email: { selected: false }, id: { selected: false }, phone: {} },
        ),
        stream('companies', { selected: true, 'replication-method': 'FULL_TABLE' }),
        stream('admins', { selected: true, 'replication-method': 'INCREMENTAL' }),
        stream('tickets', { selected: false }),
        stream('tags', {}),
        { tap_stream_id: 'teams', selected: true },
      ]),
      find,
      (m) => warnings.push(m),
    );
    expect(selected.map((s) => [s.def.name, s.method, [...s.excluded]])).toEqual([
      ['contacts', 'INCREMENTAL', ['email']],
      ['companies', 'FULL_TABLE', []],
      ['admins', 'FULL_TABLE', []],
      ['teams', 'FULL_TABLE', []],
    ]);
    expect(warnings).toEqual(['admins has no replication key; it is replicated FULL_TABLE.']);
    expect(singerSchema(specOf(contacts), new Set(['email'])).properties).not.toHaveProperty('email');
  });

  it('refuses what it cannot honour', () => {
    const cases: Array<[unknown, RegExp]> = [
      [catalog([stream('emails', { selected: true })]), /does not offer/],
      [
        catalog([stream('contacts', { selected: true, 'replication-method': 'LOG_BASED' })]),
        /INCREMENTAL or FULL_TABLE/,
      ],
      [
        catalog([stream('contacts', { selected: true, 'replication-key': 'created_at' })]),
        /replication key of contacts is updated_at/,
      ],
      [catalog([stream('contacts', { selected: true }), stream('contacts', { selected: true })]), /twice/],
      [catalog([{ metadata: [] }]), /tap_stream_id/],
      [{ streams: 'all' }, /Singer catalog/],
    ];
    for (const [raw, message] of cases) {
      expect(() => parseSingerCatalog(raw, find, () => undefined)).toThrow(ConfigurationError);
      expect(() => parseSingerCatalog(raw, find, () => undefined)).toThrow(message);
    }
  });
});

describe('Singer state', () => {
  it('bookmarks the replication key value in the records format', () => {
    expect(bookmarkOf(contacts, { cursor: 1_704_067_200 })).toEqual({
      replication_key: 'updated_at',
      replication_key_value: '2024-01-01T00:00:00Z',
    });
    expect(
      bookmarkOf(findStream('conversations') as StreamDefinition, { cursor: 0, deleted_until: 60 }),
    ).toEqual({
      replication_key: 'updated_at',
      replication_key_value: '1970-01-01T00:00:00Z',
      deleted_until: '1970-01-01T00:01:00Z',
    });
  });

  it('reads back its bookmarks, a STATE message, Meltano state, and keeps what it does not know', () => {
    const value = {
      bookmarks: {
        contacts: { replication_key: 'updated_at', replication_key_value: '2024-01-01T00:00:00Z' },
        conversations: { updated_at: 1_704_067_200, deleted_until: '2024-01-01T00:00:00Z' },
        someone_elses: { x: 1 },
      },
      currently_syncing: null,
    };
    const expected = {
      contacts: { cursor: 1_704_067_200 },
      conversations: { cursor: 1_704_067_200, deleted_until: 1_704_067_200 },
    };
    for (const raw of [value, { type: 'STATE', value }, { singer_state: value }]) {
      const parsed = parseSingerState(raw, find);
      expect(Object.fromEntries(parsed.states)).toEqual(expected);
      expect(parsed.value.bookmarks.someone_elses).toEqual({ x: 1 });
      expect(parsed.value.currently_syncing).toBeNull();
    }
    expect(parseSingerState(undefined, find).value).toEqual({ bookmarks: {} });
    expect(() => parseSingerState([], find)).toThrow(/JSON object/);
    expect(() => parseSingerState({ bookmarks: [] }, find)).toThrow(/bookmarks/);
  });
});
