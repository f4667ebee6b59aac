/**
 * Applies the Fivetran layout: the tables dbt_intercom reads (see `tables.ts`), derived from the
 * stream tables after a sync's streams have committed, one transaction per layout table.
 *
 * How history versions are derived (`*_history` tables, slowly changing dimensions type 2):
 *
 * - A record's version is its `updated_at` (for link tables: the parent's `updated_at`, e.g.
 *   `contact_updated_at`). `_fivetran_start` is that time, so a version's bounds come from the
 *   data, not from when the sync ran: two warehouses synced from the same workspace (or one synced
 *   again after a crash) hold the same history.
 * - When the stream table holds a newer `updated_at` than the record's active version, that
 *   version is closed (`_fivetran_active` false, `_fivetran_end` one millisecond before the new
 *   version's start) and the new one inserted, active, with `_fivetran_end` 9999-12-31 23:59:59.999
 *   as Fivetran writes it.
 * - A record gone from the stream table (hard deleted) or soft deleted (`_deleted_at`) is closed at
 *   its `_deleted_at`, or else at the time of this application. A link gone from its parent's set
 *   is closed one millisecond before the parent's new `updated_at`.
 * - The active version of a record read again with the same `updated_at` takes the new values.
 *
 * Limits: history only knows what syncs saw. Two changes of a record between two syncs yield one
 * version (the later); a change Intercom makes without moving `updated_at` updates the active
 * version in place; an older `updated_at` than the active version's is ignored. Non-history
 * tables (admin, tag, team, team_admin) keep one row per record, with `_fivetran_deleted`.
 *
 * Every statement reads the stream tables and the layout table as they are and leaves the layout
 * table consistent with them, so a crash at any point (before, between or inside the per-table
 * transactions) and a rerun converge to the same result.
 */
import type { ColumnType } from '../../destination.js';
import type {
  ApplyLayoutOptions,
  LayoutCatalogTable,
  LayoutReport,
  LayoutTableReport,
  LayoutTransaction,
  LayoutTransactionRunner,
} from '../layout.js';
import {
  ACTIVE_END,
  FIVETRAN_ACTIVE,
  FIVETRAN_DELETED,
  FIVETRAN_END,
  FIVETRAN_START,
  FIVETRAN_SYNCED,
  FIVETRAN_TABLES,
  type LayoutColumn,
  type LayoutTableDefinition,
  layoutColumns,
} from './tables.js';

const SYNCED_AT = '_synced_at';
const DELETED_AT = '_deleted_at';
const CUSTOM_PREFIX = 'custom_';
/** A JSON number as text (both databases' `~` is a regular-expression match). */
const NUMBER_PATTERN = '^-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$';
/** PostgreSQL keeps identifiers of at most 63 bytes whole. */
const MAX_CUSTOM_NAME_BYTES = 63;

export async function applyFivetranLayout(
  run: LayoutTransactionRunner,
  options: ApplyLayoutOptions = {},
): Promise<LayoutReport> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const tables: LayoutTableReport[] = [];
  for (const definition of FIVETRAN_TABLES) {
    options.signal?.throwIfAborted();
    tables.push(await run((transaction) => applyTable(transaction, definition, now), options.signal));
  }
  return { layout: 'fivetran', tables, durationMs: Date.now() - started };
}

/** A column of the stream table, by logical name: its physical name and type. */
type SourceColumns = Map<string, { physical: string; type: ColumnType | undefined }>;

function columnsOf(table: LayoutCatalogTable | undefined): SourceColumns {
  return new Map((table?.columns ?? []).map((c) => [c.logical, { physical: c.physical, type: c.type }]));
}

