import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { airbyteSpecification, DOCUMENTATION_URL } from '../../src/cli/airbyte/airbyte-spec.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { fencedBlocks, type Message, ofType, parseMessages, recordsOf } from './airbyte-support.js';

const execFileAsync = promisify(execFile);
const REPO = new URL('../../', import.meta.url).pathname;
const ENTRYPOINT = join(REPO, 'airbyte/entrypoint.sh');
const TOKEN = 'tok_airbyte_docs_SECRET_5be1';

type Json = Record<string, unknown>;

let sim: RunningSimulator;
let dir: string;
let bin: string;
const printed: string[] = [];

/** Runs a command; resolves with its exit code even when it is not 0. */
async function sh(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd: options.cwd ?? dir,
      env: { PATH: `${bin}:${process.env.PATH}`, INTERCOM_SYNC_HOME: REPO, ...options.env },
      maxBuffer: 64 * 1024 * 1024,
    });
    printed.push(stdout, stderr);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    printed.push(e.stdout ?? '', e.stderr ?? '');
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const messagesOf = (stdout: string): Message[] =>
  parseMessages(
    stdout
      .trim()
      .split('\n')
      .filter((l) => l !== ''),
  );

/**
 * Stands in for `docker` (no daemon here): `build` does nothing, `run [--rm] [-v host:ctr] IMAGE ARGS`
 * runs the image's entrypoint on this checkout with the mounted paths mapped back to the host.
 */
const DOCKER_SHIM = `#!/usr/bin/env bash
set -euo pipefail
command="$1"; shift
case "$command" in
  build) echo "docker build: not run in tests" >&2; exit 0 ;;
  run) ;;
  *) echo "docker $command: not supported by the test shim" >&2; exit 1 ;;
esac
mounts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rm|-i|-t|-it) shift ;;
    -v|--volume) mounts+=("$2"); shift 2 ;;
    --network|-e|--env) shift 2 ;;
    -*) echo "docker run $1: not supported by the test shim" >&2; exit 1 ;;
    *) break ;;
  esac
done
image="$1"; shift
case "$image" in
  intercom-sync/source-intercom-sync:*) ;;
  *) echo "unexpected image $image" >&2; exit 1 ;;
esac
args=()
for arg in "$@"; do
  for mount in "\${mounts[@]+"\${mounts[@]}"}"; do
    arg="\${arg/#\${mount#*:}/\${mount%%:*}}"
  done
  args+=("$arg")
done
exec sh "$INTERCOM_SYNC_HOME/airbyte/entrypoint.sh" "\${args[@]+"\${args[@]}"}"
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-airbyte-docs-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(
    join(bin, 'intercom-sync'),
    `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, 'dist/cli/main.js')}" "$@"\n`,
  );
  await writeFile(join(bin, 'docker'), DOCKER_SHIM);
  await chmod(join(bin, 'intercom-sync'), 0o755);
  await chmod(join(bin, 'docker'), 0o755);
  sim = await startSimulator({ scale: 'tiny', seed: 3, token: TOKEN, now: Date.UTC(2026, 0, 5, 8) / 1000 });
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The example files of docs/airbyte.md, with the simulator in place of Intercom. */
async function writeExampleFiles(work: string): Promise<Json> {
  const markdown = await readFile(join(REPO, 'docs/airbyte.md'), 'utf8');
  const [config] = fencedBlocks(markdown, 'config.json');
  const [catalog] = fencedBlocks(markdown, 'configured_catalog.json');
  expect(config && catalog).toBeTruthy();
  await mkdir(work, { recursive: true });
  const parsed = JSON.parse((config as string).replace('<YOUR_INTERCOM_ACCESS_TOKEN>', TOKEN)) as Json;
  await writeFile(join(work, 'config.json'), JSON.stringify({ ...parsed, base_url: sim.url }));
  await writeFile(join(work, 'configured_catalog.json'), catalog as string);
  return parsed;
}

