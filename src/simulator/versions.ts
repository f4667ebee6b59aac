import { versionAtLeast } from './routes/route.js';
import type { JsonRecord } from './workspace/table.js';

export type VersionedKind = 'admin' | 'contact' | 'conversation' | 'ticket';

const PRIORITY_2_16: Record<string, string> = { priority: 'high', not_priority: 'none' };

/**
 * Records are generated in the 2.14 shape; this rewrites the fields whose shape differs in the
 * requested `Intercom-Version`, as the 2.11 and 2.16 descriptions define them.
 */
export function adaptRecord(kind: VersionedKind, record: JsonRecord, version: string): JsonRecord {
  const modern = versionAtLeast(version, '2.16');
  const legacy = !versionAtLeast(version, '2.14');
  if (!modern && !legacy) return record;
  switch (kind) {
    case 'admin':
      return legacy
        ? {
            ...record,
            avatar: {
              type: 'avatar',
              image_url: record.avatar ?? 'https://static.example-cdn.com/avatars/default.png',
            },
          }
        : record;
    case 'contact':
      return modern
        ? {
            ...record,
            owner_id:
              record.owner_id === null || record.owner_id === undefined ? null : String(record.owner_id),
          }
        : record;
    case 'conversation':
      return modern
        ? { ...record, priority: PRIORITY_2_16[record.priority as string] ?? record.priority }
        : record;
    case 'ticket': {
      if (modern) {
        return {
          ...record,
          admin_assignee_id: Number(record.admin_assignee_id),
          team_assignee_id: Number(record.team_assignee_id),
        };
      }
      const state = record.ticket_state as JsonRecord;
      return {
        ...record,
        ticket_state: state.category,
        ticket_state_internal_label: state.internal_label,
        ticket_state_external_label: state.external_label,
      };
    }
  }
}
