import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './errors.js';
import { yaml, zod } from './lazy-modules.js';

/** How to reach Intercom, from flags, the environment, an ingestr URI or a Bruin connections file. */
export interface IntercomConnection {
  accessToken: string;
  region: string;
  baseUrl?: string;
}

/** Replaces `{{ env_var('NAME') }}` and `${NAME}`; an unset variable is an error naming it. */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv, where: string): string {
  const lookup = (name: string) => {
    const value = env[name];
    if (value === undefined)
      throw new UsageError(`${where} refers to the environment variable ${name}, which is not set.`);
    return value;
  };
  return text
    .replace(/\{\{\s*env_var\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)\s*\}\}/g, (_m, name: string) =>
      lookup(name),
    )
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => lookup(name));
}

/** The shape of a connections file (built when one is read). */
function connectionsFileSchema() {
  const { z } = zod();
  const connection = z.object({
    name: z.string(),
    access_token: z.string().min(1),
    region: z.enum(['us', 'eu', 'au']).optional(),
    base_url: z.string().optional(),
  });
  return z.object({ connections: z.object({ intercom: z.array(connection) }).passthrough() }).passthrough();
}

/**
 * Reads a Bruin-style `connections.yml`:
 *
 *   connections:
 *     intercom:
 *       - name: "my_intercom"
 *         access_token: "{{ env_var('INTERCOM_ACCESS_TOKEN') }}"
 *         region: "us"
 */
export function readConnectionsFile(
  path: string,
  name: string,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): IntercomConnection {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    if ((statSync(path).mode & 0o077) !== 0)
      warn(
        `${path} is readable by other users; it holds access tokens, so restrict it with: chmod 600 ${path}`,
      );
  } catch (error) {
    throw new UsageError(
      `Cannot read the connections file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  let raw: unknown;
  try {
    raw = yaml().parse(text);
  } catch {
    throw new UsageError(`The connections file ${path} is not valid YAML.`);
  }
  const parsed = connectionsFileSchema().safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'connections.intercom';
    throw new UsageError(
      `The connections file ${path} has no valid ${field}: expected connections.intercom as a list of {name, access_token, region}.`,
    );
  }
  const entry = parsed.data.connections.intercom.find((c) => c.name === name);
  if (!entry) {
    const names = parsed.data.connections.intercom.map((c) => c.name).join(', ') || 'none';
    throw new UsageError(
      `The connections file ${path} has no Intercom connection named "${name}" (it has: ${names}).`,
    );
  }
  const where = `Connection "${name}" in ${path}`;
  return {
    accessToken: substituteEnv(entry.access_token, env, where),
    region: entry.region ?? 'us',
    ...(entry.base_url ? { baseUrl: substituteEnv(entry.base_url, env, where) } : {}),
  };
}

/** Reads ingestr's `intercom://?access_token=…&region=eu` source URI. */
export function parseSourceUri(uri: string): Partial<IntercomConnection> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new UsageError('--source-uri must look like intercom://?access_token=TOKEN&region=us.');
  }
  if (url.protocol !== 'intercom:')
    throw new UsageError(`--source-uri must start with intercom://, not ${url.protocol}//.`);
  const known = new Set(['access_token', 'region', 'base_url']);
  for (const key of url.searchParams.keys())
    if (!known.has(key))
      throw new UsageError(
        `--source-uri has an unknown parameter "${key}"; known: access_token, region, base_url.`,
      );
  const token = url.searchParams.get('access_token');
  const region = url.searchParams.get('region');
  const baseUrl = url.searchParams.get('base_url');
  return {
    ...(token ? { accessToken: token } : {}),
    ...(region ? { region } : {}),
    ...(baseUrl ? { baseUrl } : {}),
  };
}