describe('airbyte/entrypoint.sh', () => {
  it('prints the SPEC', async () => {
    const { code, stdout, stderr } = await sh('sh', [ENTRYPOINT, 'spec']);
    expect(code, stderr).toBe(0);
    expect(stderr).toBe('');
    const messages = messagesOf(stdout);
    expect(messages.map((m) => m.type)).toEqual(['SPEC']);
    expect(messages[0]?.spec).toEqual(airbyteSpecification());
  });

  it('checks a connection against the simulator, and reports a rejected token with exit 0', async () => {
    const good = join(dir, 'entry-config.json');
    await writeFile(
      good,
      JSON.stringify({ access_token: TOKEN, base_url: sim.url, start_date: '2024-01-01T00:00:00Z' }),
    );
    const ok = await sh('sh', [ENTRYPOINT, 'check', '--config', good]);
    expect(ok.code).toBe(0);
    expect(messagesOf(ok.stdout).map((m) => (m.connectionStatus as Json).status)).toEqual(['SUCCEEDED']);
    const bad = join(dir, 'entry-bad.json');
    await writeFile(bad, JSON.stringify({ access_token: 'tok_wrong_00', base_url: sim.url }));
    const failed = await sh('sh', [ENTRYPOINT, 'check', '--config', bad]);
    expect(failed.code).toBe(0);
    expect(messagesOf(failed.stdout).map((m) => (m.connectionStatus as Json).status)).toEqual(['FAILED']);
  });
});

describe('docs/airbyte.md', () => {
  it('the "Try it" example runs as written against the simulator', async () => {
    const work = join(dir, 'try-it');
    const config = await writeExampleFiles(work);
    const [script] = fencedBlocks(await readFile(join(REPO, 'docs/airbyte.md'), 'utf8'), 'airbyte-example');
    const { code, stdout, stderr } = await sh('bash', ['-euo', 'pipefail', '-c', script as string], {
      cwd: work,
    });
    expect(code, stderr).toBe(0);
    // check printed to the terminal; the others to files.
    expect(
      messagesOf(
        stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .join('\n'),
      ).map((m) => m.type),
    ).toEqual(['CONNECTION_STATUS']);
    const file = async (name: string) => messagesOf(await readFile(join(work, name), 'utf8'));
    expect((await file('spec.jsonl')).map((m) => m.type)).toEqual(['SPEC']);
    expect((await file('catalog.jsonl')).map((m) => m.type)).toEqual(['CATALOG']);
    const first = await file('messages.jsonl');
    const second = await file('more.jsonl');
    const firstRecords = recordsOf(first);
    expect(new Set(firstRecords.map((r) => r.stream))).toEqual(new Set(['contacts', 'admins']));
    const start = Date.parse(config.start_date as string) / 1000;
    for (const r of firstRecords.filter((r) => r.stream === 'contacts'))
      expect(r.data.updated_at as number).toBeGreaterThanOrEqual(start - 86_400);
    expect(ofType(second, 'STATE').length).toBeGreaterThan(0);
    // Resumed: admins again (full refresh), only the last day of contacts.
    expect(recordsOf(second).filter((r) => r.stream === 'contacts').length).toBeLessThan(
      firstRecords.filter((r) => r.stream === 'contacts').length,
    );
  });
});

describe('docs/docker.md', () => {
  it('the example runs through the entrypoint with docker standing in (the image build is not tested)', async () => {
    const work = join(dir, 'docker');
    await writeExampleFiles(work);
    const [script] = fencedBlocks(await readFile(join(REPO, 'docs/docker.md'), 'utf8'), 'docker-example');
    const { code, stdout, stderr } = await sh('bash', ['-euo', 'pipefail', '-c', script as string], {
      cwd: work,
    });
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('docker build: not run in tests');
    expect(messagesOf(stdout).map((m) => m.type)).toEqual(['SPEC', 'CONNECTION_STATUS']);
    expect(((messagesOf(stdout)[1] as Message).connectionStatus as Json).status).toBe('SUCCEEDED');
    expect(messagesOf(await readFile(join(work, 'catalog.jsonl'), 'utf8')).map((m) => m.type)).toEqual([
      'CATALOG',
    ]);
    const read = messagesOf(await readFile(join(work, 'messages.jsonl'), 'utf8'));
    expect(recordsOf(read).length).toBeGreaterThan(0);
    expect(ofType(read, 'TRACE').length).toBeGreaterThan(0);
  });
});

