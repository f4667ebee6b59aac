/**
 * Validates simulator responses against Intercom's published OpenAPI 3.0.1 descriptions
 * (`shared/intercom-openapi/api.intercom.io.<version>.yaml`).
 *
 * The description is parsed once per version; a response schema is compiled only when an
 * operation + status is first validated. `$ref`s stay refs (several schemas are recursive): the
 * whole `components` object is registered in Ajv under an `$id` and operation schemas point into it.
 *
 * OpenAPI 3.0 → JSON Schema differences handled here:
 * - `nullable: true` is removed (Ajv's own support throws without `type` and rejects null when an `enum`
 *   lacks it). Next to a plain `type` it becomes `type: [T, 'null']` (and `null` joins an `enum`); next to
 *   `$ref`/`allOf`/`oneOf`/`anyOf` the schema is wrapped as `anyOf: [schema, {type: 'null'}]`.
 * - `example`, `x-*`, `discriminator`, `readOnly`, `deprecated` are ignored (`strict: false`).
 * - `format`s are checked on strings only, so `format: date-time` on `type: integer` (Unix seconds)
 *   passes; formats unknown to ajv-formats (e.g. `timestamp`) are accepted as-is.
 *
 * Behaviours of the real API that contradict the description are patched explicitly (`SPEC_DEVIATIONS`);
 * anything else a simulator response fails on is a simulator bug.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import { parse } from 'yaml';

export type SpecVersion = '2.11' | '2.14' | '2.16';

export interface ResponseValidator {
  /** Validate a JSON body returned for `method pathTemplate` (e.g. 'get', '/contacts/{contact_id}/tags') with HTTP status `status` against that operation's response schema (application/json). Returns [] when valid, else readable error strings: '<instancePath> <message>'. Throws if the spec has no such operation/status. */
  validate(method: string, pathTemplate: string, status: number, body: unknown): string[];
  /** True when the spec of this version defines the operation. */
  hasOperation(method: string, pathTemplate: string): boolean;
}

type SchemaNode = { [key: string]: unknown };
type SchemaMap = { [name: string]: SchemaNode };

interface OpenApiDocument {
  paths?: { [path: string]: { [method: string]: unknown } };
  components?: { schemas?: SchemaMap; responses?: { [name: string]: unknown } };
}

interface SpecPatch {
  where: string;
  why: string;
  versions: ReadonlyArray<SpecVersion>;
  apply(schemas: SchemaMap, version: SpecVersion): void;
}

const ALL_VERSIONS: ReadonlyArray<SpecVersion> = ['2.11', '2.14', '2.16'];
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const PAGE_NUMBERED_PAGES = 'x_intercom_sync_page_numbered_pages';
/** A custom attribute value as a data attribute of type string/integer/float/boolean/date declares it. */
const TYPED_ATTRIBUTE_VALUE: SchemaNode = {
  anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
  nullable: true,
};

const isObject = (value: unknown): value is SchemaNode =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function schemaAt(schemas: SchemaMap, name: string): SchemaNode {
  const schema = schemas[name];
  if (!isObject(schema)) throw new Error(`spec deviation patch: components.schemas.${name} is missing`);
  return schema;
}

function propertyAt(schemas: SchemaMap, name: string, property: string): SchemaNode {
  const properties = schemaAt(schemas, name).properties;
  const schema = isObject(properties) ? properties[property] : undefined;
  if (!isObject(schema)) {
    throw new Error(`spec deviation patch: components.schemas.${name}.properties.${property} is missing`);
  }
  return schema;
}

function setProperty(schemas: SchemaMap, name: string, property: string, schema: SchemaNode): void {
  propertyAt(schemas, name, property);
  (schemaAt(schemas, name).properties as SchemaNode)[property] = schema;
}

const PAGE_NUMBERED_LISTS: { [version in SpecVersion]: ReadonlyArray<string> } = {
  // GET /articles, GET /help_center/collections, GET /admins/activity_logs, GET /companies,
  // POST /companies/list, GET /news/news_items (+ the news feed lists sharing its schema).
  '2.11': [
    'article_list',
    'collection_list',
    'activity_log_list',
    'company_list',
    'paginated_news_item_response',
  ],
  '2.14': ['article_list', 'collection_list', 'activity_log_list', 'company_list', 'paginated_response'],
  '2.16': ['article_list', 'collection_list', 'activity_log_list', 'company_list', 'paginated_response'],
};

