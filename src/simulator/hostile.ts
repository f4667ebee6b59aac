import type { AttributeModel } from './workspace/attributes.js';
import type { JsonRecord } from './workspace/table.js';
import type { Workspace } from './workspace/workspace.js';

/**
 * Hostile responses: what a careless or changed API may serve, for proving that a sync loads it
 * safely or reports what it skipped. Each kind is chosen per record (by a hash of its id), so a
 * run is reproducible and the records keep their ids and timestamps: the truth still applies.
 */
export const HOSTILE_KINDS = [
  /** Fields of unexpected types: strings as numbers, objects or lists; numbers and booleans as text. */
  'types',
  /** A record's `type` is one Intercom never sends. */
  'unknown_type',
  /** A string of 300,000 UTF-16 units (a quarter million characters) in a new field. */
  'huge_strings',
  /** Custom attributes and a new field nested 100 levels deep. */
  'deep_nesting',
  /**
   * Custom data attributes (listed by `/data_attributes`, so they become typed columns) and new
   * fields whose names are SQL, 120 characters long, unicode, or differ only in case.
   */
  'hostile_names',
  /** `GET /conversations/{id}` answers some conversations without their `conversation_parts` envelope. */
  'missing_envelope',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

/** Names a destination must quote (or shorten): SQL, very long, unicode, case-colliding. */
export const HOSTILE_NAMES: readonly string[] = [
  '"; DROP TABLE intercom.contacts; --',
  "Robert'); DROP TABLE students;--",
  `very_long_${'x'.repeat(110)}`,
  '名前 🦆 ünïcödé',
  'select',
  'Plan_Name',
  'with.dot and space',
];

const MODELS: readonly AttributeModel[] = ['contact', 'company', 'conversation'];
/** The `huge_strings` value: 300,025 UTF-16 units, 272,750 characters (a duck is two units). */
export const HOSTILE_BLOB = 'hostile 🦆 '.repeat(27_275);
/** Fields never retyped: keys and the timestamps the truth compares. */
const PROTECTED = new Set(['id', 'type', 'updated_at', 'created_at', 'model', 'name', 'company_id', 'role']);
/** Top-level fields whose type is swapped by `types` (the others keep the shape the engine walks). */
const SWAPPED = ['email', 'phone', 'title', 'description', 'label', 'url', 'avatar', 'language_override'];

/** Adds the hostile custom attributes to the workspace's data attributes (so they are in the truth too). */
export function addHostileAttributes(workspace: Workspace): void {
  for (const model of MODELS) {
    const list = workspace.dataAttributes[model];
    for (const [k, name] of HOSTILE_NAMES.entries()) {
      if (list.some((a) => a.name === name)) continue;
      list.push({
        type: 'data_attribute',
        id: 19_000 + MODELS.indexOf(model) * 100 + k,
        model,
        name,
        full_name: `custom_attributes.${name}`,
        label: name,
        description: 'A hostile name (simulator option hostile).',
        data_type: k % 2 === 0 ? 'string' : 'integer',
        api_writable: true,
        messenger_writable: false,
        ui_writable: true,
        custom: true,
        archived: false,
        created_at: workspace.appCreatedAt,
        updated_at: workspace.appCreatedAt,
        admin_id: workspace.adminId(0),
      });
    }
  }
}

function hashText(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function nested(depth: number): JsonRecord {
  let value: JsonRecord = { leaf: 'bottom' };
  for (let i = 0; i < depth; i++) value = { [`level_${depth - i}`]: value };
  return value;
}

/** Applies the chosen kinds to one record, in place. */
function spoil(record: JsonRecord, kinds: ReadonlySet<HostileKind>, label: string): void {
  const h = hashText(String(record.id));
  const custom =
    record.custom_attributes &&
    typeof record.custom_attributes === 'object' &&
    !Array.isArray(record.custom_attributes)
      ? (record.custom_attributes as JsonRecord)
      : undefined;
  if (kinds.has('hostile_names')) {
    if (custom)
      for (const [k, name] of HOSTILE_NAMES.entries())
        custom[name] = k % 2 === 0 ? `'; DELETE FROM x; -- ${name}` : k * 1000 + (h % 1000);
    if (h % 3 === 0) for (const name of HOSTILE_NAMES) record[`extra ${name}`] = `value of ${name}`;
  }
  if (kinds.has('types') && h % 4 === 0) {
    for (const field of SWAPPED) {
      const value = record[field];
      if (typeof value === 'string') record[field] = field.length % 2 === 0 ? 12345 : { unexpected: [value] };
    }
    for (const [field, value] of Object.entries(record)) {
      if (PROTECTED.has(field)) continue;
      if (typeof value === 'boolean') record[field] = value ? 'yes' : 'no';
      else if (typeof value === 'number' && field.endsWith('_at')) record[field] = 'not a timestamp';
    }
    if (custom)
      for (const [key, value] of Object.entries(custom))
        if (typeof value === 'number') custom[key] = `many ${key}`;
  }
  if (kinds.has('unknown_type') && h % 4 === 1 && label !== 'GET /data_attributes')
    record.type = 'hostile.unknown_type';
  if (kinds.has('huge_strings') && h % 16 === 2) record.hostile_blob = HOSTILE_BLOB;
  if (kinds.has('deep_nesting') && h % 4 === 3) {
    record.hostile_nested = nested(100);
    if (custom) custom.hostile_deep = nested(100);
  }
}

/** The list keys whose items are records, in the responses the extractor reads. */
const LIST_KEYS = [
  'data',
  'conversations',
  'tickets',
  'activity_logs',
  'contacts',
  'companies',
  'segments',
  'tags',
  'admins',
  'teams',
];

/**
 * Returns a spoiled copy of an API response body (the original, held by the workspace, is untouched).
 * Extension point: a new kind adds a case in `spoil` (per record) or here (per response).
 */
export function hostileBody(label: string, body: unknown, kinds: readonly HostileKind[]): unknown {
  if (kinds.length === 0 || body === null || typeof body !== 'object') return body;
  const set = new Set(kinds);
  const copy = structuredClone(body) as JsonRecord;
  if (label === 'GET /data_attributes') return copy;
  if (label === 'GET /conversations/{id}') {
    if (set.has('missing_envelope') && hashText(String(copy.id)) % 5 === 0) delete copy.conversation_parts;
    spoil(copy, set, label);
    return copy;
  }
  for (const key of LIST_KEYS) {
    const items = copy[key];
    if (!Array.isArray(items)) continue;
    for (const item of items)
      if (item && typeof item === 'object' && !Array.isArray(item) && 'id' in item)
        spoil(item as JsonRecord, set, label);
  }
  return copy;
}
