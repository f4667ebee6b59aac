import type { StreamDefinition } from './types.js';

/**
 * The workspace's help centers. GET /help_center/help_centers answers every one at once:
 *
 *   {"type":"list","data":[{"id":"1","workspace_id":"abc123","identifier":"acme-help",
 *     "display_name":"Acme Help","website_turned_on":true,"created_at":…,"updated_at":…}]}
 */
export const helpCenters: StreamDefinition = {
  name: 'help_centers',
  description: 'Help centers (sites holding the collections and articles).',
  endpoint: 'GET /help_center/help_centers',
  primaryKey: ['workspace_id', 'id'],
  defaultMode: 'replace',
  source: { kind: 'list', path: '/help_center/help_centers', itemsKey: 'data' },
  fields: {
    id: 'string',
    workspace_id: 'string',
    identifier: 'string',
    display_name: 'string',
    website_turned_on: 'boolean',
    url: 'string',
    custom_domain: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
  },
};
