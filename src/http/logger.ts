/** Structured fields attached to a log line. Never put the access token or request headers here. */
export type LogFields = Record<string, unknown>;

/** The logger the HTTP layer writes to; any object with these four methods fits. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** A logger that drops everything. */
export function createSilentLogger(): Logger {
  const drop = (): void => {};
  return { debug: drop, info: drop, warn: drop, error: drop };
}
