import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/destinations/destination.js';
import { encodeDeletions } from '../../src/destinations/files/deletions.js';
import { FileIoError } from '../../src/destinations/files/errors.js';
import { jsonEncoder } from '../../src/destinations/files/jsonl-format.js';
import { buildLatestViewSql } from '../../src/destinations/files/latest-view.js';
import {
  batchFileName,
  batchOfFileName,
  createRunLabel,
  tableFolderName,
} from '../../src/destinations/files/layout.js';
import { evolveColumns, parseManifest, type TableManifest } from '../../src/destinations/files/manifest.js';

describe('layout names', () => {
  it('encodes table folder names so that no two tables share a folder and no glob misreads one', () => {
    expect(tableFolderName('contacts')).toBe('contacts');
    expect(tableFolderName('名前 émoji_🙂')).toBe('名前 émoji_🙂');
    expect(tableFolderName("x'; DROP TABLE t; --")).toBe("x'; DROP TABLE t; --");
    expect(tableFolderName('a/b\\c')).toBe('a%2Fb%5Cc');
    expect(tableFolderName('100%')).toBe('100%25');
    expect(tableFolderName('a%2Fb')).toBe('a%252Fb');
    expect(tableFolderName('*?[]{}')).toBe('%2A%3F%5B%5D%7B%7D');
    expect(tableFolderName('..')).toBe('%2E.');
    expect(tableFolderName('.hidden')).toBe('%2Ehidden');
    expect(tableFolderName('tab\there')).toBe('tab%09here');
    expect(tableFolderName('a"b')).toBe('a%22b');
  });

  it('names batch files so that they sort by batch', () => {
    const run = createRunLabel(new Date('2026-01-02T03:04:05.678Z'));
    expect(run.label).toMatch(/^20260102T030405Z-[0-9a-f]{8}$/);
    const name = batchFileName(42, run, '.parquet');
    expect(name).toBe(`000000000042-${run.label}.parquet`);
    expect(batchOfFileName(name)).toBe(42);
    expect(batchOfFileName('_schema.json')).toBeUndefined();
    expect(batchFileName(9, run, '.x') < batchFileName(10, run, '.x')).toBe(true);
  });
});

describe('evolveColumns', () => {
  const spec = (columns: Record<string, ColumnType>) =>
    Object.entries(columns).map(([name, type]) => ({ name, type }));

  it('adds columns, widens types recording the era, never drops; undefined when nothing changes', () => {
    const v1 = evolveColumns([], spec({ id: 'integer', t: 'timestamp', n: 'integer' }), 1);
    expect(v1).toEqual([
      { name: 'id', physical: 'id', type: 'integer' },
      { name: 't', physical: 't', type: 'timestamp' },
      { name: 'n', physical: 'n', type: 'integer' },
    ]);
    const existing = v1 ?? [];
    expect(evolveColumns(existing, spec({ id: 'integer', n: 'integer' }), 5)).toBeUndefined();
    const v2 = evolveColumns(existing, spec({ n: 'float', t: 'string', x: 'json' }), 5);
    expect(v2).toEqual([
      { name: 'id', physical: 'id', type: 'integer' },
      { name: 't', physical: 't', type: 'string', eras: [{ type: 'timestamp', before: 5 }] },
      { name: 'n', physical: 'n', type: 'float', eras: [{ type: 'integer', before: 5 }] },
      { name: 'x', physical: 'x', type: 'json' },
    ]);
    // Narrower again: nothing to do.
    expect(evolveColumns(v2 ?? [], spec({ n: 'integer', t: 'timestamp' }), 9)).toBeUndefined();
    expect(existing[1]).toEqual({ name: 't', physical: 't', type: 'timestamp' });
  });

  it('gives a column colliding case-insensitively (with another or with _sync_batch) a suffixed physical name', () => {
    expect(
      evolveColumns([], spec({ CamelCase: 'string', camelcase: 'string', _SYNC_BATCH: 'integer' }), 1),
    ).toEqual([
      { name: 'CamelCase', physical: 'CamelCase', type: 'string' },
      { name: 'camelcase', physical: 'camelcase_2', type: 'string' },
      { name: '_SYNC_BATCH', physical: '_SYNC_BATCH_2', type: 'integer' },
    ]);
  });
});

