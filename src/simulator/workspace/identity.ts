import { hash32 } from '../random.js';

/** Record kinds; each seeds its own PRNG streams and id space. */
export const Kind = {
  admin: 1,
  team: 2,
  tag: 3,
  segment: 4,
  company: 5,
  contact: 6,
  conversation: 7,
  part: 8,
  ticket: 9,
  ticketType: 10,
  article: 11,
  collection: 12,
  helpCenter: 13,
  activityLog: 14,
  newsItem: 15,
  attribute: 16,
  contactIdentity: 17,
  companyIdentity: 18,
  mutation: 19,
  fault: 20,
  note: 21,
} as const;

export const DAY = 86_400;

/** Numeric id bases: Intercom uses numeric strings for these kinds. */
const NUMERIC_BASE: Record<string, number> = {
  admin: 991_200_000,
  team: 5_100_000,
  tag: 7_300_000,
  conversation: 1_900_000_000,
  ticket: 4_200_000,
  ticketType: 20,
  article: 8_400_000,
  collection: 9_500_000,
  helpCenter: 300,
  activityLog: 6_600_000,
  newsItem: 3_300,
  attribute: 12_000,
  note: 44_000_000,
};

/** Conversation part ids: base + conversation index × 1024 + part index (≤ 1023 parts each). */
export const PART_ID_BASE = 20_000_000_000;
export const MAX_PARTS_PER_CONVERSATION = 1023;

export function numericId(kind: keyof typeof NUMERIC_BASE, index: number): string {
  return String((NUMERIC_BASE[kind] as number) + index);
}

export function numericIndex(kind: keyof typeof NUMERIC_BASE, id: string): number {
  if (!/^\d{1,15}$/.test(id)) return -1;
  return Number(id) - (NUMERIC_BASE[kind] as number);
}

export function partId(conversationIndex: number, partIndex: number): string {
  return String(PART_ID_BASE + conversationIndex * 1024 + partIndex);
}

/** 24-hex ids (contacts, companies, segments), as Intercom's object ids look: an 8-hex prefix per kind and seed, then the index. */
export class HexIds {
  private readonly prefix: string;

  constructor(seed: number, kind: number) {
    this.prefix = hash32(seed, kind, 0xabc).toString(16).padStart(8, '0');
  }

  id(index: number): string {
    return this.prefix + index.toString(16).padStart(16, '0');
  }

  index(id: string): number {
    if (id.length !== 24 || !id.startsWith(this.prefix)) return -1;
    const rest = id.slice(8);
    if (!/^[0-9a-f]{16}$/.test(rest)) return -1;
    return Number.parseInt(rest, 16);
  }
}
