import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { UsageError } from './errors.js';
import { zod } from './lazy-modules.js';

/** What `intercom-sync auth login` stores: the token and where it reaches. */
export interface StoredCredentials {
  access_token: string;
  region: string;
  /** Set when the token is for another host than the region's (a proxy, or the simulator). */
  base_url?: string;
  /** ISO 8601, when the token was obtained. */
  created_at: string;
}

/** The shape of the credentials file (built when it is read). */
function credentialsSchema() {
  const { z } = zod();
  return z.object({
    access_token: z.string().min(1),
    region: z.enum(['us', 'eu', 'au']),
    base_url: z.string().optional(),
    created_at: z.string(),
  });
}

export const CREDENTIALS_FILE = 'credentials.json';

/**
 * The directory of intercom-sync's configuration: `$INTERCOM_SYNC_CONFIG_DIR`, else
 * `$XDG_CONFIG_HOME/intercom-sync`, else `~/.config/intercom-sync` (`%APPDATA%\intercom-sync` on Windows).
 */
export function configDir(env: NodeJS.ProcessEnv): string {
  const override = env.INTERCOM_SYNC_CONFIG_DIR;
  if (override && override.trim() !== '') return override;
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'intercom-sync');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'intercom-sync');
  return join(env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir(), '.config', 'intercom-sync');
}

export function credentialsPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), CREDENTIALS_FILE);
}

/**
 * Writes the credentials readable by their owner only: the file 0600, in a directory 0700 (created
 * so, or tightened when it is intercom-sync's own; a directory `INTERCOM_SYNC_CONFIG_DIR` names
 * that existed already is left as it is), written to a temporary file first and renamed over the
 * old one (a crash leaves the old or the new file).
 */
export async function saveCredentials(
  env: NodeJS.ProcessEnv,
  credentials: StoredCredentials,
): Promise<string> {
  const dir = configDir(env);
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined || basename(dir) === 'intercom-sync') await chmod(dir, 0o700);
  const path = join(dir, CREDENTIALS_FILE);
  const temporary = join(dir, `.${CREDENTIALS_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(credentials, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return path;
}

/** The stored credentials, or undefined when there are none. A damaged file is a usage error. */
export function loadCredentials(env: NodeJS.ProcessEnv): StoredCredentials | undefined {
  const path = credentialsPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(
      `Cannot read the stored credentials ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = credentialsSchema().safeParse(raw);
  if (!parsed.success)
    throw new UsageError(
      `The stored credentials ${path} are damaged; run intercom-sync auth logout, then auth login again.`,
    );
  const { base_url, ...rest } = parsed.data;
  return base_url === undefined ? rest : { ...rest, base_url };
}

/** Whether the file can be read by anyone but its owner (mode bits; always false on Windows). */
export function isShared(path: string): boolean {
  if (process.platform === 'win32') return false;
  return (statSync(path).mode & 0o077) !== 0;
}

/** Removes the stored credentials; false when there were none. */
export async function removeCredentials(env: NodeJS.ProcessEnv): Promise<boolean> {
  const path = credentialsPath(env);
  try {
    await rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