async function applyTable(
  tx: LayoutTransaction,
  definition: LayoutTableDefinition,
  now: Date,
): Promise<LayoutTableReport> {
  const source = await tx.table(definition.from);
  const sourceColumns = columnsOf(source);
  const custom = definition.custom
    ? [...sourceColumns]
        // Names PostgreSQL would cut at 63 bytes are left to the stream table (its JSON keeps them).
        .filter(
          ([name]) =>
            name.startsWith(CUSTOM_PREFIX) &&
            name !== 'custom_attributes' &&
            Buffer.byteLength(name, 'utf8') <= MAX_CUSTOM_NAME_BYTES,
        )
        .map(([name, c]) => ({ name, type: c.type ?? ('string' as ColumnType) }))
    : [];
  const wanted = [...layoutColumns(definition), ...custom];
  const target = await ensureTable(tx, definition.name, wanted);
  const report: LayoutTableReport = { table: definition.name, inserted: 0, closed: 0, sourced: false };
  if (source === undefined) return report;
  report.sourced = true;

  const parent = definition.parent === undefined ? undefined : await tx.table(definition.parent.table);
  const parentColumns = columnsOf(parent);
  const parentRef =
    parent !== undefined && parentColumns.has('id') && parentColumns.has('updated_at')
      ? { physical: parent.physical, workspace: parentColumns.has('workspace_id') }
      : undefined;
  const sql = new StatementBuilder(tx, definition, source, sourceColumns, target, custom, now, parentRef);
  const before = await sql.counts();
  for (const statement of definition.kind === 'history' ? sql.history() : sql.current())
    await tx.run(statement);
  const after = await sql.counts();
  report.inserted = after.total - before.total;
  report.closed =
    definition.kind === 'history'
      ? before.flagged + report.inserted - after.flagged
      : Math.max(0, after.flagged - before.flagged);
  return report;
}

/** Creates the layout table, or adds the columns it lacks (custom attributes appear over time). */
async function ensureTable(
  tx: LayoutTransaction,
  name: string,
  columns: ReadonlyArray<{ name: string; type: ColumnType }>,
): Promise<string> {
  const { dialect } = tx;
  const q = (n: string) => dialect.quoteIdentifier(n);
  const existing = await tx.table(name);
  if (existing === undefined) {
    const definitions = columns.map((c) => `${q(c.name)} ${dialect.sqlType(c.type)}`);
    await tx.run(`CREATE TABLE ${tx.qualified(name)} (${definitions.join(', ')})`);
    return name;
  }
  const have = columnsOf(existing);
  for (const column of columns) {
    const found = have.get(column.name);
    const table = tx.qualified(existing.physical);
    if (found === undefined) {
      await tx.run(`ALTER TABLE ${table} ADD COLUMN ${q(column.name)} ${dialect.sqlType(column.type)}`);
    } else if (found.type !== column.type && column.name.startsWith(CUSTOM_PREFIX)) {
      // A custom attribute's stream column was widened (e.g. integer → string): follow it.
      const type = dialect.sqlType(column.type);
      await tx.run(
        `ALTER TABLE ${table} ALTER COLUMN ${q(found.physical)} SET DATA TYPE ${type} USING CAST(${q(found.physical)} AS ${type})`,
      );
    }
  }
  return existing.physical;
}

/** The SQL of one layout table, for the stream table and dialect at hand. */
class StatementBuilder {
  private readonly q: (name: string) => string;
  private readonly keys: string[];
  private readonly columns: Array<{ name: string; expression: string }>;
  private readonly nowSql: string;

  constructor(
    private readonly tx: LayoutTransaction,
    private readonly definition: LayoutTableDefinition,
    private readonly source: LayoutCatalogTable,
    private readonly sourceColumns: SourceColumns,
    private readonly target: string,
    custom: ReadonlyArray<{ name: string; type: ColumnType }>,
    now: Date,
    /** The link's parent table, when it exists with `id` and `updated_at`. */
    private readonly parentRef?: { physical: string; workspace: boolean },
  ) {
    this.q = (name) => tx.dialect.quoteIdentifier(name);
    this.nowSql = this.timestamp(now.toISOString());
    const workspace = sourceColumns.has('workspace_id');
    this.keys = [...(workspace ? ['workspace_id'] : []), ...definition.key];
    const declared: LayoutColumn[] = [
      { name: 'workspace_id', type: 'string', source: { column: 'workspace_id' } },
      ...definition.columns,
      ...custom.map((c) => ({ name: c.name, type: c.type, source: { column: c.name } })),
    ];
    this.columns = declared.map((c) => ({ name: c.name, expression: this.expression(c) }));
  }