const PATCHES: ReadonlyArray<SpecPatch> = [
  {
    where:
      'cursor_pages.next as used by the page-numbered lists: article_list, collection_list, activity_log_list, company_list (GET /companies, POST /companies/list), the news item/newsfeed list',
    why: 'Page-numbered endpoints answer pages.next as a full URL (…?per_page=60&page=2) or null, not a starting_after object (intercom-notes.md, Envelopes and pagination); allowed: URL string, null or object.',
    versions: ALL_VERSIONS,
    apply(schemas, version) {
      const base = schemaAt(schemas, 'cursor_pages');
      const next = propertyAt(schemas, 'cursor_pages', 'next');
      if (next.$ref !== '#/components/schemas/starting_after_paging') {
        throw new Error('spec deviation patch: cursor_pages.next is no longer a starting_after_paging ref');
      }
      schemas[PAGE_NUMBERED_PAGES] = {
        ...base,
        properties: {
          ...(base.properties as SchemaNode),
          next: {
            anyOf: [
              { type: 'string', format: 'uri' },
              { $ref: '#/components/schemas/starting_after_paging' },
            ],
            nullable: true,
          },
        },
      };
      for (const list of PAGE_NUMBERED_LISTS[version]) {
        const pages = propertyAt(schemas, list, 'pages');
        if (pages.$ref !== '#/components/schemas/cursor_pages') {
          throw new Error(`spec deviation patch: ${list}.pages is no longer a cursor_pages ref`);
        }
        setProperty(schemas, list, 'pages', { $ref: `#/components/schemas/${PAGE_NUMBERED_PAGES}` });
      }
    },
  },
  {
    where: 'company.custom_attributes.additionalProperties ({type: string})',
    why: 'Custom attribute values are typed as their data attribute declares them (data_attribute.data_type: string, integer, float, boolean, date) and null when unset.',
    versions: ALL_VERSIONS,
    apply(schemas) {
      const custom = propertyAt(schemas, 'company', 'custom_attributes');
      if (!isObject(custom.additionalProperties) || custom.additionalProperties.type !== 'string') {
        throw new Error('spec deviation patch: company.custom_attributes is no longer string-valued');
      }
      custom.additionalProperties = TYPED_ATTRIBUTE_VALUE;
    },
  },
  {
    where:
      'custom_attributes.additionalProperties (conversations): string | integer | datetime | custom object list',
    why: 'Conversation attribute values are also decimal and boolean (data_attribute.data_type float/boolean; 2.16 conversation_attribute data_type decimal/boolean) and null when unset.',
    versions: ['2.14', '2.16'],
    apply(schemas) {
      const custom = schemaAt(schemas, 'custom_attributes');
      const values = custom.additionalProperties;
      if (!isObject(values) || !Array.isArray(values.anyOf)) {
        throw new Error('spec deviation patch: custom_attributes.additionalProperties is no longer an anyOf');
      }
      custom.additionalProperties = { anyOf: [...values.anyOf, TYPED_ATTRIBUTE_VALUE] };
    },
  },
  {
    where: 'custom_attributes: referenced by conversation and conversation_list_item but not defined',
    why: 'The 2.11 description has a dangling $ref, which cannot be compiled; defined as in 2.14 plus the typed values above (string, number, boolean, null, or an object for custom object instances).',
    versions: ['2.11'],
    apply(schemas) {
      if (schemas.custom_attributes !== undefined) {
        throw new Error('spec deviation patch: custom_attributes is now defined in 2.11');
      }
      schemas.custom_attributes = {
        type: 'object',
        additionalProperties: { anyOf: [TYPED_ATTRIBUTE_VALUE, { type: 'object' }] },
      };
    },
  },
  {
    where: 'data_attribute.model enum [contact, company]',
    why: 'Before 2.16, GET /data_attributes accepts model=conversation (its own query enum lists it; 2.16 answers 422) and returns attributes whose model is "conversation".',
    versions: ['2.11', '2.14'],
    apply(schemas) {
      const model = propertyAt(schemas, 'data_attribute', 'model');
      if (!Array.isArray(model.enum) || model.enum.includes('conversation')) {
        throw new Error('spec deviation patch: data_attribute.model enum changed');
      }
      model.enum = [...model.enum, 'conversation'];
    },
  },
  {
    where: 'company_scroll.pages (cursor_pages itself is nullable from 2.16 on)',
    why: 'Scroll pages carry "pages": null, as the spec\'s own GET /companies/scroll example shows (2.16 made cursor_pages nullable).',
    versions: ['2.11', '2.14'],
    apply(schemas) {
      const pages = propertyAt(schemas, 'company_scroll', 'pages');
      if (pages.$ref !== '#/components/schemas/cursor_pages' || pages.nullable === true) {
        throw new Error('spec deviation patch: company_scroll.pages changed');
      }
      pages.nullable = true;
    },
  },
  {
    where:
      'contact_tags.url, contact_notes.url, contact_companies.url, addressable_list.url/type, company_data.url (format: uri)',
    why: 'A contact\'s nested lists and their items link with relative paths (/contacts/{id}/tags, /tags/{id}) and items carry a plain type ("tag"), as the spec\'s own contact examples show in every version.',
    versions: ALL_VERSIONS,
    apply(schemas) {
      const targets: Array<[string, string]> = [
        ['contact_tags', 'url'],
        ['contact_notes', 'url'],
        ['contact_companies', 'url'],
        ['addressable_list', 'url'],
        ['addressable_list', 'type'],
      ];
      // The company references are a named schema in some versions, inline in others.
      const companies = propertyAt(schemas, 'contact_companies', 'data');
      const item = isObject(companies.items) ? companies.items : undefined;
      const itemSchema = item?.$ref ? schemaAt(schemas, String(item.$ref).split('/').pop() as string) : item;
      const itemUrl = isObject(itemSchema?.properties)
        ? (itemSchema.properties as SchemaNode).url
        : undefined;
      const patchable = [
        ...targets.map(
          ([name, property]) => [`${name}.${property}`, propertyAt(schemas, name, property)] as const,
        ),
      ];
      if (isObject(itemUrl)) patchable.push(['contact_companies.data[].url', itemUrl]);
      for (const [where, schema] of patchable) {
        if (schema.format !== 'uri')
          throw new Error(`spec deviation patch: ${where} is no longer format uri`);
        delete schema.format;
      }
    },
  },
  {
    where: 'contact_attached_companies.companies (GET /contacts/{id}/companies)',
    why: "The companies of a contact come under `data`, as the spec's own example for GET /contacts/{contact_id}/companies shows and as every other list does (intercom-notes.md: everything else `data`).",
    versions: ALL_VERSIONS,
    apply(schemas) {
      const list = schemaAt(schemas, 'contact_attached_companies');
      const properties = list.properties as SchemaNode;
      if (!isObject(properties.companies))
        throw new Error('spec deviation patch: contact_attached_companies.companies is missing');
      properties.data = properties.companies;
      delete properties.companies;
      if (Array.isArray(list.required))
        list.required = list.required.map((r) => (r === 'companies' ? 'data' : r));
    },
  },
];

