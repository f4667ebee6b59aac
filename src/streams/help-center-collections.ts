import type { StreamDefinition } from './types.js';

/** Help center collections. Page-numbered and unfiltered: incremental runs keep what changed. */
export const helpCenterCollections: StreamDefinition = {
  name: 'help_center_collections',
  description: 'Help center collections.',
  endpoint: 'GET /help_center/collections',
  primaryKey: ['workspace_id', 'id'],
  cursor: 'updated_at',
  defaultMode: 'merge',
  source: { kind: 'pages', path: '/help_center/collections', itemsKey: 'data', perPage: 150 },
  fields: {
    id: 'string',
    workspace_id: 'string',
    name: 'string',
    description: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    url: 'string',
    icon: 'string',
    order: 'integer',
    default_locale: 'string',
    translated_content: 'json',
    parent_id: 'string',
    help_center_id: 'integer',
  },
};
