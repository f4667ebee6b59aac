import type { StreamDefinition } from './types.js';

/** Teammates of the workspace. Full table: GET /admins answers everything at once. */
export const admins: StreamDefinition = {
  name: 'admins',
  description: 'Admins (teammates) of the workspace.',
  endpoint: 'GET /admins',
  primaryKey: ['workspace_id', 'id'],
  defaultMode: 'replace',
  source: { kind: 'list', path: '/admins', itemsKey: 'admins' },
  fields: {
    workspace_id: 'string',
    id: 'string',
    type: 'string',
    name: 'string',
    email: 'string',
    job_title: 'string',
    away_mode_enabled: 'boolean',
    away_mode_reassign: 'boolean',
    has_inbox_seat: 'boolean',
    team_ids: 'json',
    avatar: 'json',
    team_priority_level: 'json',
  },
};
