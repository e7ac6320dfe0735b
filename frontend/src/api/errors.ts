/** Errors from the API, as `{error, code}` bodies (docs/api.md), mapped to one class the UI can show. */

interface ApiErrorBody {
  error?: string;
  code?: string;
  request_id?: string;
  [field: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: ApiErrorBody;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, body: ApiErrorBody = {}, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 4xx: the request itself was refused; repeating it unchanged will not help. */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

const FALLBACK_BY_STATUS: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'Your session has ended. Please sign in again.',
  403: 'You do not have permission to do that.',
  404: 'Not found.',
  409: 'That conflicts with a change made elsewhere. Reload and try again.',
  413: 'That is too large to send.',
  415: 'The request was not sent as JSON.',
  429: 'Too many requests. Try again later.',
};

const FALLBACK_BY_CODE: Record<string, string> = {
  module_not_available: "This feature is not included in your organisation's plan.",
  tenant_suspended: "This organisation's account is suspended.",
  tenant_not_found: 'There is no organisation at this address.',
  csrf_failed: 'Your session could not be verified. Reload the page and try again.',
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_input', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'payload_too_large',
  415: 'unsupported_media_type', 429: 'rate_limited',
};

function retryAfter(response: Response, body: ApiErrorBody): number | undefined {
  const header = Number(response.headers.get('Retry-After'));
  if (Number.isFinite(header) && header > 0) return header;
  const seconds = Number(body.remaining_seconds);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

function serverMessage(status: number, body: ApiErrorBody): string {
  if (status >= 500) {
    const reference = typeof body.request_id === 'string' && body.request_id ? ` (reference ${body.request_id})` : '';
    return `The server could not complete the request${reference}. Try again in a moment.`;
  }
  return '';
}

/** Build an ApiError from a failed response; bodies that are not JSON (gateway pages) get a message by status. */
export async function toApiError(response: Response): Promise<ApiError> {
  let body: ApiErrorBody = {};
  try {
    const parsed: unknown = await response.json();
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as ApiErrorBody;
  } catch {
    // Not JSON: keep the status-based message.
  }
  const status = response.status;
  const code = typeof body.code === 'string' && body.code ? body.code : (CODE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'error'));
  const message = serverMessage(status, body)
    || (typeof body.error === 'string' && body.error ? body.error : '')
    || FALLBACK_BY_CODE[code]
    || FALLBACK_BY_STATUS[status]
    || `Request failed (HTTP ${status}).`;
  return new ApiError(status, code, message, body, retryAfter(response, body));
}

export function networkError(): ApiError {
  return new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection and try again.');
}

/** A sentence to show a person for any error a query or mutation raised. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429 && error.retryAfterSeconds) {
      const minutes = Math.ceil(error.retryAfterSeconds / 60);
      const wait = error.retryAfterSeconds < 90 ? `${error.retryAfterSeconds} seconds` : `${minutes} minutes`;
      return `${error.message.replace(/\s*Try again later\.?$/, '')} Try again in ${wait}.`.trim();
    }
    return error.message;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

/** TanStack Query retry policy: never repeat a refused (4xx) request; retry other failures twice. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.isClientError) return false;
  return failureCount < 2;
}
