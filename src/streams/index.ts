import { activityLogs } from './activity-logs.js';
import { admins } from './admins.js';
import { articles } from './articles.js';
import { companies, companySegments } from './companies.js';
import { contacts, leads, users } from './contacts.js';
import { conversationParts, conversations } from './conversations.js';
import { companyAttributes, contactAttributes, conversationAttributes } from './data-attributes.js';
import { helpCenterCollections } from './help-center-collections.js';
import { helpCenters } from './help-centers.js';
import {
  companyTags,
  contactCompanies,
  contactTags,
  conversationContacts,
  conversationTags,
  teamAdmins,
} from './links.js';
import { segments } from './segments.js';
import { tags } from './tags.js';
import { teams } from './teams.js';
import { tickets } from './tickets.js';
import type { StreamDefinition } from './types.js';

export { nestedItems } from './links.js';
export type { ApiRecord, FieldType, Source, StreamDefinition } from './types.js';

/** Every stream intercom-sync offers, parents before their children. */
export const STREAMS: readonly StreamDefinition[] = [
  admins,
  teams,
  teamAdmins,
  tags,
  segments,
  contactAttributes,
  companyAttributes,
  conversationAttributes,
  companies,
  companySegments,
  companyTags,
  contacts,
  contactCompanies,
  contactTags,
  users,
  leads,
  conversations,
  conversationParts,
  conversationContacts,
  conversationTags,
  tickets,
  articles,
  helpCenters,
  helpCenterCollections,
  activityLogs,
];

/** Streams a plain `sync` selects: all but `users` and `leads`, which repeat `contacts` by role. */
export const DEFAULT_STREAMS: readonly string[] = STREAMS.map((s) => s.name).filter(
  (n) => n !== 'users' && n !== 'leads',
);

export function findStream(name: string): StreamDefinition | undefined {
  return STREAMS.find((s) => s.name === name);
}
