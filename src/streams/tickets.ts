import type { StreamDefinition } from './types.js';

/** Tickets through POST /tickets/search over `updated_at` (`>`/`<` are or-equal there). */
export const tickets: StreamDefinition = {
  name: 'tickets',
  description: 'Tickets with their type, state and attributes.',
  endpoint: 'POST /tickets/search',
  primaryKey: ['workspace_id', 'id'],
  cursor: 'updated_at',
  defaultMode: 'merge',
  source: { kind: 'search', path: '/tickets/search', itemsKey: 'tickets', dates: 'inclusive' },
  fields: {
    workspace_id: 'string',
    id: 'string',
    type: 'string',
    ticket_id: 'string',
    category: 'string',
    ticket_attributes: 'json',
    ticket_state: 'json',
    ticket_type: 'json',
    contacts: 'json',
    admin_assignee_id: 'string',
    team_assignee_id: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    open: 'boolean',
    snoozed_until: 'timestamp',
    linked_objects: 'json',
    ticket_parts: 'json',
    is_shared: 'boolean',
  },
};