/** The documented deviations applied (see below), for printing in test output and docs. */
export const SPEC_DEVIATIONS: ReadonlyArray<{ where: string; why: string }> = PATCHES.map((patch) => ({
  where:
    patch.versions.length === ALL_VERSIONS.length
      ? patch.where
      : `${patch.where} [${patch.versions.join(', ')}]`,
  why: patch.why,
}));

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 schema → JSON Schema (Ajv draft-07)
// ---------------------------------------------------------------------------------------------

const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties'] as const;
const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf'] as const;
const DROPPED_KEYWORDS = new Set(['nullable', 'example', 'discriminator', 'xml', 'externalDocs']);

/**
 * Returns a JSON Schema copy of an OpenAPI 3.0 schema object. `refPrefix` is put before local refs
 * (`#/components/...`) so that a schema compiled on its own still points into the registered document.
 */
function toJsonSchema(node: unknown, refPrefix: string, formats: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, refPrefix, formats));
  if (!isObject(node)) return node;
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.startsWith('#') ? `${refPrefix}${value}` : value;
    } else if ((SCHEMA_MAP_KEYWORDS as ReadonlyArray<string>).includes(key) && isObject(value)) {
      const map: SchemaNode = {};
      for (const [name, schema] of Object.entries(value)) {
        map[name] = toJsonSchema(schema, refPrefix, formats);
      }
      out[key] = map;
    } else if ((SCHEMA_LIST_KEYWORDS as ReadonlyArray<string>).includes(key) && Array.isArray(value)) {
      out[key] = value.map((schema) => toJsonSchema(schema, refPrefix, formats));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isObject(value)) {
      out[key] = toJsonSchema(value, refPrefix, formats);
    } else {
      if (key === 'format' && typeof value === 'string') formats.add(value);
      out[key] = value;
    }
  }
  if (node.nullable !== true) return out;
  const composed = '$ref' in out || SCHEMA_LIST_KEYWORDS.some((key) => key in out) || 'not' in out;
  if (typeof out.type === 'string' && !composed) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