  private timestamp(iso: string): string {
    return `CAST('${iso}' AS ${this.tx.dialect.sqlType('timestamp')})`;
  }

  private nullOf(type: ColumnType): string {
    return `CAST(NULL AS ${this.tx.dialect.sqlType(type)})`;
  }

  /** `b."name"`, or undefined when the stream table has no such column. */
  private sourceRef(name: string): { sql: string; type: ColumnType | undefined } | undefined {
    const found = this.sourceColumns.get(name);
    return found === undefined ? undefined : { sql: `b.${this.q(found.physical)}`, type: found.type };
  }

  /**
   * Converts `sql`, of type `from`, to `to`. `from` is `text` for a value out of JSON, `checked`
   * for such text already known to fit, undefined for a column of a type the destination never
   * creates.
   */
  private convert(sql: string, from: ColumnType | 'text' | 'checked' | undefined, to: ColumnType): string {
    const { dialect } = this.tx;
    if (from === to) return sql;
    if (from === 'text' && to !== 'string') {
      // Text out of JSON: a value of an unexpected shape becomes NULL rather than failing the
      // statement (the stream table's JSON column keeps it).
      const valid = to === 'boolean' ? `${sql} IN ('true', 'false')` : `${sql} ~ '${NUMBER_PATTERN}'`;
      return `CASE WHEN ${valid} THEN ${this.convert(sql, 'checked', to)} END`;
    }
    if (from === 'json' && to === 'string')
      return dialect.name === 'duckdb' ? `(${sql} ->> '$')` : `(${sql} #>> '{}')`;
    const asText = from === 'json' ? this.convert(sql, 'json', 'string') : sql;
    const double = dialect.sqlType('float');
    switch (to) {
      case 'timestamp':
        return from === 'checked' || from === 'integer' || from === 'float' || from === 'json'
          ? `to_timestamp(CAST(${asText} AS ${double}))`
          : `CAST(${sql} AS ${dialect.sqlType(to)})`;
      case 'integer':
        return `CAST(CAST(${asText} AS ${double}) AS ${dialect.sqlType('integer')})`;
      default:
        return `CAST(${asText} AS ${dialect.sqlType(to)})`;
    }
  }

  private expression(column: LayoutColumn): string {
    const { source } = column;
    if ('column' in source) {
      const ref = this.sourceRef(source.column);
      if (ref === undefined) return this.nullOf(column.type);
      const value = this.convert(ref.sql, ref.type, column.type);
      if (source.when === undefined) return value;
      const condition = this.sourceRef(source.when.column);
      if (condition === undefined) return this.nullOf(column.type);
      const text = this.convert(condition.sql, condition.type, 'string');
      return `CASE WHEN ${text} = '${source.when.equals}' THEN ${value} END`;
    }
    if ('json' in source) {
      const ref = this.sourceRef(source.json);
      if (ref === undefined || ref.type !== 'json') return this.nullOf(column.type);
      const path = source.path.map((key) => `'${key}'`);
      const last = path.pop() as string;
      const inner = path.reduce((sql, key) => `(${sql} -> ${key})`, ref.sql);
      return this.convert(`(${inner} ->> ${last})`, 'text', column.type);
    }
    const cases = source.firstOf
      .map((option) => ({ ref: this.sourceRef(option.notNull), value: option.value }))
      .filter((option) => option.ref !== undefined)
      .map((option) => `WHEN ${option.ref?.sql} IS NOT NULL THEN '${option.value}'`);
    return cases.length === 0 ? this.nullOf(column.type) : `CASE ${cases.join(' ')} END`;
  }

