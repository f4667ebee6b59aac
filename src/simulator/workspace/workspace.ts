import type { VirtualClock } from '../clock.js';
import { FakeData, hash32, Rng } from '../random.js';
import type { WorkspaceCounts } from '../scales.js';
import { type AttributeModel, customAttributeValues, dataAttributeRecords } from './attributes.js';
import {
  DAY,
  HexIds,
  Kind,
  MAX_PARTS_PER_CONVERSATION,
  numericId,
  numericIndex,
  partId,
} from './identity.js';
import { type JsonRecord, LazyTable } from './table.js';

export interface WorkspaceOptions {
  seed: number;
  counts: WorkspaceCounts;
  /** Unix seconds: the generated history spans the two years before it. */
  anchor: number;
  /** The simulator's clock (mutations happen "now"; `advance_seconds` moves it). */
  clock: VirtualClock;
}

/** Intercom returns at most this many (the most recent) parts of a conversation. */
export const PART_CAP = 500;
const TWO_YEARS = 730 * DAY;
const NESTED_LIMIT = 10;

interface ExtraPart {
  createdAt: number;
  partType: string;
  author: 'contact' | 'admin';
  authorIndex: number;
}

interface PartSkeleton extends ExtraPart {
  index: number;
}

const PART_TYPES_BY_ADMIN = ['comment', 'comment', 'comment', 'note', 'assignment'] as const;
const INDUSTRIES = ['Software', 'Retail', 'Finance', 'Healthcare', 'Education', 'Media', 'Logistics'];
const PLANS = ['Starter', 'Growth', 'Scale', 'Enterprise'];
const ACTIVITY_TYPES = [
  'admin_login_success',
  'admin_away_mode_change',
  'app_data_export',
  'conversation_topic_change',
  'admin_assignment_limit_change',
  'message_state_change',
  'search_browse_enabled_change',
  'app_name_change',
] as const;

/**
 * The simulated workspace: deterministic from a seed, lazily materialised, mutable the way real use
 * mutates a workspace. Small collections (admins, tags, …) are plain arrays; large ones are
 * `LazyTable`s whose records are generated on demand from their index.
 */
export class Workspace {
  readonly seed: number;
  readonly counts: WorkspaceCounts;
  readonly anchor: number;
  readonly clock: VirtualClock;
  readonly appId: string;
  readonly appName: string;
  readonly appCreatedAt: number;

  readonly contactIds: HexIds;
  readonly companyIds: HexIds;
  readonly segmentIds: HexIds;

  readonly admins: JsonRecord[] = [];
  readonly teams: JsonRecord[] = [];
  readonly tags: JsonRecord[] = [];
  readonly segments: JsonRecord[] = [];
  /**
   * Deleted admins, teams and segments (`kind:id`). They stay in their arrays, whose indexes other
   * records are generated from, and are left out of listings (`listed`) and the truth.
   */
  private readonly removed = new Set<string>();
  readonly ticketTypes: JsonRecord[] = [];
  readonly helpCenters: JsonRecord[] = [];
  readonly newsItems: JsonRecord[] = [];
  readonly dataAttributes: Record<AttributeModel, JsonRecord[]>;

  readonly contacts: LazyTable<JsonRecord>;
  readonly companies: LazyTable<JsonRecord>;
  readonly conversations: LazyTable<JsonRecord>;
  readonly tickets: LazyTable<JsonRecord>;
  readonly articles: LazyTable<JsonRecord>;
  readonly collections: LazyTable<JsonRecord>;
  readonly activityLogs: LazyTable<JsonRecord>;

  /** Parts generated with each conversation, by conversation index. */
  private readonly basePartCount: number[] = [];
  /** Time of each conversation's last generated part. */
  private readonly baseEnd: number[] = [];
  private readonly extraParts = new Map<number, ExtraPart[]>();
  /** Tag indexes of contacts whose tags an update changed (an update removes the first tag). */
  private readonly contactTagOverrides = new Map<number, number[]>();
  /** Segment indexes of companies an update changed (an update takes the first segment off). */
  private readonly companySegmentOverrides = new Map<number, number[]>();
  /** Deleted conversations as GET /conversations/deleted lists them, oldest first. */
  readonly deletedConversations: Array<{ id: string; deleted_at: number }> = [];
  private mutationCount = 0;
  private readonly fake = new FakeData();

  constructor(options: WorkspaceOptions) {
    this.seed = options.seed >>> 0;
    this.counts = options.counts;
    this.anchor = options.anchor;
    this.clock = options.clock;
    const rng = new Rng(hash32(this.seed, 0));
    this.appId = rng.hex(8);
    this.fake.at(this.seed, 0, 0);
    this.appName = this.fake.faker.company.name();
    this.appCreatedAt = this.anchor - TWO_YEARS - 30 * DAY;
    this.contactIds = new HexIds(this.seed, Kind.contact);
    this.companyIds = new HexIds(this.seed, Kind.company);
    this.segmentIds = new HexIds(this.seed, Kind.segment);

    this.buildSmallCollections();
    this.dataAttributes = {
      contact: dataAttributeRecords('contact', this.appCreatedAt, this.adminId(0)),
      company: dataAttributeRecords('company', this.appCreatedAt, this.adminId(0)),
      conversation: dataAttributeRecords('conversation', this.appCreatedAt, this.adminId(0)),
    };

    this.contacts = new LazyTable((i) => this.buildContact(i));
    this.companies = new LazyTable((i) => this.buildCompany(i));
    this.conversations = new LazyTable((i) => this.buildConversation(i, false));
    this.tickets = new LazyTable((i) => this.buildTicket(i));
    this.articles = new LazyTable((i) => this.buildArticle(i));
    this.collections = new LazyTable((i) => this.buildCollection(i));
    this.activityLogs = new LazyTable((i) => this.buildActivityLog(i));

    this.seedTimes(this.companies, Kind.company, this.counts.companies, 90 * DAY);
    this.seedTimes(this.contacts, Kind.contact, this.counts.contacts, 60 * DAY);
    this.seedTimes(this.tickets, Kind.ticket, this.counts.tickets, 5 * DAY);
    this.seedTimes(this.articles, Kind.article, this.counts.articles, 120 * DAY);
    this.seedTimes(this.collections, Kind.collection, this.counts.collections, 200 * DAY);
    this.seedConversations();
    this.seedActivityLogs();
  }

  // ---------------------------------------------------------------- ids

  adminId(i: number): string {
    return numericId('admin', i);
  }

  teamId(i: number): string {
    return numericId('team', i);
  }

  tagId(i: number): string {
    return numericId('tag', i);
  }

  conversationId(i: number): string {
    return numericId('conversation', i);
  }

  conversationIndex(id: string): number {
    return numericIndex('conversation', id);
  }