describe('the image definition', () => {
  const PACKAGE = async () =>
    JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };

  it('Dockerfile: node:20-slim, npm ci and build, the Airbyte entrypoint', async () => {
    const dockerfile = await readFile(join(REPO, 'Dockerfile'), 'utf8');
    const from = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(from.length).toBeGreaterThan(0);
    expect(from.every((image) => image === 'node:20-slim')).toBe(true);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/^ENV AIRBYTE_ENTRYPOINT="\/airbyte\/entrypoint\.sh"$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/airbyte\/entrypoint\.sh"\]$/m);
    expect(dockerfile).toMatch(/^COPY airbyte\/entrypoint\.sh \/airbyte\/entrypoint\.sh$/m);
    expect(dockerfile).toContain(`io.airbyte.version="${(await PACKAGE()).version}"`);
    // What the build copies is in the build context.
    const ignored = (await readFile(join(REPO, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] as string).split(/\s+/),
    );
    expect(copied).toEqual(
      expect.arrayContaining([
        'package.json',
        'package-lock.json',
        'tsconfig.json',
        'tsconfig.build.json',
        'src',
      ]),
    );
    for (const path of copied)
      expect(
        ignored.some((i) => path === i || path.startsWith(`${i}/`)),
        path,
      ).toBe(false);
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
    const entrypoint = await readFile(ENTRYPOINT, 'utf8');
    expect(entrypoint).toContain(`$\{INTERCOM_SYNC_HOME:-/app}/dist/cli/main.js" airbyte "$@"`);
  });

  it('airbyte/metadata.yaml: Airbyte registry metadata consistent with the image and the spec', async () => {
    const metadata = parseYaml(await readFile(join(REPO, 'airbyte/metadata.yaml'), 'utf8')) as {
      metadataSpecVersion: string;
      data: Json;
    };
    expect(metadata.metadataSpecVersion).toBe('1.0');
    const data = metadata.data;
    expect(data).toMatchObject({
      connectorType: 'source',
      connectorSubtype: 'api',
      releaseStage: 'alpha',
      dockerImageTag: (await PACKAGE()).version,
      documentationUrl: DOCUMENTATION_URL,
      license: 'MIT',
    });
    expect(data.definitionId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(String(data.documentationUrl).endsWith('/docs/airbyte.md')).toBe(true);
    expect(await readFile(join(REPO, 'docs/airbyte.md'), 'utf8')).toMatch(/^# /);
    const dockerfile = await readFile(join(REPO, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`io.airbyte.name="${String(data.dockerRepository)}"`);
    expect((airbyteSpecification() as Json).supportsIncremental).toBe(true);
    // Keys of Airbyte's ConnectorMetadataDefinitionV0 `data` (it allows no others).
    const known = new Set([
      'name',
      'icon',
      'definitionId',
      'connectorBuildOptions',
      'connectorTestSuitesOptions',
      'connectorType',
      'dockerRepository',
      'dockerImageTag',
      'supportsDbt',
      'supportsNormalization',
      'license',
      'documentationUrl',
      'githubIssueLabel',
      'maxSecondsBetweenMessages',
      'releaseDate',
      'protocolVersion',
      'erdUrl',
      'connectorSubtype',
      'releaseStage',
      'supportLevel',
      'tags',
      'registryOverrides',
      'allowedHosts',
      'releases',
      'normalizationConfig',
      'suggestedStreams',
      'resourceRequirements',
      'ab_internal',
      'remoteRegistries',
      'supportsRefreshes',
      'generated',
      'supportsFileTransfer',
      'supportsDataActivation',
      'connectorIPCOptions',
      'language',
    ]);
    for (const key of Object.keys(data)) expect(known.has(key), key).toBe(true);
  });

  it('never printed the access token', () => {
    expect(printed.join('\n')).not.toContain(TOKEN);
  });
});
