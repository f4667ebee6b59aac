import type { StreamDefinition } from './types.js';

/** Segments (saved filters of contacts or companies). Full table from GET /segments, with counts. */
export const segments: StreamDefinition = {
  name: 'segments',
  description: 'Segments of contacts and companies.',
  endpoint: 'GET /segments',
  primaryKey: ['workspace_id', 'id'],
  defaultMode: 'replace',
  source: { kind: 'list', path: '/segments', itemsKey: 'segments', query: { include_count: 'true' } },
  fields: {
    workspace_id: 'string',
    id: 'string',
    type: 'string',
    name: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    person_type: 'string',
    count: 'integer',
  },
};
