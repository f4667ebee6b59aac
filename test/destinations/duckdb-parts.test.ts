import { describe, expect, it } from 'vitest';
import { widenColumnType } from '../../src/destinations/column-types.js';
import type { ColumnType } from '../../src/destinations/destination.js';
import { allocatePhysicalName, foldIdentifier } from '../../src/destinations/duckdb/catalog.js';
import { planColumns } from '../../src/destinations/duckdb/column-plan.js';
import { openError } from '../../src/destinations/duckdb/errors.js';
import { lastRowPerKey } from '../../src/destinations/duckdb/row-loader.js';
import { SerialQueue } from '../../src/destinations/duckdb/serial-queue.js';
import { quoteIdentifier, quoteLiteral } from '../../src/destinations/duckdb/sql.js';

describe('widenColumnType', () => {
  const cases: Array<[ColumnType, ColumnType, ColumnType]> = [
    ['integer', 'integer', 'integer'],
    ['integer', 'float', 'float'],
    ['float', 'integer', 'float'],
    ['integer', 'string', 'string'],
    ['boolean', 'integer', 'string'],
    ['timestamp', 'string', 'string'],
    ['json', 'integer', 'json'],
    ['string', 'json', 'json'],
  ];
  it.each(cases)('%s + %s → %s', (a, b, expected) => {
    expect(widenColumnType(a, b)).toBe(expected);
    expect(widenColumnType(b, a)).toBe(expected);
  });
});

describe('identifiers', () => {
  it('quotes and escapes', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(quoteIdentifier("x'; DROP TABLE t; --")).toBe('"x\'; DROP TABLE t; --"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });

  it('folds ASCII letters only, as DuckDB does', () => {
    expect(foldIdentifier('CamelCase')).toBe('camelcase');
    expect(foldIdentifier('Émoji')).toBe('Émoji');
  });

  it('allocates a free physical name', () => {
    expect(allocatePhysicalName('CamelCase', new Set())).toBe('CamelCase');
    expect(allocatePhysicalName('camelcase', new Set(['camelcase']))).toBe('camelcase_2');
    expect(allocatePhysicalName('camelcase', new Set(['camelcase', 'camelcase_2']))).toBe('camelcase_3');
  });
});

describe('planColumns', () => {
  it('adds, widens and keeps columns; never drops', () => {
    const plan = planColumns(
      [
        { physical: 'id', logical: 'id', dataType: 'BIGINT' },
        { physical: 'n', logical: 'n', dataType: 'BIGINT' },
        { physical: 'gone', logical: 'gone', dataType: 'VARCHAR' },
        { physical: 'odd', logical: 'odd', dataType: 'DECIMAL(18,3)' },
      ],
      [
        { name: 'id', type: 'integer' },
        { name: 'n', type: 'float' },
        { name: 'ID', type: 'string' },
        { name: 'odd', type: 'float' },
      ],
    );
    expect(plan.widened).toEqual([
      { physical: 'n', logical: 'n', from: 'integer', to: 'float' },
      { physical: 'odd', logical: 'odd', from: undefined, to: 'string' },
    ]);
    expect(plan.added).toEqual([
      { logical: 'ID', physical: 'ID_2', valueType: 'string', tableType: 'string' },
    ]);
    expect(plan.table.map((column) => [column.physical, column.sqlType])).toEqual([
      ['id', 'BIGINT'],
      ['n', 'DOUBLE'],
      ['gone', 'VARCHAR'],
      ['odd', 'VARCHAR'],
      ['ID_2', 'VARCHAR'],
    ]);
  });
});

describe('lastRowPerKey', () => {
  it('keeps the last row of each key, treating 1 and 1n alike', () => {
    const rows = [
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
      { id: 1n, v: 'c' },
    ];
    expect(lastRowPerKey(rows, ['id'])).toEqual([
      { id: 1n, v: 'c' },
      { id: 2, v: 'b' },
    ]);
  });

  it('compares composite keys column by column', () => {
    const rows = [
      { a: 'x\u0000', b: 'y', v: 1 },
      { a: 'x', b: '\u0000y', v: 2 },
      { a: 'x', b: '\u0000y', v: 3 },
    ];
    expect(lastRowPerKey(rows, ['a', 'b']).map((row) => row.v)).toEqual([1, 3]);
  });

  it('returns the batch itself when no key repeats', () => {
    const rows = [{ id: 1 }, { id: 2 }];
    expect(lastRowPerKey(rows, ['id'])).toBe(rows);
  });
});

describe('SerialQueue', () => {
  it('runs tasks one at a time, in order', async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      queue.run(task('a', 20)),
      queue.run(task('b', 1)),
      queue.run(task('c', 5)),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('drops a waiting task whose signal aborts, and goes on after a failure', async () => {
    const queue = new SerialQueue();
    let release!: () => void;
    const blocker = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    let ran = false;
    const dropped = queue.run(async () => {
      ran = true;
    }, controller.signal);
    const failing = queue.run(async () => {
      throw new Error('boom');
    });
    const after = queue.run(async () => 'after');
    controller.abort(new Error('cancelled'));
    await expect(dropped).rejects.toThrow('cancelled');
    release();
    await blocker;
    await expect(failing).rejects.toThrow('boom');
    expect(await after).toBe('after');
    expect(ran).toBe(false);
  });
});

describe('openError', () => {
  it('explains a lock held by another process', () => {
    const error = openError(
      new Error(
        'IO Error: Could not set lock on file "/d/x.duckdb": Conflicting lock is held in /usr/bin/node (PID 42). See also https://duckdb.org/docs/stable/connect/concurrency',
      ),
      '/d/x.duckdb',
      'duckdb:///d/x.duckdb',
    );
    expect(error.message).toBe(
      'Cannot open DuckDB file /d/x.duckdb: it is locked by another process (PID 42, /usr/bin/node). Stop that process or use another file.',
    );
  });
});
