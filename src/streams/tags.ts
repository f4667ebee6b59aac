import type { StreamDefinition } from './types.js';

/** Tags that can be applied to contacts, companies and conversations. Full table from GET /tags. */
export const tags: StreamDefinition = {
  name: 'tags',
  description: 'Tags of the workspace.',
  endpoint: 'GET /tags',
  primaryKey: ['workspace_id', 'id'],
  defaultMode: 'replace',
  source: { kind: 'list', path: '/tags', itemsKey: 'data' },
  fields: { workspace_id: 'string', id: 'string', type: 'string', name: 'string' },
};