interface LoadedSpec {
  version: SpecVersion;
  document: OpenApiDocument;
  ajv: Ajv;
  documentId: string;
  compiled: Map<string, ValidateFunction>;
}

const specs = new Map<SpecVersion, LoadedSpec>();
const validators = new Map<SpecVersion, ResponseValidator>();

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, which carries `.default`.
const addFormats = (
  'default' in formatsModule ? formatsModule.default : formatsModule
) as typeof formatsModule.default;

function specUrl(version: SpecVersion): URL {
  return new URL(`../../../shared/intercom-openapi/api.intercom.io.${version}.yaml`, import.meta.url);
}

function loadSpec(version: SpecVersion): LoadedSpec {
  const cached = specs.get(version);
  if (cached) return cached;
  const document = parse(readFileSync(specUrl(version), 'utf8'), { maxAliasCount: -1 }) as OpenApiDocument;
  const schemas = document.components?.schemas;
  if (!isObject(schemas)) throw new Error(`OpenAPI ${version}: no components.schemas`);
  // Patches are written against the OpenAPI schema objects; they work on a private copy.
  const patched: SchemaMap = structuredClone(schemas);
  for (const patch of PATCHES) if (patch.versions.includes(version)) patch.apply(patched, version);

  const formats = new Set<string>();
  const jsonSchemas: SchemaMap = {};
  for (const [name, schema] of Object.entries(patched)) {
    jsonSchemas[name] = toJsonSchema(schema, '', formats) as SchemaNode;
  }
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, inlineRefs: true });
  addFormats(ajv);
  // Formats ajv-formats does not know (`timestamp`) are annotations only.
  for (const format of formats) if (!ajv.formats[format]) ajv.addFormat(format, true);
  const documentId = `https://intercom-sync.test/openapi/${version}.json`;
  ajv.addSchema({ $id: documentId, components: { schemas: jsonSchemas } });

  const spec: LoadedSpec = { version, document, ajv, documentId, compiled: new Map() };
  specs.set(version, spec);
  return spec;
}

const templateShape = (path: string): string => path.replace(/\{[^}]*\}/g, '{}');

/** The path template as the spec writes it; parameter names may differ (`{id}` vs `{contact_id}`). */
function findPath(spec: LoadedSpec, method: string, pathTemplate: string): string | undefined {
  const paths = spec.document.paths ?? {};
  const verb = method.toLowerCase();
  if (paths[pathTemplate]?.[verb] !== undefined) return pathTemplate;
  const shape = templateShape(pathTemplate);
  const candidates = Object.keys(paths).filter(
    (path) => templateShape(path) === shape && paths[path]?.[verb] !== undefined,
  );
  return candidates.length === 1 ? candidates[0] : undefined;
}

function resolveResponse(spec: LoadedSpec, response: unknown, label: string): SchemaNode {
  let current = response;
  for (let depth = 0; isObject(current) && typeof current.$ref === 'string' && depth < 10; depth++) {
    const match = /^#\/components\/responses\/(.+)$/.exec(current.$ref);
    current = match?.[1] ? spec.document.components?.responses?.[match[1]] : undefined;
  }
  if (!isObject(current)) throw new Error(`OpenAPI ${spec.version}: cannot resolve the response of ${label}`);
  return current;
}

