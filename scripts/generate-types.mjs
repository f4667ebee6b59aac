#!/usr/bin/env node
/**
 * Generates src/types/intercom-2-14.generated.ts: the record types of the library's streams, from
 * Intercom's OpenAPI description of the pinned API version (2.14).
 *
 *   node scripts/generate-types.mjs            # rewrite the file
 *   node scripts/generate-types.mjs --check    # exit 1 when the committed file is out of date
 *
 * The description's other schemas (requests, webhooks, paths) are left out: only the component
 * schemas the streams return and what they reference (transitively) are kept, so the file stays
 * small. A listed property is typed as present (`propertiesRequiredByDefault`): Intercom sends
 * every field of an object, `null` when empty (the description marks those `nullable`), except
 * the few in SOMETIMES_ABSENT, which are optional. test/unit/generated-types.test.ts regenerates
 * the file in memory and fails when the committed one differs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { parse } from 'yaml';

export const API_VERSION = '2.14';

/** The schemas the streams return (src/library/records.ts names them). */
export const ROOT_SCHEMAS = [
  'activity_log',
  'admin',
  'article',
  'article_list_item',
  'collection',
  'company',
  'contact',
  'conversation',
  'conversation_list_item',
  'conversation_part',
  'data_attribute',
  'segment',
  'tag',
  'team',
  'ticket',
];

/** Top-level fields Intercom sends on some records only (typed optional), and why. */
export const SOMETIMES_ABSENT = {
  // Built-in attributes have no id, dates or admin; only list attributes have options.
  data_attribute: ['id', 'created_at', 'updated_at', 'admin_id', 'options'],
  // Only on a tag applied to an object.
  tag: ['applied_at', 'applied_by'],
  // Only with ?include_count=true (GET /companies/{id}/segments has none).
  segment: ['count'],
  admin: ['away_status_reason_id'],
  team: ['assignment_limit', 'distribution_method'],
  // Only when Fin took part.
  conversation_list_item: ['ai_agent'],
  // Each part type has its own extras.
  conversation_part: ['email_message_metadata', 'metadata', 'tags', 'event_details', 'app_package_code'],
  ticket: ['snoozed_until'],
  // Only in multilingual help centers.
  article_list_item: ['translated_content'],
  collection: ['translated_content'],
};

export const SPEC_URL = new URL(
  `../../shared/intercom-openapi/api.intercom.io.${API_VERSION}.yaml`,
  import.meta.url,
);
export const OUTPUT_URL = new URL(
  `../src/types/intercom-${API_VERSION.replace('.', '-')}.generated.ts`,
  import.meta.url,
);

const SCHEMA_REF = /^#\/components\/schemas\/([^/]+)$/;

/** The root schemas and every schema they reference, by name, sorted. */
export function reachableSchemas(schemas, roots = ROOT_SCHEMAS) {
  const kept = new Set();
  const visit = (node) => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') {
          const match = SCHEMA_REF.exec(value);
          if (!match) throw new Error(`Unsupported $ref ${value}: only #/components/schemas/… is followed.`);
          add(decodeURIComponent(match[1]));
        } else {
          visit(value);
        }
      }
    }
  };
  const add = (name) => {
    if (kept.has(name)) return;
    if (!Object.hasOwn(schemas, name)) throw new Error(`The description has no schema "${name}".`);
    kept.add(name);
    visit(schemas[name]);
  };
  for (const root of roots) add(root);
  return [...kept].sort();
}

/** The generated file's text, from the description's YAML text. */
export async function generateTypes(specText) {
  const spec = parse(specText);
  const schemas = spec?.components?.schemas ?? {};
  const names = reachableSchemas(schemas);
  const kept = Object.fromEntries(names.map((name) => [name, schemas[name]]));
  for (const [name, fields] of Object.entries(SOMETIMES_ABSENT)) {
    const properties = Object.keys(kept[name]?.properties ?? {});
    for (const field of fields)
      if (!properties.includes(field)) throw new Error(`Schema "${name}" has no property "${field}".`);
    kept[name] = { ...kept[name], required: properties.filter((p) => !fields.includes(p)) };
  }
  const pruned = { openapi: spec.openapi, info: spec.info, paths: {}, components: { schemas: kept } };
  const ast = await openapiTS(pruned, { propertiesRequiredByDefault: true, silent: true });
  const header = [
    '/**',
    ` * GENERATED FILE, DO NOT EDIT. Intercom API ${API_VERSION} record types.`,
    ' *',
    ` * From shared/intercom-openapi/api.intercom.io.${API_VERSION}.yaml by scripts/generate-types.mjs`,
    ' * (openapi-typescript), keeping only the component schemas the streams return and what they',
    " * reference. Listed fields are typed as present, but for those in the script's SOMETIMES_ABSENT.",
    ' * Regenerate with: node scripts/generate-types.mjs (a unit test fails while this file is stale).',
    ' */',
    '',
  ].join('\n');
  return `${header}${astToString(ast)}`;
}

async function main(argv) {
  const text = await generateTypes(await readFile(SPEC_URL, 'utf8'));
  const output = fileURLToPath(OUTPUT_URL);
  if (argv.includes('--check')) {
    const current = await readFile(output, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${output} is out of date: run node scripts/generate-types.mjs\n`);
      process.exitCode = 1;
    }
    return;
  }
  await writeFile(output, text);
  process.stdout.write(`Wrote ${output} (${text.split('\n').length} lines)\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
