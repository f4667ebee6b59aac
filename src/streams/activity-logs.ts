import type { StreamDefinition } from './types.js';

/**
 * Admin activity logs, read in creation-time windows (`created_at_after`/`created_at_before`,
 * Airbyte's `activity_logs_time_step`). Logs never change, so the cursor is `created_at`.
 */
export const activityLogs: StreamDefinition = {
  name: 'activity_logs',
  description: 'Admin activity logs (audit trail).',
  endpoint: 'GET /admins/activity_logs',
  primaryKey: ['workspace_id', 'id'],
  cursor: 'created_at',
  defaultMode: 'merge',
  source: {
    kind: 'window',
    path: '/admins/activity_logs',
    itemsKey: 'activity_logs',
    afterParam: 'created_at_after',
    beforeParam: 'created_at_before',
    stepDays: 30,
    perPage: 150,
  },
  fields: {
    workspace_id: 'string',
    id: 'string',
    performed_by: 'json',
    metadata: 'json',
    created_at: 'timestamp',
    activity_type: 'string',
    activity_description: 'string',
  },
};