  ticketId(i: number): string {
    return numericId('ticket', i);
  }

  // ---------------------------------------------------------------- skeleton

  private seedTimes(table: LazyTable<JsonRecord>, kind: number, count: number, meanAge: number): void {
    const rng = new Rng();
    const start = this.anchor - TWO_YEARS;
    for (let i = 0; i < count; i++) {
      rng.seed(hash32(this.seed, kind, i, 1));
      const created = start + Math.floor(rng.next() * (TWO_YEARS - 3600));
      const updated = Math.min(this.anchor, created + Math.floor(rng.exp(meanAge)));
      table.push(created, updated);
    }
  }

  private seedConversations(): void {
    const rng = new Rng();
    const start = this.anchor - TWO_YEARS;
    const n = this.counts.conversations;
    const huge = new Set<number>();
    for (let k = 0; k < this.counts.hugeConversations && n > 0; k++)
      huge.add(Math.floor(((k + 0.5) * n) / this.counts.hugeConversations));
    for (let i = 0; i < n; i++) {
      rng.seed(hash32(this.seed, Kind.conversation, i, 1));
      const created = start + Math.floor(rng.next() * (TWO_YEARS - 3600));
      const parts = huge.has(i)
        ? rng.int(PART_CAP + 10, PART_CAP + 200)
        : Math.min(200, Math.round(rng.exp(this.counts.avgParts)));
      const span =
        parts === 0 ? rng.int(0, 600) : Math.floor(rng.exp(huge.has(i) ? 60 * DAY : 2 * DAY)) + parts;
      const end = Math.min(this.anchor, created + span);
      this.conversations.push(created, end);
      this.basePartCount.push(parts);
      this.baseEnd.push(end);
    }
  }

  private seedActivityLogs(): void {
    const rng = new Rng(hash32(this.seed, Kind.activityLog));
    const start = this.anchor - TWO_YEARS;
    const n = this.counts.activityLogs;
    let t = start;
    const step = TWO_YEARS / Math.max(1, n);
    for (let i = 0; i < n; i++) {
      t += Math.max(1, Math.floor(rng.exp(step)));
      const at = Math.min(this.anchor, Math.floor(t));
      this.activityLogs.push(at, at);
    }
  }

  private buildSmallCollections(): void {
    const { faker } = this.fake;
    const c = this.counts;
    const created = this.appCreatedAt;
    for (let i = 0; i < c.teams; i++) {
      this.fake.at(this.seed, Kind.team, i);
      const adminIds = Array.from({ length: c.admins }, (_, a) => a).filter((a) => a % c.teams === i);
      this.teams.push({
        type: 'team',
        id: this.teamId(i),
        name: `${faker.commerce.department()} ${i + 1}`,
        admin_ids: adminIds.map((a) => Number(this.adminId(a))),
        admin_priority_level: {
          primary_admin_ids: adminIds.slice(0, 1).map((a) => Number(this.adminId(a))),
          secondary_admin_ids: [],
        },
      });
    }
    for (let i = 0; i < c.admins; i++) {
      const rng = this.fake.at(this.seed, Kind.admin, i);
      const first = faker.person.firstName();
      const last = faker.person.lastName();
      const teamIds = c.teams > 0 ? [Number(this.teamId(i % c.teams))] : [];
      this.admins.push({
        type: 'admin',
        id: this.adminId(i),
        name: `${first} ${last}`,
        email: `${first}.${last}.${i}@example-support.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
        job_title: faker.person.jobTitle(),
        away_mode_enabled: rng.chance(0.1),
        away_mode_reassign: rng.chance(0.3),
        has_inbox_seat: rng.chance(0.9),
        team_ids: teamIds,
        avatar: rng.chance(0.5) ? `https://static.example-cdn.com/avatars/${this.adminId(i)}.png` : null,
        team_priority_level: { primary_team_ids: teamIds, secondary_team_ids: [] },
      });
    }
    for (let i = 0; i < c.tags; i++) {
      this.fake.at(this.seed, Kind.tag, i);
      this.tags.push({
        type: 'tag',
        id: this.tagId(i),
        name: `${faker.word.adjective()}-${faker.word.noun()}-${i}`,
      });
    }
    for (let i = 0; i < c.segments; i++) {
      const rng = this.fake.at(this.seed, Kind.segment, i);
      const at = created + rng.int(0, TWO_YEARS);
      this.segments.push({
        type: 'segment',
        id: this.segmentIds.id(i),
        name: `${faker.word.adjective()} ${i % 3 === 0 ? 'companies' : 'users'} ${i + 1}`,
        created_at: at,
        updated_at: Math.min(this.anchor, at + rng.int(0, 90 * DAY)),
        person_type: i % 2 === 0 ? 'user' : 'contact',
      });
    }
    for (let i = 0; i < c.ticketTypes; i++) {
      this.fake.at(this.seed, Kind.ticketType, i);
      const id = numericId('ticketType', i);
      const category = (['Customer', 'Back-office', 'Tracker'] as const)[i % 3];
      this.ticketTypes.push({
        type: 'ticket_type',
        id,
        category,
        name: `${faker.commerce.productAdjective()} request`,
        description: faker.lorem.sentence(),
        icon: '🎟️',
        workspace_id: this.appId,
        ticket_type_attributes: {
          type: 'list',
          ticket_type_attributes: ['_default_title_', '_default_description_'].map((name, k) => ({
            type: 'ticket_type_attribute',
            id: String(Number(id) * 100 + k),
            workspace_id: this.appId,
            name,
            description: '',
            data_type: 'string',
            input_options: { multiline: k === 1 },
            order: k,
            required_to_create: false,
            required_to_create_for_contacts: false,
            visible_on_create: true,
            visible_to_contacts: true,
            default: true,
            ticket_type_id: Number(id),
            archived: false,
            created_at: created,
            updated_at: created,
          })),
        },
        ticket_states: { type: 'list', data: TICKET_STATES.map((s) => this.ticketState(s)) },
        archived: false,
        created_at: created,
        updated_at: created,
      });
    }
    for (let i = 0; i < c.helpCenters; i++) {
      this.fake.at(this.seed, Kind.helpCenter, i);
      const identifier = `${faker.word.noun()}-help-${i + 1}`;
      this.helpCenters.push({
        id: numericId('helpCenter', i),
        workspace_id: this.appId,
        created_at: created,
        updated_at: created + i * DAY,
        identifier,
        website_turned_on: i === 0,
        display_name: `${this.appName} Help ${i + 1}`,
        url: `https://intercom.help/${identifier}`,
        custom_domain: null,
      });
    }
    for (let i = 0; i < c.newsItems; i++) {
      const rng = this.fake.at(this.seed, Kind.newsItem, i);
      const at = this.anchor - TWO_YEARS + rng.int(0, TWO_YEARS);
      this.newsItems.push({
        type: 'news-item',
        id: numericId('newsItem', i),
        workspace_id: this.appId,
        title: faker.lorem.sentence({ min: 3, max: 7 }),
        body: `<p>${faker.lorem.paragraph()}</p>`,
        sender_id: Number(this.adminId(i % Math.max(1, c.admins))),
        state: rng.chance(0.8) ? 'live' : 'draft',
        newsfeed_assignments: [{ newsfeed_id: 1, published_at: at }],
        labels: [],
        cover_image_url: null,
        reactions: [],
        deliver_silently: false,
        created_at: at,
        updated_at: at,
      });
    }
  }