function responseFor(spec: LoadedSpec, method: string, pathTemplate: string, status: number) {
  const verb = method.toLowerCase();
  const path = findPath(spec, verb, pathTemplate);
  if (!HTTP_METHODS.has(verb) || path === undefined) {
    throw new Error(`OpenAPI ${spec.version} has no operation ${verb.toUpperCase()} ${pathTemplate}`);
  }
  const operation = spec.document.paths?.[path]?.[verb];
  const responses = isObject(operation) && isObject(operation.responses) ? operation.responses : {};
  const statusKey = [String(status), `${Math.floor(status / 100)}XX`, 'default'].find(
    (key) => responses[key] !== undefined,
  );
  const label = `${verb.toUpperCase()} ${path} ${status}`;
  if (statusKey === undefined) {
    throw new Error(
      `OpenAPI ${spec.version}: ${verb.toUpperCase()} ${path} documents no response ${status} (documented: ${Object.keys(responses).join(', ')})`,
    );
  }
  const response = resolveResponse(spec, responses[statusKey], label);
  const content = isObject(response.content) ? response.content : {};
  const mediaType = Object.keys(content).find(
    (type) => type.startsWith('application/json') || type.endsWith('+json'),
  );
  const media = mediaType === undefined ? undefined : content[mediaType];
  return { key: `${verb} ${path} ${statusKey}`, label, media: isObject(media) ? media : undefined };
}

function compiledValidator(spec: LoadedSpec, method: string, pathTemplate: string, status: number) {
  const { key, label, media } = responseFor(spec, method, pathTemplate, status);
  const cached = spec.compiled.get(key);
  if (cached) return cached;
  if (!isObject(media?.schema)) {
    throw new Error(`OpenAPI ${spec.version}: ${label} has no application/json schema`);
  }
  const schema = toJsonSchema(media.schema, spec.documentId, new Set()) as SchemaNode;
  const validate = spec.ajv.compile(schema);
  spec.compiled.set(key, validate);
  return validate;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '/' : error.instancePath;
  let detail = '';
  if (error.keyword === 'enum' && Array.isArray(error.params.allowedValues)) {
    detail = ` (${error.params.allowedValues.map((value: unknown) => JSON.stringify(value)).join(', ')})`;
  } else if (error.keyword === 'additionalProperties') {
    detail = ` (${String(error.params.additionalProperty)})`;
  }
  return `${where} ${error.message ?? error.keyword}${detail}`;
}

/**
 * Ajv reports every failing anyOf branch. The `{type: 'null'}` branch of a nullable schema and the
 * summary "must match a schema in anyOf" say nothing useful when the branch errors are also listed.
 */
function readableErrors(errors: ReadonlyArray<ErrorObject>): string[] {
  const useful = errors.filter(
    (error) => !(error.keyword === 'type' && error.params.type === 'null') && error.keyword !== 'anyOf',
  );
  const chosen = useful.length > 0 ? useful : errors;
  return [...new Set(chosen.map(describeError))];
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export function loadResponseValidator(version: SpecVersion): ResponseValidator {
  const cached = validators.get(version);
  if (cached) return cached;
  const spec = loadSpec(version);
  const validator: ResponseValidator = {
    validate(method, pathTemplate, status, body) {
      const validate = compiledValidator(spec, method, pathTemplate, status);
      if (validate(body)) return [];
      return readableErrors(validate.errors ?? []);
    },
    hasOperation(method, pathTemplate) {
      return HTTP_METHODS.has(method.toLowerCase()) && findPath(spec, method, pathTemplate) !== undefined;
    },
  };
  validators.set(version, validator);
  return validator;
}

/** The named examples the spec gives for a response (application/json), as written in the YAML. */
export function responseExamples(
  version: SpecVersion,
  method: string,
  pathTemplate: string,
  status: number,
): Array<{ name: string; value: unknown }> {
  const { media } = responseFor(loadSpec(version), method, pathTemplate, status);
  if (media === undefined) return [];
  const examples = isObject(media.examples) ? Object.entries(media.examples) : [];
  const named = examples
    .filter((entry): entry is [string, SchemaNode] => isObject(entry[1]) && 'value' in entry[1])
    .map(([name, example]) => ({ name, value: example.value }));
  return 'example' in media ? [...named, { name: 'example', value: media.example }] : named;
}

/** Throws an Error listing the first 20 schema violations of `body`. */
export function assertValid(
  validator: ResponseValidator,
  method: string,
  pathTemplate: string,
  status: number,
  body: unknown,
): void {
  const errors = validator.validate(method, pathTemplate, status, body);
  if (errors.length === 0) return;
  const shown = errors.slice(0, 20).map((error) => `  ${error}`);
  const more = errors.length > 20 ? [`  … and ${errors.length - 20} more`] : [];
  throw new Error(
    [
      `${method.toUpperCase()} ${pathTemplate} ${status}: response does not match the OpenAPI schema (${errors.length} errors)`,
      ...shown,
      ...more,
    ].join('\n'),
  );
}
