/** A mistake in what the user typed: printed as one sentence, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
