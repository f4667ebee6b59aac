import type { ColumnType } from './destination.js';

const NUMERIC: ReadonlySet<ColumnType> = new Set<ColumnType>(['integer', 'float']);

/**
 * The narrowest logical type that holds values of both `a` and `b`, following the rule in
 * `Destination.prepare`: integer+float → float; json with anything → json; any other mix → string.
 * Shared by every destination so that they all evolve a table the same way.
 */
export function widenColumnType(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  if (NUMERIC.has(a) && NUMERIC.has(b)) return 'float';
  if (a === 'json' || b === 'json') return 'json';
  return 'string';
}
