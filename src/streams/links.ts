import type { ApiRecord, FieldType, StreamDefinition } from './types.js';

/**
 * Link tables: one row per relation a parent record lists, e.g. contact_tags from a contact's
 *
 *   "tags": {"type":"list","data":[{"type":"tag","id":"7"}],"total_count":1,"has_more":false}
 *
 * → `{ contact_id, tag_id: '7', contact_updated_at }`. The engine fetches lists Intercom cut at 10
 * (`has_more`) before the links are taken, and writes a parent's links in the parent's transaction,
 * replacing its earlier ones. Every table also gets `workspace_id` and `_synced_at`.
 */

/** The objects of a nested list: `{ [key]: [...] }` (`data`, `tags`, `contacts`…), or a bare array. */
export function nestedItems(value: unknown, key: string): ApiRecord[] {
  const list = Array.isArray(value) ? value : (value as Record<string, unknown> | null | undefined)?.[key];
  if (!Array.isArray(list)) return [];
  return list.filter((item): item is ApiRecord => typeof item === 'object' && item !== null);
}

/** Distinct, non-empty ids in order (Intercom returns ids as strings; some lists as numbers). */
function ids(values: unknown[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (typeof value === 'string' ? value !== '' : typeof value === 'number') out.add(String(value));
  }
  return [...out];
}

interface LinkOptions {
  name: string;
  description: string;
  parent: string;
  /** The parent's id column in the link table, e.g. `contact_id`. */
  parentColumn: string;
  /** The linked id column, e.g. `tag_id`. */
  linkColumn: string;
  /** Where the parent lists the links, for `intercom-sync streams`. */
  endpoint: string;
  /** The linked ids of a parent record. */
  linked: (parent: ApiRecord) => unknown[];
  /** The parent's `updated_at` as `<parent>_updated_at` (absent for teams, which have none). */
  updatedAtColumn?: string;
  defaultMode: 'merge' | 'replace';
  fullList?: { field: string; path: (parent: ApiRecord) => string; endpoint: string };
}

function link(options: LinkOptions): StreamDefinition {
  const { parentColumn, linkColumn, updatedAtColumn } = options;
  const fields: Record<string, FieldType> = {
    workspace_id: 'string',
    [parentColumn]: 'string',
    [linkColumn]: 'string',
  };
  if (updatedAtColumn) fields[updatedAtColumn] = 'timestamp';
  return {
    name: options.name,
    description: options.description,
    endpoint: options.endpoint,
    primaryKey: ['workspace_id', parentColumn, linkColumn],
    ...(updatedAtColumn ? { cursor: updatedAtColumn } : {}),
    defaultMode: options.defaultMode,
    source: {
      kind: 'link',
      parent: options.parent,
      parentKey: ['workspace_id', parentColumn],
      links: (parent) =>
        ids(options.linked(parent)).map((id) => ({
          [parentColumn]: String(parent.id),
          [linkColumn]: id,
          ...(updatedAtColumn ? { [updatedAtColumn]: parent.updated_at } : {}),
        })),
      ...(options.fullList ? { fullList: options.fullList } : {}),
    },
    fields,
  };
}

export const contactCompanies = link({
  name: 'contact_companies',
  description: "Companies of each contact (every one, also past Intercom's inline 10).",
  parent: 'contacts',
  parentColumn: 'contact_id',
  linkColumn: 'company_id',
  updatedAtColumn: 'contact_updated_at',
  endpoint: 'contacts; GET /contacts/{id}/companies',
  linked: (contact) => nestedItems(contact.companies, 'data').map((c) => c.id),
  defaultMode: 'merge',
  fullList: {
    field: 'companies',
    path: (contact) => `/contacts/${encodeURIComponent(String(contact.id))}/companies`,
    endpoint: 'GET /contacts/{id}/companies',
  },
});

export const contactTags = link({
  name: 'contact_tags',
  description: "Tags of each contact (every one, also past Intercom's inline 10).",
  parent: 'contacts',
  parentColumn: 'contact_id',
  linkColumn: 'tag_id',
  updatedAtColumn: 'contact_updated_at',
  endpoint: 'contacts; GET /contacts/{id}/tags',
  linked: (contact) => nestedItems(contact.tags, 'data').map((t) => t.id),
  defaultMode: 'merge',
  fullList: {
    field: 'tags',
    path: (contact) => `/contacts/${encodeURIComponent(String(contact.id))}/tags`,
    endpoint: 'GET /contacts/{id}/tags',
  },
});

export const companyTags = link({
  name: 'company_tags',
  description: 'Tags of each company.',
  parent: 'companies',
  parentColumn: 'company_id',
  linkColumn: 'tag_id',
  updatedAtColumn: 'company_updated_at',
  endpoint: 'companies (tags)',
  linked: (company) => nestedItems(company.tags, 'tags').map((t) => t.id),
  defaultMode: 'merge',
});

export const conversationContacts = link({
  name: 'conversation_contacts',
  description: 'Contacts taking part in each conversation.',
  parent: 'conversations',
  parentColumn: 'conversation_id',
  linkColumn: 'contact_id',
  updatedAtColumn: 'conversation_updated_at',
  endpoint: 'conversations (contacts)',
  linked: (conversation) => nestedItems(conversation.contacts, 'contacts').map((c) => c.id),
  defaultMode: 'merge',
});

export const conversationTags = link({
  name: 'conversation_tags',
  description: 'Tags of each conversation.',
  parent: 'conversations',
  parentColumn: 'conversation_id',
  linkColumn: 'tag_id',
  updatedAtColumn: 'conversation_updated_at',
  endpoint: 'conversations (tags)',
  linked: (conversation) => nestedItems(conversation.tags, 'tags').map((t) => t.id),
  defaultMode: 'merge',
});

export const teamAdmins = link({
  name: 'team_admins',
  description: 'Admins of each team.',
  parent: 'teams',
  parentColumn: 'team_id',
  linkColumn: 'admin_id',
  endpoint: 'teams (admin_ids)',
  linked: (team) => (Array.isArray(team.admin_ids) ? team.admin_ids : []),
  defaultMode: 'replace',
});
