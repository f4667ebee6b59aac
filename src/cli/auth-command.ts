import type { Command } from 'commander';
import { ConfigurationError, isIntercomRegion, resolveBaseUrl } from '../http/index.js';
import {
  credentialsPath,
  isShared,
  loadCredentials,
  removeCredentials,
  saveCredentials,
} from './credentials.js';
import { UsageError } from './errors.js';
import { oauthLogin, openInBrowser } from './oauth-login.js';
import { type Io, redactor } from './output.js';

interface LoginFlags {
  clientId?: string;
  clientSecret?: string;
  region?: string;
  baseUrl?: string;
  browser?: boolean;
  port?: string;
  timeoutS?: string;
}

function whole(value: string | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}".`);
  return n;
}

/**
 * `intercom-sync auth login|status|logout`: get an access token through Intercom's OAuth flow and
 * keep it in the user's config directory, where `sync` and `check` find it when no other source
 * gives a token. Neither the client secret nor the token is ever printed.
 */
export function registerAuthCommands(
  program: Command,
  io: Io,
  env: { vars: NodeJS.ProcessEnv },
  onExit: (code: number) => void,
): void {
  const auth = program
    .command('auth')
    .description('Log in to Intercom with OAuth and keep the token for sync and check.');

  auth
    .command('login')
    .description("Authorise intercom-sync on a workspace through your Intercom app's OAuth.")
    .option('--client-id <id>', "your Intercom app's client id (default: $INTERCOM_CLIENT_ID)")
    .option(
      '--client-secret <secret>',
      "your Intercom app's client secret (default: $INTERCOM_CLIENT_SECRET)",
    )
    .option('--region <region>', 'us, eu or au (default: us)')
    .option('--base-url <url>', 'API base URL (a proxy, or the local simulator)')
    .option('--no-browser', 'only print the authorisation URL')
    .option('--port <port>', 'port of the local callback on 127.0.0.1 (0 picks a free one)', '0')
    .option('--timeout-s <seconds>', 'how long to wait for the authorisation', '300')
    .action(async (flags: LoginFlags) => {
      const clientId = (flags.clientId ?? env.vars.INTERCOM_CLIENT_ID ?? '').trim();
      const clientSecret = (flags.clientSecret ?? env.vars.INTERCOM_CLIENT_SECRET ?? '').trim();
      const redact = redactor([clientSecret]);
      if (clientId === '')
        throw new UsageError(
          'No client id: pass --client-id or set INTERCOM_CLIENT_ID (your app in the Developer Hub shows it).',
        );
      if (clientSecret === '')
        throw new UsageError('No client secret: pass --client-secret or set INTERCOM_CLIENT_SECRET.');
      const region = (flags.region ?? env.vars.INTERCOM_REGION ?? 'us').trim().toLowerCase();
      if (!isIntercomRegion(region)) throw new UsageError(`--region must be us, eu or au, got "${region}".`);
      let baseUrl: string | undefined;
      try {
        baseUrl = flags.baseUrl === undefined ? undefined : resolveBaseUrl({ baseUrl: flags.baseUrl });
      } catch (error) {
        if (error instanceof ConfigurationError)
          throw new UsageError(error.message.replace('baseUrl', '--base-url'));
        throw error;
      }
      const port = whole(flags.port, '--port', 0, 65535, 0);
      const timeoutS = whole(flags.timeoutS, '--timeout-s', 1, 3600, 300);
      let token: string;
      try {
        token = await oauthLogin({
          clientId,
          clientSecret,
          region,
          ...(baseUrl === undefined ? {} : { baseUrl }),
          port,
          timeoutMs: timeoutS * 1000,
          openBrowser: flags.browser === false ? () => false : (url) => openInBrowser(url, env.vars),
          say: (line) => io.err(redact(line)),
          signal: AbortSignal.timeout((timeoutS + 60) * 1000),
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        io.err(redact(`error: ${message}`));
        onExit(error instanceof UsageError ? 2 : 1);
        return;
      }
      const redactAll = redactor([clientSecret, token]);
      const path = await saveCredentials(env.vars, {
        access_token: token,
        region,
        ...(baseUrl === undefined ? {} : { base_url: baseUrl }),
        created_at: new Date().toISOString(),
      });
      io.out(
        redactAll(
          `Logged in: the access token is stored in ${path} (readable by you only); sync and check use it when no --access-token or INTERCOM_ACCESS_TOKEN is given.`,
        ),
      );
      onExit(0);
    });

  auth
    .command('status')
    .description('Say whether a token is stored, and where (never the token).')
    .action(() => {
      const path = credentialsPath(env.vars);
      const stored = loadCredentials(env.vars);
      if (!stored) {
        io.out(`Not logged in: no token is stored in ${path}. Run intercom-sync auth login.`);
        onExit(1);
        return;
      }
      const where = stored.base_url ? `base URL ${stored.base_url}` : `region ${stored.region}`;
      io.out(`Logged in: a token for ${where}, obtained ${stored.created_at}, is stored in ${path}.`);
      if (isShared(path))
        io.err(`warn: ${path} is readable by other users; restrict it with: chmod 600 ${path}`);
      if (env.vars.INTERCOM_ACCESS_TOKEN)
        io.err('note: INTERCOM_ACCESS_TOKEN is set, and sync and check use it instead of the stored token.');
      onExit(0);
    });

  auth
    .command('logout')
    .description('Remove the stored token (uninstall the app in Intercom to revoke it).')
    .action(async () => {
      const path = credentialsPath(env.vars);
      const removed = await removeCredentials(env.vars);
      io.out(removed ? `Logged out: removed ${path}.` : `Not logged in: there was no token in ${path}.`);
      onExit(0);
    });
}
