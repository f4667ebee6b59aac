import type { StreamDefinition } from './types.js';

/** Help center articles. GET /articles has no time filter: incremental runs keep what changed. */
export const articles: StreamDefinition = {
  name: 'articles',
  description: 'Help center articles.',
  endpoint: 'GET /articles',
  primaryKey: ['workspace_id', 'id'],
  cursor: 'updated_at',
  defaultMode: 'merge',
  source: { kind: 'pages', path: '/articles', itemsKey: 'data', perPage: 150 },
  fields: {
    id: 'string',
    type: 'string',
    workspace_id: 'string',
    title: 'string',
    description: 'string',
    body: 'string',
    author_id: 'integer',
    state: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    url: 'string',
    parent_id: 'integer',
    parent_ids: 'json',
    parent_type: 'string',
    default_locale: 'string',
    translated_content: 'json',
    tags: 'json',
    statistics: 'json',
  },
};
