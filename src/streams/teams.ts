import type { StreamDefinition } from './types.js';

/** Teams and their members. Full table from GET /teams. */
export const teams: StreamDefinition = {
  name: 'teams',
  description: 'Teams of admins.',
  endpoint: 'GET /teams',
  primaryKey: ['workspace_id', 'id'],
  defaultMode: 'replace',
  source: { kind: 'list', path: '/teams', itemsKey: 'teams' },
  fields: {
    workspace_id: 'string',
    id: 'string',
    type: 'string',
    name: 'string',
    admin_ids: 'json',
    admin_priority_level: 'json',
    assignment_limit: 'integer',
    distribution_method: 'string',
  },
};
