import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { latestViewSql } from '../../src/destinations/files/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { truth } from './simulator-client.js';

/** Runs queries against a DuckDB file (opened for the call, then closed) and returns plain rows. */
export async function queryDuckDb(path: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(sql);
      return reader
        .getRowObjectsJS()
        .map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
        );
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** What identifies a record of each stream, and which timestamp is compared. */
export const TRUTH_KEYS: Record<string, { key: string[]; time?: string }> = {
  admins: { key: ['id'] },
  teams: { key: ['id'] },
  tags: { key: ['id'] },
  segments: { key: ['id'], time: 'updated_at' },
  companies: { key: ['id'], time: 'updated_at' },
  company_segments: { key: ['company_id', 'id'], time: 'company_updated_at' },
  contacts: { key: ['id'], time: 'updated_at' },
  contact_tags: { key: ['contact_id', 'tag_id'], time: 'contact_updated_at' },
  contact_companies: { key: ['contact_id', 'company_id'], time: 'contact_updated_at' },
  company_tags: { key: ['company_id', 'tag_id'], time: 'company_updated_at' },
  conversation_tags: { key: ['conversation_id', 'tag_id'], time: 'conversation_updated_at' },
  conversation_contacts: { key: ['conversation_id', 'contact_id'], time: 'conversation_updated_at' },
  team_admins: { key: ['team_id', 'admin_id'] },
  users: { key: ['id'], time: 'updated_at' },
  leads: { key: ['id'], time: 'updated_at' },
  conversations: { key: ['id'], time: 'updated_at' },
  conversation_parts: { key: ['id'], time: 'updated_at' },
  tickets: { key: ['id'], time: 'updated_at' },
  articles: { key: ['id'], time: 'updated_at' },
  help_centers: { key: ['id'], time: 'updated_at' },
  help_center_collections: { key: ['id'], time: 'updated_at' },
  activity_logs: { key: ['id'], time: 'created_at' },
  contact_attributes: { key: ['model', 'name'] },
  company_attributes: { key: ['model', 'name'] },
  conversation_attributes: { key: ['model', 'name'] },
};

export interface StreamComparison {
  stream: string;
  expected: number;
  actual: number;
  /** In the truth, not in the table. */
  missing: string[];
  /** In the table, not in the truth. */
  extra: string[];
  /** Same key, different timestamp. */
  stale: string[];
  /** Keys present more than once in the table. */
  duplicated: string[];
}

/** Reads a table's key columns (as text) and cursor (as epoch seconds, aliased `t`), live rows only. */
export type RowReader = (
  table: string,
  key: string[],
  time: string | undefined,
) => Promise<Array<Record<string, unknown>>>;

/** The key columns as text and the cursor as epoch seconds `t`, as every reader selects them. */
function selectList(key: string[], time: string | undefined, epochOf: (column: string) => string): string {
  return [
    ...key.map((k) => `CAST("${k}" AS VARCHAR) AS "${k}"`),
    ...(time ? [`${epochOf(time)} AS t`] : []),
  ].join(', ');
}

/** `WHERE` for live rows: soft-deleted rows are history, not the workspace as it is now. */
function liveRows(hasDeletedAt: boolean, workspace: string | undefined, placeholder: string): string {
  const conditions = [
    ...(workspace === undefined ? [] : [`workspace_id = ${placeholder}`]),
    ...(hasDeletedAt ? ['"_deleted_at" IS NULL'] : []),
  ];
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}

/** Reads from a DuckDB file; with `workspace`, only that workspace's rows. */
export function duckDbReader(dbPath: string, schema = 'intercom', workspace?: string): RowReader {
  return async (table, key, time) => {
    const hasDeletedAt = await queryDuckDb(
      dbPath,
      `SELECT 1 FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${table}' AND column_name = '_deleted_at'`,
    );
    const where = liveRows(
      hasDeletedAt.length > 0,
      workspace,
      workspace === undefined ? '' : `'${workspace.replaceAll("'", "''")}'`,
    );
    return queryDuckDb(
      dbPath,
      `SELECT ${selectList(key, time, (c) => `epoch("${c}")`)} FROM "${schema}"."${table}"${where}`,
    );
  };
}

