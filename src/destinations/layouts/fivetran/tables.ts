import type { ColumnType } from '../../destination.js';

/**
 * The tables Fivetran's dbt_intercom package reads (its `models/staging/src_intercom.yml`), and
 * where each column comes from in intercom-sync's own tables. Declarative: `apply.ts` turns each
 * entry into SQL for the destination's dialect. A column whose source is missing from the stream
 * table (a stream not synced yet, a field Intercom never sent) is NULL of the declared type.
 *
 * To add a column: add it to `columns` with its source. To add a table: add an entry; its kind
 * decides how it is maintained (see `apply.ts`).
 */

/** Where a layout column's value comes from, in the row of the stream table. */
export type ColumnSource =
  /** A column of the stream table, cast to the layout column's type when they differ. */
  | { column: string; when?: { column: string; equals: string } }
  /** A value inside a JSON column, e.g. `source` → `author` → `id` (Unix seconds for timestamps). */
  | { json: string; path: readonly string[] }
  /** The first `value` whose `notNull` column is not NULL, e.g. the kind of assignee. */
  | { firstOf: ReadonlyArray<{ notNull: string; value: string }> };

export interface LayoutColumn {
  name: string;
  type: ColumnType;
  source: ColumnSource;
}

/**
 * - `current`: one row per record, the stream table's latest; records gone from it stay, with
 *   `_fivetran_deleted` true (admin, tag, team, team_admin).
 * - `history`: slowly changing dimension type 2, one row per version of a record (see `apply.ts`).
 */
export type LayoutTableKind = 'current' | 'history';

export interface LayoutTableDefinition {
  name: string;
  kind: LayoutTableKind;
  description: string;
  /** The intercom-sync table it derives from (a stream, or a link table). */
  from: string;
  /** Layout columns identifying a record (`workspace_id` is added first when the stream table has it). */
  key: readonly string[];
  /** History: the layout column whose change makes a new version (the record's or parent's `updated_at`). */
  version?: string;
  /**
   * History of links: the parent table and how a link row names its parent. A link that leaves
   * its parent's set is closed just before the parent's new `updated_at`.
   */
  parent?: { table: string; column: string };
  /** Copy the stream table's typed `custom_<name>` columns (custom data attributes) as they are. */
  custom?: boolean;
  columns: readonly LayoutColumn[];
}

const col = (name: string, type: ColumnType, column = name): LayoutColumn => ({
  name,
  type,
  source: { column },
});
const json = (name: string, type: ColumnType, from: string, ...path: string[]): LayoutColumn => ({
  name,
  type,
  source: { json: from, path },
});
const strings = (...names: string[]): LayoutColumn[] => names.map((n) => col(n, 'string'));
const times = (...names: string[]): LayoutColumn[] => names.map((n) => col(n, 'timestamp'));
const booleans = (...names: string[]): LayoutColumn[] => names.map((n) => col(n, 'boolean'));

/** A link table's history: `left` and `right` ids, and the parent's `updated_at` as the version. */
function linkHistory(
  name: string,
  from: string,
  parent: { table: string; column: string; updatedAt: string },
  other: string,
  description: string,
): LayoutTableDefinition {
  return {
    name,
    kind: 'history',
    description,
    from,
    key: [parent.column, other],
    version: parent.updatedAt,
    parent: { table: parent.table, column: parent.column },
    columns: [col(parent.column, 'string'), col(other, 'string'), col(parent.updatedAt, 'timestamp')],
  };
}