  /** The stream table's live rows as layout rows: `(SELECT … FROM stream AS b WHERE …)`. */
  private rows(): string {
    const synced = this.sourceRef(SYNCED_AT);
    const select = [
      ...this.columns.map((c) => `${c.expression} AS ${this.q(c.name)}`),
      `${synced === undefined ? this.nowSql : synced.sql} AS ${this.q(FIVETRAN_SYNCED)}`,
    ];
    const deleted = this.sourceRef(DELETED_AT);
    const where = deleted === undefined ? '' : ` WHERE ${deleted.sql} IS NULL`;
    return `(SELECT ${select.join(', ')} FROM ${this.tx.qualified(this.source.physical)} AS b${where})`;
  }

  /**
   * Rows of the same record. `workspace_id` may be NULL (rows written before the engine recorded
   * it): compared through COALESCE, which both databases still hash-join on.
   */
  private keyMatch(left: string, right: string): string {
    return this.keys
      .map((k) => {
        const [l, r] = [`${left}.${this.q(k)}`, `${right}.${this.q(k)}`];
        return k === 'workspace_id' ? `COALESCE(${l}, '') = COALESCE(${r}, '')` : `${l} = ${r}`;
      })
      .join(' AND ');
  }

  private get table(): string {
    return this.tx.qualified(this.target);
  }

  async counts(): Promise<{ total: number; flagged: number }> {
    const flag = this.definition.kind === 'history' ? this.q(FIVETRAN_ACTIVE) : this.q(FIVETRAN_DELETED);
    const rows = await this.tx.query(
      `SELECT CAST(COUNT(*) AS ${this.tx.dialect.sqlType('string')}) AS total,
              CAST(COUNT(*) FILTER (WHERE ${flag}) AS ${this.tx.dialect.sqlType('string')}) AS flagged
         FROM ${this.table}`,
    );
    return { total: Number(rows[0]?.total ?? 0), flagged: Number(rows[0]?.flagged ?? 0) };
  }

  /** Current tables: upsert the live records, flag the others `_fivetran_deleted`. */
  current(): string[] {
    const { q } = this;
    const names = this.columns.map((c) => q(c.name));
    const set = names.map((n) => `${n} = s.${n}`);
    return [
      `UPDATE ${this.table} AS t SET ${set.join(', ')}, ${q(FIVETRAN_DELETED)} = false, ${q(FIVETRAN_SYNCED)} = s.${q(FIVETRAN_SYNCED)}
         FROM ${this.rows()} AS s
        WHERE ${this.keyMatch('t', 's')}
          AND (t.${q(FIVETRAN_SYNCED)} IS DISTINCT FROM s.${q(FIVETRAN_SYNCED)} OR t.${q(FIVETRAN_DELETED)})`,
      `INSERT INTO ${this.table} (${names.join(', ')}, ${q(FIVETRAN_DELETED)}, ${q(FIVETRAN_SYNCED)})
       SELECT ${names.map((n) => `s.${n}`).join(', ')}, false, s.${q(FIVETRAN_SYNCED)}
         FROM ${this.rows()} AS s
        WHERE NOT EXISTS (SELECT 1 FROM ${this.table} AS t WHERE ${this.keyMatch('t', 's')})`,
      `UPDATE ${this.table} AS t SET ${q(FIVETRAN_DELETED)} = true, ${q(FIVETRAN_SYNCED)} = ${this.nowSql}
        WHERE NOT t.${q(FIVETRAN_DELETED)}
          AND NOT EXISTS (SELECT 1 FROM ${this.rows()} AS s WHERE ${this.keyMatch('s', 't')})`,
    ];
  }

