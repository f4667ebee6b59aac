/** How many records of each kind a simulated workspace holds. */
export interface WorkspaceCounts {
  admins: number;
  teams: number;
  tags: number;
  segments: number;
  companies: number;
  contacts: number;
  conversations: number;
  /** Mean number of parts per conversation. */
  avgParts: number;
  /** Conversations with more than 500 parts (Intercom returns only the 500 most recent). */
  hugeConversations: number;
  tickets: number;
  ticketTypes: number;
  articles: number;
  collections: number;
  helpCenters: number;
  activityLogs: number;
  newsItems: number;
}

export const SCALES = {
  tiny: {
    admins: 4,
    teams: 2,
    tags: 12,
    segments: 4,
    companies: 15,
    contacts: 40,
    conversations: 25,
    avgParts: 4,
    hugeConversations: 0,
    tickets: 8,
    ticketTypes: 2,
    articles: 6,
    collections: 3,
    helpCenters: 1,
    activityLogs: 20,
    newsItems: 3,
  },
  small: {
    admins: 15,
    teams: 4,
    tags: 60,
    segments: 12,
    companies: 500,
    contacts: 2_000,
    conversations: 1_000,
    avgParts: 8,
    hugeConversations: 1,
    tickets: 200,
    ticketTypes: 3,
    articles: 60,
    collections: 8,
    helpCenters: 1,
    activityLogs: 400,
    newsItems: 10,
  },
  medium: {
    admins: 40,
    teams: 8,
    tags: 200,
    segments: 30,
    companies: 5_000,
    contacts: 20_000,
    conversations: 10_000,
    avgParts: 10,
    hugeConversations: 3,
    tickets: 2_000,
    ticketTypes: 4,
    articles: 300,
    collections: 20,
    helpCenters: 2,
    activityLogs: 4_000,
    newsItems: 30,
  },
  large: {
    admins: 100,
    teams: 15,
    tags: 500,
    segments: 60,
    companies: 50_000,
    contacts: 200_000,
    conversations: 100_000,
    avgParts: 10,
    hugeConversations: 10,
    tickets: 20_000,
    ticketTypes: 5,
    articles: 1_500,
    collections: 50,
    helpCenters: 3,
    activityLogs: 40_000,
    newsItems: 60,
  },
} as const satisfies Record<string, WorkspaceCounts>;

export type Scale = keyof typeof SCALES;

export function isScale(value: string): value is Scale {
  return Object.hasOwn(SCALES, value);
}
