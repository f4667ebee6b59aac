import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { compareWithTruth, mismatches } from '../support/warehouse.js';
import { fencedBlocks } from './airbyte-support.js';

const execFileAsync = promisify(execFile);
const REPO = new URL('../../', import.meta.url).pathname;
const TOKEN = 'tok_library_docs_SECRET_91c0';

let sim: RunningSimulator;
let dir: string;
let example: string;

/** Runs a command in the temporary project; resolves with its exit code even when it is not 0. */
async function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 5, token: TOKEN, now: Date.UTC(2026, 0, 8, 9) / 1000 });
  // A project of a user: `intercom-sync` installed (a link to this checkout, built), so imports go
  // through the package's `exports` map and its `types`.
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-library-docs-'));
  await mkdir(join(dir, 'node_modules'));
  await symlink(REPO, join(dir, 'node_modules/intercom-sync'), 'dir');
  await symlink(join(REPO, 'node_modules/@types'), join(dir, 'node_modules/@types'), 'dir');
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'user-project', type: 'module', private: true }),
  );
  const markdown = await readFile(join(REPO, 'docs/library.md'), 'utf8');
  const blocks = fencedBlocks(markdown, 'library-example');
  expect(blocks).toHaveLength(1);
  example = blocks[0] as string;
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('docs/library.md', () => {
  it('the example runs as written against the simulator, importing the built package', async () => {
    const marker = 'createClient({ accessToken:';
    expect(example.split(marker)).toHaveLength(2);
    // The one change: the simulator in place of Intercom.
    await writeFile(
      join(dir, 'example.mjs'),
      example.replace(marker, `createClient({ baseUrl: ${JSON.stringify(sim.url)}, accessToken:`),
    );
    const { code, stdout, stderr } = await run(process.execPath, ['example.mjs'], {
      INTERCOM_ACCESS_TOKEN: TOKEN,
    });
    expect(code, stderr).toBe(0);
    const since = Date.UTC(2025, 0, 1) / 1000;
    const recent = sim.control.truth('contacts').filter((c) => (c.updated_at as number) >= since);
    expect(stdout).toContain(`${recent.length} contacts updated since 2025-01-01`);
    expect(stdout).toMatch(/^conversation \S+ has [1-9]\d* parts$/m);
    for (const stream of ['admins', 'contacts', 'conversations'])
      expect(stdout).toMatch(new RegExp(`^${stream}: succeeded, [1-9]\\d* rows$`, 'm'));
    // A copy under another name: DuckDB confuses a database named "intercom" with the schema.
    const db = join(dir, 'check.duckdb');
    await copyFile(join(dir, 'intercom.duckdb'), db);
    expect(
      mismatches(
        await Promise.all(['admins', 'contacts', 'conversations'].map((s) => compareWithTruth(sim, db, s))),
      ),
    ).toEqual([]);
    expect(`${stdout}${stderr}`).not.toContain(TOKEN);
  });

  it('type-checks: the example, typed records, and mistakes the types catch', async () => {
    await writeFile(join(dir, 'example.mts'), example);
    await writeFile(
      join(dir, 'typed.mts'),
      `import {
  type Contact,
  type ConversationPart,
  createClient,
  createDuckDbDestination,
  readStream,
  streams,
  sync,
  type Ticket,
} from 'intercom-sync';

const client = createClient({ accessToken: 'token', region: 'eu' });
for await (const contact of streams.contacts(client, { updatedSince: new Date() })) {
  const email: string = contact.email;
  const name: string | null = contact.name;
  const updated: number = contact.updated_at;
  const same: Contact = contact;
  // @ts-expect-error a misspelled field
  contact.emial;
  // @ts-expect-error email is a string
  const wrong: number = contact.email;
  console.log(email, name, updated, same, wrong);
}
for await (const conversation of streams.conversations(client)) {
  for await (const part of streams.conversationParts(client, { parent: conversation, concurrency: 4 })) {
    const typed: ConversationPart = part;
    const conversationId: string = part.conversation_id;
    const truncated: boolean = part.parts_truncated;
    console.log(typed, conversationId, truncated);
  }
}
for await (const ticket of readStream(client, 'tickets')) {
  const typed: Ticket = ticket;
  console.log(typed);
}
for await (const attribute of streams.contactAttributes(client)) {
  // Built-in attributes have no id: it is optional.
  // @ts-expect-error possibly undefined
  const id: number = attribute.id;
  console.log(id);
}
// @ts-expect-error an unknown stream
readStream(client, 'contactz');
// @ts-expect-error only child streams take a parent
streams.contacts(client, { parent: { id: '1' } });
// @ts-expect-error regions are us, eu and au
createClient({ accessToken: 'token', region: 'de' });
const destination = createDuckDbDestination({ path: ':memory:' });
// @ts-expect-error an unknown stream
await sync({ client, destination, streams: ['contacts', 'contactz'] });
const result = await sync({ client, destination, streams: ['contacts'], startDate: new Date('2024-01-01') });
const ok: boolean = result.ok;
console.log(ok);
`,
    );
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['example.mts', 'typed.mts'],
      }),
    );
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const { code, stdout, stderr } = await run(process.execPath, [tsc, '-p', 'tsconfig.json']);
    expect(`${stdout}${stderr}`).toBe('');
    expect(code).toBe(0);
  });
});

describe('README', () => {
  it('the library example runs as written against the simulator', async () => {
    const markdown = await readFile(join(REPO, 'README.md'), 'utf8');
    const blocks = fencedBlocks(markdown, 'readme-library-example');
    expect(blocks).toHaveLength(1);
    const marker = 'createClient({ accessToken:';
    const readme = blocks[0] as string;
    expect(readme.split(marker)).toHaveLength(2);
    await writeFile(
      join(dir, 'readme.mjs'),
      readme.replace(marker, `createClient({ baseUrl: ${JSON.stringify(sim.url)}, accessToken:`),
    );
    const { code, stdout, stderr } = await run(process.execPath, ['readme.mjs'], {
      INTERCOM_ACCESS_TOKEN: TOKEN,
    });
    expect(code, stderr).toBe(0);
    const since = Date.UTC(2025, 0, 1) / 1000;
    const recent = sim.control.truth('contacts').filter((c) => (c.updated_at as number) >= since);
    // One line per contact: its id and email.
    const lines = stdout
      .trim()
      .split('\n')
      .filter((l) => l.length > 0);
    expect(lines).toHaveLength(recent.length);
    expect(new Set(lines.map((l) => l.split(' ')[0]))).toEqual(new Set(recent.map((c) => c.id)));
    expect(stdout).not.toContain(TOKEN);
  });
});
