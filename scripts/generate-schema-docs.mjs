#!/usr/bin/env node
/**
 * Generates docs/schema.md: every table intercom-sync writes (each stream, link tables included,
 * and the tables of the `fivetran` layout), its primary key, its columns with their types, how the
 * tables join, and Mermaid entity-relationship diagrams. Everything comes from the stream registry
 * (`STREAMS`, columns as the engine's `RowShaper` lays them out) and the layout's table
 * definitions, so the document follows the code:
 *
 *   npm run docs:schema                          # build, then rewrite docs/schema.md
 *   node scripts/generate-schema-docs.mjs --check   # exit 1 when docs/schema.md is out of date
 *
 * test/unit/schema-docs.test.ts renders the document from the sources and fails when the
 * committed file differs. Joins follow the `<thing>_id` naming of Intercom's fields (REFERENCES
 * below): a new stream whose columns follow it joins without touching this file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Columns that refer to another stream's `id`, by name. A table never refers to itself this way. */
export const REFERENCES = [
  { column: 'contact_id', table: 'contacts' },
  { column: 'company_id', table: 'companies', except: ['companies'] },
  { column: 'conversation_id', table: 'conversations' },
  { column: 'tag_id', table: 'tags' },
  { column: 'admin_id', table: 'admins' },
  { column: 'team_id', table: 'teams' },
  { column: 'owner_id', table: 'admins' },
  { column: 'author_id', table: 'admins', only: ['articles'] },
  { column: 'admin_assignee_id', table: 'admins' },
  { column: 'team_assignee_id', table: 'teams' },
  { column: 'help_center_id', table: 'help_centers' },
  { column: 'parent_id', table: 'help_center_collections', only: ['articles', 'help_center_collections'] },
  { column: 'segment_id', table: 'segments' },
  { column: 'ticket_id', table: 'tickets' },
];

/** Layout columns that refer to another layout table's `id`. */
export const LAYOUT_REFERENCES = [
  { column: 'contact_id', table: 'contact_history' },
  { column: 'company_id', table: 'company_history', except: ['company_history'] },
  { column: 'conversation_id', table: 'conversation_history' },
  { column: 'tag_id', table: 'tag' },
  { column: 'admin_id', table: 'admin' },
  { column: 'team_id', table: 'team' },
  { column: 'assignee_id', table: 'admin' },
  { column: 'author_id', table: 'admin', only: ['article_history'] },
  { column: 'collection_id', table: 'collection_history' },
  { column: 'help_center_id', table: 'help_center_history' },
];

function joinsOf(table, columns, references) {
  const joins = [];
  for (const reference of references) {
    if (!columns.includes(reference.column) || reference.table === table) continue;
    if (reference.except?.includes(table)) continue;
    if (reference.only && !reference.only.includes(table)) continue;
    joins.push({ column: reference.column, table: reference.table });
  }
  return joins;
}

const code = (text) => `\`${text}\``;

function columnTable(columns, keys, joins, notes = {}) {
  const lines = ['| column | type | key | joins |', '| --- | --- | --- | --- |'];
  for (const column of columns) {
    const join = joins.find((j) => j.column === column.name);
    const note = notes[column.name] ? ` ${notes[column.name]}` : '';
    lines.push(
      `| ${code(column.name)} | ${column.type} | ${keys.includes(column.name) ? 'PK' : ''} | ${join ? `${code(`${join.table}.id`)}` : ''}${note} |`,
    );
  }
  return lines;
}

/** A Mermaid erDiagram of `tables`, with their key and join columns (every column is in the tables). */
function diagram(tables) {
  const names = new Set(tables.map((t) => t.name));
  const lines = ['```mermaid', 'erDiagram'];
  for (const table of tables) {
    const shown = table.columns.filter(
      (c) => table.keys.includes(c.name) || table.joins.some((j) => j.column === c.name),
    );
    lines.push(`  ${table.name} {`);
    for (const column of shown) {
      const marks = [
        table.keys.includes(column.name) ? 'PK' : '',
        table.joins.some((j) => j.column === column.name) ? 'FK' : '',
      ].filter((m) => m !== '');
      lines.push(`    ${column.type} ${column.name}${marks.length > 0 ? ` ${marks.join(', ')}` : ''}`);
    }
    lines.push('  }');
  }
  for (const table of tables) {
    for (const join of table.joins) {
      if (names.has(join.table)) lines.push(`  ${join.table} ||--o{ ${table.name} : "${join.column}"`);
    }
  }
  lines.push('```');
  return lines;
}

/**
 * The document. `streams`: the registry's stream definitions; `tableSpec(stream)`: the table the
 * engine creates for it (`RowShaper`); `layoutTables` and `layoutColumns`: the fivetran layout.
 */