  /** When a version that left the stream table ends (see the module comment). */
  private vanishedEnd(): string {
    const { q } = this;
    const version = q(this.definition.version as string);
    const millisecond = `INTERVAL '1 millisecond'`;
    const parent = this.definition.parent;
    if (parent !== undefined) {
      if (this.parentRef === undefined) return this.nowSql;
      const workspace =
        this.parentRef.workspace && this.keys.includes('workspace_id')
          ? ` AND COALESCE(p.${q('workspace_id')}, '') = COALESCE(h.${q('workspace_id')}, '')`
          : '';
      return `COALESCE((SELECT MAX(p.${q('updated_at')}) FROM ${this.tx.qualified(this.parentRef.physical)} AS p
                         WHERE p.${q('id')} = h.${q(parent.column)}${workspace}
                           AND p.${q('updated_at')} > h.${version}) - ${millisecond}, ${this.nowSql})`;
    }
    const deleted = this.sourceRef(DELETED_AT);
    if (deleted === undefined) return this.nowSql;
    const match = this.keys
      .map((k) => {
        const column = this.definition.columns.find((c) => c.name === k)?.source;
        const name = column !== undefined && 'column' in column ? column.column : k;
        const b = `b.${q(this.sourceColumns.get(name)?.physical ?? name)}`;
        return k === 'workspace_id' ? `COALESCE(${b}, '') = COALESCE(h.${q(k)}, '')` : `${b} = h.${q(k)}`;
      })
      .join(' AND ');
    return `COALESCE((SELECT MAX(${deleted.sql}) FROM ${this.tx.qualified(this.source.physical)} AS b WHERE ${match}), ${this.nowSql})`;
  }

  history(): string[] {
    const { q } = this;
    const version = q(this.definition.version as string);
    const [active, start, end, synced] = [FIVETRAN_ACTIVE, FIVETRAN_START, FIVETRAN_END, FIVETRAN_SYNCED].map(
      q,
    );
    const names = this.columns.map((c) => q(c.name));
    const millisecond = `INTERVAL '1 millisecond'`;
    const newer = `(s.${version} > h.${version} OR (h.${version} IS NULL AND s.${version} IS NOT NULL))`;
    const vanishedEnd = this.vanishedEnd();
    const startOf = `COALESCE(s.${version}, ${this.nowSql})`;
    return [
      // 1. A newer version arrived: close the active one just before it starts.
      `UPDATE ${this.table} AS h SET ${active} = false, ${end} = GREATEST(h.${start}, s.${version} - ${millisecond})
         FROM ${this.rows()} AS s
        WHERE ${this.keyMatch('h', 's')} AND h.${active} AND ${newer}`,
      // 2. The record (or link) is gone: close its active version.
      `UPDATE ${this.table} AS h SET ${active} = false, ${end} = GREATEST(h.${start}, ${vanishedEnd})
        WHERE h.${active}
          AND NOT EXISTS (SELECT 1 FROM ${this.rows()} AS s WHERE ${this.keyMatch('s', 'h')})`,
      // 3. Read again with the same version: the active version takes the latest values.
      `UPDATE ${this.table} AS h SET ${names.map((n) => `${n} = s.${n}`).join(', ')}, ${synced} = s.${synced}
         FROM ${this.rows()} AS s
        WHERE ${this.keyMatch('h', 's')} AND h.${active}
          AND h.${version} IS NOT DISTINCT FROM s.${version} AND s.${synced} > h.${synced}`,
      // 4. Records without an active version (new, or closed in 1.) get one.
      `INSERT INTO ${this.table} (${names.join(', ')}, ${start}, ${end}, ${active}, ${synced})
       SELECT ${names.map((n) => `s.${n}`).join(', ')}, ${startOf}, ${this.timestamp(ACTIVE_END)}, true, s.${synced}
         FROM ${this.rows()} AS s
        WHERE NOT EXISTS (SELECT 1 FROM ${this.table} AS h
                           WHERE ${this.keyMatch('h', 's')} AND (h.${active} OR h.${start} = ${startOf}))`,
    ];
  }
}
