/**
 * Intercom's error envelope. Every non-2xx answer of the simulator uses it, as the real API does:
 *
 *   {"type":"error.list","request_id":"0001a2b3-…","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}
 */
export interface IntercomErrorItem {
  code: string;
  message: string;
  field?: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function errorBody(requestId: string, errors: IntercomErrorItem[]): Record<string, unknown> {
  return { type: 'error.list', request_id: requestId, errors };
}