export const FIVETRAN_TABLES: readonly LayoutTableDefinition[] = [
  {
    name: 'admin',
    kind: 'current',
    description: 'Admins (teammates); `_fivetran_deleted` once gone from GET /admins.',
    from: 'admins',
    key: ['id'],
    columns: strings('id', 'name', 'email', 'job_title'),
  },
  {
    name: 'tag',
    kind: 'current',
    description: 'Tags; `_fivetran_deleted` once deleted.',
    from: 'tags',
    key: ['id'],
    columns: strings('id', 'name'),
  },
  {
    name: 'team',
    kind: 'current',
    description: 'Teams; `_fivetran_deleted` once deleted.',
    from: 'teams',
    key: ['id'],
    columns: strings('id', 'name'),
  },
  {
    name: 'team_admin',
    kind: 'current',
    description: 'Admins of each team; `_fivetran_deleted` once the admin left the team.',
    from: 'team_admins',
    key: ['team_id', 'admin_id'],
    columns: strings('team_id', 'admin_id'),
  },
  {
    name: 'contact_history',
    kind: 'history',
    description: 'Versions of each contact (user or lead), with its custom attributes.',
    from: 'contacts',
    key: ['id'],
    version: 'updated_at',
    custom: true,
    columns: [
      col('id', 'string'),
      col('admin_id', 'string', 'owner_id'),
      ...strings('external_id', 'role', 'email', 'phone', 'name', 'language_override'),
      ...strings('browser', 'browser_version', 'browser_language', 'os'),
      ...strings('android_app_name', 'android_app_version', 'android_device', 'android_os_version'),
      ...strings('android_sdk_version', 'ios_app_name', 'ios_app_version', 'ios_device', 'ios_os_version'),
      ...strings('ios_sdk_version'),
      ...booleans('has_hard_bounced', 'marked_email_as_spam', 'unsubscribed_from_emails'),
      ...times('created_at', 'updated_at', 'signed_up_at', 'last_seen_at', 'last_replied_at'),
      ...times('last_contacted_at', 'last_email_opened_at', 'last_email_clicked_at'),
      ...times('android_last_seen_at', 'ios_last_seen_at'),
      json('avatar', 'string', 'avatar', 'image_url'),
      json('location_city', 'string', 'location', 'city'),
      json('location_region', 'string', 'location', 'region'),
      json('location_country', 'string', 'location', 'country'),
    ],
  },
  {
    name: 'company_history',
    kind: 'history',
    description: 'Versions of each company, with its custom attributes.',
    from: 'companies',
    key: ['id'],
    version: 'updated_at',
    custom: true,
    columns: [
      ...strings('id', 'company_id', 'name', 'website', 'industry'),
      ...times('created_at', 'updated_at', 'remote_created_at', 'last_request_at'),
      col('user_count', 'integer'),
      col('session_count', 'integer'),
      col('size', 'integer'),
      col('monthly_spend', 'float'),
      json('plan_id', 'string', 'plan', 'id'),
      json('plan_name', 'string', 'plan', 'name'),
    ],
  },
  {
    name: 'conversation_history',
    kind: 'history',
    description: 'Versions of each conversation, with its custom attributes.',
    from: 'conversations',
    key: ['id'],
    version: 'updated_at',
    custom: true,
    columns: [
      ...strings('id', 'title', 'state', 'priority'),
      ...times('created_at', 'updated_at', 'waiting_since', 'snoozed_until'),
      col('assignee_id', 'string', 'admin_assignee_id'),
      {
        name: 'assignee_type',
        type: 'string',
        source: {
          firstOf: [
            { notNull: 'admin_assignee_id', value: 'admin' },
            { notNull: 'team_assignee_id', value: 'team' },
          ],
        },
      },
      col('team_assignee_id', 'string'),
      col('read', 'boolean'),
      col('is_read', 'boolean', 'read'),
      col('open', 'boolean'),
      json('conversation_rating_value', 'integer', 'conversation_rating', 'rating'),
      json('conversation_rating_remark', 'string', 'conversation_rating', 'remark'),
      json('conversation_rating_created_at', 'timestamp', 'conversation_rating', 'created_at'),
      json('first_contact_reply_created_at', 'timestamp', 'first_contact_reply', 'created_at'),
      json('first_contact_reply_type', 'string', 'first_contact_reply', 'type'),
      json('first_contact_reply_url', 'string', 'first_contact_reply', 'url'),
      json('source_id', 'string', 'source', 'id'),
      json('source_type', 'string', 'source', 'type'),
      json('source_delivered_as', 'string', 'source', 'delivered_as'),
      json('source_subject', 'string', 'source', 'subject'),
      json('source_body', 'string', 'source', 'body'),
      json('source_url', 'string', 'source', 'url'),
      json('source_author_id', 'string', 'source', 'author', 'id'),
      json('source_author_type', 'string', 'source', 'author', 'type'),
      json('sla_name', 'string', 'sla_applied', 'sla_name'),
      json('sla_status', 'string', 'sla_applied', 'sla_status'),
    ],
  },
  {
    name: 'conversation_part_history',
    kind: 'history',
    description: 'Versions of each conversation part.',
    from: 'conversation_parts',
    key: ['id'],
    version: 'updated_at',
    columns: [
      ...strings('id', 'conversation_id', 'part_type', 'body'),
      ...times('created_at', 'updated_at', 'notified_at', 'conversation_updated_at'),
      json('author_id', 'string', 'author', 'id'),
      json('author_type', 'string', 'author', 'type'),
      json('assigned_to_id', 'string', 'assigned_to', 'id'),
      json('assigned_to_type', 'string', 'assigned_to', 'type'),
    ],
  },
  linkHistory(
    'contact_company_history',
    'contact_companies',
    { table: 'contacts', column: 'contact_id', updatedAt: 'contact_updated_at' },
    'company_id',
    'Companies of each contact, one version per contact update.',
  ),
  linkHistory(
    'contact_tag_history',
    'contact_tags',
    { table: 'contacts', column: 'contact_id', updatedAt: 'contact_updated_at' },
    'tag_id',
    'Tags of each contact, one version per contact update.',
  ),
  linkHistory(
    'company_tag_history',
    'company_tags',
    { table: 'companies', column: 'company_id', updatedAt: 'company_updated_at' },
    'tag_id',
    'Tags of each company, one version per company update.',
  ),
  linkHistory(
    'conversation_contact_history',
    'conversation_contacts',
    { table: 'conversations', column: 'conversation_id', updatedAt: 'conversation_updated_at' },
    'contact_id',
    'Contacts of each conversation, one version per conversation update.',
  ),
  linkHistory(
    'conversation_tag_history',
    'conversation_tags',
    { table: 'conversations', column: 'conversation_id', updatedAt: 'conversation_updated_at' },
    'tag_id',
    'Tags of each conversation, one version per conversation update.',
  ),
  {
    name: 'article_history',
    kind: 'history',
    description: 'Versions of each help center article.',
    from: 'articles',
    key: ['id'],
    version: 'updated_at',
    columns: [
      ...strings('id', 'title', 'description', 'body', 'url', 'type', 'state', 'parent_type'),
      ...strings('default_locale'),
      col('author_id', 'string'),
      {
        name: 'collection_id',
        type: 'string',
        source: { column: 'parent_id', when: { column: 'parent_type', equals: 'collection' } },
      },
      {
        name: 'section_id',
        type: 'string',
        source: { column: 'parent_id', when: { column: 'parent_type', equals: 'section' } },
      },
      ...times('created_at', 'updated_at'),
      json('statistics_type', 'string', 'statistics', 'type'),
      json('statistics_views', 'integer', 'statistics', 'views'),
      json('statistics_conversations', 'integer', 'statistics', 'conversions'),
      json('statistics_reactions', 'integer', 'statistics', 'reactions'),
      json('statistics_happy_reaction_percentage', 'float', 'statistics', 'happy_reaction_percentage'),
      json('statistics_neutral_reaction_percentage', 'float', 'statistics', 'neutral_reaction_percentage'),
      json('statistics_sad_reaction_percentage', 'float', 'statistics', 'sad_reaction_percentage'),
    ],
  },
  {
    name: 'collection_history',
    kind: 'history',
    description: 'Versions of each help center collection.',
    from: 'help_center_collections',
    key: ['id'],
    version: 'updated_at',
    columns: [
      ...strings('id', 'help_center_id', 'parent_id', 'name', 'description', 'url', 'icon', 'type'),
      ...strings('default_locale'),
      col('order', 'integer'),
      ...times('created_at', 'updated_at'),
    ],
  },
  {
    name: 'help_center_history',
    kind: 'history',
    description: 'Versions of each help center.',
    from: 'help_centers',
    key: ['id'],
    version: 'updated_at',
    columns: [
      ...strings('id', 'display_name', 'identifier', 'url'),
      col('website_turned_on', 'boolean'),
      ...times('created_at', 'updated_at'),
    ],
  },
];