  private ticketState(category: (typeof TICKET_STATES)[number]): JsonRecord {
    return {
      type: 'ticket_state',
      id: String(TICKET_STATES.indexOf(category) + 1),
      category,
      internal_label: category.replace(/_/g, ' '),
      external_label: category.replace(/_/g, ' '),
    };
  }

  // ---------------------------------------------------------------- contacts

  /** Role of contact `i`, computable without generating the contact. */
  contactRole(i: number): 'user' | 'lead' {
    return hash32(this.seed, Kind.contactIdentity, i, 7) % 10 < 7 ? 'user' : 'lead';
  }

  contactIdentity(i: number): { name: string; email: string; externalId: string | null } {
    this.fake.at(this.seed, Kind.contactIdentity, i);
    const first = this.fake.faker.person.firstName();
    const last = this.fake.faker.person.lastName();
    const domain = this.fake.faker.internet.domainName();
    const email = `${first}.${last}.${i}@${domain}`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
    return {
      name: `${first} ${last}`,
      email,
      externalId: this.contactRole(i) === 'user' ? `user-${i + 1}` : null,
    };
  }

  /** Tag indexes applied to contact `i` (a few contacts have more than the 10 listed inline). */
  contactTagIndexes(i: number): number[] {
    const changed = this.contactTagOverrides.get(i);
    if (changed) return changed;
    const rng = new Rng(hash32(this.seed, Kind.contact, i, 3));
    const n = rng.chance(0.02) ? rng.int(NESTED_LIMIT + 1, NESTED_LIMIT + 15) : rng.int(0, 3);
    return rng.sample(this.tags.length, n);
  }

  /** Company indexes contact `i` belongs to, live ones only. */
  contactCompanyIndexes(i: number): number[] {
    const rng = new Rng(hash32(this.seed, Kind.contact, i, 4));
    const n = rng.chance(0.01)
      ? rng.int(NESTED_LIMIT + 1, NESTED_LIMIT + 5)
      : rng.chance(0.2)
        ? 0
        : rng.int(1, 2);
    return rng.sample(this.counts.companies, n).filter((c) => this.companies.isLive(c));
  }

  contactNoteCount(i: number): number {
    const rng = new Rng(hash32(this.seed, Kind.contact, i, 5));
    return rng.chance(0.005) ? rng.int(NESTED_LIMIT + 1, NESTED_LIMIT + 4) : rng.int(0, 2);
  }

  private buildContact(i: number): JsonRecord {
    const id = this.contactIds.id(i);
    const created = this.contacts.createdAt[i] as number;
    const updated = this.contacts.updatedAt[i] as number;
    const { name, email, externalId } = this.contactIdentity(i);
    const role = this.contactRole(i);
    const rng = this.fake.at(this.seed, Kind.contact, i);
    const { faker } = this.fake;
    const between = () => created + Math.floor(rng.next() * (updated - created + 1));
    const tagIdx = this.contactTagIndexes(i);
    const companyIdx = this.contactCompanyIndexes(i);
    const notes = this.contactNoteCount(i);
    const phone = rng.chance(0.4) ? `+1${rng.int(200, 999)}${rng.int(1000000, 9999999)}` : null;
    const custom = customAttributeValues('contact', rng, created);
    return {
      type: 'contact',
      id,
      workspace_id: this.appId,
      external_id: externalId,
      role,
      email,
      email_domain: email.split('@')[1],
      phone,
      name: role === 'lead' && rng.chance(0.3) ? null : name,
      owner_id:
        rng.chance(0.5) && this.admins.length > 0
          ? Number(this.adminId(rng.int(0, this.admins.length - 1)))
          : null,
      has_hard_bounced: rng.chance(0.02),
      marked_email_as_spam: rng.chance(0.01),
      unsubscribed_from_emails: rng.chance(0.1),
      created_at: created,
      updated_at: updated,
      signed_up_at: role === 'user' ? created : null,
      last_seen_at: rng.chance(0.8) ? between() : null,
      last_replied_at: rng.chance(0.5) ? between() : null,
      last_contacted_at: rng.chance(0.5) ? between() : null,
      last_email_opened_at: rng.chance(0.3) ? between() : null,
      last_email_clicked_at: rng.chance(0.2) ? between() : null,
      language_override: rng.chance(0.05) ? 'fr' : null,
      browser: rng.pick(['chrome', 'firefox', 'safari', 'edge']),
      browser_version: `${rng.int(90, 130)}.0`,
      browser_language: rng.pick(['en', 'en-GB', 'fr', 'de', 'es']),
      os: rng.pick(['OS X 14.1', 'Windows 11', 'Linux', 'iOS 17.2', 'Android 14']),
      android_app_name: null,
      android_app_version: null,
      android_device: null,
      android_os_version: null,
      android_sdk_version: null,
      android_last_seen_at: null,
      ios_app_name: null,
      ios_app_version: null,
      ios_device: null,
      ios_os_version: null,
      ios_sdk_version: null,
      ios_last_seen_at: null,
      custom_attributes: custom,
      avatar: {
        type: 'avatar',
        image_url: rng.chance(0.3) ? `https://static.example-cdn.com/avatars/${id}.png` : null,
      },
      tags: {
        type: 'list',
        data: tagIdx
          .slice(0, NESTED_LIMIT)
          .map((t) => ({ type: 'tag', id: this.tagId(t), url: `/tags/${this.tagId(t)}` })),
        url: `/contacts/${id}/tags`,
        total_count: tagIdx.length,
        has_more: tagIdx.length > NESTED_LIMIT,
      },
      notes: {
        type: 'list',
        data: Array.from({ length: Math.min(notes, NESTED_LIMIT) }, (_, k) => {
          const noteId = numericId('note', i * 16 + k);
          return { type: 'note', id: noteId, url: `/notes/${noteId}` };
        }),
        url: `/contacts/${id}/notes`,
        total_count: notes,
        has_more: notes > NESTED_LIMIT,
      },
      companies: {
        type: 'list',
        data: companyIdx.slice(0, NESTED_LIMIT).map((c) => ({
          type: 'company',
          id: this.companyIds.id(c),
          url: `/companies/${this.companyIds.id(c)}`,
        })),
        url: `/contacts/${id}/companies`,
        total_count: companyIdx.length,
        has_more: companyIdx.length > NESTED_LIMIT,
      },
      location: {
        type: 'location',
        country: faker.location.country(),
        region: faker.location.state(),
        city: faker.location.city(),
      },
      social_profiles: { type: 'list', data: [] },
    };
  }

