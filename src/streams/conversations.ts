import type { StreamDefinition } from './types.js';

/** GET /conversations/deleted (from 2.16) lists deleted conversation ids with `deleted_at`. */
const deletedConversations = {
  path: '/conversations/deleted',
  itemsKey: 'conversations',
  version: '2.16',
} as const;

/** Intercom returns at most the 500 most recent parts of a conversation. */
const PART_CAP = 500;

/**
 * Whether Intercom's 500-part cap cuts a conversation's parts: its `statistics` count (in search
 * results too) or its parts list's `total_count` says more than the cap.
 */
export function partsTruncated(conversation: Record<string, unknown>): boolean {
  const statistics = conversation.statistics as { count_conversation_parts?: unknown } | undefined;
  const parts = conversation.conversation_parts as
    | { total_count?: unknown; conversation_parts?: unknown[] }
    | undefined;
  const counted =
    typeof statistics?.count_conversation_parts === 'number' ? statistics.count_conversation_parts : 0;
  const listed = Array.isArray(parts?.conversation_parts) ? parts.conversation_parts.length : undefined;
  const total = typeof parts?.total_count === 'number' ? parts.total_count : 0;
  return Math.max(counted, total) > PART_CAP && (listed === undefined || listed < Math.max(counted, total));
}

/** Conversations through POST /conversations/search over `updated_at` (`>`/`<` are or-equal there). */
export const conversations: StreamDefinition = {
  name: 'conversations',
  description: 'Conversations, with typed custom attributes (parts are in conversation_parts).',
  endpoint: 'POST /conversations/search',
  primaryKey: ['workspace_id', 'id'],
  cursor: 'updated_at',
  defaultMode: 'merge',
  customAttributes: 'conversation',
  source: { kind: 'search', path: '/conversations/search', itemsKey: 'conversations', dates: 'inclusive' },
  deletions: { ...deletedConversations, match: (deleted) => ({ id: deleted.id }) },
  transform: (conversation) => {
    conversation.parts_truncated = partsTruncated(conversation);
    return conversation;
  },
  fields: {
    workspace_id: 'string',
    id: 'string',
    type: 'string',
    title: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    waiting_since: 'timestamp',
    snoozed_until: 'timestamp',
    open: 'boolean',
    state: 'string',
    read: 'boolean',
    priority: 'string',
    admin_assignee_id: 'integer',
    team_assignee_id: 'integer',
    tags: 'json',
    conversation_rating: 'json',
    source: 'json',
    contacts: 'json',
    teammates: 'json',
    custom_attributes: 'json',
    first_contact_reply: 'json',
    sla_applied: 'json',
    statistics: 'json',
    linked_objects: 'json',
    topics: 'json',
    ai_agent_participated: 'boolean',
    ai_agent: 'json',
    /** Intercom's 500-part cap cut this conversation's parts (conversation_parts lacks the oldest). */
    parts_truncated: 'boolean',
  },
};

/**
 * Every part of every conversation: one GET /conversations/{id} per conversation, re-read whenever
 * the conversation changes. Each part carries its conversation's id and `updated_at`, and
 * `parts_truncated` when Intercom's 500-part cap cut the conversation's list.
 */
export const conversationParts: StreamDefinition = {
  name: 'conversation_parts',
  description: 'Parts (messages, notes, assignments, state changes) of each conversation.',
  endpoint: 'GET /conversations/{id}',
  primaryKey: ['workspace_id', 'id'],
  cursor: 'conversation_updated_at',
  defaultMode: 'merge',
  source: {
    kind: 'child',
    parent: 'conversations',
    path: (conversation) => `/conversations/${encodeURIComponent(String(conversation.id))}`,
    itemsPath: 'conversation_parts.conversation_parts',
    endpoint: 'GET /conversations/{id}',
  },
  deletions: { ...deletedConversations, match: (deleted) => ({ conversation_id: deleted.id }) },
  transform: (part, { response }) => {
    const statistics = response.statistics as { count_conversation_parts?: number } | undefined;
    const listed =
      (response.conversation_parts as { conversation_parts?: unknown[] } | undefined)?.conversation_parts
        ?.length ?? 0;
    const total = statistics?.count_conversation_parts ?? listed;
    // In place (the part is this answer's own object): a copy per part would be ~200 MB of garbage
    // at medium scale.
    part.conversation_id = response.id;
    part.conversation_updated_at = response.updated_at;
    part.parts_truncated = total > listed && listed >= PART_CAP;
    return part;
  },
  fields: {
    workspace_id: 'string',
    id: 'string',
    conversation_id: 'string',
    conversation_updated_at: 'timestamp',
    parts_truncated: 'boolean',
    type: 'string',
    part_type: 'string',
    body: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    notified_at: 'timestamp',
    assigned_to: 'json',
    author: 'json',
    attachments: 'json',
    external_id: 'string',
    redacted: 'boolean',
    state: 'string',
    tags: 'json',
    event_details: 'json',
    app_package_code: 'string',
  },
};