/** Reads the latest version of each record from a Parquet/JSONL lake (the documented view). */
export function filesReader(root: string): RowReader {
  return async (table, key, time) => {
    const instance = await DuckDBInstance.create(':memory:');
    try {
      const connection = await instance.connect();
      try {
        const view = await latestViewSql(root, table);
        const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM (${view})`);
        const hasDeletedAt = described.getRowObjectsJS().some((r) => r.column_name === '_deleted_at');
        const rows = await connection.runAndReadAll(
          `SELECT ${selectList(key, time, (c) => `epoch(CAST("${c}" AS TIMESTAMPTZ))`)} FROM (${view})${liveRows(hasDeletedAt, undefined, '')}`,
        );
        return rows.getRowObjectsJS();
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  };
}

/** Reads from a PostgreSQL schema; with `workspace`, only that workspace's rows. */
export function postgresReader(uri: string, schema: string, workspace?: string): RowReader {
  return async (table, key, time) => {
    const client = new pg.Client({ connectionString: uri });
    await client.connect();
    try {
      const columns = await client.query(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [schema, table],
      );
      const hasDeletedAt = columns.rows.some((r: { column_name: string }) => r.column_name === '_deleted_at');
      const result = await client.query(
        `SELECT ${selectList(key, time, (c) => `extract(epoch from "${c}")::float8`)} FROM "${schema}"."${table}"${liveRows(hasDeletedAt, workspace, '$1')}`,
        workspace === undefined ? [] : [workspace],
      );
      return result.rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  };
}

/**
 * Compares a synced table with the simulator's ground truth: same keys, same cursor values, no
 * duplicates. Conversation parts older than Intercom's 500-part cap are not expected (the API
 * cannot return them); rows marked `_deleted_at` are not counted as present.
 */
export async function compareWithTruth(
  sim: RunningSimulator,
  dbPath: string,
  stream: string,
  schema = 'intercom',
): Promise<StreamComparison> {
  return compareReaderWithTruth(sim, duckDbReader(dbPath, schema), stream);
}

export async function compareReaderWithTruth(
  sim: RunningSimulator,
  reader: RowReader,
  stream: string,
): Promise<StreamComparison> {
  const spec = TRUTH_KEYS[stream];
  if (!spec) throw new Error(`no comparison keys for ${stream}`);
  const expectedLines = (await truth(sim, stream)).filter((line) => line.beyond_api_cap !== true);
  const rows = await reader(stream, spec.key, spec.time);
  const keyOf = (r: Record<string, unknown>) => spec.key.map((k) => String(r[k])).join('|');
  const expected = new Map(
    expectedLines.map((l) => [keyOf(l), spec.time ? Number(l[spec.time]) : undefined]),
  );
  const actual = new Map<string, number | undefined>();
  const duplicated: string[] = [];
  for (const r of rows) {
    const k = keyOf(r);
    if (actual.has(k)) duplicated.push(k);
    actual.set(k, spec.time ? Number(r.t) : undefined);
  }
  const missing = [...expected.keys()].filter((k) => !actual.has(k));
  const extra = [...actual.keys()].filter((k) => !expected.has(k));
  const stale = [...expected.entries()]
    .filter(([k, t]) => actual.has(k) && t !== undefined && actual.get(k) !== t)
    .map(([k]) => k);
  return { stream, expected: expected.size, actual: rows.length, missing, extra, stale, duplicated };
}

/** A compact view of comparisons that failed, for assertion messages. */
export function mismatches(comparisons: StreamComparison[]): Array<Record<string, unknown>> {
  return comparisons
    .filter((c) => c.missing.length + c.extra.length + c.stale.length + c.duplicated.length > 0)
    .map((c) => ({
      stream: c.stream,
      expected: c.expected,
      actual: c.actual,
      missing: c.missing.slice(0, 5),
      missingCount: c.missing.length,
      extra: c.extra.slice(0, 5),
      extraCount: c.extra.length,
      stale: c.stale.slice(0, 5),
      staleCount: c.stale.length,
      duplicated: c.duplicated.slice(0, 5),
    }));
}