export function renderSchemaDocs({ streams, tableSpec, layoutTables, layoutColumns }) {
  const streamTables = streams.map((stream) => {
    const spec = tableSpec(stream);
    const columns = spec.columns;
    return {
      stream,
      name: spec.table,
      keys: spec.primaryKey,
      columns,
      joins: joinsOf(
        spec.table,
        columns.map((c) => c.name),
        REFERENCES,
      ),
    };
  });
  const layout = layoutTables.map((definition) => {
    const columns = layoutColumns(definition);
    const keys = [
      'workspace_id',
      ...definition.key,
      ...(definition.kind === 'history' ? ['_fivetran_start'] : []),
    ];
    return {
      definition,
      name: definition.name,
      keys,
      columns,
      joins: joinsOf(
        definition.name,
        columns.map((c) => c.name),
        LAYOUT_REFERENCES,
      ),
    };
  });

  const out = [
    '# Schema',
    '',
    '<!-- Generated by scripts/generate-schema-docs.mjs from the stream registry and the layout definitions: run `npm run docs:schema`, do not edit by hand. -->',
    '',
    'Every table intercom-sync writes, its primary key, its columns and how the tables join. Types are',
    'the logical types of `src/destinations/destination.ts` (DuckDB: string→VARCHAR, integer→BIGINT,',
    'float→DOUBLE, boolean→BOOLEAN, timestamp→TIMESTAMPTZ, json→JSON; PostgreSQL: text, bigint, double',
    'precision, boolean, timestamptz, jsonb).',
    '',
    'Besides the columns listed, a table gains:',
    '',
    '- `custom_<name>` columns, typed, one per custom data attribute, on the streams marked "custom attributes";',
    '- a column for each field Intercom adds to a record later (its type taken from the first value seen);',
    '- `_deleted_at` (timestamp) on a replace-mode table synced with `--soft-deletes`, and on contacts and companies after `--reconcile`.',
    '',
    'A table whose key starts with `workspace_id` can hold several workspaces: join on `workspace_id` as',
    'well as on the id.',
    '',
    '## Streams',
    '',
    ...diagram(streamTables),
    '',
    '| table | primary key | cursor | default mode | read from |',
    '| --- | --- | --- | --- | --- |',
    ...streamTables.map(
      (t) =>
        `| [${code(t.name)}](#${t.name}) | ${t.keys.map(code).join(', ')} | ${t.stream.cursor ? code(t.stream.cursor) : ''} | ${t.stream.defaultMode} | ${t.stream.endpoint} |`,
    ),
    '',
  ];
  for (const table of streamTables) {
    const { stream } = table;
    out.push(`### ${table.name}`, '', stream.description, '');
    const facts = [`Primary key: ${table.keys.map(code).join(', ')}.`];
    if (stream.source.kind === 'link')
      facts.push(`A link table of ${code(stream.source.parent)}, written in the parent's transactions.`);
    if (stream.source.kind === 'child') facts.push(`Read per ${code(stream.source.parent)} record.`);
    if (stream.customAttributes)
      facts.push(
        `Custom attributes: typed \`custom_<name>\` columns (${stream.customAttributes} data attributes).`,
      );
    if (stream.deletions)
      facts.push('Deleted records are marked `_deleted_at` (removed with `--hard-deletes`).');
    out.push(facts.join(' '), '');
    out.push(...columnTable(table.columns, table.keys, table.joins), '');
  }

  out.push(
    '## The `fivetran` layout',
    '',
    "With `--layout fivetran` (DuckDB and PostgreSQL), a sync also writes the tables Fivetran's dbt_intercom",
    'package reads, derived from the tables above once the streams have committed. `*_history` tables are',
    "slowly changing dimensions type 2: one row per version, `_fivetran_start` the version's `updated_at`",
    "(for link histories the parent's), `_fivetran_end` one millisecond before the next version (9999-12-31",
    '23:59:59.999 while active), `_fivetran_active` true for the current version. The other tables keep one',
    'row per record with `_fivetran_deleted`. See the README for how versions are derived and their limits.',
    '',
    ...diagram(layout),
    '',
    '| table | kind | primary key | derived from |',
    '| --- | --- | --- | --- |',
    ...layout.map(
      (t) =>
        `| ${code(t.name)} | ${t.definition.kind} | ${t.keys.map(code).join(', ')} | ${code(t.definition.from)} |`,
    ),
    '',
  );
  for (const table of layout) {
    const { definition } = table;
    out.push(`### ${table.name}`, '', definition.description, '');
    const facts = [`Primary key: ${table.keys.map(code).join(', ')}. Derived from ${code(definition.from)}.`];
    if (definition.version) facts.push(`A new version when ${code(definition.version)} changes.`);
    if (definition.custom) facts.push("Plus the stream table's `custom_<name>` columns.");
    out.push(facts.join(' '), '');
    const notes = {};
    for (const column of definition.columns) {
      const source = column.source;
      if ('json' in source) notes[column.name] = `from ${code(`${source.json}.${source.path.join('.')}`)}`;
      else if ('column' in source && source.column !== column.name)
        notes[column.name] = `from ${code(source.column)}`;
      else if ('firstOf' in source)
        notes[column.name] = `from ${source.firstOf.map((o) => code(o.notNull)).join(' / ')}`;
    }
    out.push(...columnTable(table.columns, table.keys, table.joins, notes), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The document from the built modules (`npm run build` first). */
export async function renderFromBuild() {
  const { STREAMS } = await import('../dist/streams/index.js');
  const { RowShaper } = await import('../dist/engine/schema.js');
  const { FIVETRAN_TABLES, layoutColumns } = await import('../dist/destinations/layouts/index.js');
  return renderSchemaDocs({
    streams: STREAMS,
    tableSpec: (stream) => new RowShaper(stream, [], stream.name, stream.deletions !== undefined).spec(),
    layoutTables: FIVETRAN_TABLES,
    layoutColumns,
  });
}

export const SCHEMA_DOC = fileURLToPath(new URL('../docs/schema.md', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await renderFromBuild();
  if (process.argv.includes('--check')) {
    const current = await readFile(SCHEMA_DOC, 'utf8').catch(() => '');
    if (current !== text) {
      console.error('docs/schema.md is out of date: run npm run docs:schema');
      process.exit(1);
    }
  } else {
    await writeFile(SCHEMA_DOC, text);
    console.log(`wrote ${SCHEMA_DOC}`);
  }
}