describe('jsonEncoder', () => {
  it('writes each type as its natural JSON, and widened values as the DuckDB destination converts them', () => {
    expect(jsonEncoder('integer', 'integer')(2n ** 62n)).toBe('4611686018427387904');
    expect(jsonEncoder('float', 'float')(Number.NaN)).toBe('"NaN"');
    expect(jsonEncoder('float', 'float')(-1.5e-300)).toBe('-1.5e-300');
    expect(jsonEncoder('timestamp', 'timestamp')(new Date(-1))).toBe('"1969-12-31T23:59:59.999Z"');
    expect(jsonEncoder('integer', 'float')(3)).toBe('3');
    expect(jsonEncoder('integer', 'string')(42)).toBe('"42"');
    expect(jsonEncoder('boolean', 'string')(true)).toBe('"true"');
    expect(jsonEncoder('timestamp', 'string')(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
    expect(jsonEncoder('string', 'json')('plain')).toBe('"plain"');
    expect(jsonEncoder('json', 'json')({ a: [1, null] })).toBe('{"a":[1,null]}');
  });

  it('refuses values that do not fit the column', () => {
    expect(() => jsonEncoder('timestamp', 'timestamp')(new Date(Number.NaN))).toThrow(/Invalid Date/);
    expect(() => jsonEncoder('integer', 'integer')(2n ** 63n)).toThrow(/does not fit in a 64-bit BIGINT/);
    expect(() => jsonEncoder('integer', 'integer')(1.5)).toThrow(/expected a integer value, got number 1.5/);
    expect(() => jsonEncoder('string', 'string')(1)).toThrow(/expected a string value/);
    expect(() => jsonEncoder('json', 'json')(undefined)).toThrow(/expected a json value/);
  });
});

const manifest: TableManifest = {
  version: 1,
  table: 'parts',
  format: 'parquet',
  mode: 'merge',
  primaryKey: ['id'],
  columns: [
    { name: 'id', physical: 'id', type: 'string' },
    { name: 'conversation_id', physical: 'conversation_id', type: 'string' },
    { name: 'n', physical: 'n', type: 'integer' },
    { name: '_deleted_at', physical: '_deleted_at', type: 'timestamp' },
  ],
  deletions: [],
};

describe('encodeDeletions', () => {
  const at = new Date('2026-01-01T00:00:00.000Z');

  it('orders the matched columns as the table does and writes values as text', () => {
    expect(encodeDeletions([{ match: { n: 7, conversation_id: 'x' }, at }], manifest, true)).toEqual([
      {
        keys: '["conversation_id","n"]',
        key: { columns: ['conversation_id', 'n'], hard: true },
        values: ['x', '7'],
        at,
      },
    ]);
    expect(encodeDeletions([{ match: { n: null }, at }], manifest, false)[0]?.values).toEqual([null]);
  });

  it('refuses unknown columns, empty matches, values of another type and invalid dates', () => {
    expect(() => encodeDeletions([{ match: { nope: 1 }, at }], manifest, true)).toThrow(/no such column/);
    expect(() => encodeDeletions([{ match: {}, at }], manifest, true)).toThrow(/names no column/);
    expect(() => encodeDeletions([{ match: { n: 'seven' }, at }], manifest, true)).toThrow(
      /not a integer value/,
    );
    expect(() => encodeDeletions([{ match: { id: '1' }, at: new Date(Number.NaN) }], manifest, true)).toThrow(
      /valid `at`/,
    );
  });
});

describe('buildLatestViewSql', () => {
  it('keeps every row of a non-merge table and the last row per key of a merge table', () => {
    const merge = buildLatestViewSql('/lake/parts/current', manifest);
    expect(merge).toContain("read_parquet('/lake/parts/current/*.parquet', union_by_name = true)");
    expect(merge).toContain('QUALIFY row_number() OVER (PARTITION BY "id" ORDER BY "_sync_batch" DESC) = 1');
    expect(merge).not.toContain('"deletions"');
    const append = buildLatestViewSql('/lake/parts/current', {
      ...manifest,
      mode: 'append',
      format: 'jsonl',
    });
    expect(append).not.toContain('QUALIFY');
    expect(append).toContain("read_json('/lake/parts/current/*.jsonl*', format = 'newline_delimited'");
    expect(append).toContain("'n': 'BIGINT'");
  });

  it('applies hard deletions through the last one per key, soft ones through the next one (ASOF)', () => {
    const sql = buildLatestViewSql("/lake/it's/current", {
      ...manifest,
      deletions: [
        { columns: ['conversation_id'], hard: true },
        { columns: ['id'], hard: false },
      ],
    });
    expect(sql).toContain("read_json('/lake/it''s/current/_deletions/*.jsonl'");
    expect(sql).toContain(
      'h0 AS (SELECT CAST(d."values"[1] AS VARCHAR) AS "k1", max(d."_sync_batch") AS "b" FROM read_json(',
    );
    expect(sql).toContain('AS d WHERE d."hard" AND d."keys" = \'["conversation_id"]\' GROUP BY ALL)');
    expect(sql).toContain('LEFT JOIN h0 ON r."conversation_id" IS NOT DISTINCT FROM h0."k1"');
    expect(sql).toContain('WHERE (h0."b" IS NULL OR h0."b" < r."_sync_batch")');
    expect(sql).toContain(
      'ASOF LEFT JOIN s0 ON r."id" IS NOT DISTINCT FROM s0."k1" AND s0."b" > r."_sync_batch"',
    );
    expect(sql).toContain('COALESCE(r."_deleted_at", s0."at") AS "_deleted_at"');
  });

  it('refuses a folder with glob characters and a key that is not a column', () => {
    expect(() => buildLatestViewSql('/lake[1]/t/current', manifest)).toThrow(/glob/);
    expect(() => buildLatestViewSql('/lake/t/current', manifest, ['nope'])).toThrow(/no column "nope"/);
  });
});

describe('parseManifest and FileIoError', () => {
  it('reads back what it writes and says what is wrong otherwise', () => {
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
    expect(() => parseManifest('{"version":2}')).toThrow(/unknown manifest version 2/);
    expect(() => parseManifest(JSON.stringify({ ...manifest, columns: [{ name: 'x' }] }))).toThrow(
      /malformed columns/,
    );
  });

  it('says why a path could not be written, in one sentence', () => {
    const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code });
    expect(new FileIoError('write', '/lake/t/x.parquet', errno('ENOSPC')).message).toBe(
      'cannot write /lake/t/x.parquet: no space left on device (the disk is full)',
    );
    expect(new FileIoError('write', '/lake/t/x.parquet', errno('EROFS')).message).toBe(
      'cannot write /lake/t/x.parquet: the file system is read-only',
    );
    expect(
      new FileIoError(
        'write',
        '/lake/t/x.parquet',
        new Error('IO Error: Could not write file "x": Permission denied'),
      ).message,
    ).toBe('cannot write /lake/t/x.parquet: permission denied (the folder is read-only)');
    expect(new FileIoError('write', '/x', new Error('IO Error: No space left on device')).code).toBe(
      'ENOSPC',
    );
  });
});
