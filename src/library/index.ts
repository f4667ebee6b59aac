export { type Client, type ClientOptions, createClient } from './client.js';
export type {
  ActivityLog,
  Admin,
  Article,
  Company,
  CompanySegment,
  Contact,
  Conversation,
  ConversationPart,
  ConversationWithParts,
  DataAttribute,
  HelpCenter,
  HelpCenterCollection,
  IntercomSchemas,
  Segment,
  StreamName,
  StreamRecords,
  Tag,
  Team,
  Ticket,
} from './records.js';
export {
  type ChildStreamName,
  type ChildStreamOptions,
  type ChildStreamParents,
  type ParentRecord,
  readStream,
  type StreamOptions,
  type StreamOptionsFor,
  type StreamReader,
  streams,
} from './streams.js';
export { type SyncOptions, sync } from './sync.js';
