import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import { parse } from 'yaml';
import {
  type AirbyteArgs,
  type AirbyteCommandName,
  runAirbyte,
} from '../../src/cli/airbyte/airbyte-command.js';
import { runCli } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import type { SyncTuning } from '../../src/engine/sync.js';
import { TRUTH_KEYS } from '../support/warehouse.js';

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, which carries `.default`.
const addFormats = (
  'default' in formatsModule ? formatsModule.default : formatsModule
) as typeof formatsModule.default;

export type Message = Record<string, unknown> & { type: string };
type Json = Record<string, unknown>;

/** The Airbyte protocol (draft-07 JSON Schema in YAML) exactly as published. */
export const PROTOCOL_URL = new URL(
  '../../../shared/airbyte-protocol/airbyte_protocol.v0.yaml',
  import.meta.url,
);

export function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

let protocolAjv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** A validator of one definition of the protocol, e.g. `AirbyteMessage`. */
export function protocolValidator(definition: string): ValidateFunction {
  let validate = validators.get(definition);
  if (validate) return validate;
  if (!protocolAjv) {
    protocolAjv = newAjv();
    const schema = parse(readFileSync(PROTOCOL_URL, 'utf8')) as Json;
    // The document's $id is a GitHub page; ours resolves `#/definitions/...` inside it.
    protocolAjv.addSchema({ ...schema, $id: 'https://intercom-sync.test/airbyte_protocol.json' });
  }
  validate = protocolAjv.getSchema(
    `https://intercom-sync.test/airbyte_protocol.json#/definitions/${definition}`,
  ) as ValidateFunction;
  validators.set(definition, validate);
  return validate;
}

/** Throws with ajv's errors when a message is not a valid AirbyteMessage. */
export function assertAirbyteMessage(message: unknown): asserts message is Message {
  const validate = protocolValidator('AirbyteMessage');
  if (!validate(message))
    throw new Error(
      `not an AirbyteMessage: ${JSON.stringify(validate.errors?.slice(0, 3))} in ${JSON.stringify(message).slice(0, 300)}`,
    );
}

export interface AirbyteRun {
  code: number;
  messages: Message[];
  /** Everything printed (stdout and stderr), for the "never prints the token" check. */
  text: string;
  stderr: string[];
}

/** Every stdout line must be one valid AirbyteMessage: parses and validates all of them. */
export function parseMessages(lines: readonly string[]): Message[] {
  return lines.map((line) => {
    const message = JSON.parse(line) as unknown;
    assertAirbyteMessage(message);
    return message;
  });
}

/** Runs an Airbyte command in-process (optionally with engine tuning), validating every message. */
export async function airbyte(
  command: AirbyteCommandName,
  args: AirbyteArgs,
  tuning?: Partial<SyncTuning>,
): Promise<AirbyteRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await runAirbyte(command, args, io, tuning ? { tuning } : {});
  return { code, messages: parseMessages(out), text: [...out, ...err].join('\n'), stderr: err };
}

/** Runs the CLI in-process (`intercom-sync …`). */
export async function cliLines(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, {});
  return { code, out, err };
}

export const ofType = (messages: readonly Message[], type: string) => messages.filter((m) => m.type === type);

export interface RecordMessage {
  stream: string;
  data: Json;
  emitted_at: number;
}

export const recordsOf = (messages: readonly Message[]): RecordMessage[] =>
  ofType(messages, 'RECORD').map((m) => m.record as RecordMessage);

export const statusesOf = (messages: readonly Message[], stream: string): string[] =>
  ofType(messages, 'TRACE')
    .map((m) => m.trace as Json)
    .filter((t) => t.type === 'STREAM_STATUS')
    .map((t) => t.stream_status as { stream_descriptor: { name: string }; status: string })
    .filter((s) => s.stream_descriptor.name === stream)
    .map((s) => s.status);

export const errorsOf = (messages: readonly Message[]) =>
  ofType(messages, 'TRACE')
    .map((m) => m.trace as Json)
    .filter((t) => t.type === 'ERROR')
    .map((t) => t.error as { message: string; failure_type?: string; stream_descriptor?: { name: string } });

/** Seconds from a record value (Unix seconds for Airbyte, ISO 8601 for Singer). */
export function toSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  return undefined;
}

/**
 * What a destination holds after loading records in order, latest version per key: a tombstone
 * (`_deleted_at` set) removes its key. Returns key → cursor (seconds) per stream.
 */
export function materialise(
  records: ReadonlyArray<{ stream: string; data: Json }>,
): Map<string, Map<string, number | undefined>> {
  const tables = new Map<string, Map<string, number | undefined>>();
  for (const { stream, data } of records) {
    const spec = TRUTH_KEYS[stream];
    if (!spec) throw new Error(`no keys for ${stream}`);
    const table = tables.get(stream) ?? new Map<string, number | undefined>();
    tables.set(stream, table);
    const key = spec.key.map((k) => String(data[k])).join('|');
    if (data._deleted_at !== undefined && data._deleted_at !== null) {
      table.delete(key);
      continue;
    }
    const t = spec.time ? toSeconds(data[spec.time]) : undefined;
    const before = table.get(key);
    // Records may repeat (resumed reads overlap): the newest version wins, as dedup does.
    if (!table.has(key) || (t ?? 0) >= (before ?? 0)) table.set(key, t);
  }
  return tables;
}

/** Differences between a materialised stream and the simulator's truth (empty when equal). */
export function diffWithTruth(
  stream: string,
  table: ReadonlyMap<string, number | undefined> | undefined,
  truth: ReadonlyArray<Json>,
): { stream: string; missing: string[]; extra: string[]; stale: string[] } | undefined {
  const spec = TRUTH_KEYS[stream];
  if (!spec) throw new Error(`no keys for ${stream}`);
  const expected = new Map(
    truth
      .filter((t) => t.beyond_api_cap !== true)
      .map((t) => [
        spec.key.map((k) => String(t[k])).join('|'),
        spec.time ? Number(t[spec.time]) : undefined,
      ]),
  );
  const actual = table ?? new Map<string, number | undefined>();
  const missing = [...expected.keys()].filter((k) => !actual.has(k));
  const extra = [...actual.keys()].filter((k) => !expected.has(k));
  const stale = [...expected.entries()]
    .filter(([k, t]) => actual.has(k) && t !== undefined && actual.get(k) !== t)
    .map(([k]) => k);
  if (missing.length + extra.length + stale.length === 0) return undefined;
  return { stream, missing: missing.slice(0, 5), extra: extra.slice(0, 5), stale: stale.slice(0, 5) };
}

/** Extracts the fenced code blocks of a Markdown file whose info string names `tag`. */
export function fencedBlocks(markdown: string, tag: string): string[] {
  const blocks: string[] = [];
  const pattern = /^```([^\n]*)\n([\s\S]*?)^```\s*$/gm;
  for (const match of markdown.matchAll(pattern)) {
    const info = (match[1] ?? '').trim().split(/\s+/);
    if (info.includes(tag)) blocks.push(match[2] ?? '');
  }
  return blocks;
}