/** Columns every layout table has besides its own. */
export const FIVETRAN_SYNCED = '_fivetran_synced';
export const FIVETRAN_DELETED = '_fivetran_deleted';
export const FIVETRAN_ACTIVE = '_fivetran_active';
export const FIVETRAN_START = '_fivetran_start';
export const FIVETRAN_END = '_fivetran_end';
/** `_fivetran_end` of a version still active, as Fivetran writes it. */
export const ACTIVE_END = '9999-12-31T23:59:59.999Z';

/** Every column of a layout table (without the custom attribute columns), in table order. */
export function layoutColumns(table: LayoutTableDefinition): Array<{ name: string; type: ColumnType }> {
  const own = table.columns.map((c) => ({ name: c.name, type: c.type }));
  const fivetran: Array<{ name: string; type: ColumnType }> =
    table.kind === 'history'
      ? [
          { name: FIVETRAN_START, type: 'timestamp' },
          { name: FIVETRAN_END, type: 'timestamp' },
          { name: FIVETRAN_ACTIVE, type: 'boolean' },
          { name: FIVETRAN_SYNCED, type: 'timestamp' },
        ]
      : [
          { name: FIVETRAN_DELETED, type: 'boolean' },
          { name: FIVETRAN_SYNCED, type: 'timestamp' },
        ];
  return [{ name: 'workspace_id', type: 'string' }, ...own, ...fivetran];
}