  /** GET /contacts/{id}/tags: every tag, with when it was applied. */
  contactTags(i: number): JsonRecord[] {
    const created = this.contacts.createdAt[i] as number;
    return this.contactTagIndexes(i).map((t) => ({
      ...(this.tags[t] as JsonRecord),
      applied_at: created,
      applied_by: { type: 'admin', id: this.adminId(t % Math.max(1, this.admins.length)) },
    }));
  }

  // ---------------------------------------------------------------- companies

  companySegmentIndexes(i: number): number[] {
    const changed = this.companySegmentOverrides.get(i);
    if (changed) return changed;
    const rng = new Rng(hash32(this.seed, Kind.company, i, 6));
    return rng.sample(this.segments.length, rng.int(0, 2));
  }

  companyTagIndexes(i: number): number[] {
    const rng = new Rng(hash32(this.seed, Kind.company, i, 7));
    return rng.sample(this.tags.length, rng.int(0, 3));
  }

  private buildCompany(i: number): JsonRecord {
    const created = this.companies.createdAt[i] as number;
    const updated = this.companies.updatedAt[i] as number;
    const rng = this.fake.at(this.seed, Kind.company, i);
    const { faker } = this.fake;
    const name = faker.company.name();
    const plan = rng.int(0, PLANS.length - 1);
    return {
      type: 'company',
      id: this.companyIds.id(i),
      name,
      app_id: this.appId,
      plan: { type: 'plan', id: String(1000 + plan), name: PLANS[plan] },
      company_id: `company-${i + 1}`,
      remote_created_at: created - rng.int(0, 30 * DAY),
      created_at: created,
      updated_at: updated,
      last_request_at: created + Math.floor(rng.next() * (updated - created + 1)),
      size: rng.int(1, 5000),
      website: `https://www.${faker.internet.domainName()}`,
      industry: rng.pick(INDUSTRIES),
      monthly_spend: rng.int(0, 20000),
      session_count: rng.int(0, 10000),
      user_count: rng.int(0, 300),
      custom_attributes: customAttributeValues('company', rng, created),
      tags: { type: 'tag.list', tags: this.companyTagIndexes(i).map((t) => this.tags[t] as JsonRecord) },
      segments: {
        type: 'segment.list',
        segments: this.companySegmentIndexes(i).map((s) => this.segments[s] as JsonRecord),
      },
    };
  }

  // ---------------------------------------------------------------- conversations

  partCount(i: number): number {
    return (this.basePartCount[i] ?? 0) + (this.extraParts.get(i)?.length ?? 0);
  }

  private conversationContacts(i: number): number[] {
    const rng = new Rng(hash32(this.seed, Kind.conversation, i, 2));
    const n = rng.chance(0.1) ? rng.int(2, 3) : 1;
    return this.counts.contacts > 0 ? rng.sample(this.counts.contacts, n) : [];
  }

  private partSkeletons(i: number): PartSkeleton[] {
    const base = this.basePartCount[i] ?? 0;
    const created = this.conversations.createdAt[i] as number;
    const baseEnd = this.baseConversationEnd(i);
    const rng = new Rng(hash32(this.seed, Kind.part, i));
    const contacts = this.conversationContacts(i);
    const state = this.conversationBaseState(i);
    const out: PartSkeleton[] = [];
    for (let j = 0; j < base; j++) {
      const t =
        j === base - 1 ? baseEnd : created + Math.floor(((j + rng.next()) / base) * (baseEnd - created));
      const last = j === base - 1;
      const fromContact = !last && rng.chance(0.45) && contacts.length > 0;
      let partType: string = fromContact ? 'comment' : rng.pick(PART_TYPES_BY_ADMIN);
      if (last && state === 'closed') partType = 'close';
      else if (last && state === 'snoozed') partType = 'snoozed';
      else if (!fromContact && rng.chance(0.05)) partType = rng.chance(0.5) ? 'close' : 'open';
      out.push({
        index: j,
        createdAt: Math.max(created, t),
        partType,
        author: fromContact ? 'contact' : 'admin',
        authorIndex: fromContact
          ? (contacts[rng.int(0, contacts.length - 1)] as number)
          : rng.int(0, Math.max(0, this.admins.length - 1)),
      });
    }
    const extra = this.extraParts.get(i) ?? [];
    extra.forEach((p, k) => {
      out.push({ ...p, index: base + k });
    });
    return out;
  }

  /** The time of the last generated part (before any mutation). */
  private baseConversationEnd(i: number): number {
    return this.baseEnd[i] ?? (this.conversations.createdAt[i] as number);
  }

  private conversationBaseState(i: number): 'open' | 'closed' | 'snoozed' {
    const r = hash32(this.seed, Kind.conversation, i, 9) % 100;
    return r < 70 ? 'closed' : r < 92 ? 'open' : 'snoozed';
  }

  private partRecord(conversationIndex: number, p: PartSkeleton, state: string): JsonRecord {
    const rng = new Rng(hash32(this.seed, Kind.part, conversationIndex, p.index));
    const author =
      p.author === 'contact'
        ? (() => {
            const who = this.contactIdentity(p.authorIndex);
            return {
              type: this.contactRole(p.authorIndex),
              id: this.contactIds.id(p.authorIndex),
              name: who.name,
              email: who.email,
              from_ai_agent: false,
              is_ai_answer: false,
            };
          })()
        : {
            type: 'admin',
            id: this.adminId(p.authorIndex),
            name: (this.admins[p.authorIndex]?.name as string | undefined) ?? 'Operator',
            email:
              (this.admins[p.authorIndex]?.email as string | undefined) ??
              `operator+${this.appId}@intercom.io`,
            from_ai_agent: false,
            is_ai_answer: false,
          };
    const hasBody = p.partType === 'comment' || p.partType === 'note';
    return {
      type: 'conversation_part',
      id: partId(conversationIndex, p.index),
      part_type: p.partType,
      body: hasBody ? `<p>${this.fakeSentence(rng)}</p>` : null,
      created_at: p.createdAt,
      updated_at: p.createdAt,
      notified_at: p.createdAt,
      assigned_to:
        p.partType === 'assignment'
          ? { type: 'admin', id: this.adminId(rng.int(0, Math.max(0, this.admins.length - 1))) }
          : null,
      author,
      attachments: [],
      external_id: null,
      redacted: false,
      state,
    };
  }

