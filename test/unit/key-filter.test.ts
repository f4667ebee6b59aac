import { describe, expect, it } from 'vitest';
import { FreshKeys, KeyFilter } from '../../src/destinations/duckdb/key-filter.js';
import { rowKey } from '../../src/destinations/duckdb/row-loader.js';

describe('KeyFilter', () => {
  it('never says "certainly not" for a key it holds, across many layers', () => {
    const filter = new KeyFilter();
    for (let index = 0; index < 300_000; index++) filter.add(`contact-${index}`);
    expect(filter.size).toBe(300_000);
    for (let index = 0; index < 300_000; index++) {
      if (!filter.mightContain(`contact-${index}`)) throw new Error(`lost contact-${index}`);
    }
  });

  it('rarely says "maybe" for a key it does not hold, and stays about 4 bytes a key', () => {
    const filter = new KeyFilter();
    for (let index = 0; index < 200_000; index++) filter.add(`p${index}`);
    let maybes = 0;
    for (let index = 200_000; index < 1_200_000; index++) if (filter.mightContain(`p${index}`)) maybes++;
    // Designed for about one in a million per layer; a million probes over a handful of layers.
    expect(maybes).toBeLessThan(20);
    expect(filter.bytes / filter.size).toBeLessThan(8);
  });

  it('says "certainly not" when empty', () => {
    expect(new KeyFilter().mightContain('')).toBe(false);
  });
});

describe('rowKey', () => {
  it('tells kinds apart and treats 1 and 1n, and equal instants, alike', () => {
    expect(rowKey({ id: 1 }, ['id'])).toBe(rowKey({ id: 1n }, ['id']));
    expect(rowKey({ id: 1 }, ['id'])).not.toBe(rowKey({ id: '1' }, ['id']));
    expect(rowKey({ id: null }, ['id'])).toBe(rowKey({}, ['id']));
    expect(rowKey({ id: null }, ['id'])).not.toBe(rowKey({ id: 'n' }, ['id']));
    expect(rowKey({ at: new Date(5) }, ['at'])).toBe(rowKey({ at: new Date(5) }, ['at']));
    expect(rowKey({ w: 'a', id: 'b' }, ['w', 'id'])).not.toBe(rowKey({ w: 'ab', id: '' }, ['w', 'id']));
  });

  it('over several columns, is equal exactly when every part is, whatever the parts hold', () => {
    // Parts that look like the length prefixes and separators, numbers beside strings, nulls.
    const values: unknown[] = ['', ':', '1:', '7:string:', 'string:1', '1', 1, 12, '12', null, 'a:b', '0:'];
    const columns = ['a', 'b', 'c'];
    const seen = new Map<string, string>();
    for (const a of values)
      for (const b of values)
        for (const c of values) {
          const row = { a, b, c };
          const key = rowKey(row, columns);
          const identity = JSON.stringify([a, b, c].map((v) => [typeof v, v]));
          const earlier = seen.get(key);
          if (earlier !== undefined && earlier !== identity)
            throw new Error(`${earlier} and ${identity} collide`);
          seen.set(key, identity);
        }
    expect(seen.size).toBe(values.length ** 3);
    expect(rowKey({ a: 1, b: 'x' }, ['a', 'b'])).toBe(rowKey({ a: 1n, b: 'x' }, ['a', 'b']));
  });
});

describe('FreshKeys', () => {
  it('answers "none stored" only for keys it never admitted', () => {
    const keys = new FreshKeys();
    expect(keys.admitRows(['a', 'b'])).toBe(true);
    expect(keys.admitRows(['c'])).toBe(true);
    expect(keys.admitRows(['c', 'd'])).toBe(false);
    // d was recorded even though the batch as a whole was not fresh.
    expect(keys.admitRows(['d'])).toBe(false);
    expect(keys.admitParents(['a'])).toBe(true);
    expect(keys.admitParents(['a'])).toBe(false);
  });

  it('stops following parents once rows arrive outside a link replacement', () => {
    const keys = new FreshKeys();
    expect(keys.admitParents(['x'])).toBe(true);
    keys.forgetParents();
    expect(keys.admitParents(['y'])).toBe(false);
    expect(keys.admitRows(['y'])).toBe(true);
  });

  it('answers "maybe" for everything once disabled', () => {
    const keys = new FreshKeys();
    keys.disable();
    expect(keys.admitRows(['new'])).toBe(false);
    expect(keys.admitParents(['new'])).toBe(false);
  });
});

describe('FreshKeys.noteParents', () => {
  it('remembers parents without answering for them', () => {
    const keys = new FreshKeys();
    keys.noteParents(['p']);
    expect(keys.admitParents(['p'])).toBe(false);
    expect(keys.admitParents(['q'])).toBe(true);
  });
});
