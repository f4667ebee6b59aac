import { afterEach, describe, expect, it } from 'vitest';
import type { Row, TableSpec } from '../../src/destinations/destination.js';
import { createDuckDbHarness } from './duckdb-harness.js';

/**
 * Merge loads a batch whose columns need no converting straight into the table: the batch's keys
 * alone go through the landing table (to delete the rows they replace), then the Appender writes the
 * rows. These batches span several data chunks (2048 rows) and replace rows of earlier batches.
 */

const SPEC: TableSpec = {
  stream: 'people',
  table: 'people',
  columns: [
    { name: 'id', type: 'string' },
    { name: 'version', type: 'integer' },
    { name: 'seen_at', type: 'timestamp' },
    { name: 'tags', type: 'json' },
  ],
  primaryKey: ['id'],
};

function person(index: number, version: number): Row {
  return {
    id: `p${index}`,
    version,
    seen_at: new Date(Date.UTC(2024, 0, 1) + index * 1000 + version),
    tags: index % 4 === 0 ? null : [{ id: index, version }],
  };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('DuckDB merge straight into the table', () => {
  it('replaces earlier rows by key across chunks, last row of a key in a batch winning', async () => {
    const harness = await createDuckDbHarness();
    cleanup = harness.cleanup;
    const signal = new AbortController().signal;
    const { destination } = harness;
    await destination.open(signal);
    const writer = await destination.prepare(SPEC, 'merge', signal);

    await writer.commit(
      Array.from({ length: 5000 }, (_, index) => person(index, 1)),
      { batch: 1 },
      signal,
    );
    const second = Array.from({ length: 3000 }, (_, index) => person(2500 + index, 2));
    second.push(person(3000, 3), person(10, 3));
    await writer.commit(second, { batch: 2 }, signal);
    await writer.finish(undefined, signal);

    const rows = await harness.readRows('people');
    expect(rows).toHaveLength(5500);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const expectedVersion = (index: number) => (index === 3000 || index === 10 ? 3 : index >= 2500 ? 2 : 1);
    for (let index = 0; index < 5500; index++) {
      const version = expectedVersion(index);
      expect(byId.get(`p${index}`), `p${index}`).toEqual(person(index, version));
    }
  });
});