  private fakeSentence(rng: Rng): string {
    const words = [
      'thanks',
      'order',
      'invoice',
      'login',
      'broken',
      'help',
      'account',
      'refund',
      'please',
      'update',
      'error',
      'works',
      'again',
      'today',
    ];
    const n = rng.int(4, 14);
    const out: string[] = [];
    for (let k = 0; k < n; k++) out.push(rng.pick(words));
    return `${out.join(' ')}.`;
  }

  /** Every part of conversation `i`, oldest first (including those the API no longer returns). */
  conversationParts(i: number): JsonRecord[] {
    let state = 'open';
    return this.partSkeletons(i).map((p) => {
      if (p.partType === 'close') state = 'closed';
      else if (
        p.partType === 'open' ||
        (p.partType === 'comment' && p.author === 'contact' && state !== 'open')
      )
        state = 'open';
      else if (p.partType === 'snoozed') state = 'snoozed';
      return this.partRecord(i, p, state);
    });
  }

  private buildConversation(i: number, withParts: boolean): JsonRecord {
    const created = this.conversations.createdAt[i] as number;
    const updated = this.conversations.updatedAt[i] as number;
    const rng = new Rng(hash32(this.seed, Kind.conversation, i, 8));
    const contacts = this.conversationContacts(i);
    const first = contacts[0];
    const who = first === undefined ? undefined : this.contactIdentity(first);
    const parts = withParts ? this.conversationParts(i) : undefined;
    const state = parts ? ((parts.at(-1)?.state as string | undefined) ?? 'open') : this.currentState(i);
    const admin = this.admins.length > 0 ? rng.int(0, this.admins.length - 1) : -1;
    const team = this.teams.length > 0 ? rng.int(0, this.teams.length - 1) : -1;
    const tagIdx = rng.sample(this.tags.length, rng.int(0, 2));
    const totalParts = this.partCount(i);
    const firstReply = created + rng.int(30, 3 * 3600);
    const record: JsonRecord = {
      type: 'conversation',
      id: this.conversationId(i),
      title: rng.chance(0.3) ? this.fakeSentence(rng) : null,
      created_at: created,
      updated_at: updated,
      waiting_since: state === 'open' ? updated : null,
      snoozed_until: state === 'snoozed' ? updated + DAY : null,
      open: state !== 'closed',
      state,
      read: rng.chance(0.8),
      priority: rng.chance(0.1) ? 'priority' : 'not_priority',
      admin_assignee_id: admin >= 0 ? Number(this.adminId(admin)) : null,
      team_assignee_id: team >= 0 ? Number(this.teamId(team)) : null,
      tags: {
        type: 'tag.list',
        tags: tagIdx.map((t) => ({
          ...(this.tags[t] as JsonRecord),
          applied_at: created,
          applied_by: { type: 'admin', id: this.adminId(Math.max(0, admin)) },
        })),
      },
      conversation_rating: null,
      source: {
        type: 'conversation',
        id: String(400_000_000 + i),
        delivered_as: 'customer_initiated',
        subject: '',
        body: `<p>${this.fakeSentence(rng)}</p>`,
        author: {
          type: first === undefined ? 'user' : this.contactRole(first),
          id: first === undefined ? '' : this.contactIds.id(first),
          name: who?.name ?? null,
          email: who?.email ?? `unknown+${i}@example.com`,
          from_ai_agent: false,
          is_ai_answer: false,
        },
        attachments: [],
        url: null,
        redacted: false,
      },
      contacts: {
        type: 'contact.list',
        contacts: contacts.map((c) => ({
          type: 'contact',
          id: this.contactIds.id(c),
          external_id: this.contactRole(c) === 'user' ? `user-${c + 1}` : null,
        })),
      },
      teammates: {
        type: 'admin.list',
        teammates: admin >= 0 ? [{ type: 'admin', id: this.adminId(admin) }] : [],
      },
      custom_attributes: customAttributeValues('conversation', rng, created),
      first_contact_reply: { created_at: created, type: 'conversation', url: null },
      sla_applied: null,
      statistics: {
        type: 'conversation_statistics',
        time_to_assignment: 0,
        time_to_admin_reply: firstReply - created,
        ...(state === 'closed'
          ? { time_to_first_close: updated - created, time_to_last_close: updated - created }
          : {}),
        median_time_to_reply: firstReply - created,
        first_contact_reply_at: created,
        first_assignment_at: created,
        first_admin_reply_at: Math.min(updated, firstReply),
        ...(state === 'closed' ? { first_close_at: updated } : {}),
        last_assignment_at: created,
        last_assignment_admin_reply_at: Math.min(updated, firstReply),
        last_contact_reply_at: created,
        last_admin_reply_at: Math.min(updated, firstReply),
        ...(state === 'closed' ? { last_close_at: updated } : {}),
        ...(state === 'closed' && admin >= 0 ? { last_closed_by_id: this.adminId(admin) } : {}),
        count_reopens: 0,
        count_assignments: 1,
        count_conversation_parts: totalParts,
        assigned_team_first_response_time: [],
        assigned_team_first_response_time_in_office_hours: [],
        handling_time: firstReply - created,
      },
      linked_objects: { type: 'list', total_count: 0, has_more: false, data: [] },
      topics: { type: 'topic.list', topics: [], total_count: 0 },
      ai_agent_participated: false,
    };
    if (parts) {
      const visible = parts.slice(-PART_CAP);
      record.conversation_parts = {
        type: 'conversation_part.list',
        conversation_parts: visible,
        total_count: visible.length,
      };
    }
    return record;
  }

  /** The conversation's state after its last state-changing part. */
  private currentState(i: number): string {
    const extra = this.extraParts.get(i);
    if (!extra || extra.length === 0) return this.conversationBaseState(i);
    const parts = this.conversationParts(i);
    return (parts.at(-1)?.state as string | undefined) ?? 'open';
  }

  /** GET /conversations/{id}: the conversation with its (at most 500 most recent) parts. */
  conversationWithParts(i: number): JsonRecord {
    const base = this.buildConversation(i, true);
    const listed = this.conversations.get(i);
    // Mutations patch the listed form; carry their fields over.
    return { ...listed, conversation_parts: base.conversation_parts, state: base.state, open: base.open };
  }

  // ---------------------------------------------------------------- tickets, articles, collections, logs

