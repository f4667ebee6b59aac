import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FIVETRAN_TABLES, layoutColumns } from '../../src/destinations/layouts/index.js';
import { RowShaper } from '../../src/engine/schema.js';
import { STREAMS, type StreamDefinition } from '../../src/streams/index.js';

interface Generator {
  renderSchemaDocs(sources: {
    streams: readonly StreamDefinition[];
    tableSpec: (stream: StreamDefinition) => { table: string; columns: unknown[]; primaryKey: string[] };
    layoutTables: typeof FIVETRAN_TABLES;
    layoutColumns: typeof layoutColumns;
  }): string;
}

const generator = (await import(
  new URL('../../scripts/generate-schema-docs.mjs', import.meta.url).href
)) as Generator;

/** The document as the generator renders it from the sources (not from a build). */
function render(streams: readonly StreamDefinition[] = STREAMS): string {
  return generator.renderSchemaDocs({
    streams,
    tableSpec: (stream) => new RowShaper(stream, [], stream.name, stream.deletions !== undefined).spec(),
    layoutTables: FIVETRAN_TABLES,
    layoutColumns,
  });
}

describe('docs/schema.md', () => {
  it('is what the generator produces from the stream registry (run npm run docs:schema)', async () => {
    const committed = await readFile(new URL('../../docs/schema.md', import.meta.url), 'utf8');
    expect(committed).toBe(render());
  });

  it('names every stream and layout table, with a Mermaid diagram, and follows a stream change', () => {
    const text = render();
    for (const stream of STREAMS) expect(text).toContain(`### ${stream.name}\n`);
    for (const table of FIVETRAN_TABLES) expect(text).toContain(`### ${table.name}\n`);
    expect(text).toContain('```mermaid\nerDiagram');
    expect(text).toContain('contacts ||--o{ contact_tags : "contact_id"');
    // A field added to a stream shows up in the document: it cannot drift from the definitions.
    const changed = STREAMS.map((s) =>
      s.name === 'tags' ? { ...s, fields: { ...s.fields, colour: 'string' as const } } : s,
    );
    expect(render(changed)).toContain('| `colour` | string |');
    expect(text).not.toContain('| `colour` | string |');
  });
});
