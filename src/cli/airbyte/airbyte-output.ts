import type { LogFields, Logger } from '../../http/index.js';
import type { Io } from '../output.js';

export type AirbyteLogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
export type AirbyteStreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';
export type AirbyteFailureType = 'system_error' | 'config_error' | 'transient_error';

/**
 * Prints Airbyte protocol messages, one JSON object per line on stdout, every line passed through
 * the redactor (the access token never leaves). Nothing else goes to stdout.
 */
export class AirbyteOutput {
  #redact: (text: string) => string;

  constructor(
    private readonly io: Io,
    private readonly now: () => number = Date.now,
    redact: (text: string) => string = (t) => t,
  ) {
    this.#redact = redact;
  }

  /** Secrets learnt from the config are redacted from then on. */
  set redact(redact: (text: string) => string) {
    this.#redact = redact;
  }

  emit(message: Record<string, unknown>): void {
    this.io.out(this.#redact(JSON.stringify(message)));
  }

  record(stream: string, data: Record<string, unknown>): void {
    this.emit({ type: 'RECORD', record: { stream, data, emitted_at: this.now() } });
  }

  /** A per-stream STATE; `recordCount` is the stream's records since its previous STATE. */
  state(stream: string, blob: Record<string, unknown>, recordCount: number): void {
    this.emit({
      type: 'STATE',
      state: {
        type: 'STREAM',
        stream: { stream_descriptor: { name: stream }, stream_state: blob },
        sourceStats: { recordCount },
      },
    });
  }

  log(level: AirbyteLogLevel, message: string): void {
    this.emit({ type: 'LOG', log: { level, message } });
  }

  status(stream: string, status: AirbyteStreamStatus): void {
    this.emit({
      type: 'TRACE',
      trace: {
        type: 'STREAM_STATUS',
        emitted_at: this.now(),
        stream_status: { stream_descriptor: { name: stream }, status },
      },
    });
  }

  error(failureType: AirbyteFailureType, message: string, internal?: string, stream?: string): void {
    this.emit({
      type: 'TRACE',
      trace: {
        type: 'ERROR',
        emitted_at: this.now(),
        error: {
          message,
          failure_type: failureType,
          ...(internal ? { internal_message: internal } : {}),
          ...(stream ? { stream_descriptor: { name: stream } } : {}),
        },
      },
    });
  }

  connectionStatus(status: 'SUCCEEDED' | 'FAILED', message: string): void {
    this.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status, message } });
  }

  /** A Logger whose lines become LOG messages (debug lines only when verbose). */
  logger(verbose = false): Logger {
    const write = (level: AirbyteLogLevel, message: string, fields: LogFields = {}) => {
      const extras = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      this.log(level, extras ? `${message} (${extras})` : message);
    };
    return {
      debug: (m, f) => {
        if (verbose) write('DEBUG', m, f);
      },
      info: (m, f) => write('INFO', m, f),
      warn: (m, f) => write('WARN', m, f),
      error: (m, f) => write('ERROR', m, f),
    };
  }
}