  private buildTicket(i: number): JsonRecord {
    const created = this.tickets.createdAt[i] as number;
    const updated = this.tickets.updatedAt[i] as number;
    const rng = this.fake.at(this.seed, Kind.ticket, i);
    const type =
      this.ticketTypes.length > 0 ? (this.ticketTypes[i % this.ticketTypes.length] as JsonRecord) : undefined;
    const state = rng.pick(TICKET_STATES);
    const contact = this.counts.contacts > 0 ? rng.int(0, this.counts.contacts - 1) : -1;
    return {
      type: 'ticket',
      id: this.ticketId(i),
      ticket_id: String(i + 1),
      category: (type?.category as string | undefined) ?? 'Customer',
      ticket_attributes: {
        _default_title_: this.fake.faker.lorem.sentence({ min: 3, max: 6 }),
        _default_description_: this.fake.faker.lorem.paragraph(),
      },
      ticket_state: this.ticketState(state),
      ticket_type: type ?? null,
      contacts: {
        type: 'contact.list',
        contacts:
          contact >= 0
            ? [
                {
                  type: 'contact',
                  id: this.contactIds.id(contact),
                  external_id: this.contactRole(contact) === 'user' ? `user-${contact + 1}` : null,
                },
              ]
            : [],
      },
      admin_assignee_id: this.admins.length > 0 ? this.adminId(rng.int(0, this.admins.length - 1)) : '0',
      team_assignee_id: this.teams.length > 0 ? this.teamId(rng.int(0, this.teams.length - 1)) : '0',
      created_at: created,
      updated_at: updated,
      open: state !== 'resolved',
      linked_objects: { type: 'list', total_count: 0, has_more: false, data: [] },
      ticket_parts: { type: 'ticket_part.list', ticket_parts: [], total_count: 0 },
      is_shared: rng.chance(0.5),
    };
  }

  private buildArticle(i: number): JsonRecord {
    const created = this.articles.createdAt[i] as number;
    const updated = this.articles.updatedAt[i] as number;
    const rng = this.fake.at(this.seed, Kind.article, i);
    const { faker } = this.fake;
    const id = numericId('article', i);
    const parent = this.collections.size > 0 ? i % this.counts.collections : -1;
    const title = faker.lorem.sentence({ min: 3, max: 8 });
    return {
      type: 'article',
      id,
      workspace_id: this.appId,
      title,
      description: faker.lorem.sentence(),
      body: `<p>${faker.lorem.paragraphs(2, '</p><p>')}</p>`,
      author_id: Number(this.adminId(rng.int(0, Math.max(0, this.admins.length - 1)))),
      state: rng.chance(0.85) ? 'published' : 'draft',
      created_at: created,
      updated_at: updated,
      url: `https://intercom.help/${this.appId}/en/articles/${id}`,
      parent_id: parent >= 0 ? Number(numericId('collection', parent)) : null,
      parent_ids: parent >= 0 ? [Number(numericId('collection', parent))] : [],
      parent_type: parent >= 0 ? 'collection' : null,
      default_locale: 'en',
      tags: { type: 'tag.list', tags: [] },
    };
  }

  private buildCollection(i: number): JsonRecord {
    const created = this.collections.createdAt[i] as number;
    const updated = this.collections.updatedAt[i] as number;
    this.fake.at(this.seed, Kind.collection, i);
    const id = numericId('collection', i);
    const name = `${this.fake.faker.commerce.department()} guides ${i + 1}`;
    return {
      id,
      workspace_id: this.appId,
      name,
      description: this.fake.faker.lorem.sentence(),
      created_at: created,
      updated_at: updated,
      url: `https://intercom.help/${this.appId}/en/collections/${id}`,
      icon: 'book-bookmark',
      order: i + 1,
      default_locale: 'en',
      parent_id: null,
      help_center_id:
        this.helpCenters.length > 0 ? Number(numericId('helpCenter', i % this.helpCenters.length)) : null,
    };
  }

  private buildActivityLog(i: number): JsonRecord {
    const at = this.activityLogs.createdAt[i] as number;
    const rng = new Rng(hash32(this.seed, Kind.activityLog, i));
    const admin =
      this.admins.length > 0 ? (this.admins[rng.int(0, this.admins.length - 1)] as JsonRecord) : undefined;
    const type = rng.pick(ACTIVITY_TYPES);
    return {
      id: numericId('activityLog', i),
      performed_by: {
        type: 'admin',
        id: (admin?.id as string | undefined) ?? '0',
        email: (admin?.email as string | undefined) ?? 'operator@intercom.io',
        ip: `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      },
      metadata:
        type === 'admin_away_mode_change'
          ? { away_mode: rng.chance(0.5), reassign_conversations: false }
          : {},
      created_at: at,
      activity_type: type,
      activity_description: `${(admin?.name as string | undefined) ?? 'Someone'} ${type.replace(/_/g, ' ')}.`,
    };
  }

  // ---------------------------------------------------------------- mutations

  /**
   * Changes the workspace the way real use does. Counts pick records at random (deterministically
   * from the seed and the mutation number); arrays of ids name them.
   */
  mutate(request: MutationRequest): MutationResult {
    // Refuse the whole request before changing anything: an invalid mutation is never half applied.
    Workspace.validateMutation(request);
    const rng = new Rng(hash32(this.seed, Kind.mutation, ++this.mutationCount));
    if (request.advance_seconds !== undefined) this.advance(request.advance_seconds);
    const now = this.clock.now();
    const result: MutationResult = { now, created: {}, updated: {}, deleted: {} };
    const pickLive = (
      table: LazyTable<JsonRecord>,
      spec: number | string[] | undefined,
      toIndex: (id: string) => number,
    ): number[] => {
      if (spec === undefined) return [];
      if (Array.isArray(spec)) return spec.map(toIndex).filter((i) => table.isLive(i));
      const live = table.liveCount;
      const chosen = new Set<number>();
      let guard = 0;
      while (chosen.size < Math.min(spec, live) && guard++ < spec * 50 + 100) {
        const i = rng.int(0, table.size - 1);
        if (table.isLive(i)) chosen.add(i);
      }
      return [...chosen];
    };
    const tables = {
      contacts: {
        table: this.contacts,
        id: (i: number) => this.contactIds.id(i),
        index: (id: string) => this.contactIds.index(id),
      },
      companies: {
        table: this.companies,
        id: (i: number) => this.companyIds.id(i),
        index: (id: string) => this.companyIds.index(id),
      },
      conversations: {
        table: this.conversations,
        id: (i: number) => this.conversationId(i),
        index: (id: string) => this.conversationIndex(id),
      },
      tickets: {
        table: this.tickets,
        id: (i: number) => this.ticketId(i),
        index: (id: string) => numericIndex('ticket', id),
      },
      articles: {
        table: this.articles,
        id: (i: number) => numericId('article', i),
        index: (id: string) => numericIndex('article', id),
      },
      help_center_collections: {
        table: this.collections,
        id: (i: number) => numericId('collection', i),
        index: (id: string) => numericIndex('collection', id),
      },
    } as const;

    for (const [kind, count] of Object.entries(request.create ?? {})) {
      const n = Math.max(0, Math.min(100_000, Math.floor(Number(count))));
      const ids: string[] = [];
      if (kind === 'conversation_parts') {
        for (const i of pickLive(this.conversations, n, (id) => this.conversationIndex(id))) {
          if (this.addPart(i, now, rng)) ids.push(partId(i, this.partCount(i) - 1));
        }
      } else if (kind === 'tags') {
        for (let k = 0; k < n; k++) {
          const t = this.tags.length;
          this.tags.push({ type: 'tag', id: this.tagId(t), name: `new-tag-${t}` });
          ids.push(this.tagId(t));
        }
      } else if (kind in tables) {
        const { table, id } = tables[kind as keyof typeof tables];
        for (let k = 0; k < n; k++) {
          const i = table.push(now, now);
          if (table === this.conversations) {
            this.basePartCount[i] = 0;
            this.baseEnd[i] = now;
          }
          ids.push(id(i));
        }
      } else {
        throw new MutationError(`cannot create "${kind}"`);
      }
      result.created[kind] = ids;
    }

    for (const [kind, spec] of Object.entries(request.update ?? {})) {
      if (!(kind in tables)) throw new MutationError(`cannot update "${kind}"`);
      const { table, id, index } = tables[kind as keyof typeof tables];
      const ids: string[] = [];
      for (const i of pickLive(table, spec, index)) {
        if (table === this.conversations) {
          // Real updates to a conversation are new parts (replies, state changes).
          this.addPart(i, now, rng);
        } else {
          table.touch(i, now, this.updatePatch(kind, i, rng));
        }
        ids.push(id(i));
      }
      result.updated[kind] = ids;
    }

    for (const [kind, spec] of Object.entries(request.delete ?? {})) {
      const ids: string[] = [];
      if (kind === 'tags') {
        const n = Array.isArray(spec) ? spec.length : Number(spec);
        for (let k = 0; k < n && this.tags.length > 0; k++) {
          const victim = Array.isArray(spec)
            ? this.tags.findIndex((t) => t.id === spec[k])
            : rng.int(0, this.tags.length - 1);
          if (victim < 0) continue;
          ids.push(this.tags[victim]?.id as string);
          this.tags.splice(victim, 1);
        }
      } else if (kind === 'admins' || kind === 'teams' || kind === 'segments') {
        const live = this.listed(kind);
        const victims = Array.isArray(spec)
          ? live.filter((record) => spec.includes(record.id as string))
          : rng.sample(live.length, Math.min(live.length, Number(spec))).map((k) => live[k] as JsonRecord);
        for (const record of victims) {
          this.removed.add(`${kind}:${record.id as string}`);
          ids.push(record.id as string);
        }
      } else if (kind in tables) {
        const { table, id, index } = tables[kind as keyof typeof tables];
        for (const i of pickLive(table, spec, index)) {
          this.deleteRecord(table, i, now);
          ids.push(id(i));
        }
      } else {
        throw new MutationError(`cannot delete "${kind}"`);
      }
      result.deleted[kind] = ids;
    }
    return result;
  }

  /** The admins, teams or segments that exist (deleted ones left out), as the API lists them. */
  listed(kind: 'admins' | 'teams' | 'segments'): JsonRecord[] {
    const all = this[kind];
    return this.removed.size === 0
      ? all
      : all.filter((record) => !this.removed.has(`${kind}:${record.id as string}`));
  }

  /** Delete a record; conversations also appear in GET /conversations/deleted. */
  deleteRecord(table: LazyTable<JsonRecord>, i: number, at: number): void {
    table.delete(i, at);
    if (table === this.conversations)
      this.deletedConversations.push({ id: this.conversationId(i), deleted_at: at });
  }

  private updatePatch(kind: string, i: number, rng: Rng): JsonRecord {
    switch (kind) {
      case 'contacts': {
        // An update also takes the contact's first tag off, so that links can be seen to go.
        const tags = this.contactTagIndexes(i);
        if (tags.length > 0) this.contactTagOverrides.set(i, tags.slice(1));
        return {
          last_seen_at: this.clock.now(),
          custom_attributes: {
            ...(this.contacts.get(i).custom_attributes as JsonRecord),
            seats: rng.int(0, 5000),
          },
        };
      }
      case 'companies': {
        // An update also takes the company's first segment off (company_segments must lose it).
        const segments = this.companySegmentIndexes(i);
        if (segments.length > 0) this.companySegmentOverrides.set(i, segments.slice(1));
        return { monthly_spend: rng.int(0, 20000), session_count: rng.int(0, 10000) };
      }
      case 'tickets': {
        const state = rng.pick(TICKET_STATES);
        return { ticket_state: this.ticketState(state), open: state !== 'resolved' };
      }
      case 'articles':
        return { title: `${this.articles.get(i).title as string} (rev ${rng.int(2, 99)})` };
      default:
        return { description: `Updated ${rng.int(1, 999)}` };
    }
  }

  /** A new part on conversation `i` at `at`; bumps the conversation. False when it is full. */
  private addPart(i: number, at: number, rng: Rng): boolean {
    if (this.partCount(i) >= MAX_PARTS_PER_CONVERSATION) return false;
    const contacts = this.conversationContacts(i);
    const fromContact = contacts.length > 0 && rng.chance(0.5);
    const list = this.extraParts.get(i) ?? [];
    list.push({
      createdAt: at,
      partType: fromContact ? 'comment' : rng.pick(['comment', 'note', 'close', 'open', 'assignment']),
      author: fromContact ? 'contact' : 'admin',
      authorIndex: fromContact ? (contacts[0] as number) : rng.int(0, Math.max(0, this.admins.length - 1)),
    });
    this.extraParts.set(i, list);
    this.conversations.touch(i, at);
    return true;
  }

  private static validateMutation(request: MutationRequest): void {
    const seconds = request.advance_seconds;
    if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0 || seconds > 10 * 365 * DAY))
      throw new MutationError('advance_seconds must be between 0 and 315360000');
    const allowed: Record<'create' | 'update' | 'delete', readonly string[]> = {
      create: [...MUTABLE_KINDS, 'conversation_parts', 'tags'],
      update: [...MUTABLE_KINDS],
      delete: [...MUTABLE_KINDS, 'tags', 'admins', 'teams', 'segments'],
    };
    for (const action of ['create', 'update', 'delete'] as const) {
      for (const kind of Object.keys(request[action] ?? {}))
        if (!allowed[action].includes(kind)) throw new MutationError(`cannot ${action} "${kind}"`);
    }
  }

  private advance(seconds: number): void {
    this.clock.advance(Math.floor(seconds));
  }

  // ---------------------------------------------------------------- truth

  /** Streams the extractor offers, with the ground truth of each. */
  static readonly TRUTH_STREAMS = [
    'admins',
    'teams',
    'tags',
    'segments',
    'companies',
    'company_segments',
    'contacts',
    'contact_tags',
    'contact_companies',
    'company_tags',
    'conversation_tags',
    'conversation_contacts',
    'team_admins',
    'users',
    'leads',
    'conversations',
    'conversation_parts',
    'tickets',
    'articles',
    'help_centers',
    'help_center_collections',
    'activity_logs',
    'contact_attributes',
    'company_attributes',
    'conversation_attributes',
  ] as const;

  /** Ground truth of `stream`: one small object per record the workspace holds now. */
  *truth(stream: string): IterableIterator<JsonRecord> {
    const keyed = (
      table: LazyTable<JsonRecord>,
      id: (i: number) => string,
      filter?: (i: number) => boolean,
    ) =>
      (function* () {
        for (const i of table.liveIndices())
          if (!filter || filter(i)) yield { id: id(i), updated_at: table.updatedAt[i] as number };
      })();
    switch (stream) {
      case 'admins':
        yield* this.listed('admins').map((a) => ({ id: a.id }));
        return;
      case 'teams':
        yield* this.listed('teams').map((t) => ({ id: t.id }));
        return;
      case 'tags':
        yield* this.tags.map((t) => ({ id: t.id }));
        return;
      case 'segments':
        yield* this.listed('segments').map((s) => ({ id: s.id, updated_at: s.updated_at }));
        return;
      case 'companies':
        yield* keyed(this.companies, (i) => this.companyIds.id(i));
        return;
      case 'company_segments':
        for (const i of this.companies.liveIndices()) {
          for (const s of this.companySegmentIndexes(i))
            yield {
              id: this.segments[s]?.id,
              company_id: this.companyIds.id(i),
              company_updated_at: this.companies.updatedAt[i],
            };
        }
        return;
      case 'contacts':
        yield* keyed(this.contacts, (i) => this.contactIds.id(i));
        return;
      case 'contact_tags':
        for (const i of this.contacts.liveIndices()) {
          for (const t of this.contactTagIndexes(i))
            yield {
              contact_id: this.contactIds.id(i),
              tag_id: this.tagId(t),
              contact_updated_at: this.contacts.updatedAt[i],
            };
        }
        return;
      case 'company_tags':
        for (const i of this.companies.liveIndices()) {
          const company = this.companies.get(i);
          for (const tag of ((company.tags as JsonRecord | undefined)?.tags as JsonRecord[] | undefined) ??
            [])
            yield { company_id: company.id, tag_id: tag.id, company_updated_at: company.updated_at };
        }
        return;
      case 'conversation_tags':
      case 'conversation_contacts':
        for (const i of this.conversations.liveIndices()) {
          const conversation = this.conversations.get(i);
          const [field, column] =
            stream === 'conversation_tags' ? ['tags', 'tag_id'] : ['contacts', 'contact_id'];
          const list = (conversation[field] as JsonRecord | undefined)?.[field] as JsonRecord[] | undefined;
          const seen = new Set<unknown>();
          for (const item of list ?? []) {
            if (seen.has(item.id)) continue;
            seen.add(item.id);
            yield {
              conversation_id: conversation.id,
              [column]: item.id,
              conversation_updated_at: conversation.updated_at,
            };
          }
        }
        return;
      case 'team_admins':
        for (const team of this.listed('teams'))
          for (const admin of (team.admin_ids as unknown[] | undefined) ?? [])
            yield { team_id: team.id, admin_id: String(admin) };
        return;
      case 'contact_companies':
        for (const i of this.contacts.liveIndices()) {
          for (const c of this.contactCompanyIndexes(i))
            yield {
              contact_id: this.contactIds.id(i),
              company_id: this.companyIds.id(c),
              contact_updated_at: this.contacts.updatedAt[i],
            };
        }
        return;
      case 'users':
      case 'leads': {
        const role = stream === 'users' ? 'user' : 'lead';
        yield* keyed(
          this.contacts,
          (i) => this.contactIds.id(i),
          (i) => this.contactRole(i) === role,
        );
        return;
      }
      case 'conversations':
        yield* keyed(this.conversations, (i) => this.conversationId(i));
        return;
      case 'conversation_parts':
        for (const i of this.conversations.liveIndices()) {
          const skeletons = this.partSkeletons(i);
          const hidden = skeletons.length - PART_CAP;
          for (const p of skeletons) {
            const line: JsonRecord = {
              id: partId(i, p.index),
              updated_at: p.createdAt,
              conversation_id: this.conversationId(i),
            };
            if (p.index < hidden) line.beyond_api_cap = true;
            yield line;
          }
        }
        return;
      case 'tickets':
        yield* keyed(this.tickets, (i) => this.ticketId(i));
        return;
      case 'articles':
        yield* keyed(this.articles, (i) => numericId('article', i));
        return;
      case 'help_centers':
        yield* this.helpCenters.map((h) => ({ id: h.id, updated_at: h.updated_at }));
        return;
      case 'help_center_collections':
        yield* keyed(this.collections, (i) => numericId('collection', i));
        return;
      case 'activity_logs':
        for (const i of this.activityLogs.liveIndices())
          yield { id: numericId('activityLog', i), created_at: this.activityLogs.createdAt[i] };
        return;
      case 'contact_attributes':
      case 'company_attributes':
      case 'conversation_attributes': {
        const model = stream.replace('_attributes', '') as AttributeModel;
        yield* this.dataAttributes[model].map((a) => ({
          model: a.model,
          name: a.name,
          ...(a.id === undefined ? {} : { id: a.id }),
          updated_at: a.updated_at ?? null,
        }));
        return;
      }
      default:
        throw new MutationError(`unknown stream "${stream}"; known: ${Workspace.TRUTH_STREAMS.join(', ')}`);
    }
  }
}

/** Record kinds `mutate` can create, update and delete by count or id. */
const MUTABLE_KINDS = [
  'contacts',
  'companies',
  'conversations',
  'tickets',
  'articles',
  'help_center_collections',
] as const;

export const TICKET_STATES = ['submitted', 'in_progress', 'waiting_on_customer', 'resolved'] as const;

export interface MutationRequest {
  create?: Record<string, number>;
  update?: Record<string, number | string[]>;
  delete?: Record<string, number | string[]>;
  advance_seconds?: number;
}

export interface MutationResult {
  now: number;
  created: Record<string, string[]>;
  updated: Record<string, string[]>;
  deleted: Record<string, string[]>;
}

/** A mutation or truth request the workspace cannot honour (answered with 400). */
export class MutationError extends Error {
  override name = 'MutationError';
}
